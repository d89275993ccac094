//! The one format of a violated limit, and the limits every lab shares (the training settings,
//! the Engine panel's measurement). Each lab's own limits are named constants in its folder
//! (`optim::limits`, `cnn::limits`), checked with these functions, so every violation message
//! names the field, the value and the limit the same way.

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

/// The training settings' limits, the same in every lab.
pub struct TrainingLimits;

impl TrainingLimits {
    /// η range.
    pub const LR: (f32, f32) = (1e-6, 10.0);
    /// α, β₁, β₂ must lie in [0, 1).
    pub const MOMENT: (f32, f32) = (0.0, 0.9999);
    /// δ range.
    pub const DELTA: (f32, f32) = (1e-12, 1.0);
    /// ε_T / ε_0 of the linear decay.
    pub const FINAL_RATIO: (f32, f32) = (0.0, 1.0);

    /// One optimizer's hyper-parameters.
    pub fn check_run(run: &crate::training::Run) -> Result<(), String> {
        let name = run.optimizer.slug();
        check_float(&format!("{name}.lr"), run.lr, Self::LR.0, Self::LR.1)?;
        for (knob, value) in [
            ("alpha", run.alpha),
            ("beta1", run.beta1),
            ("beta2", run.beta2),
        ] {
            check_float(
                &format!("{name}.{knob}"),
                value,
                Self::MOMENT.0,
                Self::MOMENT.1,
            )?;
        }
        check_float(
            &format!("{name}.delta"),
            run.delta,
            Self::DELTA.0,
            Self::DELTA.1,
        )
    }

    /// A schedule whose decay lasts at most `max_steps` (the lab's longest run).
    pub fn check_schedule(
        schedule: &crate::training::LrSchedule,
        max_steps: usize,
    ) -> Result<(), String> {
        if let crate::training::LrSchedule::LinearDecay { final_ratio, steps } = *schedule {
            check_float(
                "decay final ratio",
                final_ratio,
                Self::FINAL_RATIO.0,
                Self::FINAL_RATIO.1,
            )?;
            check_range("decay steps", steps, 1, max_steps)?;
        }
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
