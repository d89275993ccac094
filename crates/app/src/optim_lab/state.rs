//! What the optimizer lab page knows, as a plain type: the experiment (also in the URL), what
//! the URL could not use, the loss surface, and every path so far. Engine messages are applied
//! by one function, so the lab's behaviour is tested natively.

use spec::experiment::{OptimLab, OptimizerName};
use spec::messages::{ContourGrid, Lab, OptimFrame};
use spec::url::UrlNote;
use spec::FromEngine;

/// One optimizer's path as drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct Path {
    pub optimizer: OptimizerName,
    pub points: Vec<(f32, f32)>,
    pub losses: Vec<Option<f32>>,
    pub lr: f32,
    pub diverged: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LabState {
    pub spec: OptimLab,
    /// Parts of the opening URL that were not used, and why.
    pub notes: Vec<UrlNote>,
    pub contour: Option<ContourGrid>,
    pub paths: Vec<Path>,
    pub step: usize,
    pub playing: bool,
    /// A request is with the engine; the play loop waits for its answer.
    pub waiting: bool,
    /// Steps asked for per request while playing.
    pub speed: usize,
    /// Single steps asked for (Step button, →) not yet sent: sent as soon as the engine is free.
    pub queued: usize,
    /// Draw −∇L arrows on the plot (a view choice, not part of the experiment).
    pub show_arrows: bool,
    /// The engine worker stopped: the page offers to restart it.
    pub engine_failed: bool,
    /// The number of the current race: frames of older races (in flight during a restart)
    /// are dropped.
    pub race: u64,
    pub error: Option<String>,
}

impl LabState {
    pub fn new(spec: OptimLab, notes: Vec<UrlNote>) -> Self {
        LabState {
            spec,
            notes,
            contour: None,
            paths: Vec::new(),
            step: 0,
            playing: false,
            waiting: false,
            speed: 5,
            queued: 0,
            show_arrows: false,
            engine_failed: false,
            race: 0,
            error: None,
        }
    }

    /// A (re)start was sent: everything drawn so far belongs to the old race.
    pub fn restarting(&mut self) {
        self.race += 1;
        self.paths.clear();
        self.step = 0;
        self.queued = 0;
        self.waiting = true;
        self.error = None;
    }

    pub fn apply(&mut self, message: FromEngine) {
        match message {
            FromEngine::OptimStarted { frame, .. } | FromEngine::OptimFrame(frame)
                if frame.race != self.race =>
            {
                // A frame of an earlier race, answered before the restart reached the engine:
                // the request that is waiting now is the new start.
            }
            FromEngine::OptimStarted { contour, frame } => {
                self.contour = Some(contour);
                self.paths.clear();
                self.append(frame);
                self.waiting = false;
            }
            FromEngine::OptimFrame(frame) => {
                self.append(frame);
                self.waiting = false;
            }
            FromEngine::LabError {
                lab: Lab::Optim,
                message,
            } if self.waiting => {
                self.error = Some(message);
                self.waiting = false;
                self.playing = false;
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

    fn append(&mut self, frame: OptimFrame) {
        self.step = frame.step;
        for run in frame.runs {
            match self.paths.iter_mut().find(|p| p.optimizer == run.optimizer) {
                // Only a frame that continues the path is appended (a stale one is dropped).
                Some(p) if p.points.len() == run.from => {
                    p.points.extend(run.points);
                    p.losses.extend(run.losses);
                    p.lr = run.lr;
                    p.diverged = run.diverged;
                }
                Some(_) => {}
                None if run.from == 0 => self.paths.push(Path {
                    optimizer: run.optimizer,
                    points: run.points,
                    losses: run.losses,
                    lr: run.lr,
                    diverged: run.diverged,
                }),
                None => {}
            }
        }
        if !self.paths.is_empty() && self.paths.iter().all(|p| p.diverged.is_some()) {
            self.playing = false;
        }
    }

    /// Should the play loop ask for more steps now?
    pub fn wants_steps(&self) -> bool {
        (self.playing || self.queued > 0)
            && !self.waiting
            && !self.engine_failed
            && self.contour.is_some()
    }

    /// Marks a request as sent and says how many steps it asks for: the speed while playing,
    /// else one queued single step.
    pub fn take_request(&mut self) -> usize {
        self.waiting = true;
        if self.playing {
            self.speed
        } else {
            self.queued = self.queued.saturating_sub(1);
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spec::messages::RunFrame;

    fn frame(step: usize, from: usize, points: Vec<(f32, f32)>) -> OptimFrame {
        let losses = points.iter().map(|p| Some(p.0)).collect();
        OptimFrame {
            race: 1,
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

    #[test]
    fn frames_extend_paths_and_stale_ones_are_dropped() {
        let mut s = LabState::new(OptimLab::default(), vec![]);
        s.restarting();
        assert!(s.waiting);
        s.apply(FromEngine::OptimStarted {
            contour: grid(),
            frame: frame(1, 0, vec![(0.0, 0.0), (1.0, 1.0)]),
        });
        assert!(!s.waiting && s.paths[0].points.len() == 2);
        s.apply(FromEngine::OptimFrame(frame(2, 2, vec![(2.0, 2.0)])));
        assert_eq!(s.paths[0].points.len(), 3);
        s.apply(FromEngine::OptimFrame(frame(2, 2, vec![(9.0, 9.0)])));
        assert_eq!(
            s.paths[0].points.len(),
            3,
            "a repeated frame is not appended twice"
        );
        assert_eq!(s.step, 2);
    }

    #[test]
    fn playing_asks_for_steps_one_request_at_a_time_and_stops_on_error() {
        let mut s = LabState::new(OptimLab::default(), vec![]);
        s.restarting();
        s.playing = true;
        assert!(!s.wants_steps(), "not before the surface arrives");
        s.apply(FromEngine::OptimStarted {
            contour: grid(),
            frame: frame(0, 0, vec![(0.0, 0.0)]),
        });
        assert!(s.wants_steps());
        s.waiting = true;
        assert!(!s.wants_steps());
        s.apply(FromEngine::LabError {
            lab: Lab::Optim,
            message: "the race has reached the limit".into(),
        });
        assert!(!s.playing && s.error.is_some());
    }

    #[test]
    fn single_steps_wait_for_a_free_engine_instead_of_being_lost() {
        let mut s = LabState::new(OptimLab::default(), vec![]);
        s.restarting();
        s.queued += 1; // Step pressed while the race restarts
        assert!(!s.wants_steps());
        s.apply(FromEngine::OptimStarted {
            contour: grid(),
            frame: frame(0, 0, vec![(0.0, 0.0)]),
        });
        assert!(s.wants_steps());
        assert_eq!(s.take_request(), 1);
        assert_eq!(s.queued, 0);
        assert!(!s.wants_steps(), "one request in flight at a time");
    }

    #[test]
    fn a_frame_of_an_earlier_race_neither_lands_nor_frees_the_engine() {
        let mut s = LabState::new(OptimLab::default(), vec![]);
        s.restarting(); // race 1
        s.apply(FromEngine::OptimStarted {
            contour: grid(),
            frame: frame(0, 0, vec![(0.0, 0.0)]),
        });
        s.waiting = true; // a step request of race 1 is in flight…
        s.restarting(); // …when the student restarts: race 2
        s.apply(FromEngine::OptimFrame(frame(1, 1, vec![(5.0, 5.0)])));
        assert!(s.waiting, "the new start is still outstanding");
        assert!(
            s.paths.is_empty() && s.step == 0,
            "nothing of race 1 is drawn"
        );
        let mut fresh = frame(0, 0, vec![(1.0, 1.0)]);
        fresh.race = 2;
        s.apply(FromEngine::OptimStarted {
            contour: grid(),
            frame: fresh,
        });
        assert!(!s.waiting && s.paths[0].points == vec![(1.0, 1.0)]);
    }
}
