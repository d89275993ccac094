//! One training run as a lab page follows it, for every lab that trains in steps: where the
//! run stands ([`TrainingRun`]), what it has done ([`History`]), the link's replay, play and
//! pause, and the questions a student asks that go ahead of training (a look at a digit, a
//! translation, a sample), sent one at a time before the next slice. A refused question never
//! stops training; a refused training request ends a replay. A lab supplies its requests
//! ([`Trains`]); everything else is here once. Plain Rust, tested natively.

use super::session::{LabState, Session};
use contract::training::{Progress, TrainFor, TrainPoint};
use contract::{Protocol, ToEngine};

type Request<L> = <<L as LabState>::Protocol as Protocol>::Request;

/// Where a run stands, as the engine last said, and the requests the page has for it.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainingRun<A> {
    pub step: usize,
    pub total_steps: usize,
    /// The last speed the engine measured (kept while a reply carries none).
    pub examples_per_second: Option<f32>,
    /// Training time (ms) since step 0, as the engine measured it.
    pub train_ms: f64,
    /// Why training stopped early, if it did.
    pub stopped: Option<String>,
    /// A link's `at=`: train to this step, in slices the page follows.
    pub replay_to: Option<usize>,
    /// Single steps asked for (a Step button, →) and not yet sent.
    pub singles: usize,
    /// Questions asked and not yet sent, in order.
    asks: Vec<A>,
    /// The question with the engine (none: training, or nothing): what a refusal refers to.
    in_flight: Option<A>,
    /// Training was playing when the question in flight was sent: a refusal plays on.
    playing_when_asked: bool,
}

impl<A> Default for TrainingRun<A> {
    fn default() -> Self {
        TrainingRun::new(0, None)
    }
}

impl<A> TrainingRun<A> {
    /// A run of `total_steps` that has not started; `replay_to` is a link's `at=`.
    pub fn new(total_steps: usize, replay_to: Option<usize>) -> Self {
        TrainingRun {
            step: 0,
            total_steps,
            examples_per_second: None,
            train_ms: 0.0,
            stopped: None,
            replay_to: replay_to.filter(|&at| at > 0),
            singles: 0,
            asks: Vec::new(),
            in_flight: None,
            playing_when_asked: false,
        }
    }
}

impl<A: Clone + PartialEq> TrainingRun<A> {
    /// Takes in a progress: where the run stands now, and its news into `history`.
    pub fn absorb<E>(&mut self, progress: Progress<E>, history: &mut History<E>) {
        history.train.extend(progress.train);
        history.evaluations.extend(progress.evaluations);
        self.follow(
            progress.step,
            progress.total_steps,
            progress.examples_per_second,
            progress.train_ms,
            progress.stopped,
        );
    }

    /// Where the run stands now (a lab whose progress comes in parts: the Translation lab's
    /// three models).
    pub fn follow(
        &mut self,
        step: usize,
        total_steps: usize,
        examples_per_second: Option<f32>,
        train_ms: f64,
        stopped: Option<String>,
    ) {
        self.step = step;
        self.total_steps = total_steps;
        if examples_per_second.is_some() {
            self.examples_per_second = examples_per_second;
        }
        self.train_ms = train_ms;
        self.stopped = stopped;
        if self.replay_to.is_some_and(|to| step >= to) {
            self.replay_to = None;
        }
    }

    /// Has the run reached its last step, or stopped?
    pub fn is_over(&self) -> bool {
        self.step >= self.total_steps || self.stopped.is_some()
    }

    /// Asks `ask` ahead of training, once: an equal question already waiting is not repeated.
    pub fn ask(&mut self, ask: A) {
        if !self.asks.contains(&ask) {
            self.asks.push(ask);
        }
    }

    /// Forgets the waiting questions that `drop` names (asked again differently, or moot).
    pub fn forget(&mut self, drop: impl Fn(&A) -> bool) {
        self.asks.retain(|a| !drop(a));
    }

    /// The questions waiting to be sent, in order.
    pub fn asked(&self) -> &[A] {
        &self.asks
    }

    /// The question the engine is answering now (none: a training slice, or nothing).
    pub fn in_flight(&self) -> Option<&A> {
        self.in_flight.as_ref()
    }
}

/// What a run has done: every training step's point and every evaluation, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct History<E> {
    pub train: Vec<TrainPoint>,
    pub evaluations: Vec<E>,
}

impl<E> Default for History<E> {
    fn default() -> Self {
        History {
            train: Vec::new(),
            evaluations: Vec::new(),
        }
    }
}

impl<E> History<E> {
    /// Mean loss and accuracy of the last `n` training steps.
    pub fn recent_train(&self, n: usize) -> Option<(f32, f32)> {
        let recent = &self.train[self.train.len().saturating_sub(n)..];
        (!recent.is_empty()).then(|| {
            let k = recent.len() as f32;
            (
                recent.iter().map(|p| p.loss).sum::<f32>() / k,
                recent.iter().map(|p| p.accuracy).sum::<f32>() / k,
            )
        })
    }
}

/// `Trains::run` and `run_mut` for a lab state that keeps its run in the field `run`.
macro_rules! run_field {
    () => {
        fn run(&self) -> &$crate::labs::training::TrainingRun<Self::Ask> {
            &self.run
        }

        fn run_mut(&mut self) -> &mut $crate::labs::training::TrainingRun<Self::Ask> {
            &mut self.run
        }
    };
}
pub(crate) use run_field;

/// What a training request asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slice {
    /// A link's replay: train on to this step (in as many requests as it takes).
    Replay { until: usize },
    /// Playing: a slice of the lab's own size (a time budget, or its speed).
    Play,
    /// One step, asked for by a Step button.
    One,
}

/// Training time per request of the labs that train in time slices: long enough that a frame's
/// view and messaging cost little, short enough that the page follows the training smoothly.
pub const TRAIN_SLICE_MS: f64 = 300.0;

impl Slice {
    /// The Train request of a lab that trains in time slices, on every thread.
    pub fn train_for(self) -> TrainFor {
        TrainFor::new(TRAIN_SLICE_MS, self.until())
    }

    /// The step a slice stops at, if it names one (a time-budgeted lab's `until`).
    pub fn until(self) -> Option<usize> {
        match self {
            Slice::Replay { until } => Some(until),
            Slice::Play | Slice::One => None,
        }
    }
}

/// A lab that trains in slices: its run, and the requests only it can write.
pub trait Trains: LabState {
    /// A question asked ahead of training (its data is read when it is sent).
    type Ask: Clone + PartialEq + std::fmt::Debug;

    /// When the play loop sends the next request (the labs that train in time-budgeted
    /// slices: as soon as the engine is free).
    const PACE: super::Pace = super::Pace::Eager;
    /// The play loop's tick: it asks for more (if the last answer is in) this often.
    const TICK: std::time::Duration = std::time::Duration::from_millis(30);
    /// Does → take one step (the labs with a Step button)?
    const STEP_KEY: bool = false;

    fn run(&self) -> &TrainingRun<Self::Ask>;
    fn run_mut(&mut self) -> &mut TrainingRun<Self::Ask>;

    /// The request that asks `ask` (it may note what it sent: a weight set by hand enters
    /// the link when it is sent).
    fn ask_request(session: &mut Session<Self>, ask: &Self::Ask) -> Request<Self>;

    /// A training request for `slice`.
    fn train_request(session: &Session<Self>, slice: Slice) -> Request<Self>;

    /// May questions go now? (The Translation lab asks only while it is shown.)
    fn may_ask(&self) -> bool {
        true
    }

    /// May training go now? (The CNN lab trains only while it is shown.)
    fn may_train(&self) -> bool {
        true
    }

    /// Are questions due by themselves now (the language model's sentences, rescored once
    /// training pauses)? `queue_due` asks them when the next request is taken.
    fn due(_session: &Session<Self>) -> bool {
        false
    }

    fn queue_due(_session: &mut Session<Self>) {}
}

impl<L: Trains> Session<L> {
    /// Has the run ended (its last step, or stopped)?
    pub fn finished(&self) -> bool {
        self.started && self.lab.run().is_over()
    }

    /// The step a link is being replayed to, while it is.
    pub fn replaying(&self) -> Option<usize> {
        let run = self.lab.run();
        run.replay_to
            .filter(|&to| self.started && run.step < to && !run.is_over())
    }

    /// Play or pause; playing ends a replay (training goes on past its step), and single
    /// steps asked for before are part of the play.
    pub fn toggle_play(&mut self) {
        self.playing = !self.playing && !self.finished();
        self.lab.run_mut().singles = 0;
        if self.playing {
            self.lab.run_mut().replay_to = None;
        }
    }

    /// One step more, as soon as the engine is free (play pauses).
    pub fn step_once(&mut self) {
        self.playing = false;
        if !self.finished() {
            self.lab.run_mut().singles += 1;
        }
    }

    /// Asks `ask` ahead of training, as soon as the engine is free; the error line clears.
    pub fn ask(&mut self, ask: L::Ask) {
        self.lab.run_mut().ask(ask);
        self.error = None;
    }

    /// After a progress: play, and single steps asked for, stop at the end of the run.
    pub fn progressed(&mut self) {
        if self.finished() {
            self.playing = false;
            self.lab.run_mut().singles = 0;
        }
    }

    fn training_due(&self) -> bool {
        let asked = self.playing || self.replaying().is_some() || self.lab.run().singles > 0;
        asked && !self.finished() && self.lab.may_train()
    }

    fn asking_due(&self) -> bool {
        self.lab.may_ask() && (!self.lab.run().asks.is_empty() || L::due(self))
    }

    /// Should the play loop send a request now? (Never while one is with the engine.)
    pub fn wants_request(&self) -> bool {
        (self.training_due() || self.asking_due())
            && self.started
            && !self.waiting
            && !self.engine_failed
    }

    /// The next request: the questions first, in the order asked, then training (to the
    /// link's step while replaying).
    pub fn take_request(&mut self) -> ToEngine {
        let playing = self.playing;
        if self.lab.may_ask() {
            if L::due(self) {
                L::queue_due(self);
            }
            let run = self.lab.run_mut();
            if !run.asks.is_empty() {
                let ask = run.asks.remove(0);
                run.in_flight = Some(ask.clone());
                run.playing_when_asked = playing;
                let request = L::ask_request(self, &ask);
                return self.request(&request);
            }
        }
        self.lab.run_mut().in_flight = None;
        let slice = match self.replaying() {
            _ if playing => Slice::Play,
            Some(until) => Slice::Replay { until },
            None => {
                let run = self.lab.run_mut();
                run.singles = run.singles.saturating_sub(1);
                Slice::One
            }
        };
        let request = L::train_request(self, slice);
        self.request(&request)
    }

    /// The engine refused the last request (the session has stopped play and shows why): a
    /// refused question is returned, and training plays on as it did when it was asked; a
    /// refused training slice ends a replay (it would only be refused again).
    pub fn refused_ask(&mut self) -> Option<L::Ask> {
        let run = self.lab.run_mut();
        match run.in_flight.take() {
            Some(ask) => {
                self.playing = run.playing_when_asked && !self.finished();
                Some(ask)
            }
            None => {
                run.replay_to = None;
                run.singles = 0;
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! The run with a throw-away lab that trains: what every training lab gets.
    use super::*;
    use crate::labs::session::LabState;
    use contract::{Ask, Body, FromEngine};

    contract::declare_protocol!(Steps, "steps", u32, StepsRequest, Progress<u32>);

    /// A training slice (`Ok(until)`) or a look (`Err(what)`): plain data the wire can carry.
    type StepsRequest = Result<Option<usize>, u32>;

    #[derive(Clone, Debug, PartialEq, Default)]
    struct StepsState {
        run: TrainingRun<u32>,
        history: History<u32>,
        refused: Vec<u32>,
    }

    impl LabState for StepsState {
        type Protocol = Steps;
        fn on_reply(s: &mut Session<Self>, progress: Progress<u32>) {
            s.lab.run.absorb(progress, &mut s.lab.history);
            s.progressed();
        }
        fn on_restart(s: &mut Session<Self>) {
            s.lab = StepsState {
                run: TrainingRun::new(10, Some(s.spec as usize)),
                ..StepsState::default()
            };
        }
        fn on_refused(s: &mut Session<Self>) {
            if let Some(ask) = s.refused_ask() {
                s.lab.refused.push(ask);
            }
        }
        fn step(&self) -> usize {
            self.run.step
        }
    }

    impl Trains for StepsState {
        type Ask = u32;
        run_field!();
        fn ask_request(_: &mut Session<Self>, ask: &u32) -> StepsRequest {
            Err(*ask)
        }
        fn train_request(_: &Session<Self>, slice: Slice) -> StepsRequest {
            Ok(slice.until())
        }
    }

    fn progress(step: usize) -> FromEngine {
        let p = Progress {
            step,
            total_steps: 10,
            train: vec![],
            evaluations: vec![step as u32],
            examples_per_second: Some(5.0),
            train_ms: 1.0,
            stopped: None,
        };
        FromEngine::Reply {
            from: "steps".into(),
            run: 1,
            body: Body::of(&p),
        }
    }

    fn refusal() -> FromEngine {
        FromEngine::Error {
            from: "steps".into(),
            run: 1,
            message: "no".into(),
        }
    }

    fn read(request: ToEngine) -> StepsRequest {
        let Ask::Request(body) = request.ask else {
            panic!("a request")
        };
        body.read().expect("a request of this lab")
    }

    #[test]
    fn a_replay_goes_to_its_step_then_waits_and_questions_go_first() {
        let mut s = Session::new(4, vec![], StepsState::default());
        s.restart();
        assert!(!s.wants_request(), "nothing before the start");
        s.apply(&progress(0));
        assert_eq!(s.replaying(), Some(4));
        s.ask(7);
        s.ask(7);
        assert_eq!(read(s.take_request()), Err(7), "asked once");
        assert!(!s.wants_request(), "one request with the engine");
        s.apply(&progress(0));
        assert_eq!(read(s.take_request()), Ok(Some(4)));
        s.apply(&progress(4));
        assert_eq!((s.replaying(), s.wants_request()), (None, false));
        assert_eq!(s.lab.history.evaluations, [0, 0, 4]);
    }

    #[test]
    fn a_refused_question_plays_on_and_a_refused_slice_ends_the_replay() {
        let mut s = Session::new(0, vec![], StepsState::default());
        s.restart();
        s.apply(&progress(0));
        s.toggle_play();
        s.ask(3);
        assert_eq!(read(s.take_request()), Err(3));
        s.apply(&refusal());
        assert_eq!(s.lab.refused, [3]);
        assert!(
            s.playing && s.error.as_deref() == Some("no"),
            "play goes on, the error shows"
        );
        assert_eq!(read(s.take_request()), Ok(None));
        s.apply(&refusal());
        assert!(!s.playing && !s.wants_request());
        // A replay refused is not asked again.
        let mut s = Session::new(6, vec![], StepsState::default());
        s.restart();
        s.apply(&progress(0));
        assert!(matches!(read(s.take_request()), Ok(Some(6))));
        s.apply(&refusal());
        assert_eq!((s.replaying(), s.wants_request()), (None, false));
    }

    #[test]
    fn the_run_ends_play_at_its_last_step() {
        let mut s = Session::new(0, vec![], StepsState::default());
        s.restart();
        s.apply(&progress(0));
        s.toggle_play();
        assert!(s.playing);
        s.take_request();
        s.apply(&progress(10));
        assert!(s.finished() && !s.playing && !s.wants_request());
        s.toggle_play();
        assert!(!s.playing, "a finished run does not play");
        s.step_once();
        assert!(!s.wants_request(), "nor steps");
    }

    #[test]
    fn single_steps_wait_for_a_free_engine_and_play_takes_them_over() {
        let mut s = Session::new(0, vec![], StepsState::default());
        s.restart();
        s.step_once();
        assert!(!s.wants_request(), "nothing before the start");
        s.apply(&progress(0));
        s.step_once();
        assert!(s.wants_request());
        s.take_request();
        assert_eq!(s.lab.run.singles, 1, "one sent, one waits for the engine");
        s.apply(&progress(1));
        s.take_request();
        s.apply(&progress(2));
        assert!(!s.wants_request());
        s.step_once();
        s.toggle_play();
        assert_eq!(s.lab.run.singles, 0, "part of the play now");
    }
}
