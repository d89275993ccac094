//! What the Network lab page knows beyond its run (`labs::session`): the data set, the network
//! as last reported (weights and every neuron's map), the loss after every epoch, and how the
//! student plays it. Replies are applied by one function, so the lab's behaviour is tested
//! natively.

use super::contrast::ContrastRun;
use crate::labs::session::{LabState, Session};
use crate::labs::Pace;
use crate::labs::training::{Slice, Trains, TrainingRun};
use contract::link::UrlNote;
use contract::net::limits::NetLimits;
use contract::net::protocol::{
    Backprop, EpochHistograms, EpochLoss, JacobianView, NetData, NetFrame,
    NetProtocol, NetReply, NetRequest,
};
use contract::net::{NetLab, WeightEdit};

/// The Network page's session: the run (generic) and the lab's own data.
pub type NetSession = Session<NetState>;

#[derive(Clone, Debug, PartialEq)]
pub struct NetState {
    pub data: Option<NetData>,
    /// The network after the last reply (its `curve` is moved into [`NetState::curve`]).
    pub frame: Option<NetFrame>,
    /// Frames received in this run: what the drawings follow (a hand-set weight brings a new
    /// frame at the same step).
    pub frames: u64,
    /// Train and test loss after every epoch so far (epoch 0: untrained).
    pub curve: Vec<EpochLoss>,
    /// What each hidden layer's activations received, after the same epochs.
    pub histograms: Vec<EpochHistograms>,
    /// The hidden layer whose histograms are shown (1-based; clamped to the network's).
    pub histogram_layer: usize,
    /// The contrast run (batch normalisation the other way, same seed) as reported so far,
    /// once the page has asked for it (`spec.contrast`).
    pub contrast: Option<ContrastRun>,
    /// The run's epoch, a link's replay, single epochs and the questions asked.
    pub run: TrainingRun<NetAsk>,
    /// Epochs asked for per request while playing.
    pub speed: usize,
    /// The training point followed through backpropagation, and its walk-through as last
    /// computed; `explain_due`: the network has changed since (asked for when not playing).
    pub explain_point: Option<usize>,
    pub explained: Option<Backprop>,
    pub explain_due: bool,
    /// The walk-through's stage shown, and in a backward stage the edge followed.
    pub stage: usize,
    pub edge: usize,
    /// The layer whose Jacobian is shown (1-based, the last is the output), the Jacobian as
    /// last computed (at the followed point, or the first), and whether it is out of date.
    pub jacobian_layer: usize,
    pub jacobian: Option<JacobianView>,
    pub jacobian_due: bool,
    /// What a click on the output map does with the student's own points: add one of this
    /// class (+1 when true), or, when `None`, follow the nearest point.
    pub add_class: Option<bool>,
    /// The problems of the last pasted CSV, by line.
    pub csv_problems: Vec<String>,
}

/// What the student asks ahead of training.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NetAsk {
    /// A weight set by hand: (layer, from, to, value). It takes the run's epoch when it is
    /// sent, so it lands between the same two epochs as a link's replay puts it.
    SetWeight(usize, usize, usize, f32),
    /// The contrast run's next slice, while it is behind.
    Contrast,
    /// The followed point through backpropagation.
    Explain,
    /// The chosen layer's Jacobian.
    Jacobian,
}

impl Default for NetState {
    fn default() -> Self {
        NetState {
            data: None,
            frame: None,
            frames: 0,
            curve: Vec::new(),
            histograms: Vec::new(),
            histogram_layer: 1,
            contrast: None,
            run: TrainingRun::new(NetLimits::MAX_EPOCHS, None),
            speed: 1,
            explain_point: None,
            explained: None,
            explain_due: false,
            stage: 0,
            edge: 0,
            jacobian_layer: 1,
            jacobian: None,
            jacobian_due: false,
            add_class: None,
            csv_problems: Vec::new(),
        }
    }
}

impl LabState for NetState {
    type Protocol = NetProtocol;

    /// Share writes the epoch (`at=` counts epochs in this lab).
    fn step(&self) -> usize {
        self.epoch()
    }

    fn on_restart(s: &mut NetSession) {
        s.lab.frame = None;
        s.lab.curve.clear();
        s.lab.histograms.clear();
        s.lab.contrast = None;
        s.lab.run = TrainingRun::new(NetLimits::MAX_EPOCHS, s.spec.at);
        s.lab.explained = None;
        s.lab.jacobian = None;
    }

    fn on_refused(s: &mut NetSession) {
        s.refused_ask();
    }

    fn on_reply(s: &mut NetSession, reply: NetReply) {
        match reply {
            NetReply::Started { data, frame } => {
                // A point of the old data set is followed in the new one if it exists.
                s.lab.explain_point = s.lab.explain_point.filter(|&p| p < data.train.len());
                s.lab.data = Some(data);
                s.lab.curve.clear();
                s.lab.histograms.clear();
                s.append(frame);
            }
            NetReply::Trained(mut frame) => {
                if let Some(contrast) = frame.contrast.take() {
                    ContrastRun::append(&mut s.lab.contrast, contrast);
                }
                s.append(frame)
            }
            NetReply::Contrasted(frame) => ContrastRun::append(&mut s.lab.contrast, frame),
            NetReply::Explained(backprop) => {
                s.lab.stage = s.lab.stage.min(stages(backprop.layers.len()) - 1);
                s.lab.explained = Some(backprop);
            }
            NetReply::Jacobian(jacobian) => s.lab.jacobian = Some(jacobian),
        }
    }
}

/// The walk-through's stages for a network of `layers` weight layers: the inputs, each layer
/// forward, the loss, each layer backward, the update.
pub fn stages(layers: usize) -> usize {
    2 * layers + 3
}

impl NetState {
    pub fn epoch(&self) -> usize {
        self.frame.as_ref().map_or(0, |f| f.epoch)
    }

    /// A weight set by hand now: it takes effect at the epoch the run has reached.
    pub fn weight_edit(&self, layer: usize, from: usize, to: usize, value: f32) -> WeightEdit {
        WeightEdit {
            epoch: self.epoch(),
            layer,
            from,
            to,
            value,
        }
    }

    /// The last epoch's losses.
    pub fn latest(&self) -> Option<EpochLoss> {
        self.curve.last().copied()
    }

    pub fn stopped(&self) -> Option<&str> {
        self.frame.as_ref().and_then(|f| f.stopped.as_deref())
    }
}

impl NetSession {
    pub fn for_link(spec: NetLab, notes: Vec<UrlNote>) -> NetSession {
        Session::new(spec, notes, NetState::default())
    }

    fn append(&mut self, mut frame: NetFrame) {
        let lab = &mut self.lab;
        // Only epochs after the last one shown (a repeated frame adds nothing).
        let last = lab.curve.last().map(|c| c.epoch);
        lab.curve.extend(
            std::mem::take(&mut frame.curve)
                .into_iter()
                .filter(|c| last.is_none_or(|l| c.epoch > l)),
        );
        let last = lab.histograms.last().map(|h| h.epoch);
        lab.histograms.extend(
            std::mem::take(&mut frame.histograms)
                .into_iter()
                .filter(|h| last.is_none_or(|l| h.epoch > l)),
        );
        let (epoch, stopped) = (frame.epoch, frame.stopped.clone());
        lab.frame = Some(frame);
        lab.frames += 1;
        lab.explain_due = lab.explain_point.is_some();
        lab.jacobian_due = true;
        lab.run.follow(epoch, NetLimits::MAX_EPOCHS, None, 0.0, stopped);
        self.progressed();
    }

    /// Is a walk-through due: a point chosen and the network changed, while not training on?
    /// (The walk-through covers networks without batch normalisation; the page says so.)
    fn explain_wanted(&self) -> bool {
        self.lab.explain_due
            && !self.playing
            && self.replaying().is_none()
            && !self.spec.batch_norm
    }

    /// Is the contrast run shown and behind this one (or not made yet)? It catches up first.
    fn contrast_behind(&self) -> bool {
        self.spec.contrast
            && self.lab.contrast.as_ref().is_none_or(|c| {
                c.epoch() < self.lab.epoch() && c.0.stopped.is_none()
            })
    }

    /// Is the contrast run shown and level with this one? It trains along.
    fn contrast_level(&self) -> bool {
        self.spec.contrast
            && self
                .lab
                .contrast
                .as_ref()
                .is_some_and(|c| c.epoch() == self.lab.epoch())
    }

    /// Is the Jacobian view out of date, while not training on?
    /// (Not for a network whose loss stopped being a number: its Jacobian would be too.)
    fn jacobian_wanted(&self) -> bool {
        self.lab.jacobian_due
            && !self.playing
            && self.replaying().is_none()
            && self.lab.stopped().is_none()
    }

    /// Shows another layer's Jacobian (asked for as soon as the engine is free).
    pub fn choose_jacobian_layer(&mut self, layer: usize) {
        self.lab.jacobian_layer = layer;
        self.lab.jacobian_due = true;
    }

    /// Follows a training point through the network (asked for as soon as the engine is free).
    pub fn explain(&mut self, point: usize) {
        self.lab.explain_point = Some(point);
        self.lab.explain_due = true;
        self.lab.jacobian_due = true;
    }

    /// Sets a weight by hand as soon as the engine is free.
    pub fn set_weight(&mut self, layer: usize, from: usize, to: usize, value: f32) {
        self.ask(NetAsk::SetWeight(layer, from, to, value));
    }

    /// Weights set by hand and not yet sent.
    pub fn unsent_weights(&self) -> usize {
        let asked = self.lab.run.asked().iter();
        asked.filter(|a| matches!(a, NetAsk::SetWeight(..))).count()
    }
}

impl Trains for NetState {
    type Ask = NetAsk;
    /// A request of so many steps per tick, and a Step button.
    const PACE: Pace = Pace::Tick;
    const STEP_KEY: bool = true;

    crate::labs::training::run_field!();

    fn ask_request(s: &mut NetSession, ask: &NetAsk) -> NetRequest {
        match *ask {
            NetAsk::SetWeight(layer, from, to, value) => {
                let edit = s.lab.weight_edit(layer, from, to, value);
                // The link gets it now: Share and the address bar carry it from here on.
                s.spec.edits.push(edit);
                NetRequest::SetWeight { edit }
            }
            NetAsk::Contrast => {
                let behind = s.lab.epoch() - s.lab.contrast.as_ref().map_or(0, ContrastRun::epoch);
                let epochs = behind.min(NetLimits::epochs_per_request(&s.spec, 1));
                NetRequest::Contrast { epochs }
            }
            NetAsk::Explain => NetRequest::Explain {
                point: s.lab.explain_point.unwrap_or(0),
            },
            NetAsk::Jacobian => {
                let layers = s.spec.hidden.len() + 1;
                let layer = s.lab.jacobian_layer.clamp(1, layers);
                let point = s.lab.explain_point.unwrap_or(0);
                NetRequest::Jacobian { layer, point }
            }
        }
    }

    /// A replay's next slice, the speed while playing, or one epoch; the contrast run trains
    /// along when it is level.
    fn train_request(s: &NetSession, slice: Slice) -> NetRequest {
        let contrast = s.contrast_level();
        // As many as the work bound lets one request train (the contrast run too, when level).
        let most = NetLimits::epochs_per_request(&s.spec, 1 + usize::from(contrast));
        let epochs = match slice {
            Slice::Replay { until } => (until - s.lab.epoch()).min(most),
            Slice::Play => s.lab.speed.min(most),
            Slice::One => 1,
        };
        NetRequest::Train { epochs, contrast }
    }

    /// The contrast run catches up first; a walk-through or a Jacobian out of date is asked
    /// for when training pauses.
    fn due(s: &NetSession) -> bool {
        s.contrast_behind() || s.explain_wanted() || s.jacobian_wanted()
    }

    fn queue_due(s: &mut NetSession) {
        if s.contrast_behind() {
            s.lab.run.ask(NetAsk::Contrast);
        }
        if s.explain_wanted() && s.lab.explain_point.is_some() {
            s.lab.explain_due = false;
            s.lab.run.ask(NetAsk::Explain);
        }
        if s.jacobian_wanted() {
            s.lab.jacobian_due = false;
            s.lab.run.ask(NetAsk::Jacobian);
        }
    }
}
#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
