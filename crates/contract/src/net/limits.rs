//! The Network lab's limits (the training settings' own are `limits::TrainingLimits`).

use super::{NetError, NetLab, NET_OPTIMIZERS};
use crate::limits::{check_at, check_float, check_range, TrainingLimits, Violation};

pub struct NetLimits;

impl NetLimits {
    /// Hidden layers, and neurons in each (TensorFlow Playground's).
    pub const MAX_HIDDEN_LAYERS: usize = 6;
    pub const MAX_NEURONS: usize = 8;
    /// Noise, in percent.
    pub const MAX_NOISE: usize = 50;
    /// Share of the points used for training, in percent.
    pub const TRAIN_PERCENT: (usize, usize) = (10, 90);
    pub const MAX_BATCH: usize = 30;
    /// Regularisation rate.
    pub const MAX_REG_RATE: f32 = 10.0;
    /// The longest run, in epochs (a link's `at=` and the schedule's length in steps are
    /// bounded through it).
    pub const MAX_EPOCHS: usize = 10_000;
    /// Epochs one request may train at the most; fewer where the work bound below says so
    /// ([`NetLimits::epochs_per_request`]).
    pub const MAX_EPOCHS_PER_REQUEST: usize = 100;
    /// The work one request may do, in layer-steps: optimizer steps × weight layers (× 2 with
    /// batch normalisation, whose statistics and their gradient about double a layer's ops) ×
    /// runs trained in step. These networks are small enough that a step's cost is its ops'
    /// overhead, not its multiply-adds, so the count is of layers, not of weights. Calibrated
    /// in the browser: a request of 100 epochs at batch 1, batch norm on, the widest network
    /// with its contrast run (3.0 M layer-steps) took 31 s, ~10 µs a layer-step, so this
    /// bound is ~0.25 s. One epoch is the least a request trains (~0.3 s at the very most).
    pub const MAX_LAYER_STEPS_PER_REQUEST: usize = 25_000;
    /// Side of the grid each hidden neuron's map is sampled on, and the output's.
    pub const NEURON_GRID: usize = 32;
    pub const OUTPUT_GRID: usize = 80;
    /// The histograms of what each hidden layer's activation receives: this many bins over
    /// [−HISTOGRAM_RANGE, HISTOGRAM_RANGE] (values beyond fall in the end bins).
    pub const HISTOGRAM_BINS: usize = 20;
    pub const HISTOGRAM_RANGE: f32 = 5.0;
    /// The student's own points: at most this many (a link carries them all, within
    /// `link::MAX_FRAGMENT`), at least this many, and the largest text read for them.
    pub const MAX_CUSTOM_POINTS: usize = 250;
    pub const MIN_CUSTOM_POINTS: usize = 2;
    pub const MAX_CSV_BYTES: usize = 100_000;
    /// Weights set by hand in one run, and the largest magnitude one may be set to.
    pub const MAX_EDITS: usize = 50;
    pub const MAX_WEIGHT: f32 = 100.0;
    /// The byte budget of one reply's JSON (tested on the largest replies).
    pub const REPLY_BYTES: usize = 192 * 1024;

    /// Layer-steps of one epoch of one run (see [`NetLimits::MAX_LAYER_STEPS_PER_REQUEST`]).
    pub fn epoch_work(spec: &NetLab) -> usize {
        let layers = spec.hidden.len() + 1;
        spec.steps_per_epoch() * layers * if spec.batch_norm { 2 } else { 1 }
    }

    /// Epochs one request may train of `runs` runs in step (the run, and its contrast run when
    /// it trains along): as many as fit the work bound, at least one, at most
    /// [`NetLimits::MAX_EPOCHS_PER_REQUEST`].
    pub fn epochs_per_request(spec: &NetLab, runs: usize) -> usize {
        let epoch = Self::epoch_work(spec).saturating_mul(runs.max(1)).max(1);
        (Self::MAX_LAYER_STEPS_PER_REQUEST / epoch).clamp(1, Self::MAX_EPOCHS_PER_REQUEST)
    }

    /// The longest schedule, in optimizer steps: every epoch at batch 1 of the largest set.
    pub fn max_steps() -> usize {
        Self::MAX_EPOCHS * 1200
    }

    pub fn check(spec: &NetLab) -> Result<(), NetError> {
        check_range("noise", spec.noise, 0, Self::MAX_NOISE)?;
        check_range(
            "train",
            spec.train_percent,
            Self::TRAIN_PERCENT.0,
            Self::TRAIN_PERCENT.1,
        )?;
        check_range("batch", spec.batch, 1, Self::MAX_BATCH)?;
        check_range("points", spec.points.len(), 0, Self::MAX_CUSTOM_POINTS)?;
        if spec.dataset == super::Dataset::Custom {
            check_range(
                "points",
                spec.points.len(),
                Self::MIN_CUSTOM_POINTS,
                Self::MAX_CUSTOM_POINTS,
            )?;
        }
        if spec.features.is_empty() {
            return Err(NetError::NoFeature);
        }
        for (i, f) in spec.features.iter().enumerate() {
            if spec.features[..i].contains(f) {
                return Err(NetError::FeatureTwice(*f));
            }
        }
        check_range(
            "hidden layers",
            spec.hidden.len(),
            0,
            Self::MAX_HIDDEN_LAYERS,
        )?;
        for (i, &n) in spec.hidden.iter().enumerate() {
            check_range(
                &format!("neurons in hidden layer {}", i + 1),
                n,
                1,
                Self::MAX_NEURONS,
            )?;
        }
        check_float(
            "regularization rate",
            spec.reg_rate,
            0.0,
            Self::MAX_REG_RATE,
        )?;
        if !NET_OPTIMIZERS.contains(&spec.run.optimizer) {
            return Err(NetError::NotOffered(spec.run.optimizer));
        }
        TrainingLimits::check_settings(&spec.run, &spec.schedule, Self::max_steps())?;
        check_at(spec.at, Self::MAX_EPOCHS)?;
        check_range("edited weights", spec.edits.len(), 0, Self::MAX_EDITS)?;
        let sizes = spec.layer_sizes();
        for e in &spec.edits {
            Self::check_edit(e, &sizes)?;
        }
        Ok(())
    }

    /// One hand-set weight: a weight of this network, a finite value within the limit.
    pub fn check_edit(e: &super::WeightEdit, sizes: &[usize]) -> Result<(), Violation> {
        check_range("edit epoch", e.epoch, 0, Self::MAX_EPOCHS)?;
        check_range("edit layer", e.layer, 1, sizes.len() - 1)?;
        check_range("edit from", e.from, 0, sizes[e.layer - 1] - 1)?;
        check_range("edit to", e.to, 0, sizes[e.layer] - 1)?;
        check_float(
            "edited weight",
            e.value,
            -Self::MAX_WEIGHT,
            Self::MAX_WEIGHT,
        )
    }
}
