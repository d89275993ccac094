//! The Network lab's state, tested natively: replies applied and requests taken, as the page's
//! play loop sees them.

use super::*;
use contract::net::protocol::ContrastFrame;
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
