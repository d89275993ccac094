//! Drawing one symbol from a model's distribution: the Recurrent and Transformer labs' text
//! samplers both draw this way, from one uniform number per symbol.

/// The first index at which the running sum of `weights` passes `u` (for `u` uniform below
/// their sum, an index drawn in proportion to its weight); `None` if rounding left `u` above
/// the sum.
pub(crate) fn draw(weights: &[f64], mut u: f64) -> Option<usize> {
    weights.iter().position(|&w| {
        u -= w;
        u < 0.0
    })
}
