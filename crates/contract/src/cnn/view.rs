//! What the CNN lab's engine session sends the page: training progress, an evaluation on the
//! test split, and views inside the model for one digit. Images travel as bytes (0–255) with
//! the scale they were quantised from, so a frame of every feature map stays small.

use serde::{Deserialize, Serialize};

/// A test digit the model gets wrong, most confident first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WrongDigit {
    /// Index into the test split.
    pub index: usize,
    pub label: usize,
    pub predicted: usize,
    /// The probability given to the wrong class.
    #[serde(with = "crate::wire::or_null")]
    pub confidence: f32,
    #[serde(with = "crate::wire::base64_bytes")]
    pub pixels: Vec<u8>,
}

/// The whole test split through the model at one step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub step: usize,
    /// Not a number once the model's outputs are not (a diverged run).
    #[serde(with = "crate::wire::or_null")]
    pub loss: f32,
    pub accuracy: f32,
    /// `confusion[label][predicted]` counts.
    pub confusion: Vec<Vec<u32>>,
    pub wrong: Vec<WrongDigit>,
    /// Training time (ms, evaluations excluded) from step 0 to this evaluation.
    pub train_ms: f64,
}

/// An image or a stack of them, quantised: value = min + byte/255 · (max − min).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Quantised {
    pub min: f32,
    pub max: f32,
    #[serde(with = "crate::wire::base64_bytes")]
    pub bytes: Vec<u8>,
}

impl Quantised {
    pub fn from_values(values: &[f32]) -> Quantised {
        let finite = values.iter().copied().filter(|v| v.is_finite());
        let min = finite.clone().fold(f32::INFINITY, f32::min);
        let max = finite.fold(f32::NEG_INFINITY, f32::max);
        let (min, max) = if min <= max { (min, max) } else { (0.0, 0.0) };
        let span = max - min;
        let bytes = values
            .iter()
            .map(|&v| {
                if span > 0.0 && v.is_finite() {
                    (((v - min) / span) * 255.0).round().clamp(0.0, 255.0) as u8
                } else {
                    0
                }
            })
            .collect();
        Quantised { min, max, bytes }
    }

    pub fn value(&self, i: usize) -> f32 {
        self.min + self.bytes.get(i).copied().unwrap_or(0) as f32 / 255.0 * (self.max - self.min)
    }
}

/// One layer's output for the looked-at digit: `channels` maps of h×w, one shared scale.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerMaps {
    pub layer: usize,
    /// Maps sent: the layer's first `channels` of its `total_channels` (a wide model's view is
    /// cut to fit `CnnLimits::MAX_VIEW_MAP_VALUES`).
    pub channels: usize,
    pub total_channels: usize,
    pub h: usize,
    pub w: usize,
    pub maps: Quantised,
}

/// How the model's layers respond to moving the digit by `shift` pixels.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShiftRow {
    pub layer: usize,
    /// Where the shift lands in this layer's map (shift / product of strides).
    pub map_shift: (f32, f32),
    /// Correlation of the maps of the moved digit with the original maps moved by
    /// `map_shift` (1: equivariant); none when the shift is not whole in this layer.
    pub equivariance: Option<f32>,
    /// Correlation of the maps of the moved digit with the original maps, unmoved (1: invariant;
    /// not a number when a map is constant).
    #[serde(with = "crate::wire::or_null")]
    pub invariance: f32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShiftReport {
    pub shift: (i32, i32),
    pub rows: Vec<ShiftRow>,
    /// Class probabilities of the unmoved digit (the view's are the moved one's).
    #[serde(with = "crate::wire::vec_or_null")]
    pub original_probabilities: Vec<f32>,
    /// ½ Σ |p − p'|: 0 when the prediction does not move at all, 1 at most.
    #[serde(with = "crate::wire::or_null")]
    pub probability_change: f32,
}

/// Inside the model for one digit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CnnView {
    pub step: usize,
    /// The digit as the model sees it (moved by the shift), 28×28.
    #[serde(with = "crate::wire::base64_bytes")]
    pub input: Vec<u8>,
    /// The test digit's label; none for a drawn digit.
    pub label: Option<usize>,
    pub digit: DigitSource,
    #[serde(with = "crate::wire::vec_or_null")]
    pub probabilities: Vec<f32>,
    pub layers: Vec<LayerMaps>,
    /// The first convolution's kernels [O, C, k, k] (none if the model starts otherwise).
    pub kernels: Option<Kernels>,
    pub shift: Option<ShiftReport>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Kernels {
    pub outputs: usize,
    pub inputs: usize,
    pub size: usize,
    pub values: Quantised,
}

/// Which digit the page looks at.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DigitSource {
    /// Index into the test split.
    Test { index: usize },
    /// A digit drawn on the page: `size`×`size` ink values 0–255, centred and scaled by the
    /// engine the way MNIST's digits were.
    Drawn {
        size: usize,
        #[serde(with = "crate::wire::base64_bytes")]
        ink: Vec<u8>,
    },
}

/// The receptive field of one unit, on the input.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReceptiveFieldView {
    pub layer: usize,
    pub channel: usize,
    pub y: usize,
    pub x: usize,
    /// The unit's value for this digit.
    #[serde(with = "crate::wire::or_null")]
    pub value: f32,
    /// The theoretical field's side (before clipping to the image) and its clipped box
    /// `[y0, y1) × [x0, x1)` in input pixels.
    pub theoretical_size: u64,
    pub theoretical: (usize, usize, usize, usize),
    /// |∂unit/∂pixel| over the 28×28 input, quantised (max → 255).
    pub effective: Quantised,
    /// The box holding every pixel whose gradient is at least 1% of the largest, if any is.
    pub effective_box: Option<(usize, usize, usize, usize)>,
}

/// A few test digits to pick from, sent once per start.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GalleryDigit {
    pub index: usize,
    pub label: usize,
    #[serde(with = "crate::wire::base64_bytes")]
    pub pixels: Vec<u8>,
}
