//! The optimizer lab's limits (the training settings' own are `limits::TrainingLimits`).

use super::{OptimError, OptimLab};
use crate::limits::{check_at, check_float, check_range, TrainingLimits};

pub struct OptimLimits;

impl OptimLimits {
    /// Paths raced at once (one per optimizer).
    pub const MAX_RUNS: usize = 8;
    /// Replay target and schedule length.
    pub const MAX_STEPS: usize = 100_000;
    /// |x|, |y| of a start point.
    pub const MAX_COORD: f32 = 1000.0;
    /// Regression data set size.
    pub const POINTS: (usize, usize) = (2, 1000);
    /// Steps one step request may ask for (the play loop asks for a few at a time; a replay
    /// for as many as a reply may carry).
    pub const MAX_STEPS_PER_REQUEST: usize = 1000;
    /// Path points (steps × optimizers) one reply carries at most: with the contour grid, a
    /// reply stays under [`OptimLimits::REPLY_BYTES`].
    pub const MAX_POINTS_PER_REPLY: usize = 4000;
    /// The byte budget of one reply's JSON (tested on the largest replies).
    pub const REPLY_BYTES: usize = 256 * 1024;
    /// Contour grid resolution sent with a started race.
    pub const CONTOUR_COLUMNS: usize = 120;
    pub const CONTOUR_ROWS: usize = 90;

    /// Steps one request may ask for when `runs` optimizers race.
    pub fn steps_per_request(runs: usize) -> usize {
        (Self::MAX_POINTS_PER_REPLY / runs.max(1)).clamp(1, Self::MAX_STEPS_PER_REQUEST)
    }

    pub fn check(spec: &OptimLab) -> Result<(), OptimError> {
        if spec.runs.is_empty() {
            return Err(OptimError::NoOptimizer);
        }
        check_range("number of optimizers", spec.runs.len(), 1, Self::MAX_RUNS)?;
        for (i, run) in spec.runs.iter().enumerate() {
            if spec.runs[..i].iter().any(|r| r.optimizer == run.optimizer) {
                return Err(OptimError::ListedTwice(run.optimizer));
            }
            TrainingLimits::check_run(run)?;
        }
        if let Some((x, y)) = spec.start {
            check_float("start x", x, -Self::MAX_COORD, Self::MAX_COORD)?;
            check_float("start y", y, -Self::MAX_COORD, Self::MAX_COORD)?;
        }
        TrainingLimits::check_schedule(&spec.schedule, Self::MAX_STEPS)?;
        check_range("points", spec.points, Self::POINTS.0, Self::POINTS.1)?;
        check_range("batch", spec.batch, 1, spec.points)?;
        check_at(spec.at, Self::MAX_STEPS)?;
        Ok(())
    }
}
