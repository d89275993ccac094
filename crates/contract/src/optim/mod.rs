//! The optimizer lab: optimizers race across a 2-D loss surface (or a regression problem's
//! loss over (w, b)) from the same start. Its experiment, link, limits and messages.

pub mod error;
mod examples;
pub mod limits;
pub mod link;
pub mod protocol;

use crate::training::{LrSchedule, OptimizerName, Run};
pub use error::OptimError;
use limits::OptimLimits;
use serde::{Deserialize, Serialize};

/// The lab's name in links (`#lab=optim`) and in the engine's messages.
pub const SLUG: &str = "optim";

/// The 2-D problems of the optimizer lab.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    Bowl,
    Ravine,
    Saddle,
    Rosenbrock,
    Himmelblau,
    /// Linear regression y = w x + b on a small data set; the parameters are (w, b).
    Regression,
}

impl Problem {
    pub const ALL: [Problem; 6] = [
        Problem::Bowl,
        Problem::Ravine,
        Problem::Saddle,
        Problem::Rosenbrock,
        Problem::Himmelblau,
        Problem::Regression,
    ];

    pub fn slug(&self) -> &'static str {
        match self {
            Problem::Bowl => "bowl",
            Problem::Ravine => "ravine",
            Problem::Saddle => "saddle",
            Problem::Rosenbrock => "rosenbrock",
            Problem::Himmelblau => "himmelblau",
            Problem::Regression => "regression",
        }
    }

    pub fn from_slug(s: &str) -> Option<Problem> {
        Problem::ALL.into_iter().find(|p| p.slug() == s)
    }
}

/// The optimizer lab's whole experiment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OptimLab {
    pub problem: Problem,
    /// Where every path starts; `None`: the problem's default start.
    pub start: Option<(f32, f32)>,
    pub runs: Vec<Run>,
    pub schedule: LrSchedule,
    /// Regression only: examples in the data set and per mini-batch step.
    pub points: usize,
    pub batch: usize,
    pub seed: u64,
    /// Replay to this step on load.
    pub at: Option<usize>,
}

impl Default for OptimLab {
    /// Adam and Momentum racing SGD across Rosenbrock: the lab's opening race.
    fn default() -> Self {
        OptimLab {
            problem: Problem::Rosenbrock,
            start: None,
            runs: [
                OptimizerName::Sgd,
                OptimizerName::Momentum,
                OptimizerName::Adam,
            ]
            .map(Run::default_for)
            .to_vec(),
            schedule: LrSchedule::Constant,
            points: 64,
            batch: 8,
            seed: 1,
            at: None,
        }
    }
}

impl OptimLab {
    /// Every value inside the named limits? The first violation, as a message naming the
    /// field, the value and the limit.
    pub fn check(&self) -> Result<(), OptimError> {
        OptimLimits::check(self)
    }
}
