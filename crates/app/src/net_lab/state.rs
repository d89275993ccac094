//! What the Network lab page knows beyond its run (`labs::session`): the data set, the network
//! as last reported (weights and every neuron's map), the loss after every epoch, and how the
//! student plays it. Replies are applied by one function, so the lab's behaviour is tested
//! natively.

use crate::labs::session::{LabState, Session};
use crate::labs::training::{Slice, Trains, TrainingRun};
use contract::link::UrlNote;
use contract::net::limits::NetLimits;
use contract::net::protocol::{
    Backprop, ContrastFrame, EpochHistograms, EpochLoss, JacobianView, NetData, NetFrame,
    NetProtocol, NetReply, NetRequest,
};
use contract::net::NetLab;

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

/// What the page has of the contrast run: its latest frame, with every epoch's losses and
/// histograms so far gathered in it.
#[derive(Clone, Debug, PartialEq)]
pub struct ContrastRun(pub ContrastFrame);

impl ContrastRun {
    pub fn epoch(&self) -> usize {
        self.0.epoch
    }

    fn append(this: &mut Option<ContrastRun>, frame: ContrastFrame) {
        let Some(ContrastRun(run)) = this else {
            *this = Some(ContrastRun(frame));
            return;
        };
        let last = run.curve.last().map(|c| c.epoch);
        run.curve
            .extend(frame.curve.into_iter().filter(|c| last.is_none_or(|l| c.epoch > l)));
        let last = run.histograms.last().map(|h| h.epoch);
        run.histograms
            .extend(frame.histograms.into_iter().filter(|h| last.is_none_or(|l| h.epoch > l)));
        run.epoch = frame.epoch;
        run.norms = frame.norms;
        run.stopped = frame.stopped;
    }
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

    crate::labs::training::run_field!();

    fn ask_request(s: &mut NetSession, ask: &NetAsk) -> NetRequest {
        match *ask {
            NetAsk::SetWeight(layer, from, to, value) => {
                let edit = contract::net::WeightEdit {
                    epoch: s.lab.epoch(),
                    layer,
                    from,
                    to,
                    value,
                };
                // The link gets it now: Share and the address bar carry it from here on.
                s.spec.edits.push(edit);
                NetRequest::SetWeight { edit }
            }
            NetAsk::Contrast => {
                let behind = s.lab.epoch() - s.lab.contrast.as_ref().map_or(0, ContrastRun::epoch);
                let epochs = behind.min(NetLimits::MAX_EPOCHS_PER_REQUEST);
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
        let epochs = match slice {
            Slice::Replay { until } => {
                (until - s.lab.epoch()).min(NetLimits::MAX_EPOCHS_PER_REQUEST)
            }
            Slice::Play => s.lab.speed,
            Slice::One => 1,
        };
        let contrast = s.contrast_level();
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
mod tests {
    use super::*;
    use contract::net::protocol::Map;
    use contract::{FromEngine, ToEngine};

    fn frame(epoch: usize, curve: &[usize]) -> NetFrame {
        NetFrame {
            epoch,
            step: epoch * 25,
            curve: curve
                .iter()
                .map(|&e| EpochLoss {
                    epoch: e,
                    train: 0.5 / (e + 1) as f32,
                    test: 0.6 / (e + 1) as f32,
                })
                .collect(),
            histograms: vec![],
            layers: vec![],
            hidden_maps: vec![],
            output_map: Map {
                side: 1,
                bytes: vec![127],
            },
            stopped: None,
            contrast: None,
        }
    }

    fn reply(run: u64, reply: NetReply) -> FromEngine {
        crate::labs::session::testing::reply::<NetProtocol>(run, &reply)
    }

    fn asked(request: ToEngine) -> usize {
        let contract::Ask::Request(body) = request.ask else {
            panic!("{request:?}")
        };
        let Ok(NetRequest::Train { epochs, .. }) = body.read() else {
            panic!("a train request")
        };
        epochs
    }

    fn data() -> NetData {
        NetData {
            regression: false,
            domain: 6.0,
            train: vec![],
            test: vec![],
        }
    }

    #[test]
    fn a_link_replays_in_slices_then_waits() {
        let spec = NetLab {
            at: Some(250),
            ..NetLab::default()
        };
        let mut s = NetSession::for_link(spec, vec![]);
        s.restart();
        assert!(!s.wants_request(), "nothing before the start is answered");
        s.apply(&reply(1, NetReply::Started { data: data(), frame: frame(0, &[0]) }));
        assert!(s.wants_request(), "a replay needs no play");
        assert_eq!(asked(s.take_request()), 100);
        s.apply(&reply(1, NetReply::Trained(frame(100, &[99, 100]))));
        s.apply(&reply(1, NetReply::Trained(frame(200, &[200]))));
        assert_eq!(s.replaying(), Some(250));
        assert_eq!(asked(s.take_request()), 50, "the rest, not past the link's epoch");
        s.apply(&reply(1, NetReply::Trained(frame(250, &[250]))));
        assert_eq!(s.replaying(), None);
        // Then only the Jacobian of the network reached, and nothing more.
        let contract::Ask::Request(body) = s.take_request().ask else {
            panic!("a request")
        };
        assert_eq!(body.read(), Ok(NetRequest::Jacobian { layer: 1, point: 0 }));
        s.waiting = false;
        assert!(!s.wants_request());
        let epochs: Vec<usize> = s.lab.curve.iter().map(|c| c.epoch).collect();
        assert_eq!(epochs, [0, 99, 100, 200, 250]);
        assert_eq!(s.lab.step(), 250);
    }

    #[test]
    fn a_chosen_point_is_explained_when_the_engine_is_free_and_not_while_playing() {
        let mut s = NetSession::for_link(NetLab::default(), vec![]);
        s.restart();
        s.apply(&reply(1, NetReply::Started { data: data(), frame: frame(0, &[0]) }));
        // The first layer's Jacobian at the first point comes with the network.
        let contract::Ask::Request(body) = s.take_request().ask else {
            panic!("a request")
        };
        assert_eq!(body.read(), Ok(NetRequest::Jacobian { layer: 1, point: 0 }));
        s.waiting = false;
        assert!(!s.wants_request());
        s.explain(3);
        assert!(s.wants_request());
        let contract::Ask::Request(body) = s.take_request().ask else {
            panic!("a request")
        };
        assert_eq!(body.read(), Ok(NetRequest::Explain { point: 3 }));
        assert!(!s.wants_request(), "one at a time");
        s.waiting = false;
        let contract::Ask::Request(body) = s.take_request().ask else {
            panic!("a request")
        };
        assert_eq!(body.read(), Ok(NetRequest::Jacobian { layer: 1, point: 3 }));
        s.waiting = false;
        // While playing, training goes first and the walk-through waits.
        s.playing = true;
        s.apply(&reply(1, NetReply::Trained(frame(1, &[1]))));
        assert!(s.lab.explain_due);
        assert_eq!(asked(s.take_request()), 1);
        s.playing = false;
        s.waiting = false;
        let contract::Ask::Request(body) = s.take_request().ask else {
            panic!("a request")
        };
        assert_eq!(body.read(), Ok(NetRequest::Explain { point: 3 }));
    }

    #[test]
    fn a_weight_set_by_hand_takes_the_epoch_it_is_sent_at_and_enters_the_link() {
        let mut s = NetSession::for_link(NetLab::default(), vec![]);
        s.restart();
        s.apply(&reply(1, NetReply::Started { data: data(), frame: frame(0, &[0]) }));
        s.playing = true;
        let _ = s.take_request(); // one epoch in flight
        s.set_weight(1, 0, 2, 0.5);
        assert!(!s.wants_request(), "not while an answer is awaited");
        s.apply(&reply(1, NetReply::Trained(frame(1, &[1]))));
        let contract::Ask::Request(body) = s.take_request().ask else {
            panic!("a request")
        };
        let edit = contract::net::WeightEdit { epoch: 1, layer: 1, from: 0, to: 2, value: 0.5 };
        assert_eq!(body.read(), Ok(NetRequest::SetWeight { edit }));
        assert_eq!(s.spec.edits, vec![edit]);
        s.set_weight(1, 1, 1, 1.0);
        s.restart();
        assert_eq!(s.unsent_weights(), 0, "a new run sends no old edit");
    }

    #[test]
    fn a_stopped_run_stops_playing_and_asks_nothing() {
        let mut s = NetSession::for_link(NetLab::default(), vec![]);
        s.restart();
        s.apply(&reply(1, NetReply::Started { data: data(), frame: frame(0, &[0]) }));
        s.playing = true;
        assert!(s.wants_request());
        let mut stopped = frame(3, &[1, 2, 3]);
        stopped.stopped = Some("the loss became NaN".into());
        let _ = s.take_request();
        s.apply(&reply(1, NetReply::Trained(stopped)));
        assert!(!s.playing && !s.wants_request());
        assert_eq!(s.lab.stopped(), Some("the loss became NaN"));
    }

    fn contrast(epoch: usize, curve: &[usize]) -> ContrastFrame {
        ContrastFrame {
            batch_norm: true,
            epoch,
            curve: frame(epoch, curve).curve,
            histograms: curve.iter().map(|&epoch| EpochHistograms { epoch, layers: vec![] }).collect(),
            norms: vec![],
            stopped: None,
        }
    }

    fn read(request: ToEngine) -> NetRequest {
        crate::labs::session::testing::read::<NetProtocol>(request)
    }

    #[test]
    fn the_contrast_run_catches_up_in_slices_then_trains_along() {
        let mut s = NetSession::for_link(NetLab::default(), vec![]);
        s.restart();
        s.apply(&reply(1, NetReply::Started { data: data(), frame: frame(0, &[0]) }));
        s.lab.jacobian_due = false;
        s.playing = true;
        assert_eq!(read(s.take_request()), NetRequest::Train { epochs: 1, contrast: false });
        s.apply(&reply(1, NetReply::Trained(frame(150, &[150]))));
        // Shown from epoch 150: made and brought level first, a slice at a time.
        s.spec.contrast = true;
        assert_eq!(read(s.take_request()), NetRequest::Contrast { epochs: 100 });
        s.apply(&reply(1, NetReply::Contrasted(contrast(100, &[0, 50, 100]))));
        assert_eq!(read(s.take_request()), NetRequest::Contrast { epochs: 50 });
        s.apply(&reply(1, NetReply::Contrasted(contrast(150, &[150]))));
        // Level: each training request takes it along.
        assert_eq!(read(s.take_request()), NetRequest::Train { epochs: 1, contrast: true });
        let mut next = frame(151, &[151]);
        next.contrast = Some(contrast(151, &[151]));
        s.apply(&reply(1, NetReply::Trained(next)));
        let run = s.lab.contrast.as_ref().expect("the contrast run");
        let epochs: Vec<usize> = run.0.histograms.iter().map(|h| h.epoch).collect();
        assert_eq!((run.epoch(), epochs), (151, vec![0, 50, 100, 150, 151]));
        assert!(s.lab.frame.as_ref().is_some_and(|f| f.contrast.is_none()), "moved out of the frame");
        // Hidden: training goes on alone; a new run forgets it.
        s.spec.contrast = false;
        assert_eq!(read(s.take_request()), NetRequest::Train { epochs: 1, contrast: false });
        s.restart();
        assert_eq!(s.lab.contrast, None);
    }
}
