//! The Optimizer lab's state, tested natively: replies applied and requests taken, as the page's
//! play loop sees them.

use super::*;
use contract::optim::protocol::RunFrame;
use contract::{FromEngine, ToEngine};

fn frame(step: usize, from: usize, points: Vec<(f32, f32)>) -> OptimFrame {
    let losses = points.iter().map(|p| Some(p.0)).collect();
    OptimFrame {
        step,
        runs: vec![RunFrame {
            optimizer: OptimizerName::Adam,
            from,
            points,
            losses,
            lr: 0.1,
            diverged: None,
        }],
    }
}

fn grid() -> ContourGrid {
    ContourGrid {
        x_range: (0.0, 1.0),
        y_range: (0.0, 1.0),
        columns: 2,
        rows: 2,
        values: vec![0.0; 4],
        minima: vec![],
        arrow_columns: 0,
        arrow_rows: 0,
        gradients: vec![],
    }
}

fn reply(run: u64, reply: OptimReply) -> FromEngine {
    crate::labs::session::testing::reply::<OptimProtocol>(run, &reply)
}

fn started(run: u64, frame: OptimFrame) -> FromEngine {
    reply(
        run,
        OptimReply::Started {
            contour: grid(),
            frame,
        },
    )
}

fn session() -> OptimSession {
    OptimSession::for_link(OptimLab::default(), vec![])
}

#[test]
fn frames_extend_paths_and_stale_ones_are_dropped() {
    let mut s = session();
    s.restart();
    assert!(s.waiting);
    s.apply(&started(1, frame(1, 0, vec![(0.0, 0.0), (1.0, 1.0)])));
    assert!(!s.waiting && s.lab.paths[0].points.len() == 2);
    s.apply(&reply(1, OptimReply::Frame(frame(2, 2, vec![(2.0, 2.0)]))));
    assert_eq!(s.lab.paths[0].points.len(), 3);
    s.apply(&reply(1, OptimReply::Frame(frame(2, 2, vec![(9.0, 9.0)]))));
    assert_eq!(
        s.lab.paths[0].points.len(),
        3,
        "a repeated frame is not appended twice"
    );
    assert_eq!(s.lab.run.step, 2);
}

#[test]
fn playing_asks_for_steps_one_request_at_a_time_and_stops_on_error() {
    let mut s = session();
    s.restart();
    s.playing = true;
    assert!(!s.wants_request(), "not before the surface arrives");
    s.apply(&started(1, frame(0, 0, vec![(0.0, 0.0)])));
    assert!(s.wants_request());
    s.waiting = true;
    assert!(!s.wants_request());
    s.apply(&FromEngine::Error {
        from: "optim".into(),
        run: 1,
        message: "the race has reached the limit".into(),
    });
    assert!(!s.playing && s.error.is_some());
}

#[test]
fn single_steps_wait_for_a_free_engine_instead_of_being_lost() {
    let mut s = session();
    s.restart();
    s.step_once(); // Step pressed while the race restarts
    assert!(!s.wants_request());
    s.apply(&started(1, frame(0, 0, vec![(0.0, 0.0)])));
    assert!(s.wants_request());
    let request = s.take_request();
    let contract::Ask::Request(body) = request.ask else {
        panic!("{request:?}")
    };
    assert_eq!(body.read(), Ok(OptimRequest::Step { steps: 1 }));
    assert_eq!(s.lab.run.singles, 0);
    assert!(!s.wants_request(), "one request in flight at a time");
}

fn asked_steps(request: ToEngine) -> usize {
    let contract::Ask::Request(body) = request.ask else {
        panic!("{request:?}")
    };
    let Ok(OptimRequest::Step { steps }) = body.read() else {
        panic!("not a step request")
    };
    steps
}

#[test]
fn a_link_replays_in_slices_a_reply_can_carry_then_waits() {
    let spec = OptimLab {
        at: Some(2500),
        ..OptimLab::default()
    };
    let mut s = OptimSession::for_link(spec, vec![]);
    s.restart();
    s.spec.at = None; // as labs::restart does once the start is sent
    assert!(!s.wants_request(), "not before the start is answered");
    s.apply(&started(1, frame(0, 0, vec![(0.0, 0.0)])));
    assert_eq!(s.replaying(), Some(2500));
    assert!(s.wants_request(), "a replay needs no play");
    assert_eq!(asked_steps(s.take_request()), 1000);
    let points = |n: usize| (0..n).map(|i| (i as f32, 0.0)).collect::<Vec<_>>();
    s.apply(&reply(1, OptimReply::Frame(frame(1000, 1, points(1000)))));
    assert_eq!(asked_steps(s.take_request()), 1000);
    s.apply(&reply(1, OptimReply::Frame(frame(2000, 1001, points(1000)))));
    assert_eq!(asked_steps(s.take_request()), 500, "the rest, not past the link's step");
    s.apply(&reply(1, OptimReply::Frame(frame(2500, 2001, points(500)))));
    assert_eq!((s.replaying(), s.wants_request()), (None, false));
    assert_eq!(s.lab.paths[0].points.len(), 2501);
}

#[test]
fn a_frame_of_an_earlier_race_neither_lands_nor_frees_the_engine() {
    let mut s = session();
    s.restart(); // race 1
    s.apply(&started(1, frame(0, 0, vec![(0.0, 0.0)])));
    s.waiting = true; // a step request of race 1 is in flight…
    s.restart(); // …when the student restarts: race 2
    s.apply(&reply(1, OptimReply::Frame(frame(1, 1, vec![(5.0, 5.0)]))));
    assert!(s.waiting, "the new start is still outstanding");
    assert!(
        s.lab.paths.is_empty() && s.lab.run.step == 0,
        "nothing of race 1 is drawn"
    );
    s.apply(&started(2, frame(0, 0, vec![(1.0, 1.0)])));
    assert!(!s.waiting && s.lab.paths[0].points == vec![(1.0, 1.0)]);
}
