//! The Recurrent lab's session: a recurrent network ([`model`]) answers at the end of each
//! sequence of its task — recall the first symbol, or say "was" or "were" — trained with
//! cross-entropy by the spec's optimizer, its gradients clipped as the spec says. Every
//! evaluation also measures how far back the gradient reaches ([`gradients`]); a held-out
//! sequence can be followed through the cell's gates ([`inside`]).
//!
//! Deterministic: the training sequences, the held-out set and the initial weights depend on
//! the spec's seed only, never on how the page slices its requests or on the thread count.

mod error;
mod gradients;
mod inside;
mod language;
pub mod model;
mod session;
#[cfg(test)]
mod tests;

pub use error::RnnSessionError;

use crate::step_error::{Advice, StepError, When};
use crate::training::{self, optimizer_for, Pace, Trainable, TrainingLog};
use contract::rnn::limits::RnnLimits;
use contract::rnn::protocol::{ClipPoint, ComparedRun, RnnEvaluation};
use contract::rnn::{ClipRule, RnnLab, RnnTask};
use contract::training::{Progress, TrainPoint};
use data::agreement;
use data::sequences::{SequenceTask, Task, FIRST_SYMBOL};
use model::RnnModel;
use nn::{Clip, Optimizer};
use tensor::rng::Rng;
use tensor::{no_grad, Tensor};

/// One sequence and the class it should be answered with.
#[derive(Clone, Debug, PartialEq)]
pub struct Sequence {
    pub tokens: Vec<usize>,
    pub answer: usize,
    /// The answer after every step, for the tasks that answer every step and whose answers
    /// are not the next token (the sum's digits); the language model's come from `tokens`.
    pub per_step: Vec<usize>,
}

/// A seeded stream of a task's sequences.
enum Source {
    Recall(SequenceTask),
    Agreement(Rng),
    /// Windows at random places of a generated corpus: the characters, and the one after.
    Language { text: Vec<usize>, rng: Rng },
    Addition(Rng),
}

/// Two numbers of `digits` digits, least significant first: the tokens are the digit pairs
/// (10·a + b, then 0 for the carry's step) and the answers the sum's digits.
fn addition(digits: usize, rng: &mut Rng) -> Sequence {
    let mut draw = || (0..digits).map(|_| (rng.next_u64() % 10) as usize).collect::<Vec<_>>();
    let (a, b) = (draw(), draw());
    let mut carry = 0;
    let mut sum = Vec::with_capacity(digits + 1);
    for (x, y) in a.iter().zip(&b) {
        let s = x + y + carry;
        sum.push(s % 10);
        carry = s / 10;
    }
    sum.push(carry);
    let mut tokens: Vec<usize> = a.iter().zip(&b).map(|(x, y)| 10 * x + y).collect();
    tokens.push(0);
    Sequence {
        answer: carry,
        tokens,
        per_step: sum,
    }
}

/// Sentences in the language model's training corpus (its held-out corpus is as large).
pub const LM_SENTENCES: usize = 4000;

impl Source {
    fn new(spec: &RnnLab, seed: u64) -> Source {
        match spec.task {
            RnnTask::Recall => Source::Recall(SequenceTask::new(
                Task::Recall,
                spec.length(),
                RnnTask::RECALL_SYMBOLS,
                seed,
            )),
            RnnTask::Agreement => Source::Agreement(Rng::new(seed)),
            RnnTask::Language => Source::Language {
                // The grammar's sentences use only the alphabet: nothing is dropped.
                text: data::language::corpus(LM_SENTENCES, seed)
                    .chars()
                    .filter_map(data::language::id)
                    .collect(),
                rng: Rng::new(seed.wrapping_add(3)),
            },
            RnnTask::Addition => Source::Addition(Rng::new(seed)),
        }
    }

    fn next(&mut self, span: usize) -> Sequence {
        match self {
            Source::Recall(task) => {
                let e = task.example();
                Sequence {
                    answer: e.target[0] - FIRST_SYMBOL,
                    tokens: e.input,
                    per_step: Vec::new(),
                }
            }
            Source::Agreement(rng) => {
                let s = agreement::sentence(span, rng);
                Sequence {
                    tokens: s.words,
                    answer: s.answer,
                    per_step: Vec::new(),
                }
            }
            Source::Language { text, rng } => {
                let at = (rng.next_u64() % (text.len() - span) as u64) as usize;
                Sequence {
                    tokens: text[at..at + span].to_vec(),
                    answer: text[at + span],
                    per_step: Vec::new(),
                }
            }
            Source::Addition(rng) => addition(span, rng),
        }
    }
}

/// The task's vocabulary size and how its tokens and classes read.
pub fn vocabulary(task: RnnTask) -> (usize, Vec<String>, Vec<String>) {
    match task {
        RnnTask::Recall => {
            let symbols: Vec<String> = (0..RnnTask::RECALL_SYMBOLS)
                .map(|i| char::from(b'A' + i as u8).to_string())
                .collect();
            let mut tokens = vec!["·".to_string(), "=".to_string()];
            tokens.extend(symbols.iter().cloned());
            (FIRST_SYMBOL + RnnTask::RECALL_SYMBOLS, tokens, symbols)
        }
        RnnTask::Agreement => (
            agreement::WORDS.len(),
            agreement::WORDS.iter().map(|w| w.to_string()).collect(),
            agreement::ANSWERS.iter().map(|w| w.to_string()).collect(),
        ),
        RnnTask::Language => {
            let names: Vec<String> = data::language::ALPHABET
                .chars()
                .map(|c| match c {
                    '\n' => "⏎".to_string(),
                    ' ' => "␣".to_string(),
                    c => c.to_string(),
                })
                .collect();
            (names.len(), names.clone(), names)
        }
        RnnTask::Addition => {
            // Token 10·a + b reads "a+b"; the carry's step reads "0+0".
            let pairs = (0..100).map(|p| format!("{}+{}", p / 10, p % 10)).collect();
            let digits = (0..10).map(|d| d.to_string()).collect();
            (100, pairs, digits)
        }
    }
}

pub struct RnnSession {
    spec: RnnLab,
    model: RnnModel,
    params: Vec<Tensor>,
    optimizer: Optimizer,
    clip: Option<Clip>,
    source: Source,
    test: Vec<Sequence>,
    test_inputs: Vec<Tensor>,
    token_names: Vec<String>,
    class_names: Vec<String>,
    log: TrainingLog<RnnEvaluation>,
    clipping: Vec<ClipPoint>,
    /// The held-out sequence followed through the cell.
    inside_example: usize,
    /// The runs compared with this one (`RnnLab::compare`), trained to the same step.
    siblings: Vec<RnnSession>,
}

impl RnnSession {
    /// The data and the untrained network a spec describes; a spec over its limits is refused
    /// with the limit it exceeds.
    pub fn new(spec: &RnnLab) -> Result<RnnSession, RnnSessionError> {
        spec.check()?;
        let (vocab, token_names, class_names) = vocabulary(spec.task);
        let model = RnnModel::new(spec, vocab, spec.task.classes());
        let mut held_out = Source::new(spec, spec.seed.wrapping_add(1000));
        let test: Vec<Sequence> = (0..RnnLimits::TEST_SEQUENCES)
            .map(|_| held_out.next(spec.span))
            .collect();
        let rows: Vec<&[usize]> = test.iter().map(|s| s.tokens.as_slice()).collect();
        let test_inputs = model.one_hot(&rows)?;
        let clip = match spec.clip {
            ClipRule::None => None,
            ClipRule::Norm => Some(Clip::GlobalNorm { max_norm: spec.clip_at }),
            ClipRule::Value => Some(Clip::Value { max: spec.clip_at }),
        };
        let siblings = spec
            .compared_cells()
            .into_iter()
            .map(|cell| {
                RnnSession::new(&RnnLab {
                    cell,
                    compare: false,
                    at: None,
                    ..spec.clone()
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(RnnSession {
            siblings,
            params: model.parameters(),
            optimizer: optimizer_for(&spec.run, spec.schedule),
            clip,
            source: Source::new(spec, spec.seed),
            model,
            test,
            test_inputs,
            token_names,
            class_names,
            log: TrainingLog::default(),
            clipping: Vec::new(),
            inside_example: 0,
            spec: spec.clone(),
        })
    }

    pub fn step(&self) -> usize {
        self.log.step
    }

    /// What happened since the last progress (`untrained`: at a start, with the untrained
    /// network's evaluation).
    pub fn progress(&mut self, speed: Option<f32>, untrained: bool) -> Progress<RnnEvaluation> {
        let first = untrained.then(|| self.evaluate());
        self.log.progress(self.spec.steps, self.spec.batch, speed, first)
    }

    /// The gradient norms before and after clipping since the last call.
    pub fn take_clipping(&mut self) -> Vec<ClipPoint> {
        std::mem::take(&mut self.clipping)
    }

    /// The compared runs' news since the last call (`untrained`: with their untrained
    /// evaluations).
    pub fn compared(&mut self, untrained: bool) -> Vec<ComparedRun> {
        self.siblings
            .iter_mut()
            .map(|sibling| {
                let p = sibling.progress(None, untrained);
                ComparedRun {
                    kind: sibling.spec.cell,
                    evaluations: p.evaluations,
                    stopped: p.stopped,
                }
            })
            .collect()
    }

    /// What the network must answer for a batch: the class at the end, or (the language
    /// model) every next character, step-major as `logits_per_step` gives them.
    fn targets(&self, batch: &[Sequence]) -> Vec<usize> {
        let length = batch.first().map_or(0, |s| s.tokens.len());
        match self.spec.task {
            RnnTask::Language => (0..length)
                .flat_map(|t| {
                    batch.iter().map(move |s| s.tokens.get(t + 1).copied().unwrap_or(s.answer))
                })
                .collect(),
            RnnTask::Addition => (0..length)
                .flat_map(|t| batch.iter().map(move |s| s.per_step[t]))
                .collect(),
            _ => batch.iter().map(|s| s.answer).collect(),
        }
    }

    /// The logits the loss reads: at the end, or after every step (the language model).
    fn logits(&self, xs: &[Tensor]) -> tensor::Result<Tensor> {
        if self.spec.task.answers_every_step() {
            self.model.logits_per_step(xs)
        } else {
            Ok(self.model.pass(xs)?.logits)
        }
    }
}

impl Trainable for RnnSession {
    type Evaluation = RnnEvaluation;

    fn pace(&self) -> Pace {
        Pace::new(self.spec.batch, self.spec.steps, self.spec.eval_every())
    }

    fn train_step(&mut self, step: usize) -> Result<TrainPoint, StepError> {
        let batch: Vec<Sequence> = (0..self.spec.batch)
            .map(|_| self.source.next(self.spec.span))
            .collect();
        let rows: Vec<&[usize]> = batch.iter().map(|s| s.tokens.as_slice()).collect();
        let answers = self.targets(&batch);
        let lr = self.optimizer.schedule.lr(self.optimizer.steps_taken());
        self.optimizer.before_gradient(&self.params);
        let xs = self.model.one_hot(&rows)?;
        let logits = self.logits(&xs)?;
        let loss = logits.cross_entropy(&answers, None)?;
        let value = training::finite_loss(&loss, When::Step(step), Advice::Exploded)?;
        let predicted = logits.argmax(1)?;
        let right = predicted.iter().zip(&answers).filter(|(p, a)| p == a).count();
        let mut grads = loss.backward()?;
        let mut grads: Vec<Vec<f32>> = self
            .params
            .iter()
            .map(|p| grads.take(p).unwrap_or_else(|| vec![0.0; p.numel()]))
            .collect();
        // Clipped here rather than by the optimizer, so the norm after clipping is measured.
        let before = match self.clip {
            Some(clip) => clip.apply(&mut grads),
            None => nn::clip::global_norm(&grads),
        };
        let after = nn::clip::global_norm(&grads);
        self.clipping.push(ClipPoint { step, before, after });
        self.optimizer
            .step_with(&self.params, grads)
            .map_err(|error| StepError::Update { step, error })?;
        Ok(TrainPoint {
            step,
            loss: value,
            accuracy: right as f32 / answers.len().max(1) as f32,
            lr,
        })
    }

    /// The held-out set's mean loss and accuracy (per character for the language model), and
    /// the gradients through time.
    fn evaluate(&self) -> RnnEvaluation {
        let answers = self.targets(&self.test);
        let (loss, accuracy) = no_grad(|| {
            let logits = self.logits(&self.test_inputs)?;
            let loss = logits.cross_entropy(&answers, None)?.item()?;
            let predicted = logits.argmax(1)?;
            let right = predicted.iter().zip(&answers).filter(|(p, a)| p == a).count();
            Ok::<_, tensor::ShapeError>((loss, right as f32 / answers.len().max(1) as f32))
        })
        .unwrap_or((f32::NAN, 0.0));
        let (through_time, jacobian) = self.gradients_through_time().unwrap_or_default();
        RnnEvaluation {
            step: self.log.step,
            loss,
            accuracy,
            through_time,
            jacobian,
        }
    }

    fn log(&mut self) -> &mut TrainingLog<RnnEvaluation> {
        &mut self.log
    }

    fn followers(&mut self) -> impl Iterator<Item = &mut RnnSession> {
        self.siblings.iter_mut()
    }
}
