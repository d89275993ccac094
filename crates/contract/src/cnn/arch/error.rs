//! Why a layer cannot be built: what went wrong, in which part of the layer, and the sentence the
//! builder shows for it (with the formula and the numbers where there are some).

use super::window::WindowError;
use super::FeatureShape;
use std::fmt;

/// Which layer, or which part of one, cannot be built: names it in the sentence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Convolution,
    Pooling,
    GlobalPooling,
    ResidualBlock,
    /// The strided 3×3 convolution that decides a residual block's output size.
    ResidualFirstConv,
    Dense,
    /// Joining parallel branches along the channels (an inception module).
    Concatenation,
}

impl Part {
    /// As it starts a sentence about the layer: "convolution: …".
    fn name(self) -> &'static str {
        match self {
            Part::Convolution => "convolution",
            Part::Pooling => "pooling",
            Part::GlobalPooling => "global pooling",
            Part::ResidualBlock => "residual block",
            Part::ResidualFirstConv => "residual block (first 3×3 conv)",
            Part::Dense => "dense",
            Part::Concatenation => "concatenation",
        }
    }

    /// As the subject of a sentence: "a convolution needs …".
    fn subject(self) -> &'static str {
        match self {
            Part::Convolution => "a convolution",
            Part::ResidualBlock => "a residual block",
            Part::ResidualFirstConv => "a residual block's first convolution",
            Part::Dense => "a dense layer",
            other => other.name(),
        }
    }
}

/// What is wrong with the layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// It slides a window over (or pools) a map, but was given a flat vector.
    NeedsMap {
        input: FeatureShape,
    },
    NoChannels,
    NoUnits,
    ZeroDilation,
    /// Its window gives no output size.
    Window(WindowError),
    /// A residual block's two paths make shapes that cannot be added.
    ShortcutMismatch {
        shortcut: FeatureShape,
        main: FeatureShape,
    },
    /// A branch's map (branches counted from 0) differs in height × width from the first's.
    BranchSize {
        branch: usize,
        output: FeatureShape,
        h: usize,
        w: usize,
    },
}

/// Why a layer cannot be built. Shown as its [`Display`](fmt::Display) sentence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArchError {
    pub part: Part,
    pub problem: Problem,
}

impl ArchError {
    pub fn new(part: Part, problem: Problem) -> ArchError {
        ArchError { part, problem }
    }

    /// The same problem, told as one of `part`'s (a block's inner layer speaks for the block).
    pub fn within(self, part: Part) -> ArchError {
        ArchError { part, ..self }
    }
}

impl fmt::Display for ArchError {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.part.name();
        match self.problem {
            Problem::NeedsMap { input } => write!(
                out,
                "{} needs a feature map, but a dense layer before it made a flat vector of {input}",
                self.part.subject()
            ),
            Problem::NoChannels => write!(out, "{name}: at least 1 channel"),
            Problem::NoUnits => write!(out, "{name}: at least 1 unit"),
            Problem::ZeroDilation => write!(out, "{name}: dilation must be at least 1"),
            Problem::Window(e) => write!(out, "{name}: {e}"),
            Problem::ShortcutMismatch { shortcut, main } => write!(
                out,
                "{name}: the shortcut makes {shortcut} but the main path {main}"
            ),
            Problem::BranchSize {
                branch,
                output,
                h,
                w,
            } => write!(
                out,
                "{name}: branch {} makes {output}, not {h}×{w} as branch 1 does",
                branch + 1
            ),
        }
    }
}

impl std::error::Error for ArchError {}
