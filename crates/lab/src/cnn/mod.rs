//! The CNN lab's session: a model built from the spec's layer list, trained on the bundled
//! MNIST split with the spec's optimizer and schedule, evaluated on the whole test split at
//! fixed steps, and looked inside for one digit (see [`inspect`]).
//!
//! Deterministic: the initial weights, the batch order and every kernel depend on the spec
//! only, never on how the page chunks its requests or on the thread count.

pub mod drawn;
pub mod inspect;
pub mod model;
mod error;
mod session;

pub use error::CnnSessionError;

use crate::step_error::{Advice, StepError, When};
use crate::training::{self, optimizer_for, Pace, Trainable, TrainingLog};
use contract::cnn::view::{DigitSource, Evaluation, GalleryDigit, WrongDigit};
use contract::cnn::{CnnLab, CLASSES, TEST_DIGITS, TRAIN_DIGITS};
use contract::training::{Progress, TrainPoint};
use data::mnist::{Mnist, Split};
use data::sampler::Sampler;
use model::CnnModel;
use nn::Optimizer;
use std::rc::Rc;
use tensor::{no_grad, Tensor};

/// The test split is evaluated after every this many training examples (and at the end).
pub const EVAL_EVERY_EXAMPLES: usize = 4000;
/// Test digits evaluated per forward pass at most (fewer for a model that needs more memory
/// per digit: see `eval_chunk`).
const EVAL_CHUNK: usize = 500;
/// Wrong test digits listed, most confident first.
pub const WRONG_LISTED: usize = 12;
/// Test digits offered to pick from.
pub const GALLERY: usize = 40;

pub struct CnnSession {
    spec: CnnLab,
    mnist: Rc<Mnist>,
    model: CnnModel,
    params: Vec<Tensor>,
    optimizer: Optimizer,
    sampler: Sampler,
    log: TrainingLog<Evaluation>,
    pub(crate) looked: DigitSource,
    pub(crate) shift: (i32, i32),
}

impl CnnSession {
    /// Builds the model the spec describes; an untrainable spec is refused with its reason.
    pub fn new(spec: &CnnLab, mnist: Rc<Mnist>) -> Result<CnnSession, CnnSessionError> {
        spec.trainable()?;
        let train = mnist.split(Split::Train);
        let test = mnist.split(Split::Test);
        if train.len() != TRAIN_DIGITS || test.len() != TEST_DIGITS {
            return Err(CnnSessionError::WrongDigitCount {
                train: train.len(),
                test: test.len(),
            });
        }
        let model = CnnModel::new(&spec.layers, 1, 28, CLASSES, spec.seed);
        // nn's initialisers make gradient-tracking leaves: these are the model's own tensors.
        let params = model.parameters();
        Ok(CnnSession {
            model,
            params,
            optimizer: optimizer_for(&spec.run, spec.schedule),
            sampler: Sampler::new(train.len(), spec.batch, false, spec.seed.wrapping_add(1)),
            log: TrainingLog::default(),
            looked: DigitSource::Test { index: spec.digit },
            shift: spec.shift,
            mnist,
            spec: spec.clone(),
        })
    }

    pub fn steps_taken(&self) -> usize {
        self.log.step
    }

    pub fn finished(&self) -> bool {
        self.log.step >= self.spec.total_steps() || self.log.stopped.is_some()
    }

    /// Digits per evaluation pass: as many as the training limit allows for this model.
    fn eval_chunk(&self) -> usize {
        let per_digit = self.spec.table().values_per_example().max(1);
        let fit = contract::cnn::limits::CnnLimits::MAX_BATCH_VALUES / per_digit;
        (fit.min(EVAL_CHUNK as u64) as usize).max(1)
    }

    fn eval_every(&self) -> usize {
        (EVAL_EVERY_EXAMPLES / self.spec.batch).max(1)
    }

    /// Trains whole steps for about `budget_ms` (at least one), evaluating the test split at
    /// the fixed steps; the examples per second of the training alone.
    pub fn train_for(&mut self, budget_ms: f64, now_ms: &dyn Fn() -> f64) -> Option<f32> {
        training::train_until(self, budget_ms, now_ms, None)
    }

    /// Trains to step `at` (or the end of the run), whatever the time.
    pub fn train_to(&mut self, at: usize, now_ms: &dyn Fn() -> f64) {
        while self.log.step < at && !self.finished() {
            self.train_for(0.0, now_ms);
        }
    }

    /// What happened since the last progress; without a speed of its own (a replay trained
    /// in one go) the mean speed since step 0.
    pub fn progress(&mut self, examples_per_second: Option<f32>) -> Progress<Evaluation> {
        let total = self.spec.total_steps();
        self.log.progress(total, self.spec.batch, examples_per_second, None)
    }

    /// Test digit `index` (into the test split) as bytes.
    fn test_pixels(&self, index: usize) -> Vec<u8> {
        let start = self.mnist.split(Split::Test).start;
        self.mnist
            .batch(&[start + index])
            .map(|(t, _)| {
                t.to_vec()
                    .iter()
                    .map(|v| (v * 255.0).round() as u8)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The first test digits, to pick from.
    pub fn gallery(&self) -> Vec<GalleryDigit> {
        let start = self.mnist.split(Split::Test).start;
        (0..GALLERY.min(TEST_DIGITS))
            .map(|index| GalleryDigit {
                index,
                label: self.mnist.label(start + index),
                pixels: self.test_pixels(index),
            })
            .collect()
    }
}

impl Trainable for CnnSession {
    type Evaluation = Evaluation;

    fn pace(&self) -> Pace {
        Pace::new(self.spec.batch, self.spec.total_steps(), self.eval_every())
    }

    fn train_step(&mut self, step: usize) -> Result<TrainPoint, StepError> {
        let train = self.mnist.split(Split::Train);
        let indices: Vec<usize> = self
            .sampler
            .next_batch()
            .iter()
            .map(|i| train.start + i)
            .collect();
        let lr = self.optimizer.schedule.lr(self.optimizer.steps_taken());
        let (images, labels) = self.mnist.batch(&indices)?;
        self.optimizer.before_gradient(&self.params);
        let logits = self
            .model
            .logits(&images, true)
            ?;
        let predicted = logits.argmax(1)?;
        let accuracy = nn::metrics::accuracy(&predicted, &labels);
        let loss = logits
            .cross_entropy(&labels, None)
            ?;
        let value = training::finite_loss(&loss, When::Step(step), Advice::LowerLr { lr })?;
        let point = TrainPoint {
            step,
            loss: value,
            accuracy,
            lr,
        };
        training::descend(&mut self.optimizer, &self.params, &loss, point)
    }

    /// The whole test split: loss, accuracy, confusion matrix, the most confident mistakes.
    fn evaluate(&self) -> Evaluation {
        let test: Vec<usize> = self.mnist.split(Split::Test).collect();
        let mut confusion = vec![vec![0u32; CLASSES]; CLASSES];
        let mut wrong: Vec<WrongDigit> = Vec::new();
        let (mut loss_sum, mut correct) = (0.0f64, 0usize);
        for chunk in test.chunks(self.eval_chunk()) {
            let Ok((images, labels)) = self.mnist.batch(chunk) else {
                continue;
            };
            let Ok(logits) = no_grad(|| self.model.logits(&images, false)) else {
                continue;
            };
            if let Ok(l) = logits.cross_entropy(&labels, None).and_then(|l| l.item()) {
                loss_sum += l as f64 * chunk.len() as f64;
            }
            let Ok(probs) = logits.softmax() else {
                continue;
            };
            let probs = probs.to_vec();
            for (row, (&index, &label)) in probs.chunks(CLASSES).zip(chunk.iter().zip(&labels)) {
                let predicted = argmax(row);
                confusion[label][predicted] += 1;
                if predicted == label {
                    correct += 1;
                } else {
                    wrong.push(WrongDigit {
                        index: index - test[0],
                        label,
                        predicted,
                        confidence: row[predicted],
                        pixels: Vec::new(),
                    });
                }
            }
        }
        wrong.sort_by(|a, b| {
            b.confidence
                .total_cmp(&a.confidence)
                .then(a.index.cmp(&b.index))
        });
        wrong.truncate(WRONG_LISTED);
        for w in &mut wrong {
            w.pixels = self.test_pixels(w.index);
        }
        Evaluation {
            step: self.log.step,
            loss: (loss_sum / test.len().max(1) as f64) as f32,
            accuracy: correct as f32 / test.len().max(1) as f32,
            confusion,
            wrong,
            train_ms: self.log.train_ms,
        }
    }

    fn log(&mut self) -> &mut TrainingLog<Evaluation> {
        &mut self.log
    }
}

pub(crate) fn argmax(row: &[f32]) -> usize {
    row.iter()
        .enumerate()
        .fold((0, f32::NEG_INFINITY), |best, (i, &v)| {
            if v > best.1 {
                (i, v)
            } else {
                best
            }
        })
        .0
}
