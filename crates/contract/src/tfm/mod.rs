//! The Transformer lab: a small Transformer (decoder-only with a causal mask, or encoder-only)
//! learns an algorithmic task or a character language model in the page, and the page shows
//! every head's attention, the notes' walk through one head (X, Q, K, V, QKᵀ, /√d_k, the mask,
//! softmax, ·V, concatenation, ·W_o, the residual, LayerNorm), the positional encodings, and
//! why the scores are divided by √d_k. Its experiment, link, limits and messages.

pub mod error;
mod examples;
pub mod limits;
pub mod link;
pub mod protocol;

use crate::training::{LrSchedule, OptimizerName, Run};
pub use error::TfmError;
use limits::TfmLimits;
use serde::{Deserialize, Serialize};

/// The lab's name in links (`#lab=tfm`) and in the engine's messages.
pub const SLUG: &str = "tfm";

choice! {
    /// What the model learns. Every algorithmic task reads its input, a separator "=" and
    /// writes its answer after it.
    TfmTask {
        /// Write the input again.
        Copy = "copy", "Copy";
        /// Write the input backwards: the answer's first token is the input's last.
        Reverse = "reverse", "Reverse";
        /// Write the input's digits in ascending order.
        Sort = "sort", "Sort";
        /// For each input letter, how often it occurs in the whole input (a histogram).
        Count = "count", "Count";
        /// Two numbers of `length` digits and their sum, every number written least-significant
        /// digit first (as the carry travels), so each digit of the sum depends only on digits
        /// of the same place and the carry from the one before.
        Addition = "add", "Addition";
        /// (a + b) mod 23 for a, b < 23, with 30% of the pairs held out and never trained on.
        ModularAddition = "mod", "Modular addition";
        /// Predict every next character of a small grammar's sentences.
        Language = "lm", "Character language model";
    }
}

/// The modulus of the modular-addition task.
pub const MODULUS: usize = 23;
/// Pairs (a, b) of modular addition kept out of training: the 30% after the first 70%.
pub fn held_out_pairs() -> usize {
    MODULUS * MODULUS - MODULUS * MODULUS * 7 / 10
}

/// Letters the counting task draws from (few, so letters repeat).
pub const COUNT_LETTERS: usize = 4;
/// Characters of the language model's alphabet (newline, space, full stop, a–z).
pub const LM_CHARACTERS: usize = 29;

impl TfmTask {
    /// Tokens of the input (before "=") and of the answer, for the length setting.
    pub fn input_output(&self, length: usize) -> (usize, usize) {
        match self {
            TfmTask::Copy | TfmTask::Reverse | TfmTask::Sort | TfmTask::Count => (length, length),
            TfmTask::Addition => (2 * length + 1, length + 1),
            TfmTask::ModularAddition => (3, 1),
            TfmTask::Language => (0, length),
        }
    }

    /// Tokens the model reads at once: input, "=", answer (the language model: its window).
    pub fn sequence_length(&self, length: usize) -> usize {
        match self {
            TfmTask::Language => length,
            _ => {
                let (input, output) = self.input_output(length);
                input + 1 + output
            }
        }
    }

    /// Tokens the model chooses among.
    pub fn vocabulary(&self) -> usize {
        match self {
            // Digits, "+", "=", the blank "_" and the counting letters.
            TfmTask::Language => LM_CHARACTERS,
            TfmTask::ModularAddition => MODULUS + 3,
            _ => 13 + COUNT_LETTERS,
        }
    }

    /// The length a task starts with when chosen.
    pub fn default_length(&self) -> usize {
        match self {
            TfmTask::Language => 32,
            TfmTask::Addition => 4,
            _ => 6,
        }
    }

    /// Does the setting `length` mean anything for this task?
    pub fn has_length(&self) -> bool {
        !matches!(self, TfmTask::ModularAddition)
    }
}

choice! {
    /// Which Transformer.
    Architecture {
        /// GPT-like: a causal mask, the answer written one token at a time.
        Decoder = "dec", "Decoder-only (causal mask)";
        /// BERT-like: every position sees every other; the answer's slots are blanks "_" it
        /// fills all at once.
        Encoder = "enc", "Encoder-only (no mask)";
    }
}

choice! {
    /// Where LayerNorm goes.
    NormPlacement {
        /// x ← LN(x + Sublayer(x)), as in the paper and the notes.
        Post = "post", "Post-LN (the paper)";
        /// x ← x + Sublayer(LN(x)), and one LN before the output.
        Pre = "pre", "Pre-LN";
        /// No LayerNorm.
        None = "none", "No LayerNorm";
    }
}

choice! {
    /// How the model knows where a token is.
    Positions {
        /// The paper's fixed sinusoids.
        Sinusoidal = "sin", "Sinusoidal";
        /// A trained table, one vector per position.
        Learned = "learned", "Learned";
        /// None: a bag of tokens.
        None = "none", "None";
    }
}

/// The optimizers this lab offers: the six update rules (GD and mini-batch GD are SGD at
/// other batch sizes, set by the batch).
pub const TFM_OPTIMIZERS: [OptimizerName; 6] = OptimizerName::PER_BATCH;

/// The Transformer lab's whole experiment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TfmLab {
    pub task: TfmTask,
    /// Input symbols (digits per number for addition; characters per window for the language
    /// model).
    pub length: usize,
    pub architecture: Architecture,
    pub layers: usize,
    pub heads: usize,
    /// d_model.
    pub width: usize,
    /// d_ff, the feed-forward network's hidden width.
    pub ff: usize,
    pub norm: NormPlacement,
    pub residual: bool,
    /// Divide QKᵀ by √d_k.
    pub scaled: bool,
    pub positions: Positions,
    pub batch: usize,
    pub run: Run,
    pub schedule: LrSchedule,
    /// Steps of linear warm-up of η (0: none).
    pub warmup: usize,
    /// Global-norm gradient clipping threshold (none: no clipping).
    pub clip: Option<f32>,
    pub steps: usize,
    /// Train beside this run the same model with the √d_k scaling the other way, to compare
    /// attention entropy and the gradients reaching W_q and W_k.
    pub contrast: bool,
    pub seed: u64,
    pub at: Option<usize>,
}

impl Default for TfmLab {
    /// A 2-layer causal decoder reversing 6 digits, Adam η = 0.003, 40 warm-up steps.
    fn default() -> Self {
        TfmLab {
            task: TfmTask::Reverse,
            length: 6,
            architecture: Architecture::Decoder,
            layers: 2,
            heads: 4,
            width: 32,
            ff: 64,
            norm: NormPlacement::Post,
            residual: true,
            scaled: true,
            positions: Positions::Sinusoidal,
            batch: 32,
            run: TfmLab::default_run(OptimizerName::Adam),
            schedule: LrSchedule::Constant,
            warmup: 40,
            clip: Some(1.0),
            steps: 800,
            contrast: false,
            seed: 1,
            at: None,
        }
    }
}

impl TfmLab {
    /// An optimizer's defaults here: η = 0.003 for the adaptive rules, 0.1 for the others.
    pub fn default_run(optimizer: OptimizerName) -> Run {
        Run::lab_default(optimizer, 0.003, 0.1)
    }

    pub fn check(&self) -> Result<(), TfmError> {
        TfmLimits::check(self)
    }

    /// Tokens the model reads at once.
    pub fn sequence_length(&self) -> usize {
        self.task.sequence_length(self.length)
    }

    /// Width of one head: d_k = d_model / heads.
    pub fn head_width(&self) -> usize {
        self.width / self.heads.max(1)
    }

    pub fn causal(&self) -> bool {
        self.architecture == Architecture::Decoder
    }
}
