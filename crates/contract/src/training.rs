//! The training settings every lab shares: which optimizer, its hyper-parameters, and how η
//! changes over the steps. The labs' links write them with the same keys (`link::training`).

use serde::{Deserialize, Serialize};

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

    /// The rules a lab that draws its own mini-batches offers: all but GD and mini-batch
    /// (which are SGD's update at other batch sizes, there set by the batch size).
    pub const PER_BATCH: [OptimizerName; 6] = [
        OptimizerName::Sgd,
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

    /// AdaGrad, RMSProp and Adam: each weight's step is divided by its own gradients' running
    /// size, so they want another η than the rules that step along the raw gradient.
    pub fn is_adaptive(&self) -> bool {
        matches!(
            self,
            OptimizerName::Adagrad | OptimizerName::Rmsprop | OptimizerName::Adam
        )
    }

    /// Its update as the engine computes it, in the notes' symbols (g: the gradient of the
    /// step's loss at θ; products and quotients of vectors element by element; t counts steps
    /// from 1), and where it parts from the notes or a paper, why. The page shows these.
    pub fn update_rule(&self) -> UpdateRule {
        let (rule, note) = match self {
            OptimizerName::Gd => ("θ ← θ − η g", "g over every example: the exact gradient of the loss."),
            OptimizerName::Sgd => ("θ ← θ − η g", "g of one example drawn at random: a noisy estimate."),
            OptimizerName::Minibatch => ("θ ← θ − η g", "g averaged over a mini-batch: less noise per step."),
            OptimizerName::Momentum => (
                "v ← α v − η g;   θ ← θ + v",
                "v is the step itself, as in the notes (PyTorch keeps v without η and subtracts η v).",
            ),
            OptimizerName::Nesterov => (
                "θ̃ = θ + α v;   v ← α v − η ∇L(θ̃);   θ ← θ + v",
                "The gradient is taken at the look-ahead point θ̃, where momentum is about to carry θ.",
            ),
            OptimizerName::Adagrad => (
                "r ← r + g²;   θ ← θ − η g / √(δ + r)",
                "δ sits inside the root, as the notes write it (most libraries add it outside: √r + δ).",
            ),
            OptimizerName::Rmsprop => (
                "r ← ρ r + (1 − ρ) g²;   θ ← θ − η g / √(δ + r)",
                "ρ = 0.9 by default (links of version 1 used 0.999). δ inside the root, as the notes.",
            ),
            OptimizerName::Adam => (
                "s ← β₁ s + (1 − β₁) g;   r ← β₂ r + (1 − β₂) g²;   ŝ = s / (1 − β₁ᵗ);   r̂ = r / (1 − β₂ᵗ);   θ ← θ − η ŝ / √(δ + r̂)",
                "The bias correction divides by 1 − βᵗ, the published form (the handwritten notes read 1 − β). \
                 δ inside the root, as the notes (Kingma & Ba add it outside: √r̂ + δ).",
            ),
        };
        UpdateRule { rule, note }
    }

    /// The hyper-parameters this optimizer reads (besides η).
    pub fn knobs(&self) -> &'static [Knob] {
        match self {
            OptimizerName::Momentum | OptimizerName::Nesterov => &[Knob::Alpha],
            OptimizerName::Adagrad => &[Knob::Delta],
            OptimizerName::Rmsprop => &[Knob::Rho, Knob::Delta],
            OptimizerName::Adam => &[Knob::Beta1, Knob::Beta2, Knob::Delta],
            _ => &[],
        }
    }
}

/// One optimizer's update, and how it relates to the notes ([`OptimizerName::update_rule`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UpdateRule {
    pub rule: &'static str,
    pub note: &'static str,
}

/// A hyper-parameter of one optimizer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Knob {
    Lr,
    Alpha,
    Beta1,
    Beta2,
    Rho,
    Delta,
}

impl Knob {
    pub const ALL: [Knob; 6] = [
        Knob::Lr,
        Knob::Alpha,
        Knob::Beta1,
        Knob::Beta2,
        Knob::Rho,
        Knob::Delta,
    ];

    /// The symbol the notes use ("η", "β₁").
    pub fn symbol(&self) -> &'static str {
        match self {
            Knob::Lr => "η",
            Knob::Alpha => "α",
            Knob::Beta1 => "β₁",
            Knob::Beta2 => "β₂",
            Knob::Rho => "ρ",
            Knob::Delta => "δ",
        }
    }

    /// What the knob does, in the notes' symbols (a control's tooltip).
    pub fn meaning(&self) -> &'static str {
        match self {
            Knob::Lr => "η: the learning rate (ε₀ when it decays)",
            Knob::Alpha => "α: how much of the last step momentum keeps (v ← αv − ηg)",
            Knob::Beta1 => "β₁: Adam's decay of its running mean of g",
            Knob::Beta2 => "β₂: Adam's decay of its running mean of g²",
            Knob::Rho => {
                "ρ: RMSProp's decay of its running mean of g², r ← ρr + (1 − ρ)g² \
                 (0.9 by default; links of version 1 used 0.999)"
            }
            Knob::Delta => "δ: the small number inside the root, √(r + δ), as the notes write it",
        }
    }

    pub fn slug(&self) -> &'static str {
        match self {
            Knob::Lr => "lr",
            Knob::Alpha => "alpha",
            Knob::Beta1 => "beta1",
            Knob::Beta2 => "beta2",
            Knob::Rho => "rho",
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
    /// Adam β₂.
    pub beta2: f32,
    /// RMSProp's decay ρ of its running mean of g² (version-1 links read it from `beta2`).
    pub rho: f32,
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
            rho: 0.9,
            delta: 1e-8,
        }
    }

    /// A lab's default run of `optimizer`: [`Run::default_for`] with η = `adaptive` for the
    /// adaptive rules ([`OptimizerName::is_adaptive`]) and `plain` for the others.
    pub fn lab_default(optimizer: OptimizerName, adaptive: f32, plain: f32) -> Run {
        Run {
            lr: if optimizer.is_adaptive() {
                adaptive
            } else {
                plain
            },
            ..Run::default_for(optimizer)
        }
    }

    pub fn get(&self, knob: Knob) -> f32 {
        match knob {
            Knob::Lr => self.lr,
            Knob::Alpha => self.alpha,
            Knob::Beta1 => self.beta1,
            Knob::Beta2 => self.beta2,
            Knob::Rho => self.rho,
            Knob::Delta => self.delta,
        }
    }

    pub fn set(&mut self, knob: Knob, value: f32) {
        match knob {
            Knob::Lr => self.lr = value,
            Knob::Alpha => self.alpha = value,
            Knob::Beta1 => self.beta1 = value,
            Knob::Beta2 => self.beta2 = value,
            Knob::Rho => self.rho = value,
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

/// What a lab that trains in time slices is asked to do: train whole steps for about
/// `budget_ms` (at least one unless the run is at `until`), then report. `one_thread` runs
/// every kernel on the engine's own thread, to compare speeds: the numbers are the same.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainFor {
    pub budget_ms: f64,
    #[serde(default)]
    pub until: Option<usize>,
    #[serde(default)]
    pub one_thread: bool,
}

impl TrainFor {
    /// `budget_ms` of training on every thread, stopping at `until` if named.
    pub fn new(budget_ms: f64, until: Option<usize>) -> TrainFor {
        TrainFor {
            budget_ms,
            until,
            one_thread: false,
        }
    }
}

/// One training step of any lab: the mini-batch's mean loss and accuracy, and η used.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainPoint {
    pub step: usize,
    #[serde(with = "crate::wire::or_null")]
    pub loss: f32,
    pub accuracy: f32,
    pub lr: f32,
}

/// Where a training run stands after a request, and what it did since the last one: every lab
/// that trains in steps sends this (the lab's own evaluation is `E`). Each point and evaluation
/// is sent once; the page appends them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Progress<E> {
    pub step: usize,
    pub total_steps: usize,
    /// Steps taken since the last progress (all of them at a start).
    pub train: Vec<TrainPoint>,
    /// Every evaluation made since the last progress.
    pub evaluations: Vec<E>,
    /// Examples per second over this request's training (or, for a replay that had no speed
    /// of its own, over all training so far).
    pub examples_per_second: Option<f32>,
    /// Training time (ms) since step 0, evaluations and views excluded.
    pub train_ms: f64,
    /// Why training stopped early (a loss that is not a number, a failed step), if it did.
    pub stopped: Option<String>,
}

/// A run trained beside the main one from the same seed (the Recurrent lab's compared cells,
/// the Transformer lab's contrast run): its evaluations since the last progress, at the same
/// steps as the main run's. `K` says which run it is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SideRun<K, E> {
    pub kind: K,
    pub evaluations: Vec<E>,
    pub stopped: Option<String>,
}

impl<K, E> SideRun<K, E> {
    /// This run's evaluations so far, followed by its news.
    pub fn followed_by(mut self, news: SideRun<K, E>) -> Self {
        self.evaluations.extend(news.evaluations);
        self.stopped = news.stopped;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule a page shows names every knob the optimizer reads, by the symbol its box shows.
    #[test]
    fn every_update_rule_names_the_knobs_its_optimizer_reads() {
        for optimizer in OptimizerName::ALL {
            let rule = optimizer.update_rule();
            for knob in std::iter::once(&Knob::Lr).chain(optimizer.knobs()) {
                assert!(rule.rule.contains(knob.symbol()), "{optimizer:?}: {knob:?}");
            }
            assert!(!rule.note.is_empty(), "{optimizer:?}");
        }
    }
}
