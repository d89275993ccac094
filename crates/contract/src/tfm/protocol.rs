//! What the Transformer lab's page asks of its session and what comes back.

use super::{Positions, TfmLab};
use crate::cnn::view::Quantised;
use crate::training::{Progress, SideRun, TrainFor};
use serde::{Deserialize, Serialize};

crate::declare_protocol!(
    /// The Transformer lab's protocol.
    ///
    /// A start builds the data and the untrained model (`spec.at` is the page's to replay with
    /// `TfmRequest::Train`, in slices it can follow and interrupt).
    TfmProtocol, super::SLUG, TfmLab, TfmRequest, TfmReply
);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TfmRequest {
    /// Train a slice (the contrast run too), then report.
    Train(TrainFor),
    /// What to look at: a typed input (`None`: held-out example `example`), and the layer and
    /// head the walkthrough follows. Kept for every later view.
    Focus {
        input: Option<String>,
        example: usize,
        layer: usize,
        head: usize,
    },
    /// Characters drawn from the language model after a prompt, at a temperature.
    Sample {
        prompt: String,
        length: usize,
        temperature: f32,
        seed: u64,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TfmReply {
    Started {
        progress: Progress<TfmEvaluation>,
        /// The contrast run (`TfmLab::contrast`: the same model with the scaling the other way).
        contrast: Option<ContrastRun>,
        view: TfmView,
    },
    Trained {
        progress: Progress<TfmEvaluation>,
        contrast: Option<ContrastRun>,
        view: TfmView,
    },
    Focused {
        view: TfmView,
    },
    Sampled {
        prompt: String,
        text: String,
        temperature: f32,
        step: usize,
    },
}

/// The held-out set at one step, and the attention's saturation: `entropy` is the mean over
/// every head and query of the attention row's entropy divided by ln(keys it may see) — 1 for
/// uniform attention, 0 for one-hot —, `grad_query` and `grad_key` the norms ‖∂L/∂W_q‖ and
/// ‖∂L/∂W_k‖ over all layers on the probe sequences.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TfmEvaluation {
    pub step: usize,
    /// Mean cross-entropy per answer token (teacher-forced).
    #[serde(with = "crate::wire::or_null")]
    pub loss: f32,
    pub token_accuracy: f32,
    /// Answers exactly right, written by the model itself (greedy decoding for the decoder);
    /// none for the language model.
    pub exact: Option<f32>,
    #[serde(with = "crate::wire::or_null")]
    pub entropy: f32,
    #[serde(with = "crate::wire::or_null")]
    pub grad_query: f32,
    #[serde(with = "crate::wire::or_null")]
    pub grad_key: f32,
}

/// The contrast run's news: its `kind` is whether it divides the scores by √d_k.
pub type ContrastRun = SideRun<bool, TfmEvaluation>;

/// One head's attention weights over the viewed sequence: row = query, column = key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HeadAttention {
    pub layer: usize,
    pub head: usize,
    pub weights: Quantised,
}

/// One matrix of the walkthrough, as the engine computed it from the trained weights.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    /// Which step of the walk it is: what the page decides by (its `name` is for people).
    pub kind: StageKind,
    /// "Q = X·W_q", "softmax" …
    pub name: String,
    /// What it is, in a sentence.
    pub explain: String,
    pub rows: usize,
    pub cols: usize,
    /// Rows are tokens; columns are tokens too (a score matrix) or dimensions.
    pub cols_are_tokens: bool,
    /// Cells hidden by the mask (−∞ before the softmax, exactly 0 after).
    pub masked: bool,
    pub values: Quantised,
}

/// The steps of the walk through one head, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StageKind {
    /// X, the block's input (normalised first under pre-LN).
    Input,
    Queries,
    Keys,
    Values,
    /// Q·Kᵀ.
    Scores,
    /// Q·Kᵀ / √d_k (or unscaled, when scaling is off).
    ScaledScores,
    Masked,
    /// softmax: the attention weights, in [0, 1].
    Weights,
    /// softmax · V, the head's output.
    HeadOutput,
    Concat,
    /// · W_o.
    Mixed,
    Residual,
    LayerNorm,
}

/// The positional encodings the model adds to its token embeddings (the first `len`
/// positions it reads), and how alike two positions' vectors are.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PositionsView {
    pub kind: Positions,
    pub len: usize,
    pub dim: usize,
    /// [len × dim], row = position.
    pub table: Quantised,
    /// [len × len]: cosine similarity of two positions' vectors.
    pub similarity: Quantised,
}

/// What the model does with one sequence: its tokens, its answer, every head's attention,
/// the walk through one head, and the positions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TfmView {
    pub step: usize,
    /// The typed input as read (none: a held-out example).
    pub input: Option<String>,
    /// The held-out example shown (the page's choice, wrapped to the held-out set).
    pub example: usize,
    /// The sequence the model reads, as tokens.
    pub tokens: Vec<String>,
    /// Index of the first answer token in `tokens` (the language model: 0, every character
    /// predicts the next).
    pub answer_from: usize,
    /// The model's answer (greedy) and the right one (none for the language model's typed text).
    pub predicted: Vec<String>,
    pub expected: Option<Vec<String>>,
    pub causal: bool,
    pub layers: usize,
    pub heads: usize,
    pub attention: Vec<HeadAttention>,
    pub layer: usize,
    pub head: usize,
    pub walkthrough: Vec<Stage>,
    pub positions: Option<PositionsView>,
    /// Without positions (the encoder): the largest difference between the attention of the
    /// input with its tokens permuted and the permuted attention of the input — 0 means the
    /// model cannot tell the orders apart.
    pub permutation_gap: Option<f32>,
}
