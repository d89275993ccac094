//! What the optimizer lab page knows beyond its run (`labs::session`): the loss surface and
//! every path so far, and how the student plays it. Replies are applied by one function, so
//! the lab's behaviour is tested natively.

use crate::labs::session::{LabState, Session};
use crate::labs::training::{Slice, Trains, TrainingRun};
use contract::link::UrlNote;
use contract::optim::protocol::{ContourGrid, OptimFrame, OptimProtocol, OptimReply, OptimRequest};
use contract::optim::limits::OptimLimits;
use contract::optim::OptimLab;
use contract::training::OptimizerName;

/// One optimizer's path as drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct Path {
    pub optimizer: OptimizerName,
    pub points: Vec<(f32, f32)>,
    pub losses: Vec<Option<f32>>,
    pub lr: f32,
    pub diverged: Option<String>,
}

/// The optimizer page's session: the run (generic) and the lab's own data.
pub type OptimSession = Session<OptimState>;

/// The race asks nothing ahead of its steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoAsk {}

#[derive(Clone, Debug, PartialEq)]
pub struct OptimState {
    /// The race's step, a link's replay, single steps asked for (Step button, →).
    pub run: TrainingRun<NoAsk>,
    pub contour: Option<ContourGrid>,
    pub paths: Vec<Path>,
    /// Steps asked for per request while playing.
    pub speed: usize,
    /// Draw −∇L arrows on the plot (a view choice, not part of the experiment).
    pub show_arrows: bool,
}

impl Default for OptimState {
    fn default() -> Self {
        OptimState {
            run: TrainingRun::new(OptimLimits::MAX_STEPS, None),
            contour: None,
            paths: Vec::new(),
            speed: 5,
            show_arrows: false,
        }
    }
}

impl LabState for OptimState {
    type Protocol = OptimProtocol;

    fn step(&self) -> usize {
        self.run.step
    }

    fn on_restart(s: &mut OptimSession) {
        s.lab.paths.clear();
        // The start builds the race at step 0; the play loop takes it to the link's step.
        s.lab.run = TrainingRun::new(OptimLimits::MAX_STEPS, s.spec.at);
    }

    fn on_refused(s: &mut OptimSession) {
        s.refused_ask();
    }

    fn on_reply(s: &mut OptimSession, reply: OptimReply) {
        match reply {
            OptimReply::Started { contour, frame } => {
                s.lab.contour = Some(contour);
                s.lab.paths.clear();
                s.append(frame);
            }
            OptimReply::Frame(frame) => s.append(frame),
        }
    }
}

impl OptimSession {
    pub fn for_link(spec: OptimLab, notes: Vec<UrlNote>) -> OptimSession {
        Session::new(spec, notes, OptimState::default())
    }

    fn append(&mut self, frame: OptimFrame) {
        let lab = &mut self.lab;
        for run in frame.runs {
            match lab.paths.iter_mut().find(|p| p.optimizer == run.optimizer) {
                // Only a frame that continues the path is appended (a stale one is dropped).
                Some(p) if p.points.len() == run.from => {
                    p.points.extend(run.points);
                    p.losses.extend(run.losses);
                    p.lr = run.lr;
                    p.diverged = run.diverged;
                }
                Some(_) => {}
                None if run.from == 0 => lab.paths.push(Path {
                    optimizer: run.optimizer,
                    points: run.points,
                    losses: run.losses,
                    lr: run.lr,
                    diverged: run.diverged,
                }),
                None => {}
            }
        }
        // The race is over when every path has diverged.
        let all_diverged = !lab.paths.is_empty() && lab.paths.iter().all(|p| p.diverged.is_some());
        let stopped = all_diverged.then(|| "every optimizer diverged".to_string());
        lab.run.follow(frame.step, OptimLimits::MAX_STEPS, None, 0.0, stopped);
        self.progressed();
    }
}

impl Trains for OptimState {
    type Ask = NoAsk;

    crate::labs::training::run_field!();

    fn ask_request(_: &mut OptimSession, ask: &NoAsk) -> OptimRequest {
        match *ask {}
    }

    /// A replay's next slice (as many steps as a reply may carry), the speed while playing,
    /// or one step.
    fn train_request(s: &OptimSession, slice: Slice) -> OptimRequest {
        let steps = match slice {
            Slice::Replay { until } => (until - s.lab.run.step)
                .min(OptimLimits::steps_per_request(s.spec.runs.len())),
            Slice::Play => s.lab.speed,
            Slice::One => 1,
        };
        OptimRequest::Step { steps }
    }

}

#[cfg(test)]
mod tests {
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
}
