//! The Network lab: a small fully connected network learns a 2-D data set, as in TensorFlow
//! Playground (its data sets, input features, layer shapes, activations, regularisation and
//! link), with every neuron's output drawn over the input plane. Its experiment, link, limits
//! and messages.

pub mod custom;
pub mod error;
mod examples;
pub mod limits;
pub mod link;
pub mod protocol;

use crate::training::{LrSchedule, OptimizerName, Run};
use custom::CustomPoint;
pub use error::NetError;
use limits::NetLimits;
use serde::{Deserialize, Serialize};

/// The lab's name in links (`#lab=net`) and in the engine's messages.
pub const SLUG: &str = "net";

/// TensorFlow Playground's plane: the data sets and every neuron's map span [−6, 6]².
pub const DOMAIN: f32 = 6.0;

/// The data sets: TensorFlow Playground's four classification sets and two regression sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dataset {
    Circle,
    Xor,
    Gauss,
    Spiral,
    /// Regression: the label grows along x₁ + x₂.
    Plane,
    /// Regression: six bumps of either sign.
    Gaussians,
    /// The student's own points (`NetLab::points`), two classes.
    Custom,
}

impl Dataset {
    pub const ALL: [Dataset; 7] = [
        Dataset::Circle,
        Dataset::Xor,
        Dataset::Gauss,
        Dataset::Spiral,
        Dataset::Plane,
        Dataset::Gaussians,
        Dataset::Custom,
    ];

    pub fn slug(&self) -> &'static str {
        match self {
            Dataset::Circle => "circle",
            Dataset::Xor => "xor",
            Dataset::Gauss => "gauss",
            Dataset::Spiral => "spiral",
            Dataset::Plane => "plane",
            Dataset::Gaussians => "gaussians",
            Dataset::Custom => "custom",
        }
    }

    pub fn from_slug(s: &str) -> Option<Dataset> {
        Dataset::ALL.into_iter().find(|d| d.slug() == s)
    }

    /// What a student reads on the data set's button.
    pub fn title(&self) -> &'static str {
        match self {
            Dataset::Circle => "Circle",
            Dataset::Xor => "Exclusive or",
            Dataset::Gauss => "Two Gaussians",
            Dataset::Spiral => "Spiral",
            Dataset::Plane => "Plane (regression)",
            Dataset::Gaussians => "Six Gaussians (regression)",
            Dataset::Custom => "Your own points",
        }
    }

    /// Regression sets have labels in [−1, 1]; the others have two classes, −1 and +1.
    pub fn is_regression(&self) -> bool {
        matches!(self, Dataset::Plane | Dataset::Gaussians)
    }

    /// Points generated (TensorFlow Playground's sizes), split into training and test (the
    /// student's own set has as many as they gave: `NetLab::samples`).
    pub fn samples(&self) -> usize {
        if self.is_regression() {
            1200
        } else {
            500
        }
    }
}

/// The input features computed from a point (x₁, x₂).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    X1,
    X2,
    X1Squared,
    X2Squared,
    X1X2,
    SinX1,
    SinX2,
}

impl Feature {
    pub const ALL: [Feature; 7] = [
        Feature::X1,
        Feature::X2,
        Feature::X1Squared,
        Feature::X2Squared,
        Feature::X1X2,
        Feature::SinX1,
        Feature::SinX2,
    ];

    pub fn slug(&self) -> &'static str {
        match self {
            Feature::X1 => "x1",
            Feature::X2 => "x2",
            Feature::X1Squared => "x1sq",
            Feature::X2Squared => "x2sq",
            Feature::X1X2 => "x1x2",
            Feature::SinX1 => "sinx1",
            Feature::SinX2 => "sinx2",
        }
    }

    pub fn from_slug(s: &str) -> Option<Feature> {
        Feature::ALL.into_iter().find(|f| f.slug() == s)
    }

    /// The feature as the page writes it.
    pub fn label(&self) -> &'static str {
        match self {
            Feature::X1 => "x₁",
            Feature::X2 => "x₂",
            Feature::X1Squared => "x₁²",
            Feature::X2Squared => "x₂²",
            Feature::X1X2 => "x₁x₂",
            Feature::SinX1 => "sin x₁",
            Feature::SinX2 => "sin x₂",
        }
    }

    /// Its value at a point. (Shared by the engine, which trains on it, and the tests.)
    pub fn of(&self, x1: f32, x2: f32) -> f32 {
        match self {
            Feature::X1 => x1,
            Feature::X2 => x2,
            Feature::X1Squared => x1 * x1,
            Feature::X2Squared => x2 * x2,
            Feature::X1X2 => x1 * x2,
            Feature::SinX1 => x1.sin(),
            Feature::SinX2 => x2.sin(),
        }
    }
}

/// The hidden neurons' activation φ (the output's is tanh for classification, the identity
/// for regression, as in TensorFlow Playground).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    Relu,
    Tanh,
    Sigmoid,
    Linear,
}

impl Activation {
    pub const ALL: [Activation; 4] = [
        Activation::Relu,
        Activation::Tanh,
        Activation::Sigmoid,
        Activation::Linear,
    ];

    pub fn slug(&self) -> &'static str {
        match self {
            Activation::Relu => "relu",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
            Activation::Linear => "linear",
        }
    }

    pub fn from_slug(s: &str) -> Option<Activation> {
        Activation::ALL.into_iter().find(|a| a.slug() == s)
    }

    pub fn title(&self) -> &'static str {
        match self {
            Activation::Relu => "ReLU",
            Activation::Tanh => "Tanh",
            Activation::Sigmoid => "Sigmoid",
            Activation::Linear => "Linear",
        }
    }
}

/// The penalty on the weights added to the loss: L1 = rate · Σ|w|, L2 = rate · ½ Σ w²
/// (TensorFlow Playground's: its L2 derivative is w). Biases are not penalised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Regularization {
    None,
    L1,
    L2,
}

impl Regularization {
    pub const ALL: [Regularization; 3] =
        [Regularization::None, Regularization::L1, Regularization::L2];

    pub fn slug(&self) -> &'static str {
        match self {
            Regularization::None => "none",
            Regularization::L1 => "l1",
            Regularization::L2 => "l2",
        }
    }

    pub fn from_slug(s: &str) -> Option<Regularization> {
        Regularization::ALL.into_iter().find(|r| r.slug() == s)
    }
}

/// A weight the student set by hand once epoch `epoch` was done (0: before training): a link
/// replays it at the same point, so the numbers after it are the same. `layer` counts weight
/// layers from 1 (the last is the output's); the weight joins neuron `from` of the layer before
/// to neuron `to` (0-based).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeightEdit {
    pub epoch: usize,
    pub layer: usize,
    pub from: usize,
    pub to: usize,
    pub value: f32,
}

impl WeightEdit {
    /// `epoch_layer_from_to_value`, as the link writes it.
    pub fn code(&self) -> String {
        format!(
            "{}_{}_{}_{}_{}",
            self.epoch, self.layer, self.from, self.to, self.value
        )
    }

    pub fn from_code(code: &str) -> Option<WeightEdit> {
        let parts: Vec<&str> = code.split('_').collect();
        let [epoch, layer, from, to, value] = parts.as_slice() else {
            return None;
        };
        Some(WeightEdit {
            epoch: epoch.parse().ok()?,
            layer: layer.parse().ok()?,
            from: from.parse().ok()?,
            to: to.parse().ok()?,
            value: value.parse().ok()?,
        })
    }
}

/// The optimizers this lab offers (GD and SGD are the mini-batch rule at other batch sizes:
/// the batch slider sets that here).
pub const NET_OPTIMIZERS: [OptimizerName; 6] = OptimizerName::PER_BATCH;

/// The Network lab's whole experiment. Training settings restart the run when they change;
/// the view settings (`show_test`, `discretize`, `contrast`) do not.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetLab {
    pub dataset: Dataset,
    /// Noise, in percent (TensorFlow Playground's 0–50).
    pub noise: usize,
    /// Share of the points used for training, in percent; the rest is the test set.
    pub train_percent: usize,
    pub batch: usize,
    /// The input features, in [`Feature::ALL`]'s order, at least one.
    pub features: Vec<Feature>,
    /// Neurons in each hidden layer.
    pub hidden: Vec<usize>,
    /// The student's own points (used when `dataset` is `Custom`; kept otherwise, so switching
    /// back finds them).
    pub points: Vec<CustomPoint>,
    pub activation: Activation,
    /// Batch normalisation of every hidden layer's pre-activation (z → γ ẑ + β, before φ).
    pub batch_norm: bool,
    pub regularization: Regularization,
    pub reg_rate: f32,
    /// The optimizer and its hyper-parameters (SGD, η = 0.03, as TensorFlow Playground).
    pub run: Run,
    pub schedule: LrSchedule,
    pub seed: u64,
    /// Weights set by hand during the run, in the order they were set.
    pub edits: Vec<WeightEdit>,
    /// Draw the test points on the output map.
    pub show_test: bool,
    /// Draw the output map in two colours (its sign) instead of a gradient.
    pub discretize: bool,
    /// Train beside this run the same network with batch normalisation the other way (same
    /// seed: same data, first weights and batches) and show their histograms side by side.
    pub contrast: bool,
    /// Replay to this epoch on load.
    pub at: Option<usize>,
}

impl Default for NetLab {
    /// TensorFlow Playground's opening experiment: the circle, x₁ and x₂, two hidden layers of
    /// 4 and 2 tanh neurons, η = 0.03, batch 10, half the points for training.
    fn default() -> Self {
        NetLab {
            dataset: Dataset::Circle,
            noise: 0,
            train_percent: 50,
            batch: 10,
            features: vec![Feature::X1, Feature::X2],
            hidden: vec![4, 2],
            points: Vec::new(),
            activation: Activation::Tanh,
            batch_norm: false,
            regularization: Regularization::None,
            reg_rate: 0.0,
            run: NetLab::default_run(OptimizerName::Sgd),
            schedule: LrSchedule::Constant,
            seed: 1,
            edits: Vec::new(),
            show_test: false,
            discretize: false,
            contrast: false,
            at: None,
        }
    }
}

impl NetLab {
    /// An optimizer's defaults in this lab: η = 0.03 for the plain rules (TensorFlow
    /// Playground's), 0.01 for the adaptive ones.
    pub fn default_run(optimizer: OptimizerName) -> Run {
        Run::lab_default(optimizer, 0.01, 0.03)
    }

    /// Every value inside the named limits? The first violation, as a message naming the
    /// field, the value and the limit.
    pub fn check(&self) -> Result<(), NetError> {
        NetLimits::check(self)
    }

    /// Points in the data set.
    pub fn samples(&self) -> usize {
        match self.dataset {
            Dataset::Custom => self.points.len(),
            d => d.samples(),
        }
    }

    /// Training points (the rest of the data set is the test set); at least one.
    pub fn train_points(&self) -> usize {
        (self.samples() * self.train_percent / 100).clamp(1, self.samples().max(1))
    }

    /// Optimizer steps in one epoch (one pass over the training points).
    pub fn steps_per_epoch(&self) -> usize {
        self.train_points().div_ceil(self.batch.max(1)).max(1)
    }

    /// The same experiment without the view settings and the hand-set weights: two specs that
    /// differ only there start the same run (an edit is sent to the running network, and a
    /// link replays it; any other change starts a new run, without edits).
    pub fn training_part(&self) -> NetLab {
        NetLab {
            show_test: false,
            discretize: false,
            contrast: false,
            at: None,
            edits: Vec::new(),
            ..self.clone()
        }
    }

    /// Neurons per layer, inputs first and the one output last.
    pub fn layer_sizes(&self) -> Vec<usize> {
        let mut sizes = vec![self.features.len()];
        sizes.extend(&self.hidden);
        sizes.push(1);
        sizes
    }
}
