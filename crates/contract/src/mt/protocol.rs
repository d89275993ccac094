//! What the Translation lab's page asks of its session and what comes back.

use super::{MtLab, MtModel};
use crate::cnn::view::Quantised;
use crate::training::{Progress, TrainFor};
use serde::{Deserialize, Serialize};

crate::declare_protocol!(
    /// The Translation lab's protocol.
    ///
    /// A start builds the task, the held-out set and the three untrained models (`spec.at`
    /// is the page's to replay with `MtRequest::Train`).
    MtProtocol, super::SLUG, MtLab, MtRequest, MtReply
);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MtRequest {
    /// Train all three models a slice together (each model one step on the same batch),
    /// then report.
    Train(TrainFor),
    /// Translate a typed sentence (`None`: held-out example `example`) with every model,
    /// greedily and with a beam of `beam` hypotheses.
    Translate {
        sentence: Option<String>,
        example: usize,
        beam: usize,
    },
    /// Take BLEU apart for one candidate against one reference (words split on spaces).
    Bleu {
        candidate: String,
        reference: String,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MtReply {
    Started { news: MtNews },
    Trained { news: MtNews },
    Translated { translation: TranslationView },
    Bleu { breakdown: BleuView },
}

/// One model on the held-out set at one step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MtEvaluation {
    pub step: usize,
    /// Mean cross-entropy per target word (teacher-forced).
    #[serde(with = "crate::wire::or_null")]
    pub loss: f32,
    /// Corpus BLEU-4 of the greedy translations of every held-out sentence.
    pub bleu: f32,
    /// Corpus BLEU-4 of the sentences of each length, shortest first (`MtLab::lengths`).
    pub bleu_by_length: Vec<f32>,
    /// Translations exactly right.
    pub exact: f32,
}

/// One model's news since the last progress (its own speed: its share of the steps' time).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelProgress {
    pub model: MtModel,
    pub progress: Progress<MtEvaluation>,
}

/// Where training stands after a request: the three models, stepped in turn on the same
/// batches, in `MtModel::ALL`'s order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MtNews {
    pub models: Vec<ModelProgress>,
    /// Sentence pairs per second through all three models.
    pub examples_per_second: Option<f32>,
    pub held_out: usize,
    /// A few held-out sentences (short to long) and each model's greedy translation.
    pub samples: Vec<Sample>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    pub source: String,
    pub reference: String,
    /// In `MtModel::ALL`'s order.
    pub outputs: Vec<String>,
}

/// One hypothesis: its words (up to and without "</s>") and log-probability.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hypothesis {
    pub words: Vec<String>,
    #[serde(with = "crate::wire::or_null")]
    pub log_prob: f32,
    /// Ended with "</s>" (not cut at the length limit).
    pub finished: bool,
}

choice! {
    /// Which attention a map is.
    AttentionKind {
        /// Bahdanau's α: target word i over source word j.
        Additive = "additive", "Additive attention α";
        /// Decoder queries over encoder keys.
        Cross = "cross", "Cross-attention";
        /// Decoder over the decoder's own earlier words, with the causal mask.
        DecoderSelf = "decoder_self", "Decoder masked self-attention";
        /// Encoder over the source.
        EncoderSelf = "encoder_self", "Encoder self-attention";
    }
}

/// One attention matrix of a translation: rows are queries, columns keys.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttentionMap {
    pub kind: AttentionKind,
    /// The Transformer's layer and head (Bahdanau: 0, 0).
    pub layer: usize,
    pub head: usize,
    pub rows: Vec<String>,
    pub columns: Vec<String>,
    /// Hidden by the causal mask (a key after its query): masked cells.
    pub causal: bool,
    pub weights: Quantised,
}

/// What one model makes of the sentence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelTranslation {
    pub model: MtModel,
    pub greedy: Hypothesis,
    /// The beam's final hypotheses, best first.
    pub beam: Vec<Hypothesis>,
    /// Read while writing the greedy translation (none for the fixed context).
    pub attention: Vec<AttentionMap>,
    /// BLEU-4 of the greedy translation against the reference, when there is one.
    pub bleu: Option<f32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TranslationView {
    pub step: usize,
    /// As typed (none: a held-out example).
    pub sentence: Option<String>,
    pub example: usize,
    /// The source words the models read, "</s>" last.
    pub source: Vec<String>,
    /// The right translation (held-out examples, and typed sentences the grammar makes).
    pub reference: Option<Vec<String>>,
    pub beam_width: usize,
    pub models: Vec<ModelTranslation>,
}

/// One distinct n-gram of the candidate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GramView {
    pub gram: String,
    pub in_candidate: usize,
    pub in_reference: usize,
    pub credited: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderView {
    pub n: usize,
    pub grams: Vec<GramView>,
    pub credited: usize,
    pub total: usize,
    pub precision: f64,
}

/// Every number BLEU-4 is made of, for one candidate and one reference.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BleuView {
    pub candidate: Vec<String>,
    pub reference: Vec<String>,
    pub orders: Vec<OrderView>,
    pub geometric_mean: f64,
    pub candidate_len: usize,
    pub reference_len: usize,
    pub brevity_penalty: f64,
    pub score: f64,
}
