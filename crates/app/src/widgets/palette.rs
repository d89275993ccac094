//! The colours the labs' charts share, by what they mean, so that "held-out" is the same
//! orange on every page and a new chart does not invent its own.

/// Training batches (grey-blue: many noisy points, drawn behind).
pub const TRAIN: &str = "#9aa6c9";
/// The held-out set (orange: the number the lab is judged by).
pub const HELD_OUT: &str = "#e07a2d";
/// A second measure beside the held-out one (exact answers, after clipping, the scaled run).
pub const SECOND: &str = "#2c7fb8";
/// What goes wrong or is switched off (before clipping, the unscaled run).
pub const CONTRAST: &str = "#c0392b";
/// Ink of axes, labels and marks.
pub const INK: &str = "#1d2330";
/// Secondary ink (grid, hints).
pub const MUTED: &str = "#5b6475";
/// The page's accent (a picked unit, a path drawn by hand).
pub const ACCENT: &str = "#3a5bd9";
