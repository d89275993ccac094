//! The Recurrent lab: an RNN, a GRU or an LSTM reads a sequence and answers at its end, and the
//! page shows how far back its gradient reaches (the notes' backpropagation through time),
//! what clipping does to an exploding gradient, and every gate inside the cell. Its
//! experiment, link, limits and messages.

pub mod error;
mod examples;
pub mod limits;
pub mod link;
pub mod protocol;

use crate::training::{LrSchedule, OptimizerName, Run};
pub use error::RnnError;
use limits::RnnLimits;
use serde::{Deserialize, Serialize};

/// The lab's name in links (`#lab=rnn`) and in the engine's messages.
pub const SLUG: &str = "rnn";

/// The recurrent cell, in the notes' order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CellChoice {
    /// h_t = tanh(W [h_{t−1}, x_t] + b).
    Rnn,
    /// The same with ReLU: nothing bounds the state.
    RnnRelu,
    /// The notes' simplified GRU: an update gate only.
    GruSimplified,
    /// The full GRU (Cho et al.): update and relevance gates.
    Gru,
    /// The LSTM: forget, update and output gates and a memory cell.
    Lstm,
}

impl CellChoice {
    pub const ALL: [CellChoice; 5] = [
        CellChoice::Rnn,
        CellChoice::RnnRelu,
        CellChoice::GruSimplified,
        CellChoice::Gru,
        CellChoice::Lstm,
    ];

    pub fn slug(&self) -> &'static str {
        match self {
            CellChoice::Rnn => "rnn",
            CellChoice::RnnRelu => "relu",
            CellChoice::GruSimplified => "sgru",
            CellChoice::Gru => "gru",
            CellChoice::Lstm => "lstm",
        }
    }

    pub fn from_slug(s: &str) -> Option<CellChoice> {
        CellChoice::ALL.into_iter().find(|c| c.slug() == s)
    }

    pub fn title(&self) -> &'static str {
        match self {
            CellChoice::Rnn => "RNN (tanh)",
            CellChoice::RnnRelu => "RNN (ReLU)",
            CellChoice::GruSimplified => "Simplified GRU",
            CellChoice::Gru => "GRU",
            CellChoice::Lstm => "LSTM",
        }
    }

    /// The gates the cell has, as the engine names its taps and the page titles them.
    pub fn gates(&self) -> &'static [&'static str] {
        match self {
            CellChoice::Rnn | CellChoice::RnnRelu => &[],
            CellChoice::GruSimplified => &["update"],
            CellChoice::Gru => &["update", "relevance"],
            CellChoice::Lstm => &["forget", "update", "output"],
        }
    }
}

/// What the network learns to answer at the end of a sequence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RnnTask {
    /// The first of `span + 1` symbols (4 kinds), after `span` distractors.
    Recall,
    /// "The man who pulled the cart when the king arrived …": was or were, after a clause of
    /// `span` words.
    Agreement,
    /// Predict every next character of a small grammar's sentences, reading `span` characters
    /// at a time; then score, complete and sample sentences.
    Language,
    /// Add two numbers of `span` digits, digit by digit from the least significant: at each
    /// step the network reads one digit of each and writes that digit of the sum (one step
    /// more for the last carry).
    Addition,
}

impl RnnTask {
    pub const ALL: [RnnTask; 4] = [
        RnnTask::Recall,
        RnnTask::Agreement,
        RnnTask::Language,
        RnnTask::Addition,
    ];

    pub fn slug(&self) -> &'static str {
        match self {
            RnnTask::Recall => "recall",
            RnnTask::Agreement => "agree",
            RnnTask::Language => "lm",
            RnnTask::Addition => "add",
        }
    }

    pub fn from_slug(s: &str) -> Option<RnnTask> {
        RnnTask::ALL.into_iter().find(|t| t.slug() == s)
    }

    pub fn title(&self) -> &'static str {
        match self {
            RnnTask::Recall => "Long-range recall",
            RnnTask::Agreement => "Subject–verb agreement",
            RnnTask::Language => "Character language model",
            RnnTask::Addition => "Adding digit by digit",
        }
    }

    /// Symbols the recall task draws from (its chance is one in this many).
    pub const RECALL_SYMBOLS: usize = 4;

    /// Characters of the language model's alphabet (newline, space, full stop, a–z: the
    /// engine's corpus is tested to use exactly these).
    pub const LM_CHARACTERS: usize = 29;

    /// Answers to choose from.
    pub fn classes(&self) -> usize {
        match self {
            RnnTask::Recall => Self::RECALL_SYMBOLS,
            RnnTask::Agreement => 2,
            RnnTask::Language => Self::LM_CHARACTERS,
            RnnTask::Addition => 10,
        }
    }

    /// Tokens in one sequence for a span.
    pub fn length(&self, span: usize) -> usize {
        match self {
            RnnTask::Recall => span + 1,
            RnnTask::Agreement => span + 2,
            RnnTask::Language => span,
            RnnTask::Addition => span + 1,
        }
    }

    /// Does the network answer after every step (the language model, the sum's digits) rather
    /// than once at the end?
    pub fn answers_every_step(&self) -> bool {
        matches!(self, RnnTask::Language | RnnTask::Addition)
    }
}

/// How gradients are limited before each update.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClipRule {
    None,
    /// Rescale every gradient when their global norm ‖g‖₂ exceeds the threshold.
    Norm,
    /// Clamp each component to ±threshold.
    Value,
}

impl ClipRule {
    pub const ALL: [ClipRule; 3] = [ClipRule::None, ClipRule::Norm, ClipRule::Value];

    pub fn slug(&self) -> &'static str {
        match self {
            ClipRule::None => "none",
            ClipRule::Norm => "norm",
            ClipRule::Value => "value",
        }
    }

    pub fn from_slug(s: &str) -> Option<ClipRule> {
        ClipRule::ALL.into_iter().find(|c| c.slug() == s)
    }
}

/// The optimizers this lab offers: the six update rules (GD and mini-batch GD are SGD at
/// other batch sizes, set by the batch).
pub const RNN_OPTIMIZERS: [OptimizerName; 6] = OptimizerName::PER_BATCH;

/// The Recurrent lab's whole experiment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RnnLab {
    pub task: RnnTask,
    /// How far the answer lies from what decides it: distractors (recall) or clause words
    /// (agreement).
    pub span: usize,
    pub cell: CellChoice,
    pub bidirectional: bool,
    pub hidden: usize,
    /// Stacked recurrent layers.
    pub layers: usize,
    pub batch: usize,
    pub run: Run,
    pub schedule: LrSchedule,
    pub clip: ClipRule,
    pub clip_at: f32,
    /// Truncated backpropagation: the gradient reaches back at most this many steps
    /// (0: through the whole sequence).
    pub truncate: usize,
    /// The recurrent weights' scale at the start (1: the usual Xavier; larger explodes).
    pub gain: f32,
    pub steps: usize,
    /// Train the plain RNN, the GRU and the LSTM beside this run (the ones it is not), same
    /// task, seed and budget, and overlay what they learn and how far their gradients reach.
    pub compare: bool,
    pub seed: u64,
    /// Replay to this step on load.
    pub at: Option<usize>,
}

impl Default for RnnLab {
    /// An LSTM recalling the first of 21 symbols, Adam η = 0.003, norm clipped at 1.
    fn default() -> Self {
        RnnLab {
            task: RnnTask::Recall,
            span: 20,
            cell: CellChoice::Lstm,
            bidirectional: false,
            hidden: 24,
            layers: 1,
            batch: 32,
            run: RnnLab::default_run(OptimizerName::Adam),
            schedule: LrSchedule::Constant,
            clip: ClipRule::Norm,
            clip_at: 1.0,
            truncate: 0,
            gain: 1.0,
            steps: 600,
            compare: false,
            seed: 1,
            at: None,
        }
    }
}

impl RnnLab {
    /// An optimizer's defaults here: η = 0.003 for the adaptive rules, 0.1 for the others.
    pub fn default_run(optimizer: OptimizerName) -> Run {
        Run::lab_default(optimizer, 0.003, 0.1)
    }

    pub fn check(&self) -> Result<(), RnnError> {
        RnnLimits::check(self)
    }

    /// Tokens in one sequence.
    pub fn length(&self) -> usize {
        self.task.length(self.span)
    }

    /// The cells trained beside this one when comparing: the RNN, the GRU and the LSTM, less
    /// this run's own.
    pub fn compared_cells(&self) -> Vec<CellChoice> {
        if !self.compare {
            return Vec::new();
        }
        [CellChoice::Rnn, CellChoice::Gru, CellChoice::Lstm]
            .into_iter()
            .filter(|&c| c != self.cell)
            .collect()
    }

    /// Steps between two evaluations (held-out accuracy, gradients through time, the cell).
    pub fn eval_every(&self) -> usize {
        RnnLimits::EVAL_EVERY
    }
}
