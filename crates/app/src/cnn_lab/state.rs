//! What the CNN lab page knows, as a plain type: the experiment (also in the URL), what the URL
//! could not use, the training history, and the latest look inside the model. Engine messages
//! are applied by one function, so the page's behaviour is tested natively.

use spec::cnn::CnnLab;
use spec::cnn_view::{
    CnnView, DigitSource, Evaluation, GalleryDigit, ReceptiveFieldView, TrainPoint,
};
use spec::messages::Lab;
use spec::url::UrlNote;
use spec::{FromEngine, ToEngine};

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

#[derive(Clone, Debug, PartialEq)]
pub struct CnnState {
    pub spec: CnnLab,
    pub notes: Vec<UrlNote>,
    /// The number of the current start: messages of older runs are dropped.
    pub run: u64,
    /// The engine has answered the current start.
    pub started: bool,
    pub loading_data: bool,
    pub playing: bool,
    /// A request is with the engine.
    pub waiting: bool,
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
    pub engine_failed: bool,
    pub error: Option<String>,
    /// Why this spec cannot be trained (an impossible layer, a model over the size limits):
    /// nothing is sent to the engine until it is fixed.
    pub blocked: Option<String>,
}

impl CnnState {
    pub fn new(spec: CnnLab, notes: Vec<UrlNote>) -> Self {
        CnnState {
            total_steps: spec.total_steps(),
            spec,
            notes,
            run: 0,
            started: false,
            loading_data: false,
            playing: false,
            waiting: false,
            step: 0,
            train: Vec::new(),
            evaluations: Vec::new(),
            examples_per_second: None,
            train_ms: 0.0,
            stopped: None,
            view: None,
            gallery: Vec::new(),
            unit: None,
            receptive: None,
            receptive_stale: false,
            drawn: false,
            one_thread: false,
            pending_look: None,
            replay_to: None,
            engine_failed: false,
            error: None,
            blocked: None,
        }
    }

    /// A (re)start was sent: everything shown belongs to the old run.
    pub fn restarting(&mut self) {
        self.run += 1;
        self.started = false;
        self.waiting = true;
        self.step = 0;
        self.total_steps = self.spec.total_steps();
        self.train.clear();
        self.evaluations.clear();
        self.examples_per_second = None;
        self.train_ms = 0.0;
        self.stopped = None;
        self.receptive = None;
        self.unit = None;
        self.drawn = false;
        self.error = None;
        self.blocked = None;
        self.replay_to = None;
    }

    pub fn finished(&self) -> bool {
        self.started && (self.step >= self.total_steps || self.stopped.is_some())
    }

    /// The next request for the engine, if one is due and none is in flight (then it is
    /// marked in flight): a chosen digit first, then a picked unit's fields (after training
    /// moved on), then training — while playing, or while a link replays to its step.
    pub fn next_request(&mut self, active: bool, budget_ms: f64) -> Option<ToEngine> {
        if !self.started || self.waiting || self.engine_failed {
            return None;
        }
        let replaying = self.replay_to.is_some_and(|t| self.step < t);
        let request = if let Some((digit, shift)) = self.pending_look.take() {
            ToEngine::CnnLook { digit, shift }
        } else if let Some(unit) = self.unit.filter(|_| self.receptive_stale) {
            self.receptive_stale = false;
            ToEngine::CnnReceptive {
                layer: unit.layer,
                channel: unit.channel,
                y: unit.y,
                x: unit.x,
            }
        } else if active && !self.finished() && (self.playing || replaying) {
            ToEngine::CnnTrain {
                budget_ms,
                one_thread: self.one_thread,
                until: if self.playing { None } else { self.replay_to },
            }
        } else {
            return None;
        };
        self.waiting = true;
        Some(request)
    }

    /// A unit was clicked: its fields are asked for as soon as the engine is free (a click on
    /// the maps of a network still being built is ignored).
    pub fn pick(&mut self, unit: Unit) {
        if self.started {
            self.unit = Some(unit);
            self.receptive_stale = true;
        }
    }

    /// Play or pause; playing ends a replay (training goes on past its step).
    pub fn toggle_play(&mut self) {
        self.playing = !self.playing;
        if self.playing {
            self.replay_to = None;
        }
    }

    /// Is a link being replayed to its step?
    pub fn replaying(&self) -> Option<usize> {
        self.replay_to.filter(|&t| self.started && self.step < t)
    }

    pub fn apply(&mut self, message: FromEngine) {
        match message {
            FromEngine::CnnStarted { progress, .. } | FromEngine::CnnTrained { progress, .. }
                if progress.run != self.run => {}
            FromEngine::CnnViewed(view) if view.run != self.run => {}
            FromEngine::CnnReceptiveField(field) if field.run != self.run => {}
            FromEngine::CnnLoadingData => self.loading_data = true,
            FromEngine::CnnStarted {
                progress,
                view,
                gallery,
            } => {
                self.loading_data = false;
                self.started = true;
                self.waiting = false;
                self.gallery = gallery;
                self.train.clear();
                self.evaluations.clear();
                self.absorb(progress);
                self.view = Some(view);
            }
            FromEngine::CnnTrained { progress, view } => {
                self.waiting = false;
                self.absorb(progress);
                self.view = Some(view);
                self.receptive_stale = self.unit.is_some();
                if self.finished() {
                    self.playing = false;
                }
                if self.replay_to.is_some_and(|t| self.step >= t) {
                    self.replay_to = None;
                }
            }
            FromEngine::CnnViewed(view) => {
                self.waiting = false;
                self.view = Some(view);
                self.receptive = None;
            }
            FromEngine::CnnReceptiveField(field) => {
                self.waiting = false;
                self.receptive = Some(field);
                self.receptive_stale = false;
            }
            FromEngine::LabError {
                lab: Lab::Cnn,
                message,
            } if self.waiting => {
                self.error = Some(message);
                self.waiting = false;
                self.playing = false;
                self.loading_data = false;
                // Whatever was asked is not asked again by itself.
                self.unit = None;
                self.receptive_stale = false;
                self.replay_to = None;
            }
            FromEngine::Failed { message } => {
                self.error = Some(message);
                self.waiting = false;
                self.playing = false;
                self.engine_failed = true;
            }
            FromEngine::Ready(_) => self.engine_failed = false,
            _ => {}
        }
    }

    fn absorb(&mut self, progress: spec::cnn_view::CnnProgress) {
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

    /// Seconds of training left at the current speed.
    pub fn seconds_left(&self) -> Option<f64> {
        let eps = self.examples_per_second? as f64;
        let left = self.total_steps.saturating_sub(self.step) * self.spec.batch;
        (eps > 0.0).then(|| left as f64 / eps)
    }

    /// Epochs done, fractional.
    pub fn epoch(&self) -> f64 {
        self.step as f64 / self.spec.steps_per_epoch().max(1) as f64
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

    /// Which digit the page looks at, as the engine should be told.
    pub fn looked_digit(&self) -> DigitSource {
        DigitSource::Test {
            index: self.spec.digit,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spec::cnn_view::CnnProgress;

    fn progress(run: u64, step: usize, evals: Vec<Evaluation>) -> CnnProgress {
        CnnProgress {
            run,
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

    fn view(run: u64) -> CnnView {
        CnnView {
            run,
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

    #[test]
    fn messages_of_an_older_run_are_dropped() {
        let mut s = CnnState::new(CnnLab::default(), vec![]);
        s.restarting();
        s.restarting();
        s.apply(FromEngine::CnnStarted {
            progress: progress(1, 5, vec![]),
            view: view(1),
            gallery: vec![],
        });
        assert!(!s.started && s.waiting);
        s.apply(FromEngine::CnnStarted {
            progress: progress(2, 0, vec![]),
            view: view(2),
            gallery: vec![],
        });
        assert!(s.started && !s.waiting);
    }

    #[test]
    fn progress_accumulates_and_the_target_is_found() {
        let mut s = CnnState::new(CnnLab::default(), vec![]);
        s.restarting();
        s.apply(FromEngine::CnnStarted {
            progress: progress(1, 0, vec![]),
            view: view(1),
            gallery: vec![],
        });
        s.playing = true;
        assert!(matches!(
            s.next_request(true, 300.0),
            Some(ToEngine::CnnTrain { until: None, .. })
        ));
        assert_eq!(s.next_request(true, 300.0), None, "one request at a time");
        s.apply(FromEngine::CnnTrained {
            progress: progress(1, 62, vec![eval(62, 0.93)]),
            view: view(1),
        });
        s.apply(FromEngine::CnnTrained {
            progress: progress(1, 124, vec![eval(124, 0.971)]),
            view: view(1),
        });
        assert_eq!(s.evaluations.len(), 2);
        assert_eq!(s.reached_target(), Some((124, 2.48)));
        assert!((s.epoch() - 124.0 / 125.0).abs() < 1e-9);
        // 251 steps of 64 left at 3,200 examples/s.
        assert!((s.seconds_left().unwrap() - 251.0 * 64.0 / 3200.0).abs() < 1e-9);
        // The run ends: play stops by itself.
        s.apply(FromEngine::CnnTrained {
            progress: progress(1, 375, vec![]),
            view: view(1),
        });
        assert!(s.finished() && !s.playing);
        assert_eq!(s.next_request(true, 300.0), None);
    }

    #[test]
    fn a_link_replays_in_slices_then_stops_and_looks_wait_their_turn() {
        let mut s = CnnState::new(CnnLab::default(), vec![]);
        s.restarting();
        s.replay_to = Some(125);
        // Before the start is answered nothing is asked; a click on old maps is ignored.
        assert_eq!(s.next_request(true, 300.0), None);
        let unit = |layer| Unit {
            layer,
            channel: 0,
            y: 0,
            x: 0,
        };
        s.pick(unit(5));
        assert_eq!(s.unit, None);
        s.apply(FromEngine::CnnStarted {
            progress: progress(1, 0, vec![]),
            view: view(1),
            gallery: vec![],
        });
        assert_eq!(s.replaying(), Some(125));
        // A digit chosen meanwhile goes first (on another page too), then the replay goes on
        // while the lab is on screen.
        s.pending_look = Some((DigitSource::Test { index: 3 }, (0, 0)));
        assert!(matches!(
            s.next_request(false, 300.0),
            Some(ToEngine::CnnLook { .. })
        ));
        s.apply(FromEngine::CnnViewed(view(1)));
        assert_eq!(s.next_request(false, 300.0), None);
        assert!(matches!(
            s.next_request(true, 300.0),
            Some(ToEngine::CnnTrain {
                until: Some(125),
                ..
            })
        ));
        s.apply(FromEngine::CnnTrained {
            progress: progress(1, 125, vec![]),
            view: view(1),
        });
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
            s.next_request(true, 300.0),
            Some(ToEngine::CnnReceptive { layer: 3, .. })
        ));
        s.apply(FromEngine::LabError {
            lab: Lab::Cnn,
            message: "layer = 3 exceeds the limit of 2".into(),
        });
        assert_eq!((s.unit, s.next_request(true, 300.0)), (None, None));
    }

    #[test]
    fn an_error_for_a_request_stops_play() {
        let mut s = CnnState::new(CnnLab::default(), vec![]);
        s.restarting();
        s.apply(FromEngine::LabError {
            lab: Lab::Cnn,
            message: "layer 7: pooling …".into(),
        });
        assert_eq!(s.error.as_deref(), Some("layer 7: pooling …"));
        assert!(!s.waiting && !s.playing);
    }
}
