//! The Transformer lab's session: a small Transformer ([`model`]) learns one of the task's
//! sequences ([`tasks`]) with cross-entropy on the answer's tokens, trained by the spec's
//! optimizer with warm-up and clipping. Every evaluation measures the held-out set (per-token
//! loss and accuracy, exact answers written by the model itself), and how saturated the
//! attention is and how much gradient reaches W_q and W_k — the lab's "why √d_k" view, which
//! a contrast run with the scaling flipped makes a comparison. [`view`] looks inside: every
//! head's attention on one sequence, the walk through one head, the positional encodings.
//!
//! Deterministic: data, held-out set and initial weights depend on the spec's seed only.

mod error;
mod language;
pub mod model;
mod session;
pub mod tasks;
#[cfg(test)]
mod tests;
mod view;

pub use error::{InputError, TfmSessionError};

use crate::step_error::{Advice, StepError, When};
use crate::training::{self, optimizer_for, Pace, Trainable, TrainingLog};
use contract::tfm::limits::TfmLimits;
use contract::tfm::protocol::{ContrastRun, TfmEvaluation};
use contract::tfm::{Architecture, TfmLab, TfmTask};
use contract::training::{Progress, TrainPoint};
use model::{head_tap, TfmModel};
use nn::{Clip, Optimizer};
use tasks::{frame, Example, Framed, Source};
use tensor::taps::capture;
use tensor::{no_grad, Tensor};

/// A position whose prediction is not scored.
const UNSCORED: usize = usize::MAX;

/// What the page looks at: a typed input or a held-out example, and the head walked through.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Focus {
    pub input: Option<String>,
    pub example: usize,
    pub layer: usize,
    pub head: usize,
}

pub struct TfmSession {
    spec: TfmLab,
    model: TfmModel,
    params: Vec<Tensor>,
    optimizer: Optimizer,
    source: Source,
    test: Vec<Example>,
    names: Vec<String>,
    log: TrainingLog<TfmEvaluation>,
    focus: Focus,
    /// The same model with the √d_k scaling the other way (`TfmLab::contrast`), kept level.
    contrast: Option<Box<TfmSession>>,
}

impl TfmSession {
    /// The data and the untrained model a spec describes; a spec over its limits is refused
    /// with the limit it exceeds.
    pub fn new(spec: &TfmLab) -> Result<TfmSession, TfmSessionError> {
        spec.check()?;
        let model = TfmModel::new(spec)?;
        let mut optimizer = optimizer_for(&spec.run, spec.schedule).with_warmup(spec.warmup);
        if let Some(max_norm) = spec.clip {
            optimizer = optimizer.with_clip(Clip::GlobalNorm { max_norm });
        }
        let contrast = spec
            .contrast
            .then(|| {
                TfmSession::new(&TfmLab {
                    scaled: !spec.scaled,
                    contrast: false,
                    at: None,
                    ..spec.clone()
                })
                .map(Box::new)
            })
            .transpose()?;
        Ok(TfmSession {
            params: model.parameters(),
            optimizer,
            source: Source::new(spec, false),
            test: Source::new(spec, true).test_set(TfmLimits::test_sequences(spec)),
            names: tasks::vocabulary(spec.task),
            model,
            log: TrainingLog::default(),
            focus: Focus::default(),
            contrast,
            spec: spec.clone(),
        })
    }

    pub fn step(&self) -> usize {
        self.log.step
    }

    /// The frames of a batch with the right answers after "=" (teacher forcing), as one row of
    /// tokens and one target per position.
    fn teacher_forced(&self, batch: &[Example]) -> (Vec<usize>, Vec<usize>) {
        let mut tokens = Vec::new();
        let mut targets = Vec::new();
        for e in batch {
            let Framed { tokens: t, scored } =
                frame(self.spec.task, self.spec.architecture, e, &e.answer);
            let mut row = vec![UNSCORED; t.len()];
            for (at, want) in scored {
                row[at] = want;
            }
            tokens.extend(t);
            targets.extend(row);
        }
        (tokens, targets)
    }

    /// Loss and (right, scored) of logits against targets.
    fn score(logits: &Tensor, targets: &[usize]) -> tensor::Result<(Tensor, usize, usize)> {
        let loss = logits.cross_entropy(targets, Some(UNSCORED))?;
        let predicted = logits.argmax(1)?;
        let scored = targets.iter().filter(|&&t| t != UNSCORED).count();
        let right = predicted
            .iter()
            .zip(targets)
            .filter(|(p, t)| p == t)
            .count();
        Ok((loss, right, scored))
    }

    /// The answers the model writes itself: the decoder one token at a time (greedy, each
    /// written token read back), the encoder all blanks at once. The decoder's pass k reads
    /// only the positions up to the one it predicts from: the causal mask makes the rest
    /// irrelevant, and skipping them halves the work.
    pub fn write_answers(&self, examples: &[Example]) -> tensor::Result<Vec<Vec<usize>>> {
        let (task, architecture) = (self.spec.task, self.spec.architecture);
        let mut written: Vec<Vec<usize>> = examples
            .iter()
            .map(|e| vec![tasks::blank(task); e.answer.len()])
            .collect();
        let passes = match architecture {
            Architecture::Decoder => examples.first().map_or(0, |e| e.answer.len()),
            Architecture::Encoder => 1,
        };
        no_grad(|| {
            for k in 0..passes {
                let frames: Vec<Framed> = examples
                    .iter()
                    .zip(&written)
                    .map(|(e, w)| frame(task, architecture, e, w))
                    .collect();
                let read = match architecture {
                    Architecture::Decoder => frames[0].scored[k].0 + 1,
                    Architecture::Encoder => self.model.length,
                };
                let tokens: Vec<usize> = frames
                    .iter()
                    .flat_map(|f| f.tokens[..read].iter().copied())
                    .collect();
                let predicted = self.model.logits(&tokens, frames.len())?.argmax(1)?;
                for ((f, w), row) in frames.iter().zip(&mut written).zip(0..) {
                    for (j, &(at, _)) in f.scored.iter().enumerate() {
                        if architecture == Architecture::Encoder || j == k {
                            w[j] = predicted[row * read + at];
                        }
                    }
                }
            }
            Ok(written)
        })
    }

    /// On the probe sequences: the mean normalised entropy of every attention row that sees
    /// more than one key, and ‖∂L/∂W_q‖, ‖∂L/∂W_k‖ over all layers.
    fn saturation(&self) -> tensor::Result<(f32, f32, f32)> {
        let probe = &self.test[..TfmLimits::PROBE_SEQUENCES.min(self.test.len())];
        let (tokens, targets) = self.teacher_forced(probe);
        let names: Vec<String> = (0..self.spec.layers)
            .flat_map(|l| (0..self.spec.heads).map(move |h| head_tap(l, h)))
            .collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let (logits, taps) = capture(&refs, || self.model.logits(&tokens, probe.len()));
        let (loss, _, _) = Self::score(&logits?, &targets)?;
        let length = self.model.length;
        let (mut total, mut rows) = (0.0f64, 0usize);
        for weights in taps.values() {
            for (r, row) in weights.data().chunks(length).enumerate() {
                let seen = if self.model.causal { r % length + 1 } else { length };
                if seen < 2 {
                    continue;
                }
                let h: f64 = row
                    .iter()
                    .filter(|&&w| w > 0.0)
                    .map(|&w| -(w as f64) * (w as f64).ln())
                    .sum();
                total += h / (seen as f64).ln();
                rows += 1;
            }
        }
        let grads = loss.backward()?;
        let norm = |which: usize| {
            self.model
                .blocks
                .iter()
                .filter_map(|b| grads.get(&b.attention.projections()[which].weight))
                .flat_map(|g| g.iter().map(|v| (*v as f64).powi(2)))
                .sum::<f64>()
                .sqrt() as f32
        };
        Ok(((total / rows.max(1) as f64) as f32, norm(0), norm(1)))
    }

    /// What happened since the last progress (`untrained`: at a start, with the untrained
    /// model's evaluation).
    pub fn progress(&mut self, speed: Option<f32>, untrained: bool) -> Progress<TfmEvaluation> {
        let first = untrained.then(|| self.evaluate());
        self.log.progress(self.spec.steps, self.spec.batch, speed, first)
    }

    /// The contrast run's news since the last call, if there is one.
    pub fn contrast(&mut self, untrained: bool) -> Option<ContrastRun> {
        self.contrast.as_mut().map(|twin| {
            let p = twin.progress(None, untrained);
            ContrastRun {
                kind: twin.spec.scaled,
                evaluations: p.evaluations,
                stopped: p.stopped,
            }
        })
    }
}

impl Trainable for TfmSession {
    type Evaluation = TfmEvaluation;

    fn pace(&self) -> Pace {
        Pace::new(self.spec.batch, self.spec.steps, TfmLimits::EVAL_EVERY)
    }

    fn train_step(&mut self, step: usize) -> Result<TrainPoint, StepError> {
        let batch: Vec<Example> = (0..self.spec.batch).map(|_| self.source.draw()).collect();
        let (tokens, targets) = self.teacher_forced(&batch);
        let lr = self.optimizer.lr_at(self.optimizer.steps_taken());
        // Nesterov takes its gradient at the look-ahead θ + αv (a no-op for the other rules).
        self.optimizer.before_gradient(&self.params);
        let logits = self.model.logits(&tokens, batch.len())?;
        let (loss, right, scored) = Self::score(&logits, &targets)?;
        let value = training::finite_loss(&loss, When::Step(step), Advice::LowerLrClipOrNorm)?;
        let point = TrainPoint {
            step,
            loss: value,
            accuracy: right as f32 / scored.max(1) as f32,
            lr,
        };
        training::descend(&mut self.optimizer, &self.params, &loss, point)
    }

    /// The held-out set, the attention's saturation and the gradients reaching W_q and W_k.
    fn evaluate(&self) -> TfmEvaluation {
        let (tokens, targets) = self.teacher_forced(&self.test);
        let (loss, token_accuracy) = no_grad(|| {
            let logits = self.model.logits(&tokens, self.test.len())?;
            let (loss, right, scored) = Self::score(&logits, &targets)?;
            Ok::<_, tensor::ShapeError>((loss.item()?, right as f32 / scored.max(1) as f32))
        })
        .unwrap_or((f32::NAN, 0.0));
        let exact = (self.spec.task != TfmTask::Language).then(|| {
            self.write_answers(&self.test).map_or(0.0, |written| {
                let right = written
                    .iter()
                    .zip(&self.test)
                    .filter(|(w, e)| **w == e.answer)
                    .count();
                right as f32 / self.test.len().max(1) as f32
            })
        });
        let (entropy, grad_query, grad_key) = self.saturation().unwrap_or((f32::NAN, f32::NAN, f32::NAN));
        TfmEvaluation {
            step: self.log.step,
            loss,
            token_accuracy,
            exact,
            entropy,
            grad_query,
            grad_key,
        }
    }

    fn log(&mut self) -> &mut TrainingLog<TfmEvaluation> {
        &mut self.log
    }

    fn followers(&mut self) -> impl Iterator<Item = &mut TfmSession> {
        self.contrast.iter_mut().map(|twin| twin.as_mut())
    }
}
