//! What the Network lab's page asks of its session and what comes back.

use super::NetLab;
use serde::{Deserialize, Serialize};

crate::declare_protocol!(
    /// The Network lab's protocol.
    ///
    /// A start builds the data and the network at epoch 0 (`spec.at` is the page's to replay
    /// with `NetRequest::Train`, in slices it can follow and interrupt).
    NetProtocol, super::SLUG, NetLab, NetRequest, NetReply
);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NetRequest {
    /// Train this many more epochs (at most `NetLimits::MAX_EPOCHS_PER_REQUEST`), then report;
    /// with `contrast`, the contrast run too when it is level with this one.
    Train {
        epochs: usize,
        #[serde(default)]
        contrast: bool,
    },
    /// The contrast run (this network with batch normalisation the other way, same seed and
    /// hand-set weights): made at epoch 0 if there is none, then trained this many more epochs
    /// (at most `NetLimits::MAX_EPOCHS_PER_REQUEST`, not past this run's epoch).
    Contrast { epochs: usize },
    /// One training point through the network as it is now, forward and backward, every
    /// intermediate value and gradient (training state unchanged).
    Explain { point: usize },
    /// The Jacobian of layer `layer` (1-based; the last is the output) at a training point,
    /// and the notes' two identities checked there.
    Jacobian { layer: usize, point: usize },
    /// Sets one weight by hand now (its `epoch` must be the run's: a link replays it there).
    SetWeight { edit: super::WeightEdit },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NetReply {
    /// The data set and the untrained network.
    Started {
        data: NetData,
        frame: NetFrame,
    },
    /// Training went on: the loss after each new epoch and the network now.
    Trained(NetFrame),
    Explained(Backprop),
    Jacobian(JacobianView),
    /// The contrast run went on (or was made).
    Contrasted(ContrastFrame),
}

/// One layer's learnt γ and β (a diverged run's may not be numbers: they cross as `null`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LearntNorm {
    #[serde(with = "crate::wire::vec_or_null")]
    pub gamma: Vec<f32>,
    #[serde(with = "crate::wire::vec_or_null")]
    pub beta: Vec<f32>,
}

/// The contrast run after `epoch` epochs: what a frame of it the histograms need.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContrastFrame {
    pub batch_norm: bool,
    pub epoch: usize,
    /// Its losses and histograms for the epochs since its last frame (when made: epoch 0).
    pub curve: Vec<EpochLoss>,
    pub histograms: Vec<EpochHistograms>,
    /// Each hidden layer's learnt γ and β (empty without batch normalisation).
    pub norms: Vec<LearntNorm>,
    pub stopped: Option<String>,
}

/// A layer's Jacobian ∂a/∂a_prev at one point, in the notes' numerator layout: one row per
/// output (m), one column per input (n), row-major. `by_autograd` is the engine's, row by row
/// from vector–Jacobian products (one per output, cotangent eᵢ); `by_differences` the same
/// from central differences. `identities` checks the notes' two identities on the network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JacobianView {
    pub layer: usize,
    pub point: usize,
    pub epoch: usize,
    pub outputs: usize,
    pub inputs: usize,
    #[serde(with = "crate::wire::vec_or_null")]
    pub by_autograd: Vec<f32>,
    #[serde(with = "crate::wire::vec_or_null")]
    pub by_differences: Vec<f32>,
    pub identities: Vec<IdentityCheck>,
}

/// One identity, both sides computed on the live network, and their largest difference.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IdentityCheck {
    /// The identity as the notes write it, and what its symbols stand for here.
    pub identity: String,
    pub meaning: String,
    #[serde(with = "crate::wire::vec_or_null")]
    pub left: Vec<f32>,
    #[serde(with = "crate::wire::vec_or_null")]
    pub right: Vec<f32>,
    #[serde(with = "crate::wire::or_null")]
    pub difference: f32,
}

/// Backpropagation for one training point, layer by layer (the hidden layers, then the
/// output), with the loss J = ½(ŷ − y)² of that point alone (no penalty): what the notes'
/// chain rule computes. Every gradient is the engine's autograd; `agreement` is the largest
/// difference from the same gradients computed by the chain rule by hand.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Backprop {
    /// The point's index in the training set, and the point.
    pub point: usize,
    pub sample: Sample,
    /// The epoch of the network explained.
    pub epoch: usize,
    /// The input features' values at the point, in the spec's order.
    #[serde(with = "crate::wire::vec_or_null")]
    pub inputs: Vec<f32>,
    pub layers: Vec<LayerTrace>,
    #[serde(with = "crate::wire::or_null")]
    pub loss: f32,
    /// η of the next step (the update shown is θ − η ∂J/∂θ).
    #[serde(with = "crate::wire::or_null")]
    pub lr: f32,
    #[serde(with = "crate::wire::or_null")]
    pub agreement: f32,
}

/// One layer of a [`Backprop`]: forward z = Wᵀa_prev + b and a = φ(z); backward ∂J/∂a,
/// φ′(z), ∂J/∂z = ∂J/∂a ⊙ φ′(z), ∂J/∂W = a_prev (∂J/∂z)ᵀ (inputs × outputs, row-major) and
/// ∂J/∂b = ∂J/∂z; and the weights and biases now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerTrace {
    #[serde(with = "crate::wire::vec_or_null")]
    pub z: Vec<f32>,
    #[serde(with = "crate::wire::vec_or_null")]
    pub a: Vec<f32>,
    #[serde(with = "crate::wire::vec_or_null")]
    pub da: Vec<f32>,
    #[serde(with = "crate::wire::vec_or_null")]
    pub slope: Vec<f32>,
    #[serde(with = "crate::wire::vec_or_null")]
    pub dz: Vec<f32>,
    #[serde(with = "crate::wire::vec_or_null")]
    pub dw: Vec<f32>,
    #[serde(with = "crate::wire::vec_or_null")]
    pub db: Vec<f32>,
    pub weights: LayerWeights,
}

/// One point: (x₁, x₂) and its label (−1 or +1 for a class; in [−1, 1] for regression).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sample(pub f32, pub f32, pub f32);

/// The run's data, fixed from its start.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetData {
    pub regression: bool,
    /// Points and maps span [−domain, domain]² (a noisy point may lie a little outside).
    pub domain: f32,
    pub train: Vec<Sample>,
    pub test: Vec<Sample>,
}

/// A neuron's output over the input plane: `side` × `side` samples, row by row from the top
/// (x₂ = +domain) down, x₁ growing along a row; each byte b stands for b / 127.5 − 1, the
/// output clamped to [−1, 1] (the colour scale's ends), and 127 for a value that is not a number.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Map {
    pub side: usize,
    #[serde(with = "crate::wire::base64_bytes")]
    pub bytes: Vec<u8>,
}

impl Map {
    /// The byte a value travels as.
    pub fn byte(value: f32) -> u8 {
        if value.is_nan() {
            127
        } else {
            ((value.clamp(-1.0, 1.0) + 1.0) * 127.5).round() as u8
        }
    }

    /// The value a byte stands for (exact to 1/127.5).
    pub fn value(byte: u8) -> f32 {
        byte as f32 / 127.5 - 1.0
    }

    /// A feature's map, scaled by its largest magnitude over the plane so that every feature
    /// spans the colour scale (the page draws the inputs with it; nothing is trained on it).
    pub fn of_feature(feature: super::Feature, side: usize, domain: f32) -> Map {
        let values: Vec<f32> = (0..side * side)
            .map(|i| {
                let (x1, x2) = Map::point(side, domain, i / side, i % side);
                feature.of(x1, x2)
            })
            .collect();
        let scale = values.iter().fold(0.0f32, |m, v| m.max(v.abs())).max(1e-6);
        Map {
            side,
            bytes: values.iter().map(|v| Map::byte(v / scale)).collect(),
        }
    }

    /// The point at the centre of sample (row, column), for a map over [−domain, domain]².
    pub fn point(side: usize, domain: f32, row: usize, column: usize) -> (f32, f32) {
        let cell = 2.0 * domain / side as f32;
        (
            -domain + (column as f32 + 0.5) * cell,
            domain - (row as f32 + 0.5) * cell,
        )
    }
}

/// Mean loss (½(output − label)², TensorFlow Playground's) over each set after an epoch.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochLoss {
    pub epoch: usize,
    #[serde(with = "crate::wire::or_null")]
    pub train: f32,
    #[serde(with = "crate::wire::or_null")]
    pub test: f32,
}

/// After an epoch, for each hidden layer, how many training points gave its neurons an
/// activation input (z, or γ ẑ + β with batch normalisation) in each bin of
/// `NetLimits::HISTOGRAM_BINS` over ±`NetLimits::HISTOGRAM_RANGE`, counted over all the
/// layer's neurons (each layer's counts sum to training points × neurons).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochHistograms {
    pub epoch: usize,
    pub layers: Vec<Vec<u32>>,
}

/// One layer of weights: `weights[i * outputs + j]` joins neuron i of the layer before to
/// neuron j of this one; with batch normalisation (hidden layers only), its learnt γ and β.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerWeights {
    pub inputs: usize,
    pub outputs: usize,
    #[serde(with = "crate::wire::vec_or_null")]
    pub weights: Vec<f32>,
    #[serde(with = "crate::wire::vec_or_null")]
    pub biases: Vec<f32>,
    #[serde(default, with = "crate::wire::vec_or_null")]
    pub gamma: Vec<f32>,
    #[serde(default, with = "crate::wire::vec_or_null")]
    pub beta: Vec<f32>,
}

/// The network after `epoch` epochs (`step` optimizer steps).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetFrame {
    pub epoch: usize,
    pub step: usize,
    /// The losses of the epochs since the last frame (at a start: epoch 0, untrained).
    pub curve: Vec<EpochLoss>,
    /// What each hidden layer's activation received over the training set, for the same
    /// epochs.
    pub histograms: Vec<EpochHistograms>,
    /// Every layer's weights, the first hidden layer's (or the output's) first.
    pub layers: Vec<LayerWeights>,
    /// Every hidden neuron's map, layer by layer.
    pub hidden_maps: Vec<Vec<Map>>,
    /// The output neuron's map, finer.
    pub output_map: Map,
    /// Why training stopped (a loss that is not a number), if it did.
    pub stopped: Option<String>,
    /// The contrast run, when this request trained it too.
    #[serde(default)]
    pub contrast: Option<ContrastFrame>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A diverged contrast run's γ and β cross as `null` and come back as NaN: the page can
    /// still read the frame.
    #[test]
    fn a_contrast_frame_with_nan_norms_can_be_read() {
        let frame = ContrastFrame {
            batch_norm: true,
            epoch: 3,
            curve: vec![],
            histograms: vec![],
            norms: vec![LearntNorm {
                gamma: vec![f32::NAN, 1.0],
                beta: vec![0.5, f32::INFINITY],
            }],
            stopped: Some("the loss became NaN".into()),
        };
        let text = serde_json::to_string(&frame).expect("written");
        let back: ContrastFrame = serde_json::from_str(&text).expect("read back");
        assert!(back.norms[0].gamma[0].is_nan() && back.norms[0].beta[1].is_nan());
        assert_eq!((back.norms[0].gamma[1], back.norms[0].beta[0]), (1.0, 0.5));
    }
}
