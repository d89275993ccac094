//! What the CNN lab page knows beyond its run (`labs::session`): the training history, the
//! latest look inside the model, and what the student picked. Replies are applied by one
//! function, so the page's behaviour is tested natively.

use crate::labs::session::{LabState, Session};
use contract::cnn::protocol::{CnnProtocol, CnnReply, CnnRequest};
use contract::cnn::view::{
    CnnProgress, CnnView, DigitSource, Evaluation, GalleryDigit, ReceptiveFieldView,
};
use contract::cnn::CnnLab;
use contract::link::UrlNote;
use contract::training::TrainPoint;
use contract::ToEngine;

/// The accuracy the lab's headline measures the time to.
pub const TARGET_ACCURACY: f32 = 0.97;

/// A unit of a feature map, picked by a click.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unit {
    pub layer: usize,
    pub channel: usize,
    pub y: usize,
    pub x: usize,
}

/// The CNN page's session: the run (generic) and the lab's own data.
pub type CnnSession = Session<CnnState>;

#[derive(Clone, Debug, PartialEq, Default)]
pub struct CnnState {
    pub step: usize,
    pub total_steps: usize,
    pub train: Vec<TrainPoint>,
    pub evaluations: Vec<Evaluation>,
    pub examples_per_second: Option<f32>,
    /// Training time (ms) so far, as the engine measured it.
    pub train_ms: f64,
    pub stopped: Option<String>,
    pub view: Option<CnnView>,
    pub gallery: Vec<GalleryDigit>,
    pub unit: Option<Unit>,
    pub receptive: Option<ReceptiveFieldView>,
    /// Training moved on since the picked unit's fields were computed: ask again.
    pub receptive_stale: bool,
    /// A drawing is being looked at (not part of the link).
    pub drawn: bool,
    /// Train on the engine's own thread only (a speed comparison; same numbers).
    pub one_thread: bool,
    /// A digit or shift chosen but not yet sent (one request is with the engine at a time).
    pub pending_look: Option<(DigitSource, (i32, i32))>,
    /// A link's `at=`: train to this step, then stop (in slices the page follows).
    pub replay_to: Option<usize>,
    /// Why this spec cannot be trained (an impossible layer, a model over the size limits):
    /// nothing is sent to the engine until it is fixed.
    pub blocked: Option<String>,
}

impl LabState for CnnState {
    type Protocol = CnnProtocol;

    fn step(&self) -> usize {
        self.step
    }

    fn on_restart(s: &mut CnnSession) {
        // The digit gallery, the last view, a digit chosen meanwhile and the thread choice
        // stay: they are the student's, not the run's.
        let lab = &mut s.lab;
        lab.step = 0;
        lab.total_steps = s.spec.total_steps();
        lab.train.clear();
        lab.evaluations.clear();
        lab.examples_per_second = None;
        lab.train_ms = 0.0;
        lab.stopped = None;
        lab.receptive = None;
        lab.unit = None;
        lab.drawn = false;
        lab.blocked = None;
        lab.replay_to = None;
    }

    fn on_reply(s: &mut CnnSession, reply: CnnReply) {
        match reply {
            CnnReply::Started {
                progress,
                view,
                gallery,
            } => {
                s.lab.gallery = gallery;
                s.lab.train.clear();
                s.lab.evaluations.clear();
                s.lab.absorb(progress);
                s.lab.view = Some(view);
            }
            CnnReply::Trained { progress, view } => {
                s.lab.absorb(progress);
                s.lab.view = Some(view);
                s.lab.receptive_stale = s.lab.unit.is_some();
                if s.finished() {
                    s.playing = false;
                }
                if s.lab.replay_to.is_some_and(|t| s.lab.step >= t) {
                    s.lab.replay_to = None;
                }
            }
            CnnReply::Viewed(view) => {
                s.lab.view = Some(view);
                s.lab.receptive = None;
            }
            CnnReply::ReceptiveField(field) => {
                s.lab.receptive = Some(field);
                s.lab.receptive_stale = false;
            }
        }
    }

    fn on_refused(s: &mut CnnSession) {
        // Whatever was asked is not asked again by itself.
        s.lab.unit = None;
        s.lab.receptive_stale = false;
        s.lab.replay_to = None;
    }
}

impl CnnSession {
    pub fn for_link(spec: CnnLab, notes: Vec<UrlNote>) -> CnnSession {
        let state = CnnState {
            total_steps: spec.total_steps(),
            ..CnnState::default()
        };
        Session::new(spec, notes, state)
    }

    pub fn finished(&self) -> bool {
        self.started && (self.lab.step >= self.lab.total_steps || self.lab.stopped.is_some())
    }

    /// The next request for the engine, if one is due and none is in flight (then it is
    /// marked in flight): a chosen digit first, then a picked unit's fields (after training
    /// moved on), then training — while playing, or while a link replays to its step.
    pub fn next_request(&mut self, active: bool, budget_ms: f64) -> Option<ToEngine> {
        if !self.started || self.waiting || self.engine_failed {
            return None;
        }
        let replaying = self.lab.replay_to.is_some_and(|t| self.lab.step < t);
        let request = if let Some((digit, shift)) = self.lab.pending_look.take() {
            CnnRequest::Look { digit, shift }
        } else if let Some(unit) = self.lab.unit.filter(|_| self.lab.receptive_stale) {
            self.lab.receptive_stale = false;
            CnnRequest::Receptive {
                layer: unit.layer,
                channel: unit.channel,
                y: unit.y,
                x: unit.x,
            }
        } else if active && !self.finished() && (self.playing || replaying) {
            CnnRequest::Train {
                budget_ms,
                one_thread: self.lab.one_thread,
                until: if self.playing {
                    None
                } else {
                    self.lab.replay_to
                },
            }
        } else {
            return None;
        };
        Some(self.request(&request))
    }

    /// A unit was clicked: its fields are asked for as soon as the engine is free (a click on
    /// the maps of a network still being built is ignored).
    pub fn pick(&mut self, unit: Unit) {
        if self.started {
            self.lab.unit = Some(unit);
            self.lab.receptive_stale = true;
        }
    }

    /// Play or pause; playing ends a replay (training goes on past its step).
    pub fn toggle_play(&mut self) {
        self.playing = !self.playing;
        if self.playing {
            self.lab.replay_to = None;
        }
    }

    /// Is a link being replayed to its step?
    pub fn replaying(&self) -> Option<usize> {
        self.lab
            .replay_to
            .filter(|&t| self.started && self.lab.step < t)
    }

    /// Seconds of training left at the current speed.
    pub fn seconds_left(&self) -> Option<f64> {
        let eps = self.lab.examples_per_second? as f64;
        let left = self.lab.total_steps.saturating_sub(self.lab.step) * self.spec.batch;
        (eps > 0.0).then(|| left as f64 / eps)
    }

    /// Epochs done, fractional.
    pub fn epoch(&self) -> f64 {
        self.lab.step as f64 / self.spec.steps_per_epoch().max(1) as f64
    }

    /// Which digit the page looks at, as the engine should be told.
    pub fn looked_digit(&self) -> DigitSource {
        DigitSource::Test {
            index: self.spec.digit,
        }
    }
}

impl CnnState {
    fn absorb(&mut self, progress: CnnProgress) {
        self.step = progress.step;
        self.total_steps = progress.total_steps;
        self.train.extend(progress.train);
        self.evaluations.extend(progress.evaluations);
        if progress.examples_per_second.is_some() {
            self.examples_per_second = progress.examples_per_second;
        }
        self.train_ms = progress.train_ms;
        self.stopped = progress.stopped;
    }

    /// The first evaluation at or above the target accuracy: (step, training seconds).
    pub fn reached_target(&self) -> Option<(usize, f64)> {
        self.evaluations
            .iter()
            .find(|e| e.accuracy >= TARGET_ACCURACY)
            .map(|e| (e.step, e.train_ms / 1000.0))
    }

    /// Mean of the last `window` training points' loss and accuracy.
    pub fn recent_train(&self, window: usize) -> Option<(f32, f32)> {
        let tail = &self.train[self.train.len().saturating_sub(window)..];
        (!tail.is_empty()).then(|| {
            let n = tail.len() as f32;
            (
                tail.iter().map(|p| p.loss).sum::<f32>() / n,
                tail.iter().map(|p| p.accuracy).sum::<f32>() / n,
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use contract::{Body, FromEngine};

    fn progress(step: usize, evals: Vec<Evaluation>) -> CnnProgress {
        CnnProgress {
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
        FromEngine::Reply {
            from: "cnn".into(),
            run,
            body: Body::of(&reply),
        }
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
            asked(s.next_request(true, 300.0)),
            Some(CnnRequest::Train { until: None, .. })
        ));
        assert_eq!(s.next_request(true, 300.0), None, "one request at a time");
        s.apply(&trained(1, 62, vec![eval(62, 0.93)]));
        s.apply(&trained(1, 124, vec![eval(124, 0.971)]));
        assert_eq!(s.lab.evaluations.len(), 2);
        assert_eq!(s.lab.reached_target(), Some((124, 2.48)));
        assert!((s.epoch() - 124.0 / 125.0).abs() < 1e-9);
        // 251 steps of 64 left at 3,200 examples/s.
        assert!((s.seconds_left().unwrap() - 251.0 * 64.0 / 3200.0).abs() < 1e-9);
        // The run ends: play stops by itself.
        s.apply(&trained(1, 375, vec![]));
        assert!(s.finished() && !s.playing);
        assert_eq!(s.next_request(true, 300.0), None);
    }

    #[test]
    fn a_link_replays_in_slices_then_stops_and_looks_wait_their_turn() {
        let mut s = session();
        s.restart();
        s.lab.replay_to = Some(125);
        // Before the start is answered nothing is asked; a click on old maps is ignored.
        assert_eq!(s.next_request(true, 300.0), None);
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
        s.lab.pending_look = Some((DigitSource::Test { index: 3 }, (0, 0)));
        assert!(matches!(
            asked(s.next_request(false, 300.0)),
            Some(CnnRequest::Look { .. })
        ));
        s.apply(&reply(1, CnnReply::Viewed(view())));
        assert_eq!(s.next_request(false, 300.0), None);
        assert!(matches!(
            asked(s.next_request(true, 300.0)),
            Some(CnnRequest::Train {
                until: Some(125),
                ..
            })
        ));
        s.apply(&trained(1, 125, vec![]));
        assert_eq!(s.replaying(), None);
        assert!(!s.playing);
        assert_eq!(
            s.next_request(true, 300.0),
            None,
            "stopped at the link's step"
        );
        // A picked unit is asked for; an error forgets it instead of asking again.
        s.pick(unit(3));
        assert!(matches!(
            asked(s.next_request(true, 300.0)),
            Some(CnnRequest::Receptive { layer: 3, .. })
        ));
        s.apply(&refused("layer = 3 exceeds the limit of 2"));
        assert_eq!((s.lab.unit, s.next_request(true, 300.0)), (None, None));
    }

    #[test]
    fn an_error_for_a_request_stops_play() {
        let mut s = session();
        s.restart();
        s.apply(&refused("layer 7: pooling …"));
        assert_eq!(s.error.as_deref(), Some("layer 7: pooling …"));
        assert!(!s.waiting && !s.playing);
    }
}
