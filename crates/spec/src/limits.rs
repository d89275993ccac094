//! Named limits. Every request that crosses into the engine is checked against these, and the
//! message for a violation names the field, the value and the limit.

/// Matrix sizes the Engine panel offers for its measurement (N for an N×N·N×N product).
pub const MATMUL_BENCH_SIZES: [usize; 5] = [128, 256, 384, 512, 1024];

/// Smallest N the matrix-product measurement accepts: below it a product takes less time than
/// a timer tick and the figure would be noise.
pub const MATMUL_BENCH_MIN_N: usize = 16;

/// Largest N the matrix-product measurement accepts: 3 N² f32 values (A, B, C) plus a second C
/// for the determinism check stay under 70 MiB, and one product under a few seconds.
pub const MATMUL_BENCH_MAX_N: usize = 2048;

/// A limit that a request exceeded, with what the user asked for.
pub fn check_range(field: &str, value: usize, min: usize, max: usize) -> Result<(), String> {
    if value < min {
        Err(format!("{field} = {value} is below the minimum of {min}"))
    } else if value > max {
        Err(format!("{field} = {value} exceeds the limit of {max}"))
    } else {
        Ok(())
    }
}

/// The optimizer lab's limits.
pub struct OptimLimits;

impl OptimLimits {
    /// Paths raced at once (one per optimizer).
    pub const MAX_RUNS: usize = 8;
    /// Replay target and schedule length.
    pub const MAX_STEPS: usize = 100_000;
    /// η range.
    pub const LR: (f32, f32) = (1e-6, 10.0);
    /// α, β₁, β₂ must lie in [0, 1).
    pub const MOMENT: (f32, f32) = (0.0, 0.9999);
    /// δ range.
    pub const DELTA: (f32, f32) = (1e-12, 1.0);
    /// |x|, |y| of a start point.
    pub const MAX_COORD: f32 = 1000.0;
    /// Regression data set size.
    pub const POINTS: (usize, usize) = (2, 1000);
    /// ε_T / ε_0 of the linear decay.
    pub const FINAL_RATIO: (f32, f32) = (0.0, 1.0);

    /// One optimizer's hyper-parameters.
    pub fn check_run(run: &crate::experiment::Run) -> Result<(), String> {
        let name = run.optimizer.slug();
        check_float(&format!("{name}.lr"), run.lr, Self::LR.0, Self::LR.1)?;
        check_float(
            &format!("{name}.alpha"),
            run.alpha,
            Self::MOMENT.0,
            Self::MOMENT.1,
        )?;
        check_float(
            &format!("{name}.beta1"),
            run.beta1,
            Self::MOMENT.0,
            Self::MOMENT.1,
        )?;
        check_float(
            &format!("{name}.beta2"),
            run.beta2,
            Self::MOMENT.0,
            Self::MOMENT.1,
        )?;
        check_float(
            &format!("{name}.delta"),
            run.delta,
            Self::DELTA.0,
            Self::DELTA.1,
        )
    }

    pub fn check_schedule(schedule: &crate::experiment::LrSchedule) -> Result<(), String> {
        if let crate::experiment::LrSchedule::LinearDecay { final_ratio, steps } = *schedule {
            check_float(
                "decay final ratio",
                final_ratio,
                Self::FINAL_RATIO.0,
                Self::FINAL_RATIO.1,
            )?;
            check_range("decay steps", steps, 1, Self::MAX_STEPS)?;
        }
        Ok(())
    }

    pub fn check(spec: &crate::experiment::OptimLab) -> Result<(), String> {
        if spec.runs.is_empty() {
            return Err("opt: choose at least one optimizer".into());
        }
        check_range("number of optimizers", spec.runs.len(), 1, Self::MAX_RUNS)?;
        for (i, run) in spec.runs.iter().enumerate() {
            if spec.runs[..i].iter().any(|r| r.optimizer == run.optimizer) {
                return Err(format!("opt: {} is listed twice", run.optimizer.slug()));
            }
            Self::check_run(run)?;
        }
        if let Some((x, y)) = spec.start {
            check_float("start x", x, -Self::MAX_COORD, Self::MAX_COORD)?;
            check_float("start y", y, -Self::MAX_COORD, Self::MAX_COORD)?;
        }
        if let crate::experiment::LrSchedule::LinearDecay { final_ratio, steps } = spec.schedule {
            check_float(
                "decay final ratio",
                final_ratio,
                Self::FINAL_RATIO.0,
                Self::FINAL_RATIO.1,
            )?;
            check_range("decay steps", steps, 1, Self::MAX_STEPS)?;
        }
        check_range("points", spec.points, Self::POINTS.0, Self::POINTS.1)?;
        check_range("batch", spec.batch, 1, spec.points)?;
        if let Some(at) = spec.at {
            check_range("at", at, 0, Self::MAX_STEPS)?;
        }
        Ok(())
    }
}

/// A float limit: NaN and infinities never pass.
pub fn check_float(field: &str, value: f32, min: f32, max: f32) -> Result<(), String> {
    if !value.is_finite() {
        Err(format!("{field} = {value} is not a finite number"))
    } else if value < min {
        Err(format!("{field} = {value} is below the minimum of {min}"))
    } else if value > max {
        Err(format!("{field} = {value} exceeds the limit of {max}"))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offered_sizes_are_within_limits() {
        for n in MATMUL_BENCH_SIZES {
            assert!(check_range("n", n, MATMUL_BENCH_MIN_N, MATMUL_BENCH_MAX_N).is_ok());
        }
    }

    #[test]
    fn violation_names_field_value_and_limit() {
        let err = check_range("n", 5000, 16, 2048).unwrap_err();
        assert_eq!(err, "n = 5000 exceeds the limit of 2048");
        let err = check_range("n", 3, 16, 2048).unwrap_err();
        assert_eq!(err, "n = 3 is below the minimum of 16");
    }
}
