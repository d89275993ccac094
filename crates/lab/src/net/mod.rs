//! The Network lab's session: TensorFlow Playground's network on its data sets. The inputs
//! are the chosen features of (x₁, x₂); every hidden layer applies the chosen activation; the
//! one output neuron is tanh for classification (labels ±1) and the identity for regression;
//! the loss is TensorFlow Playground's ½(output − label)², averaged over the batch, plus the
//! regularisation penalty on the weights. Weights start uniform in [−0.5, 0.5] and biases at
//! 0.1, as there. Any optimizer of the shared machinery trains it, one mini-batch per step.
//!
//! Deterministic: the data, the split, the initial weights and the batch order depend on the
//! spec's seed only.

mod error;
mod explain;
mod jacobian;
mod session;

pub use error::NetSessionError;

use crate::step_error::{Advice, StepError, When};
use crate::training::{self, optimizer_for, Pace, Trainable, TrainingLog};
use contract::net::limits::NetLimits;
use contract::net::protocol::{
    ContrastFrame, EpochHistograms, EpochLoss, LayerWeights, LearntNorm, Map, NetData, NetFrame,
    Sample,
};
use contract::net::{Activation, Dataset, Feature, NetLab, Regularization};
use contract::training::TrainPoint;
use data::playground::{self, Point, DOMAIN};
use data::sampler::Sampler;
use nn::layers::BatchNorm;
use nn::Optimizer;
use tensor::rng::Rng;
use tensor::{no_grad, Result, Tensor};

/// One layer's trainable weights W [inputs, outputs] and biases b [outputs], and (hidden
/// layers, when the spec asks) the batch normalisation of its pre-activation.
struct Layer {
    weight: Tensor,
    bias: Tensor,
    norm: Option<BatchNorm>,
}

/// One pass through the network: what each hidden layer's activation received and gave,
/// and the output.
struct Pass {
    received: Vec<Tensor>,
    hidden: Vec<Tensor>,
    output: Tensor,
}

/// What the trainer records after every epoch: the losses and the histograms.
#[derive(Clone, Debug, PartialEq)]
pub struct Epoch {
    pub loss: EpochLoss,
    pub histograms: EpochHistograms,
}

pub struct NetSession {
    spec: NetLab,
    train: Vec<Point>,
    test: Vec<Point>,
    /// The training and test sets as network inputs (features) and targets [N, 1].
    train_inputs: Tensor,
    train_targets: Tensor,
    test_inputs: Tensor,
    test_targets: Tensor,
    /// The features at every sample of the neurons' grid and of the output's finer grid.
    neuron_grid: Tensor,
    output_grid: Tensor,
    layers: Vec<Layer>,
    params: Vec<Tensor>,
    optimizer: Optimizer,
    sampler: Sampler,
    log: TrainingLog<Epoch>,
    /// The hand-set weights of the run, applied when their epoch is done.
    edits: Vec<contract::net::WeightEdit>,
    /// The same network with batch normalisation the other way, once the page asks for it:
    /// never ahead of this run.
    contrast: Option<Box<NetSession>>,
}

/// The data set a spec describes, shuffled, as (training, test) points.
pub fn data_of(spec: &NetLab) -> (Vec<Point>, Vec<Point>) {
    let mut rng = Rng::new(spec.seed);
    let noise = spec.noise as f32 / 100.0;
    let count = spec.dataset.samples();
    let mut points = match spec.dataset {
        Dataset::Circle => playground::circle(count, noise, &mut rng),
        Dataset::Xor => playground::xor(count, noise, &mut rng),
        Dataset::Gauss => playground::two_gaussians(count, noise, &mut rng),
        Dataset::Spiral => playground::spiral(count, noise, &mut rng),
        Dataset::Plane => playground::plane(count, noise, &mut rng),
        Dataset::Gaussians => playground::six_gaussians(count, noise, &mut rng),
        // The student's own points, as given (noise is the generators').
        Dataset::Custom => spec
            .points
            .iter()
            .map(|p| Point {
                x1: p.x1(),
                x2: p.x2(),
                label: p.label(),
            })
            .collect(),
    };
    playground::shuffle(&mut points, &mut rng);
    let test = points.split_off(spec.train_points().min(points.len()));
    (points, test)
}

/// The spec's features of each point, [N, features].
fn features_of(features: &[Feature], points: impl Iterator<Item = (f32, f32)>) -> Result<Tensor> {
    let data: Vec<f32> = points
        .flat_map(|(x1, x2)| features.iter().map(move |f| f.of(x1, x2)))
        .collect();
    let rows = data.len() / features.len().max(1);
    Tensor::from_vec(data, &[rows, features.len()])
}

/// The centres of a `side` × `side` grid over the domain, row by row from the top.
fn grid(side: usize) -> impl Iterator<Item = (f32, f32)> {
    (0..side * side).map(move |i| Map::point(side, DOMAIN, i / side, i % side))
}

fn inputs_and_targets(features: &[Feature], points: &[Point]) -> Result<(Tensor, Tensor)> {
    let inputs = features_of(features, points.iter().map(|p| (p.x1, p.x2)))?;
    let targets = Tensor::from_vec(points.iter().map(|p| p.label).collect(), &[points.len(), 1])?;
    Ok((inputs, targets))
}

impl NetSession {
    /// The data and the untrained network a spec describes; a spec over its limits is refused
    /// with the limit it exceeds.
    pub fn new(spec: &NetLab) -> std::result::Result<NetSession, NetSessionError> {
        spec.check()?;
        let (train, test) = data_of(spec);
        let (train_inputs, train_targets) = inputs_and_targets(&spec.features, &train)?;
        let (test_inputs, test_targets) = inputs_and_targets(&spec.features, &test)?;
        let neuron_grid = features_of(&spec.features, grid(NetLimits::NEURON_GRID))?;
        let output_grid = features_of(&spec.features, grid(NetLimits::OUTPUT_GRID))?;
        // The weights' generator is not the data's: changing the noise keeps the weights.
        let mut rng = Rng::new(spec.seed.wrapping_add(2));
        let sizes = spec.layer_sizes();
        let hidden = spec.hidden.len();
        let layers: Vec<Layer> = sizes
            .windows(2)
            .enumerate()
            .map(|(i, w)| Layer {
                weight: Tensor::uniform(&[w[0], w[1]], -0.5, 0.5, &mut rng).requires_grad(),
                bias: Tensor::full(&[w[1]], 0.1).requires_grad(),
                norm: (spec.batch_norm && i < hidden).then(|| BatchNorm::new(w[1])),
            })
            .collect();
        let params = layers
            .iter()
            .flat_map(|l| {
                let mut p = vec![l.weight.clone(), l.bias.clone()];
                if let Some(n) = &l.norm {
                    p.extend([n.gamma.clone(), n.beta.clone()]);
                }
                p
            })
            .collect();
        let mut session = NetSession {
            edits: Vec::new(),
            contrast: None,
            optimizer: optimizer_for(&spec.run, spec.schedule),
            sampler: Sampler::new(train.len(), spec.batch, false, spec.seed.wrapping_add(1)),
            log: TrainingLog::default(),
            spec: spec.clone(),
            train,
            test,
            train_inputs,
            train_targets,
            test_inputs,
            test_targets,
            neuron_grid,
            output_grid,
            layers,
            params,
        };
        for e in &spec.edits {
            session.set_weight(*e)?;
        }
        Ok(session)
    }

    /// Sets a weight by hand, now if its epoch is the run's (a live edit, or a link's at
    /// epoch 0), else when training reaches it (a link's later edits).
    pub fn set_weight(&mut self, e: contract::net::WeightEdit) -> std::result::Result<(), NetSessionError> {
        NetLimits::check_edit(&e, &self.spec.layer_sizes())?;
        if e.epoch < self.epoch() {
            return Err(NetSessionError::EditBefore {
                edit: e.epoch,
                epoch: self.epoch(),
            });
        }
        if e.epoch == self.epoch() {
            self.apply(&e);
        }
        self.edits.push(e);
        Ok(())
    }

    fn apply(&self, e: &contract::net::WeightEdit) {
        let layer = &self.layers[e.layer - 1];
        let outputs = layer.weight.shape()[1];
        layer.weight.update(|w| w[e.from * outputs + e.to] = e.value);
    }

    /// This network with batch normalisation the other way: the same seed (so the same data,
    /// first weights and batches) and the same hand-set weights, at epoch 0.
    fn contrast_run(&self) -> std::result::Result<NetSession, NetSessionError> {
        NetSession::new(&NetLab {
            batch_norm: !self.spec.batch_norm,
            edits: self.edits.clone(),
            ..self.spec.clone()
        })
    }

    /// The contrast run's losses and histograms since its last frame (`first`: when just
    /// made, its untrained evaluation) and its learnt γ and β.
    fn contrast_frame(&mut self, first: Option<Epoch>) -> ContrastFrame {
        let (_, evaluations) = self.log.take_new();
        let (curve, histograms) = first
            .into_iter()
            .chain(evaluations)
            .map(|e| (e.loss, e.histograms))
            .unzip();
        ContrastFrame {
            batch_norm: self.spec.batch_norm,
            epoch: self.epoch(),
            curve,
            histograms,
            norms: self
                .layers
                .iter()
                .filter_map(|l| l.norm.as_ref())
                .map(|n| LearntNorm {
                    gamma: n.gamma.to_vec(),
                    beta: n.beta.to_vec(),
                })
                .collect(),
            stopped: self.log.stopped.clone(),
        }
    }

    pub fn edit_count(&self) -> usize {
        self.edits.len()
    }

    pub fn epoch(&self) -> usize {
        self.log.step / self.spec.steps_per_epoch()
    }

    pub fn stopped(&self) -> Option<&str> {
        self.log.stopped.as_deref()
    }

    /// The hidden layers' φ, or the output's (tanh for classes, the identity for regression).
    fn activation(&self, output: bool) -> Activation {
        match (output, self.spec.dataset.is_regression()) {
            (false, _) => self.spec.activation,
            (true, false) => Activation::Tanh,
            (true, true) => Activation::Linear,
        }
    }

    fn activate(&self, z: Tensor, output: bool) -> Tensor {
        match self.activation(output) {
            Activation::Relu => z.relu(),
            Activation::Tanh => z.tanh(),
            Activation::Sigmoid => z.sigmoid(),
            Activation::Linear => z,
        }
    }

    /// Inputs [N, features] through the network; `training` normalises with the batch's
    /// statistics (and updates the running ones), else with the running statistics.
    fn pass(&self, inputs: &Tensor, training: bool) -> Result<Pass> {
        let last = self.layers.len() - 1;
        let (mut received, mut hidden) = (Vec::new(), Vec::new());
        let mut h = inputs.clone();
        for (i, layer) in self.layers.iter().enumerate() {
            let mut z = h.matmul(&layer.weight)?.add(&layer.bias)?;
            if let Some(norm) = &layer.norm {
                z = norm.forward(&z, training)?;
            }
            h = self.activate(z.clone(), i == last);
            if i < last {
                received.push(z);
                hidden.push(h.clone());
            }
        }
        Ok(Pass {
            received,
            hidden,
            output: h,
        })
    }

    /// Every hidden layer's output and the network's output (evaluation), for inputs
    /// [N, features].
    fn forward(&self, inputs: &Tensor) -> Result<(Vec<Tensor>, Tensor)> {
        self.pass(inputs, false).map(|p| (p.hidden, p.output))
    }

    /// Each hidden layer's activation inputs over the training set, counted in bins.
    fn histograms(&self) -> EpochHistograms {
        let (bins, range) = (NetLimits::HISTOGRAM_BINS, NetLimits::HISTOGRAM_RANGE);
        let layers = no_grad(|| self.pass(&self.train_inputs, false))
            .map(|pass| {
                pass.received
                    .iter()
                    .map(|z| {
                        let mut counts = vec![0u32; bins];
                        for &v in z.data().iter() {
                            let at = ((v + range) / (2.0 * range) * bins as f32).floor();
                            // Not a number counts nowhere; beyond the range, in the end bins.
                            if !at.is_nan() {
                                counts[(at.max(0.0) as usize).min(bins - 1)] += 1;
                            }
                        }
                        counts
                    })
                    .collect()
            })
            .unwrap_or_default();
        EpochHistograms {
            epoch: self.epoch(),
            layers,
        }
    }

    /// ½ mean (output − target)²: TensorFlow Playground's loss, without the penalty.
    fn data_loss(output: &Tensor, targets: &Tensor) -> Result<Tensor> {
        Ok(output.sub(targets)?.square().mean_all().scale(0.5))
    }

    /// rate · Σ|w| (L1) or rate · ½ Σ w² (L2) over every weight (not the biases).
    fn penalty(&self) -> Option<Tensor> {
        let per_layer = |w: &Tensor| match self.spec.regularization {
            Regularization::None => None,
            Regularization::L1 => Some(w.abs().sum_all()),
            Regularization::L2 => Some(w.square().sum_all().scale(0.5)),
        };
        let mut total: Option<Tensor> = None;
        for layer in &self.layers {
            let term = per_layer(&layer.weight)?;
            total = Some(match total {
                Some(t) => t.add(&term).ok()?,
                None => term,
            });
        }
        total.map(|t| t.scale(self.spec.reg_rate))
    }

    /// The mean loss over a whole set (no penalty: the curve shows how well the data is fit).
    fn set_loss(&self, inputs: &Tensor, targets: &Tensor) -> f32 {
        no_grad(|| {
            self.forward(inputs)
                .and_then(|(_, out)| Self::data_loss(&out, targets))
                .and_then(|l| l.item())
        })
        .unwrap_or(f32::NAN)
    }

    /// Trains `epochs` more epochs (fewer at the end of the run or when the loss stops being
    /// a number).
    /// Trains `epochs` more epochs (fewer at the end of the run or when the loss stops being
    /// a number), an epoch at a time: a hand-set weight of a link is applied as its epoch ends.
    pub fn train_epochs(&mut self, epochs: usize, now_ms: &dyn Fn() -> f64) {
        let last = (self.epoch() + epochs).min(NetLimits::MAX_EPOCHS);
        while self.epoch() < last && self.log.stopped.is_none() {
            let until = (self.epoch() + 1) * self.spec.steps_per_epoch();
            training::train_until(self, f64::INFINITY, now_ms, Some(until));
            let epoch = self.epoch();
            for e in self.edits.iter().filter(|e| e.epoch == epoch) {
                self.apply(e);
            }
        }
    }

    /// The run's data.
    pub fn data(&self) -> NetData {
        let samples = |points: &[Point]| {
            points
                .iter()
                .map(|p| Sample(p.x1, p.x2, p.label))
                .collect()
        };
        NetData {
            regression: self.spec.dataset.is_regression(),
            domain: DOMAIN,
            train: samples(&self.train),
            test: samples(&self.test),
        }
    }

    /// The network now: its weights, every neuron's map, and the losses not yet sent
    /// (`curve`: at a start, the untrained network's).
    pub fn frame(&mut self, epochs: Option<Vec<Epoch>>) -> NetFrame {
        let (_, evaluations) = self.log.take_new();
        let (curve, histograms) = epochs
            .unwrap_or(evaluations)
            .into_iter()
            .map(|e| (e.loss, e.histograms))
            .unzip();
        let layers = self
            .layers
            .iter()
            .map(|l| LayerWeights {
                inputs: l.weight.shape()[0],
                outputs: l.weight.shape()[1],
                weights: l.weight.to_vec(),
                biases: l.bias.to_vec(),
                gamma: l.norm.as_ref().map(|n| n.gamma.to_vec()).unwrap_or_default(),
                beta: l.norm.as_ref().map(|n| n.beta.to_vec()).unwrap_or_default(),
            })
            .collect();
        let columns = |t: &Tensor, side: usize| -> Vec<Map> {
            let (rows, width) = (t.shape()[0], t.shape()[1]);
            let data = t.data();
            (0..width)
                .map(|j| Map {
                    side,
                    bytes: (0..rows).map(|i| Map::byte(data[i * width + j])).collect(),
                })
                .collect()
        };
        let neuron = no_grad(|| self.forward(&self.neuron_grid)).ok();
        let output = no_grad(|| self.forward(&self.output_grid)).ok();
        let hidden_maps = neuron
            .map(|(hidden, _)| {
                hidden
                    .iter()
                    .map(|h| columns(h, NetLimits::NEURON_GRID))
                    .collect()
            })
            .unwrap_or_default();
        let side = NetLimits::OUTPUT_GRID;
        let output_map = output
            .and_then(|(_, out)| columns(&out, side).pop())
            .unwrap_or(Map {
                side,
                bytes: vec![Map::byte(f32::NAN); side * side],
            });
        NetFrame {
            epoch: self.epoch(),
            step: self.log.step,
            curve,
            histograms,
            layers,
            hidden_maps,
            output_map,
            stopped: self.log.stopped.clone(),
            contrast: None,
        }
    }
}

impl Trainable for NetSession {
    type Evaluation = Epoch;

    fn pace(&self) -> Pace {
        Pace::new(
            self.spec.batch,
            NetLimits::MAX_EPOCHS * self.spec.steps_per_epoch(),
            self.spec.steps_per_epoch(),
        )
    }

    fn train_step(&mut self, step: usize) -> std::result::Result<TrainPoint, StepError> {
        let indices = self.sampler.next_batch();
        let lr = self.optimizer.schedule.lr(self.optimizer.steps_taken());
        let batch = |t: &Tensor| t.index_select(&indices);
        let (inputs, targets) = (
            batch(&self.train_inputs)?,
            batch(&self.train_targets)?,
        );
        self.optimizer.before_gradient(&self.params);
        let output = self.pass(&inputs, true)?.output;
        let correct = output
            .to_vec()
            .iter()
            .zip(targets.to_vec())
            .filter(|(o, t)| (**o > 0.0) == (*t > 0.0))
            .count();
        let mut loss = Self::data_loss(&output, &targets)?;
        if let Some(penalty) = self.penalty() {
            loss = loss.add(&penalty)?;
        }
        let value =
            training::finite_loss(&loss, When::Epoch(self.epoch() + 1), Advice::LowerLr { lr })?;
        let point = TrainPoint {
            step,
            loss: value,
            accuracy: correct as f32 / indices.len().max(1) as f32,
            lr,
        };
        training::descend(&mut self.optimizer, &self.params, &loss, point)
    }

    fn evaluate(&self) -> Epoch {
        Epoch {
            loss: EpochLoss {
                epoch: self.epoch(),
                train: self.set_loss(&self.train_inputs, &self.train_targets),
                test: self.set_loss(&self.test_inputs, &self.test_targets),
            },
            histograms: self.histograms(),
        }
    }

    fn log(&mut self) -> &mut TrainingLog<Epoch> {
        &mut self.log
    }
}

#[cfg(test)]
mod tests;
