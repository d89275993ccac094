//! The Translation lab's session: three translators ([`model`]) learn the SVO → SOV task
//! (`data::svo_sov`) side by side. Each takes one step per session step on the same batch
//! (every batch holds sentences of one length, every length equally often), with its own
//! optimizer of the spec's settings. Every evaluation translates the whole held-out set
//! greedily and scores corpus BLEU-4, overall and per source length. [`translate`] writes one
//! sentence with every model (greedy and beam search) and reads their attention.
//!
//! Deterministic: the task, the held-out set, the batches and each model's initial weights
//! depend on the spec's seed only.

mod error;
pub mod model;
mod session;
#[cfg(test)]
mod tests;
mod translate;

pub use error::MtSessionError;

use crate::step_error::{Advice, StepError, When};
use crate::training::{self, optimizer_for, Pace, Trainable, TrainingLog};
use contract::mt::limits::MtLimits;
use contract::mt::protocol::{ModelProgress, MtEvaluation, MtNews, Sample};
use contract::mt::{MtLab, MtModel};
use contract::training::TrainPoint;
use data::svo_sov::SvoSov;
use data::translation::{Pair, Vocab};
use model::{Recurrent, Transformer, Translator};
use nn::metrics::corpus_bleu;
use nn::{Clip, Optimizer};
use tensor::no_grad;
use tensor::rng::Rng;

/// A batch's source and target ids, row-major, and its size.
struct Batch {
    sources: Vec<usize>,
    targets: Vec<usize>,
    size: usize,
}

impl Batch {
    fn of(pairs: &[&Pair]) -> Batch {
        Batch {
            sources: pairs.iter().flat_map(|p| p.source.iter().copied()).collect(),
            targets: pairs.iter().flat_map(|p| p.target.iter().copied()).collect(),
            size: pairs.len(),
        }
    }
}

/// One of the three models with its own optimizer, batches and log.
pub struct Member {
    pub kind: MtModel,
    pub model: Box<dyn Translator>,
    params: Vec<tensor::Tensor>,
    optimizer: Optimizer,
    /// The same stream for every member: the same batches.
    batches: Rng,
    spec: MtLab,
    task: SvoSov,
    /// The held-out set grouped by length, shortest first.
    test: Vec<Vec<Pair>>,
    log: TrainingLog<MtEvaluation>,
    /// The untrained model's evaluation, made before the first step and sent once.
    untrained: Option<MtEvaluation>,
}

impl Member {
    fn new(kind: MtModel, spec: &MtLab, task: &SvoSov, test: &[Vec<Pair>]) -> Result<Member, MtSessionError> {
        let vocab = (task.source_vocab.len(), task.target_vocab.len());
        // Each model from its own seeded stream, so adding one never changes another.
        let mut rng = Rng::new(spec.seed.wrapping_mul(31).wrapping_add(kind as u64 + 11));
        let model: Box<dyn Translator> = match kind {
            MtModel::Fixed => Box::new(Recurrent::new(spec, vocab, false, &mut rng)),
            MtModel::Bahdanau => Box::new(Recurrent::new(spec, vocab, true, &mut rng)),
            MtModel::Transformer => Box::new(Transformer::new(spec, vocab, &mut rng)?),
        };
        let mut optimizer = optimizer_for(&spec.run, spec.schedule).with_warmup(spec.warmup);
        if let Some(max_norm) = spec.clip {
            optimizer = optimizer.with_clip(Clip::GlobalNorm { max_norm });
        }
        Ok(Member {
            kind,
            params: model.parameters(),
            model,
            optimizer,
            batches: Rng::new(spec.seed.wrapping_add(0xba7c)),
            spec: spec.clone(),
            task: task.clone(),
            test: test.to_vec(),
            log: TrainingLog::default(),
            untrained: None,
        })
    }

    /// The next batch: a length drawn uniformly, then `batch` trainable sentences of it.
    fn draw_batch(&mut self) -> Vec<Pair> {
        let lengths = self.spec.lengths();
        let span = (lengths.end() - lengths.start() + 1) as u64;
        let words = lengths.start() + (self.batches.next_u64() % span) as usize;
        (0..self.spec.batch)
            .map(|_| self.task.draw(words, false, &mut self.batches))
            .collect()
    }

    /// Greedy translations of pairs of one length.
    pub fn translate_all(&self, pairs: &[Pair]) -> Vec<Vec<usize>> {
        let Some(first) = pairs.first() else {
            return vec![];
        };
        let refs: Vec<&Pair> = pairs.iter().collect();
        let batch = Batch::of(&refs);
        self.model
            .greedy(&batch.sources, batch.size, MtLimits::max_output(first.source.len()))
            .unwrap_or_else(|_| vec![vec![]; pairs.len()])
    }
}

/// Corpus BLEU-4 of (candidate, reference) word lists.
fn corpus_bleu_of(pairs: &[(Vec<&str>, Vec<&str>)]) -> f32 {
    let refs: Vec<(&[&str], Vec<&[&str]>)> = pairs
        .iter()
        .map(|(c, r)| (c.as_slice(), vec![r.as_slice()]))
        .collect();
    corpus_bleu(&refs, 4) as f32
}

impl Trainable for Member {
    type Evaluation = MtEvaluation;

    fn pace(&self) -> Pace {
        Pace::new(self.spec.batch, self.spec.steps, MtLimits::EVAL_EVERY)
    }

    fn train_step(&mut self, step: usize) -> Result<TrainPoint, StepError> {
        let pairs = self.draw_batch();
        let refs: Vec<&Pair> = pairs.iter().collect();
        let batch = Batch::of(&refs);
        let lr = self.optimizer.lr_at(self.optimizer.steps_taken());
        // Nesterov takes its gradient at the look-ahead θ + αv (a no-op for the other rules).
        self.optimizer.before_gradient(&self.params);
        let logits = self
            .model
            .logits(&batch.sources, &batch.targets, batch.size)
            ?;
        let loss = logits.cross_entropy(&batch.targets, None)?;
        let value = training::finite_loss(&loss, When::Step(step), Advice::LowerLrOrClip)?;
        let right = logits
            .argmax(1)
            ?
            .iter()
            .zip(&batch.targets)
            .filter(|(p, t)| p == t)
            .count();
        let point = TrainPoint {
            step,
            loss: value,
            accuracy: right as f32 / batch.targets.len().max(1) as f32,
            lr,
        };
        training::descend(&mut self.optimizer, &self.params, &loss, point)
    }

    fn evaluate(&self) -> MtEvaluation {
        let target = &self.task.target_vocab;
        let (mut loss_sum, mut words) = (0.0f64, 0usize);
        let (mut exact, mut count) = (0usize, 0usize);
        let mut all: Vec<(Vec<&str>, Vec<&str>)> = Vec::new();
        let mut bleu_by_length = Vec::new();
        for group in &self.test {
            let refs: Vec<&Pair> = group.iter().collect();
            let batch = Batch::of(&refs);
            let loss = no_grad(|| {
                self.model
                    .logits(&batch.sources, &batch.targets, batch.size)?
                    .cross_entropy(&batch.targets, None)?
                    .item()
            });
            loss_sum += loss.map_or(f64::NAN, |l| l as f64) * batch.targets.len() as f64;
            words += batch.targets.len();
            let written = self.translate_all(group);
            let pairs: Vec<(Vec<&str>, Vec<&str>)> = written
                .iter()
                .zip(group)
                .map(|(w, p)| (target.written(w), target.decode(&p.target)))
                .collect();
            exact += written.iter().zip(group).filter(|(w, p)| **w == p.target).count();
            count += group.len();
            bleu_by_length.push(corpus_bleu_of(&pairs));
            all.extend(pairs);
        }
        MtEvaluation {
            step: self.log.step,
            loss: (loss_sum / words.max(1) as f64) as f32,
            bleu: corpus_bleu_of(&all),
            bleu_by_length,
            exact: exact as f32 / count.max(1) as f32,
        }
    }

    fn log(&mut self) -> &mut TrainingLog<MtEvaluation> {
        &mut self.log
    }
}

pub struct MtSession {
    spec: MtLab,
    task: SvoSov,
    pub members: Vec<Member>,
    /// The held-out set, every length's sentences together, shortest first.
    test: Vec<Pair>,
    step: usize,
    train_ms: f64,
}

impl MtSession {
    /// The task, the held-out set and the three untrained models a spec describes; a spec
    /// over its limits is refused with the limit it exceeds.
    pub fn new(spec: &MtLab) -> Result<MtSession, MtSessionError> {
        spec.check()?;
        let task = SvoSov::new(spec.seed);
        let mut rng = Rng::new(spec.seed.wrapping_add(0x7e57));
        let groups: Vec<Vec<Pair>> = spec
            .lengths()
            .map(|words| task.test_set(words..=words, MtLimits::TEST_PER_LENGTH, &mut rng))
            .collect();
        let members = MtModel::ALL
            .iter()
            .map(|&kind| Member::new(kind, spec, &task, &groups))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(MtSession {
            spec: spec.clone(),
            test: groups.concat(),
            task,
            members,
            step: 0,
            train_ms: 0.0,
        })
    }

    pub fn step(&self) -> usize {
        self.step
    }

    pub fn source_vocab(&self) -> &Vocab {
        &self.task.source_vocab
    }

    pub fn target_vocab(&self) -> &Vocab {
        &self.task.target_vocab
    }

    /// Trains every model one step at a time, in turn, for about `budget_ms`, not past step
    /// `until`. A model that stopped (its loss not a number) stays where it stopped; the
    /// others go on. Returns sentence pairs per second through all three, training alone.
    pub fn train_until(&mut self, budget_ms: f64, now_ms: &dyn Fn() -> f64, until: Option<usize>) -> Option<f32> {
        let start = now_ms();
        let end = until.unwrap_or(self.spec.steps).min(self.spec.steps);
        // The untrained models are evaluated here, not at the start: a start must stay cheap
        // (every lab starts with the engine, whichever page is open).
        if self.step == 0 && self.step < end {
            for member in &mut self.members {
                member.untrained = Some(member.evaluate());
            }
        }
        let training_ms = |members: &[Member]| members.iter().map(|m| m.log.train_ms).sum::<f64>();
        let before = training_ms(&self.members);
        let mut trained = 0;
        while self.step < end {
            let next = self.step + 1;
            for member in &mut self.members {
                // Budget 0: exactly one step (the trainer always takes at least one).
                training::train_until(member, 0.0, now_ms, Some(next));
            }
            self.step = next;
            trained += 1;
            if now_ms() - start >= budget_ms {
                break;
            }
        }
        // Training alone (the models' steps, not their evaluations), as every lab reports.
        let spent = training_ms(&self.members) - before;
        self.train_ms += spent;
        (trained > 0 && spent > 0.0).then(|| (trained * self.spec.batch) as f32 / (spent as f32 / 1000.0))
    }

    /// What happened since the last progress (the untrained models' evaluations first, once
    /// training has begun).
    pub fn progress(&mut self, speed: Option<f32>) -> MtNews {
        let total = self.spec.steps;
        let models = self
            .members
            .iter_mut()
            .map(|m| {
                let first = m.untrained.take();
                ModelProgress {
                    model: m.kind,
                    progress: m.log.progress(total, m.spec.batch, None, first),
                }
            })
            .collect();
        let mean = (self.step > 0 && self.train_ms > 0.0)
            .then(|| (self.step * self.spec.batch) as f32 / (self.train_ms as f32 / 1000.0));
        MtNews {
            models,
            examples_per_second: speed.or(mean),
            held_out: self.test.len(),
            samples: self.samples(),
        }
    }

    /// Three held-out sentences, the shortest length's, the middle one's and the longest's,
    /// with every model's greedy translation.
    fn samples(&self) -> Vec<Sample> {
        let groups = &self.members[0].test;
        let mut picks = vec![0, groups.len() / 2, groups.len().saturating_sub(1)];
        picks.dedup();
        let (source, target) = (&self.task.source_vocab, &self.task.target_vocab);
        picks
            .iter()
            .filter_map(|&g| groups.get(g)?.first())
            .map(|pair| Sample {
                source: source.decode(&pair.source).join(" "),
                reference: target.decode(&pair.target).join(" "),
                outputs: self
                    .members
                    .iter()
                    .map(|m| {
                        let written = m.translate_all(std::slice::from_ref(pair));
                        written.first().map_or(String::new(), |w| target.written(w).join(" "))
                    })
                    .collect(),
            })
            .collect()
    }
}
