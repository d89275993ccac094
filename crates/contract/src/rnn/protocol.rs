//! What the Recurrent lab's page asks of its session and what comes back.

use super::RnnLab;
use crate::cnn::view::Quantised;
use crate::training::{Progress, SideRun, TrainFor};
use serde::{Deserialize, Serialize};

crate::declare_protocol!(
    /// The Recurrent lab's protocol.
    ///
    /// A start builds the data and the untrained network (`spec.at` is the page's to replay
    /// with `RnnRequest::Train`, in slices it can follow and interrupt).
    RnnProtocol, super::SLUG, RnnLab, RnnRequest, RnnReply
);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RnnRequest {
    /// Train a slice (the compared cells too), then report.
    Train(TrainFor),
    /// Look inside the cell for another held-out sequence (training state unchanged).
    Inside { example: usize },
    /// The language model's probability of a sentence, character by character and word by
    /// word.
    Score { text: String },
    /// Characters drawn from the language model after a prompt, at a temperature.
    Sample {
        prompt: String,
        length: usize,
        temperature: f32,
        seed: u64,
    },
    /// A sentence with one word missing: every word of the vocabulary tried at every
    /// position, the most probable completions first.
    FillIn { text: String },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RnnReply {
    Started {
        progress: Progress<RnnEvaluation>,
        /// The gradient's norm before and after clipping, at every step since the last reply.
        clipping: Vec<ClipPoint>,
        /// The runs compared with this one (`RnnLab::compare`): their new evaluations.
        compared: Vec<ComparedRun>,
        inside: InsideView,
    },
    Trained {
        progress: Progress<RnnEvaluation>,
        clipping: Vec<ClipPoint>,
        compared: Vec<ComparedRun>,
        inside: InsideView,
    },
    Inside(InsideView),
    Scored(SentenceScore),
    Sampled(SampledText),
    /// A struct variant: serde cannot tag a bare list.
    FilledIn {
        completions: Vec<Completion>,
    },
}

/// One word of a scored sentence: log P of its characters (and the space or full stop after
/// it) given everything before.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WordScore {
    pub word: String,
    #[serde(with = "crate::wire::or_null")]
    pub log_prob: f32,
}

/// log P(sentence) = Σ log P(c_t | c_<t) over its characters, from the start of a line to
/// the line's end.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SentenceScore {
    /// The sentence as scored (lower case, with its full stop).
    pub text: String,
    pub words: Vec<WordScore>,
    #[serde(with = "crate::wire::or_null")]
    pub log_prob: f32,
    pub step: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SampledText {
    pub prompt: String,
    pub text: String,
    pub temperature: f32,
    pub step: usize,
}

/// A completed sentence: `word` inserted before word `position` (0-based).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Completion {
    pub sentence: String,
    pub word: String,
    pub position: usize,
    #[serde(with = "crate::wire::or_null")]
    pub log_prob: f32,
}

/// The global gradient norm of one step, before and after clipping.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClipPoint {
    pub step: usize,
    #[serde(with = "crate::wire::or_null")]
    pub before: f32,
    #[serde(with = "crate::wire::or_null")]
    pub after: f32,
}

/// The held-out sequences through the network at one step, and how far back its gradient
/// reaches: for the last layer's forward states h_1 … h_T, `through_time[k]` = ‖∂L/∂h_k‖ (L the
/// mean loss over the probe sequences) and `jacobian[k]` = ‖∂h_T/∂h_k‖ (Frobenius, the first
/// probe sequence): the notes' ∏ Wᵀ diag(φ′(h_{i−1})).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RnnEvaluation {
    pub step: usize,
    #[serde(with = "crate::wire::or_null")]
    pub loss: f32,
    pub accuracy: f32,
    #[serde(with = "crate::wire::vec_or_null")]
    pub through_time: Vec<f32>,
    #[serde(with = "crate::wire::vec_or_null")]
    pub jacobian: Vec<f32>,
}

/// A compared run's news: its `kind` is its cell.
pub type ComparedRun = SideRun<super::CellChoice, RnnEvaluation>;

/// One value the cell computes at every time step, for every unit: row t holds step t's
/// `units` values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    pub kind: TraceKind,
    pub units: usize,
    pub values: Quantised,
}

/// What a trace is: one of the cell's gates, the LSTM's memory cell, or the state. The page
/// draws gates on [0, 1] and the others signed, and says what each means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TraceKind {
    ForgetGate,
    UpdateGate,
    RelevanceGate,
    OutputGate,
    Memory,
    State,
}

impl TraceKind {
    /// The gate a cell names `gate` (`CellChoice::gates`: "forget", "update", …).
    pub fn of_gate(gate: &str) -> TraceKind {
        match gate {
            "forget" => TraceKind::ForgetGate,
            "update" => TraceKind::UpdateGate,
            "relevance" => TraceKind::RelevanceGate,
            _ => TraceKind::OutputGate,
        }
    }

    pub fn is_gate(self) -> bool {
        !matches!(self, TraceKind::Memory | TraceKind::State)
    }

    /// How the page titles it (the notes' Γ names).
    pub fn title(self) -> &'static str {
        match self {
            TraceKind::ForgetGate => "forget gate Γf",
            TraceKind::UpdateGate => "update gate Γu",
            TraceKind::RelevanceGate => "relevance gate Γr",
            TraceKind::OutputGate => "output gate Γo",
            TraceKind::Memory => "memory cell m",
            TraceKind::State => "state h",
        }
    }

    /// One word for it ("forget", "memory", "state"): the page's test ids.
    pub fn word(self) -> &'static str {
        self.title().split(' ').next().unwrap_or("trace")
    }
}

/// One held-out sequence through the first layer's (forward) cell: its tokens, the answer and
/// the network's probabilities, and every gate, the memory cell and the state over time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InsideView {
    pub example: usize,
    pub step: usize,
    pub tokens: Vec<String>,
    pub classes: Vec<String>,
    pub answer: usize,
    #[serde(with = "crate::wire::vec_or_null")]
    pub probabilities: Vec<f32>,
    pub traces: Vec<Trace>,
}
