//! The CNN lab's state, tested natively: replies applied and requests taken, as the page's
//! play loop sees them.

use super::*;
use contract::training::TrainFor;
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
        Some(CnnRequest::Train(TrainFor { until: None, .. }))
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
        Some(CnnRequest::Train(TrainFor { until: Some(125), .. }))
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
        Some(CnnRequest::Train(TrainFor { until: None, .. }))
    ));
}
