//! The training machinery every lab shares: the optimizer a link's settings describe, and the
//! time-budgeted trainer that takes whole steps, evaluates at fixed steps and hands the page
//! only what is new. A lab supplies its model's step and evaluation ([`Trainable`]).
//!
//! Deterministic by construction: which steps run and when evaluations happen depend on the
//! step count only; the clock decides only where a slice ends, so how the page slices its
//! requests never changes the numbers.

use crate::step_error::{Advice, StepError, When};
use contract::limits::{check_budget, BudgetError};
use contract::training::{LrSchedule, OptimizerName, Progress, Run, TrainFor, TrainPoint};
use nn::{Optimizer, OptimizerKind, Schedule};
use tensor::Tensor;

/// The `nn` optimizer for a link's settings. GD, SGD and mini-batch are the same update; they
/// differ in how many examples a step sees, which the lab decides.
pub fn optimizer_for(run: &Run, schedule: LrSchedule) -> Optimizer {
    Optimizer::new(kind_of(run), schedule_of(run, schedule))
}

fn kind_of(run: &Run) -> OptimizerKind {
    match run.optimizer {
        OptimizerName::Gd | OptimizerName::Sgd | OptimizerName::Minibatch => OptimizerKind::Sgd,
        OptimizerName::Momentum => OptimizerKind::Momentum { alpha: run.alpha },
        OptimizerName::Nesterov => OptimizerKind::Nesterov { alpha: run.alpha },
        OptimizerName::Adagrad => OptimizerKind::AdaGrad { delta: run.delta },
        OptimizerName::Rmsprop => OptimizerKind::RmsProp {
            beta: run.rho,
            delta: run.delta,
        },
        OptimizerName::Adam => OptimizerKind::Adam {
            beta1: run.beta1,
            beta2: run.beta2,
            delta: run.delta,
        },
    }
}

fn schedule_of(run: &Run, schedule: LrSchedule) -> Schedule {
    match schedule {
        LrSchedule::Constant => Schedule::Constant { lr: run.lr },
        LrSchedule::LinearDecay { final_ratio, steps } => Schedule::LinearDecay {
            lr0: run.lr,
            lr_final: run.lr * final_ratio,
            steps,
        },
    }
}

/// A step's loss as a number, or why training cannot go on (NaN or an infinity): every lab
/// checks it before the backward pass, with the advice and the step (or epoch) it names.
pub fn finite_loss(loss: &Tensor, when: When, advice: Advice) -> Result<f32, StepError> {
    let value = loss.item()?;
    if !value.is_finite() {
        return Err(StepError::LossNotFinite {
            loss: value,
            when,
            advice,
        });
    }
    Ok(value)
}

/// The end of a step in the labs whose optimizer reads the gradients itself: `loss`'s
/// gradients, the update of `params`, then the step's `point` (whose step a failed update
/// names).
pub fn descend(
    optimizer: &mut Optimizer,
    params: &[Tensor],
    loss: &Tensor,
    point: TrainPoint,
) -> Result<TrainPoint, StepError> {
    let mut grads = loss.backward()?;
    optimizer
        .step(params, &mut grads)
        .map_err(|error| StepError::Update {
            step: point.step,
            error,
        })?;
    Ok(point)
}

/// Where a training run stands, and what the page has not been sent yet.
#[derive(Debug)]
pub struct TrainingLog<E> {
    pub step: usize,
    /// Training time (ms) so far, evaluations excluded.
    pub train_ms: f64,
    /// Why training stopped early (a loss that is not a number, a failed step).
    pub stopped: Option<String>,
    unsent_points: Vec<TrainPoint>,
    unsent_evaluations: Vec<E>,
}

impl<E> Default for TrainingLog<E> {
    fn default() -> Self {
        TrainingLog {
            step: 0,
            train_ms: 0.0,
            stopped: None,
            unsent_points: Vec::new(),
            unsent_evaluations: Vec::new(),
        }
    }
}

impl<E> TrainingLog<E> {
    /// The training points and evaluations since the last call (each is sent once).
    pub fn take_new(&mut self) -> (Vec<TrainPoint>, Vec<E>) {
        (
            std::mem::take(&mut self.unsent_points),
            std::mem::take(&mut self.unsent_evaluations),
        )
    }

    /// Examples per second over all training so far (for a replay that had no speed of its own).
    pub fn mean_speed(&self, examples_per_step: usize) -> Option<f32> {
        (self.step > 0 && self.train_ms > 0.0)
            .then(|| (self.step * examples_per_step) as f32 / (self.train_ms as f32 / 1000.0))
    }

    /// What happened since the last progress, for the page: `first` (the untrained model's
    /// evaluation, at a start) goes before the new evaluations; without a `speed` of its own
    /// (a replay trained in one go) the mean speed since step 0.
    pub fn progress(
        &mut self,
        total_steps: usize,
        examples_per_step: usize,
        speed: Option<f32>,
        first: Option<E>,
    ) -> Progress<E> {
        let mean = self.mean_speed(examples_per_step);
        let (train, evaluations) = self.take_new();
        Progress {
            step: self.step,
            total_steps,
            train,
            evaluations: first.into_iter().chain(evaluations).collect(),
            examples_per_second: speed.or(mean),
            train_ms: self.train_ms,
            stopped: self.stopped.clone(),
        }
    }
}

/// How a run advances, which the trainer needs to know of every lab's model alike.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pace {
    pub examples_per_step: usize,
    pub total_steps: usize,
    /// The held-out set is evaluated after every step that is a multiple of this (and the
    /// last).
    pub eval_every: usize,
}

impl Pace {
    pub fn new(examples_per_step: usize, total_steps: usize, eval_every: usize) -> Pace {
        Pace {
            examples_per_step,
            total_steps,
            eval_every,
        }
    }
}

/// A lab's model as the trainer drives it.
pub trait Trainable {
    type Evaluation;
    fn pace(&self) -> Pace;
    /// Training step `step` (the `log().step + 1`-th): its batch's loss, accuracy and η, or why
    /// training cannot go on.
    fn train_step(&mut self, step: usize) -> Result<TrainPoint, StepError>;
    fn evaluate(&self) -> Self::Evaluation;
    fn log(&mut self) -> &mut TrainingLog<Self::Evaluation>;
    /// The runs trained beside this one, from the same seed, that follow it to every step it
    /// reaches (the Recurrent lab's compared cells, the Transformer lab's contrast run).
    fn followers(&mut self) -> impl Iterator<Item = &mut Self>
    where
        Self: Sized,
    {
        std::iter::empty()
    }
}

/// Trains whole steps until `budget_ms` of the clock has passed (at least one step), the run
/// is over, or it reaches step `until`; evaluates after the steps the lab names. The model's
/// followers share the budget evenly with it, then train on to the step it reached. Returns
/// the examples per second of the model's training alone (evaluations excluded).
pub fn train_until<T: Trainable>(
    model: &mut T,
    budget_ms: f64,
    now_ms: &dyn Fn() -> f64,
    until: Option<usize>,
) -> Option<f32> {
    let share = budget_ms / (1 + model.followers().count()) as f64;
    let speed = train_alone(model, share, now_ms, until);
    let step = model.log().step;
    for follower in model.followers() {
        train_alone(follower, f64::INFINITY, now_ms, Some(step));
    }
    speed
}

/// A lab's Train request carried out by [`train_until`]: the examples per second.
pub fn train_for<T: Trainable>(
    model: &mut T,
    ask: TrainFor,
    limit_ms: f64,
    now_ms: &dyn Fn() -> f64,
) -> Result<Option<f32>, BudgetError> {
    run_for(ask, limit_ms, |ms, until| {
        train_until(model, ms, now_ms, until)
    })
}

/// A lab's Train request carried out: its budget checked against the lab's limit, then
/// `train(budget_ms, until)` run (on the engine's own thread if asked). Returns what it returns.
pub fn run_for<R>(
    ask: TrainFor,
    limit_ms: f64,
    train: impl FnOnce(f64, Option<usize>) -> R,
) -> Result<R, BudgetError> {
    check_budget(ask.budget_ms, limit_ms)?;
    let run = || train(ask.budget_ms, ask.until);
    Ok(if ask.one_thread {
        tensor::parallel::sequential(run)
    } else {
        run()
    })
}

/// [`train_until`] for the model alone.
fn train_alone<T: Trainable>(
    model: &mut T,
    budget_ms: f64,
    now_ms: &dyn Fn() -> f64,
    until: Option<usize>,
) -> Option<f32> {
    let start = now_ms();
    let pace = model.pace();
    let (mut trained, mut spent) = (0usize, 0.0f64);
    loop {
        let step = model.log().step;
        if until.is_some_and(|u| step >= u)
            || step >= pace.total_steps
            || model.log().stopped.is_some()
        {
            break;
        }
        let t0 = now_ms();
        let outcome = model.train_step(step + 1);
        let dt = now_ms() - t0;
        match outcome {
            Ok(point) => {
                let log = model.log();
                log.step += 1;
                log.unsent_points.push(point);
                log.train_ms += dt;
            }
            Err(why) => {
                model.log().stopped = Some(why.to_string());
                break;
            }
        }
        spent += dt;
        trained += 1;
        let step = model.log().step;
        if step.is_multiple_of(pace.eval_every) || step == pace.total_steps {
            let evaluation = model.evaluate();
            model.log().unsent_evaluations.push(evaluation);
        }
        if now_ms() - start >= budget_ms {
            break;
        }
    }
    (trained > 0 && spent > 0.0)
        .then(|| (trained * pace.examples_per_step) as f32 / (spent as f32 / 1000.0))
}

/// A clock that never moves, for tests: a slice then trains on to its `until` (or the run's
/// end) whatever its budget, so what a test sees does not depend on the machine's speed.
#[cfg(test)]
pub(crate) fn stopped_clock() -> f64 {
    0.0
}
