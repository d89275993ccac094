//! What the CNN lab page knows beyond its run (`labs::session`, `labs::training`): the
//! evaluations, the latest look inside the model, and what the student picked. Replies are
//! applied by one function, so the page's behaviour is tested natively.

use crate::labs::session::{LabState, Session};
use crate::labs::training::{History, Slice, Trains, TrainingRun};
use contract::cnn::protocol::{CnnProtocol, CnnReply, CnnRequest};
use contract::training::TrainFor;
use contract::cnn::view::{CnnView, DigitSource, Evaluation, GalleryDigit, ReceptiveFieldView};
use contract::cnn::CnnLab;
use contract::link::UrlNote;

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
        CnnRequest::Train(TrainFor {
            one_thread: s.lab.one_thread,
            ..slice.train_for()
        })
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
#[path = "state_tests.rs"]
mod tests;
