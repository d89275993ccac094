//! The Translation lab: one task (English-like SVO sentences into a toy Hindi-like SOV, the
//! notes' "The cat eats mouse" → "Billi chuha khati hai"), three models trained side by side
//! on the same batches from the same seed: an RNN encoder–decoder that squeezes the sentence
//! into one context vector c, the same with Bahdanau attention, and a Transformer
//! encoder–decoder. The page shows BLEU against sentence length per model, translates a typed
//! sentence greedily and with beam search, draws each model's alignment, and takes BLEU
//! apart. Its experiment, link, limits and messages.

pub mod error;
mod examples;
pub mod limits;
pub mod link;
pub mod protocol;

use crate::training::{LrSchedule, OptimizerName, Run};
pub use error::MtError;
use limits::MtLimits;
use serde::{Deserialize, Serialize};

/// The lab's name in links (`#lab=mt`) and in the engine's messages.
pub const SLUG: &str = "mt";

/// Source words of the shortest sentence the grammar makes ("the cat eats a mouse").
pub const SHORTEST: usize = 5;

choice! {
    /// The three designs the notes follow, in their order.
    MtModel {
        /// A bidirectional GRU encoder whose last states are the one context vector c; a GRU
        /// decoder reads c at every step (Cho et al. 2014).
        Fixed = "fixed", "Encoder–decoder, one context vector c";
        /// The same encoder and decoder; the context c_i is recomputed for every output word
        /// by additive attention over all encoder states (Bahdanau et al. 2015).
        Bahdanau = "bahdanau", "Bahdanau attention";
        /// Encoder self-attention, decoder masked self-attention and cross-attention.
        Transformer = "transformer", "Transformer encoder–decoder";
    }
}

impl MtModel {
    /// The colour the page draws this model's curves in (also its legend).
    pub fn colour(&self) -> &'static str {
        match self {
            MtModel::Fixed => "#b42318",
            MtModel::Bahdanau => "#2166ac",
            MtModel::Transformer => "#2e7d32",
        }
    }

    pub fn short(&self) -> &'static str {
        match self {
            MtModel::Fixed => "fixed c",
            MtModel::Bahdanau => "Bahdanau",
            MtModel::Transformer => "Transformer",
        }
    }
}

/// The optimizers this lab offers: the six update rules (GD and mini-batch GD are SGD at
/// other batch sizes, set by the batch).
pub const MT_OPTIMIZERS: [OptimizerName; 6] = OptimizerName::PER_BATCH;

/// The Translation lab's whole experiment: the three models share everything here.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MtLab {
    /// The longest source sentence trained and tested on, in words (every length from
    /// `SHORTEST` up is drawn equally often).
    pub longest: usize,
    /// The recurrent models' decoder state (their encoder: half of it each way) and the
    /// Transformer's d_model.
    pub width: usize,
    /// The Transformer's encoder and decoder layers.
    pub layers: usize,
    pub heads: usize,
    pub batch: usize,
    pub run: Run,
    pub schedule: LrSchedule,
    /// Steps of linear warm-up of η (0: none): the Transformer needs it, the others do not
    /// mind it.
    pub warmup: usize,
    /// Global-norm gradient clipping threshold, per model (none: no clipping).
    pub clip: Option<f32>,
    pub steps: usize,
    pub seed: u64,
    pub at: Option<usize>,
    /// The page's: the beam width of the translation shown, and the sentence typed.
    pub beam: usize,
    pub sentence: Option<String>,
}

impl Default for MtLab {
    /// Sentences of 5 to 13 words, width 64, a 2-layer Transformer with 4 heads, Adam
    /// η = 0.002 after 100 warm-up steps, 600 steps.
    fn default() -> Self {
        MtLab {
            longest: 13,
            width: 64,
            layers: 2,
            heads: 4,
            batch: 32,
            run: MtLab::default_run(OptimizerName::Adam),
            schedule: LrSchedule::Constant,
            warmup: 100,
            clip: Some(5.0),
            steps: 600,
            seed: 1,
            at: None,
            beam: 3,
            sentence: None,
        }
    }
}

impl MtLab {
    /// An optimizer's defaults here: η = 0.002 for the adaptive rules, 0.1 for momentum.
    pub fn default_run(optimizer: OptimizerName) -> Run {
        Run::lab_default(optimizer, 0.002, 0.1)
    }

    pub fn check(&self) -> Result<(), MtError> {
        MtLimits::check(self)
    }

    /// The sentence lengths trained and tested on.
    pub fn lengths(&self) -> std::ops::RangeInclusive<usize> {
        SHORTEST..=self.longest
    }
}
