//! What the CNN lab page knows beyond its run (`labs::session`, `labs::training`): the
//! evaluations, the latest look inside the model, and what the student picked. Replies are
//! applied by one function, so the page's behaviour is tested natively.

use crate::labs::session::{LabState, Session};
use crate::labs::training::{History, Slice, Trains, TrainingRun};
use contract::cnn::protocol::{CnnProtocol, CnnReply, CnnRequest};
use contract::cnn::view::{CnnView, DigitSource, Evaluation, GalleryDigit, ReceptiveFieldView};
use contract::cnn::CnnLab;
use contract::link::UrlNote;

/// The accuracy the lab's headline measures the time to.
pub const TARGET_ACCURACY: f32 = 0.97;
/// Training time per request: long enough that a frame's view and messaging cost little,
/// short enough that the page follows the training smoothly.
pub const TRAIN_SLICE_MS: f64 = 300.0;

/// A unit of a feature map, picked by a click.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unit {
    pub layer: usize,
    pub channel: usize,
    pub y: usize,
    pub x: usize,
}

/// What the student asks ahead of training.
#[derive(Clone, Debug, PartialEq)]
pub enum CnnAsk {
    /// A digit (and its shift) through the network.
    Look(DigitSource, (i32, i32)),
    /// The picked unit's receptive fields (after training moved on, again).
    Receptive,
}

/// The CNN page's session: the run (generic) and the lab's own data.
pub type CnnSession = Session<CnnState>;

#[derive(Clone, Debug, PartialEq, Default)]
pub struct CnnState {
    pub run: TrainingRun<CnnAsk>,
    pub history: History<Evaluation>,
    pub view: Option<CnnView>,
    pub gallery: Vec<GalleryDigit>,
    pub unit: Option<Unit>,
    pub receptive: Option<ReceptiveFieldView>,
    /// A drawing is being looked at (not part of the link).
    pub drawn: bool,
    /// Train on the engine's own thread only (a speed comparison; same numbers).
    pub one_thread: bool,
    /// The page is shown: only then does it train (a look asked goes anyway).
    pub shown: bool,
    /// Why this spec cannot be trained (an impossible layer, a model over the size limits):
    /// nothing is sent to the engine until it is fixed.
    pub blocked: Option<String>,
}

impl LabState for CnnState {
    type Protocol = CnnProtocol;

    fn step(&self) -> usize {
        self.run.step
    }

    fn on_restart(s: &mut CnnSession) {
        // The digit gallery, the last view, a digit chosen meanwhile and the thread choice
        // stay: they are the student's, not the run's.
        let mut run = TrainingRun::new(s.spec.total_steps(), s.spec.at);
        for look in s.lab.run.asked().iter().filter(|a| matches!(a, CnnAsk::Look(..))) {
            run.ask(look.clone());
        }
        let lab = &mut s.lab;
        lab.run = run;
        lab.history = History::default();
        lab.receptive = None;
        lab.unit = None;
        lab.drawn = false;
        lab.blocked = None;
    }

    fn on_reply(s: &mut CnnSession, reply: CnnReply) {
        match reply {
            CnnReply::Started {
                progress,
                view,
                gallery,
            } => {
                s.lab.gallery = gallery;
                s.lab.history = History::default();
                s.lab.run.absorb(progress, &mut s.lab.history);
                s.lab.view = Some(view);
            }
            CnnReply::Trained { progress, view } => {
                s.lab.run.absorb(progress, &mut s.lab.history);
                s.lab.view = Some(view);
                if s.lab.unit.is_some() {
                    s.lab.run.ask(CnnAsk::Receptive);
                }
                s.progressed();
            }
            CnnReply::Viewed(view) => {
                s.lab.view = Some(view);
                s.lab.receptive = None;
            }
            CnnReply::ReceptiveField(field) => s.lab.receptive = Some(field),
        }
    }

    fn on_refused(s: &mut CnnSession) {
        // A unit whose fields were refused is not asked again by itself.
        if s.refused_ask() == Some(CnnAsk::Receptive) {
            s.lab.unit = None;
        }
    }
}

impl Trains for CnnState {
    type Ask = CnnAsk;

    crate::labs::training::run_field!();

    fn ask_request(s: &mut CnnSession, ask: &CnnAsk) -> CnnRequest {
        match ask {
            CnnAsk::Look(digit, shift) => CnnRequest::Look {
                digit: digit.clone(),
                shift: *shift,
            },
            CnnAsk::Receptive => {
                let unit = s.lab.unit.unwrap_or(Unit {
                    layer: 0,
                    channel: 0,
                    y: 0,
                    x: 0,
                });
                CnnRequest::Receptive {
                    layer: unit.layer,
                    channel: unit.channel,
                    y: unit.y,
                    x: unit.x,
                }
            }
        }
    }

    fn train_request(s: &CnnSession, slice: Slice) -> CnnRequest {
        CnnRequest::Train {
            budget_ms: TRAIN_SLICE_MS,
            one_thread: s.lab.one_thread,
            until: slice.until(),
        }
    }

    fn may_train(&self) -> bool {
        self.shown
    }
}

impl CnnSession {
    pub fn for_link(spec: CnnLab, notes: Vec<UrlNote>) -> CnnSession {
        let state = CnnState {
            run: TrainingRun::new(spec.total_steps(), None),
            ..CnnState::default()
        };
        Session::new(spec, notes, state)
    }

    /// Looks at a digit (and shift) as soon as the engine is free: training goes on
    /// undisturbed, and only the last look asked is sent.
    pub fn look(&mut self, digit: DigitSource, shift: (i32, i32)) {
        self.lab.run.forget(|a| matches!(a, CnnAsk::Look(..)));
        self.lab.run.ask(CnnAsk::Look(digit, shift));
    }

    /// A unit was clicked: its fields are asked for as soon as the engine is free (a click on
    /// the maps of a network still being built is ignored).
    pub fn pick(&mut self, unit: Unit) {
        if self.started {
            self.lab.unit = Some(unit);
            self.lab.run.ask(CnnAsk::Receptive);
        }
    }

    /// Seconds of training left at the current speed.
    pub fn seconds_left(&self) -> Option<f64> {
        let eps = self.lab.run.examples_per_second? as f64;
        let left = self.lab.run.total_steps.saturating_sub(self.lab.run.step) * self.spec.batch;
        (eps > 0.0).then(|| left as f64 / eps)
    }

    /// Epochs done, fractional.
    pub fn epoch(&self) -> f64 {
        self.lab.run.step as f64 / self.spec.steps_per_epoch().max(1) as f64
    }

    /// Which digit the page looks at, as the engine should be told.
    pub fn looked_digit(&self) -> DigitSource {
        DigitSource::Test {
            index: self.spec.digit,
        }
    }
}

impl CnnState {
    /// The first evaluation at or above the target accuracy: (step, training seconds).
    pub fn reached_target(&self) -> Option<(usize, f64)> {
        self.history
            .evaluations
            .iter()
            .find(|e| e.accuracy >= TARGET_ACCURACY)
            .map(|e| (e.step, e.train_ms / 1000.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use contract::training::{Progress, TrainPoint};
    use contract::{FromEngine, ToEngine};

    /// The play loop's question, on a page shown or not: the request it sends, if one is due.
    fn next(s: &mut CnnSession, shown: bool) -> Option<ToEngine> {
        s.lab.shown = shown;
        s.wants_request().then(|| s.take_request())
    }

    fn progress(step: usize, evals: Vec<Evaluation>) -> Progress<Evaluation> {
        Progress {
            step,
            total_steps: 375,
            train: (1..=step)
                .map(|s| TrainPoint {
                    step: s,
                    loss: 1.0,
                    accuracy: 0.5,
                    lr: 0.01,
                })
                .collect(),
            evaluations: evals,
            examples_per_second: Some(3200.0),
            train_ms: 1000.0,
            stopped: None,
        }
    }

    fn eval(step: usize, accuracy: f32) -> Evaluation {
        Evaluation {
            step,
            loss: 0.1,
            accuracy,
            confusion: vec![],
            wrong: vec![],
            train_ms: step as f64 * 20.0,
        }
    }

    fn view() -> CnnView {
        CnnView {
            step: 0,
            input: vec![],
            label: None,
            digit: DigitSource::Test { index: 0 },
            probabilities: vec![],
            layers: vec![],
            kernels: None,
            shift: None,
        }
    }

    /// The engine's reply for run `run`, as it arrives.
    fn reply(run: u64, reply: CnnReply) -> FromEngine {
        crate::labs::session::testing::reply::<CnnProtocol>(run, &reply)
    }

    fn started(run: u64) -> FromEngine {
        reply(
            run,
            CnnReply::Started {
                progress: progress(0, vec![]),
                view: view(),
                gallery: vec![],
            },
        )
    }

    fn trained(run: u64, step: usize, evals: Vec<Evaluation>) -> FromEngine {
        reply(
            run,
            CnnReply::Trained {
                progress: progress(step, evals),
                view: view(),
            },
        )
    }

    fn refused(message: &str) -> FromEngine {
        FromEngine::Error {
            from: "cnn".into(),
            run: 1,
            message: message.into(),
        }
    }

    /// What a request asks, as the engine will read it.
    fn asked(request: Option<ToEngine>) -> Option<CnnRequest> {
        request.map(|r| match r.ask {
            contract::Ask::Request(body) => body.read().expect("a CNN request"),
            contract::Ask::Start(_) => panic!("a start"),
        })
    }

    fn session() -> CnnSession {
        CnnSession::for_link(CnnLab::default(), vec![])
    }

    #[test]
    fn messages_of_an_older_run_are_dropped() {
        let mut s = session();
        s.restart();
        s.restart();
        s.apply(&reply(
            1,
            CnnReply::Started {
                progress: progress(5, vec![]),
                view: view(),
                gallery: vec![],
            },
        ));
        assert!(!s.started && s.waiting);
        s.apply(&started(2));
        assert!(s.started && !s.waiting);
    }

    #[test]
    fn progress_accumulates_and_the_target_is_found() {
        let mut s = session();
        s.restart();
        s.apply(&started(1));
        s.playing = true;
        assert!(matches!(
            asked(next(&mut s, true)),
            Some(CnnRequest::Train { until: None, .. })
        ));
        assert_eq!(next(&mut s, true), None, "one request at a time");
        s.apply(&trained(1, 62, vec![eval(62, 0.93)]));
        s.apply(&trained(1, 124, vec![eval(124, 0.971)]));
        assert_eq!(s.lab.history.evaluations.len(), 2);
        assert_eq!(s.lab.reached_target(), Some((124, 2.48)));
        assert!((s.epoch() - 124.0 / 125.0).abs() < 1e-9);
        // 251 steps of 64 left at 3,200 examples/s.
        assert!((s.seconds_left().unwrap() - 251.0 * 64.0 / 3200.0).abs() < 1e-9);
        // The run ends: play stops by itself.
        s.apply(&trained(1, 375, vec![]));
        assert!(s.finished() && !s.playing);
        assert_eq!(next(&mut s, true), None);
    }

    #[test]
    fn a_link_replays_in_slices_then_stops_and_looks_wait_their_turn() {
        let mut s = session();
        s.restart();
        s.lab.run.replay_to = Some(125);
        // Before the start is answered nothing is asked; a click on old maps is ignored.
        assert_eq!(next(&mut s, true), None);
        let unit = |layer| Unit {
            layer,
            channel: 0,
            y: 0,
            x: 0,
        };
        s.pick(unit(5));
        assert_eq!(s.lab.unit, None);
        s.apply(&started(1));
        assert_eq!(s.replaying(), Some(125));
        // A digit chosen meanwhile goes first (on another page too), then the replay goes on
        // while the lab is on screen.
        s.look(DigitSource::Test { index: 3 }, (0, 0));
        assert!(matches!(
            asked(next(&mut s, false)),
            Some(CnnRequest::Look { .. })
        ));
        s.apply(&reply(1, CnnReply::Viewed(view())));
        assert_eq!(next(&mut s, false), None);
        assert!(matches!(
            asked(next(&mut s, true)),
            Some(CnnRequest::Train {
                until: Some(125),
                ..
            })
        ));
        s.apply(&trained(1, 125, vec![]));
        assert_eq!(s.replaying(), None);
        assert!(!s.playing);
        assert_eq!(
            next(&mut s, true),
            None,
            "stopped at the link's step"
        );
        // A picked unit is asked for; an error forgets it instead of asking again.
        s.pick(unit(3));
        assert!(matches!(
            asked(next(&mut s, true)),
            Some(CnnRequest::Receptive { layer: 3, .. })
        ));
        s.apply(&refused("layer = 3 exceeds the limit of 2"));
        assert_eq!((s.lab.unit, next(&mut s, true)), (None, None));
    }

    #[test]
    fn an_error_for_a_request_stops_play() {
        let mut s = session();
        s.restart();
        s.apply(&refused("layer 7: pooling …"));
        assert_eq!(s.error.as_deref(), Some("layer 7: pooling …"));
        assert!(!s.waiting && !s.playing);
    }

    #[test]
    fn a_refused_look_leaves_training_playing() {
        let mut s = session();
        s.restart();
        s.apply(&started(1));
        s.toggle_play();
        s.look(DigitSource::Drawn { size: 2, ink: vec![0; 4] }, (0, 0));
        assert!(matches!(asked(next(&mut s, true)), Some(CnnRequest::Look { .. })));
        s.apply(&refused("size = 2 is below the minimum of 8"));
        assert!(s.playing && s.error.is_some(), "the error shows, training plays on");
        assert!(matches!(
            asked(next(&mut s, true)),
            Some(CnnRequest::Train { until: None, .. })
        ));
    }
}
