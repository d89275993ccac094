//! What the optimizer lab page knows beyond its run (`labs::session`): the loss surface and
//! every path so far, and how the student plays it. Replies are applied by one function, so
//! the lab's behaviour is tested natively.

use crate::labs::session::{LabState, Session};
use crate::labs::Pace;
use std::time::Duration;
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
    /// A request of so many steps per tick, and a Step button.
    const PACE: Pace = Pace::Tick;
    const TICK: Duration = Duration::from_millis(40);
    const STEP_KEY: bool = true;

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
#[path = "state_tests.rs"]
mod tests;
