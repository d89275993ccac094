//! What determines a run: one spec type per lab (a tagged enum over labs). Everything a run
//! depends on is here, so the same spec gives the same numbers on any machine.

use crate::limits::OptimLimits;
use serde::{Deserialize, Serialize};

/// Every lab's experiment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "lab", rename_all = "snake_case")]
pub enum Experiment {
    Optim(OptimLab),
}

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

/// The optimizers a student can race. GD, SGD and mini-batch differ only in how many examples
/// each step sees (on the regression problem; on a surface the gradient is exact, so they agree).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptimizerName {
    Gd,
    Sgd,
    Minibatch,
    Momentum,
    Nesterov,
    Adagrad,
    Rmsprop,
    Adam,
}

impl OptimizerName {
    pub const ALL: [OptimizerName; 8] = [
        OptimizerName::Gd,
        OptimizerName::Sgd,
        OptimizerName::Minibatch,
        OptimizerName::Momentum,
        OptimizerName::Nesterov,
        OptimizerName::Adagrad,
        OptimizerName::Rmsprop,
        OptimizerName::Adam,
    ];

    pub fn slug(&self) -> &'static str {
        match self {
            OptimizerName::Gd => "gd",
            OptimizerName::Sgd => "sgd",
            OptimizerName::Minibatch => "minibatch",
            OptimizerName::Momentum => "momentum",
            OptimizerName::Nesterov => "nesterov",
            OptimizerName::Adagrad => "adagrad",
            OptimizerName::Rmsprop => "rmsprop",
            OptimizerName::Adam => "adam",
        }
    }

    pub fn from_slug(s: &str) -> Option<OptimizerName> {
        OptimizerName::ALL.into_iter().find(|o| o.slug() == s)
    }

    /// The hyper-parameters this optimizer reads (besides η).
    pub fn knobs(&self) -> &'static [Knob] {
        match self {
            OptimizerName::Momentum | OptimizerName::Nesterov => &[Knob::Alpha],
            OptimizerName::Adagrad => &[Knob::Delta],
            OptimizerName::Rmsprop => &[Knob::Beta2, Knob::Delta],
            OptimizerName::Adam => &[Knob::Beta1, Knob::Beta2, Knob::Delta],
            _ => &[],
        }
    }
}

/// A hyper-parameter of one optimizer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Knob {
    Lr,
    Alpha,
    Beta1,
    Beta2,
    Delta,
}

impl Knob {
    pub const ALL: [Knob; 5] = [Knob::Lr, Knob::Alpha, Knob::Beta1, Knob::Beta2, Knob::Delta];

    /// The symbol the notes use ("η", "β₁").
    pub fn symbol(&self) -> &'static str {
        match self {
            Knob::Lr => "η",
            Knob::Alpha => "α",
            Knob::Beta1 => "β₁",
            Knob::Beta2 => "β₂",
            Knob::Delta => "δ",
        }
    }

    pub fn slug(&self) -> &'static str {
        match self {
            Knob::Lr => "lr",
            Knob::Alpha => "alpha",
            Knob::Beta1 => "beta1",
            Knob::Beta2 => "beta2",
            Knob::Delta => "delta",
        }
    }
}

/// One optimizer in the race, with its own hyper-parameters.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub optimizer: OptimizerName,
    /// η (ε_0 when the schedule decays).
    pub lr: f32,
    /// Momentum / Nesterov α.
    pub alpha: f32,
    /// Adam β₁.
    pub beta1: f32,
    /// Adam β₂, RMSProp β.
    pub beta2: f32,
    /// The small δ under the root (AdaGrad, RMSProp, Adam).
    pub delta: f32,
}

impl Run {
    /// The defaults of each optimizer (η chosen to behave on the default surfaces).
    pub fn default_for(optimizer: OptimizerName) -> Run {
        let lr = match optimizer {
            OptimizerName::Adagrad => 0.5,
            OptimizerName::Rmsprop | OptimizerName::Adam => 0.05,
            _ => 0.001,
        };
        Run {
            optimizer,
            lr,
            alpha: 0.9,
            beta1: 0.9,
            beta2: 0.999,
            delta: 1e-8,
        }
    }

    pub fn get(&self, knob: Knob) -> f32 {
        match knob {
            Knob::Lr => self.lr,
            Knob::Alpha => self.alpha,
            Knob::Beta1 => self.beta1,
            Knob::Beta2 => self.beta2,
            Knob::Delta => self.delta,
        }
    }

    pub fn set(&mut self, knob: Knob, value: f32) {
        match knob {
            Knob::Lr => self.lr = value,
            Knob::Alpha => self.alpha = value,
            Knob::Beta1 => self.beta1 = value,
            Knob::Beta2 => self.beta2 = value,
            Knob::Delta => self.delta = value,
        }
    }
}

/// How η changes with the step k.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LrSchedule {
    Constant,
    /// The notes' ε_k = (1 − k/T) ε_0 + (k/T) ε_T, then ε_T; ε_T = `final_ratio` · ε_0.
    LinearDecay {
        final_ratio: f32,
        steps: usize,
    },
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
    pub fn check(&self) -> Result<(), String> {
        OptimLimits::check(self)
    }
}
