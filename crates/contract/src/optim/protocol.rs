//! What the optimizer lab's page asks of its session and what comes back.

use super::OptimLab;
use crate::training::OptimizerName;
use serde::{Deserialize, Serialize};

crate::declare_protocol!(
    /// The optimizer lab's protocol.
    ///
    /// A start replays to `spec.at` (the reply carries every point so far).
    OptimProtocol, super::SLUG, OptimLab, OptimRequest, OptimReply
);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OptimRequest {
    /// Take this many steps (the page's play loop asks again only after the answer, so
    /// requests never pile up).
    Step { steps: usize },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OptimReply {
    /// The race (re)started: the loss surface and every path so far.
    Started {
        contour: ContourGrid,
        frame: OptimFrame,
    },
    /// New path points since the last frame.
    Frame(OptimFrame),
}

/// The loss on a grid over the problem's domain, row by row (y outer, x inner).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContourGrid {
    pub x_range: (f32, f32),
    pub y_range: (f32, f32),
    pub columns: usize,
    pub rows: usize,
    /// Finite: a sample where the loss is not a number takes the largest finite value.
    pub values: Vec<f32>,
    /// Known minima inside the domain (marked on the plot).
    pub minima: Vec<(f32, f32)>,
    /// The gradient ∇L on a coarser grid (`arrow_columns` × `arrow_rows`, same layout), for
    /// arrows normal to the level lines.
    pub arrow_columns: usize,
    pub arrow_rows: usize,
    pub gradients: Vec<(f32, f32)>,
}

/// The state of the optimizer race after `step` steps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OptimFrame {
    pub step: usize,
    pub runs: Vec<RunFrame>,
}

/// One optimizer's path points from index `from` on (index 0 is the start), the loss at each
/// (`None` where it is not a finite number: JSON has no NaN), its current η, and why it
/// stopped, if it did. A path ends at its last finite point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunFrame {
    pub optimizer: OptimizerName,
    pub from: usize,
    pub points: Vec<(f32, f32)>,
    pub losses: Vec<Option<f32>>,
    #[serde(with = "crate::wire::or_null")]
    pub lr: f32,
    pub diverged: Option<String>,
}
