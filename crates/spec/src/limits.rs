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

/// The CNN lab's limits: what one browser tab trains in seconds to minutes without running out
/// of memory (the wasm memory is capped at 4 GiB, and the page shares it with the pool).
pub struct CnnLimits;

impl CnnLimits {
    pub const MAX_LAYERS: usize = 16;
    pub const MAX_CHANNELS: usize = 64;
    pub const MAX_KERNEL: usize = 11;
    pub const MAX_STRIDE: usize = 4;
    pub const MAX_PADDING: usize = 10;
    pub const MAX_DILATION: usize = 4;
    pub const MAX_POOL: usize = 8;
    pub const MAX_UNITS: usize = 1024;
    pub const BATCH: (usize, usize) = (1, 256);
    pub const EPOCHS: (usize, usize) = (1, 30);
    /// Parameters of the whole model.
    pub const MAX_PARAMS: u64 = 2_000_000;
    /// Multiply-adds per example: 40 M is ~50× the LeNet-like preset, a few seconds per step.
    pub const MAX_MULT_ADDS: u64 = 40_000_000;
    /// Values one training batch keeps (outputs, their gradients, the convolutions' unfolded
    /// inputs: `ArchTable::values_per_example` × batch): 100 M values is 400 MB of the engine's
    /// 2 GiB memory, which also holds the data, the optimizer's state and the allocator's slack.
    pub const MAX_BATCH_VALUES: u64 = 100_000_000;
    /// |dx|, |dy| of the shifted digit.
    pub const MAX_SHIFT: i32 = 8;
    /// The longest run: 30 epochs of 8,000 digits one at a time.
    pub const MAX_STEPS: usize = 240_000;

    pub fn check(spec: &crate::cnn::CnnLab) -> Result<(), String> {
        check_range("number of layers", spec.layers.len(), 0, Self::MAX_LAYERS)?;
        for (i, layer) in spec.layers.iter().enumerate() {
            crate::cnn::check_layer(i, layer)?;
        }
        if !crate::cnn::CNN_OPTIMIZERS.contains(&spec.run.optimizer) {
            return Err(format!(
                "optimizer {} is not offered in the CNN lab",
                spec.run.optimizer.slug()
            ));
        }
        OptimLimits::check_run(&spec.run)?;
        if let crate::experiment::LrSchedule::LinearDecay { final_ratio, steps } = spec.schedule {
            check_float(
                "decay final ratio",
                final_ratio,
                OptimLimits::FINAL_RATIO.0,
                OptimLimits::FINAL_RATIO.1,
            )?;
            check_range("decay steps", steps, 1, Self::MAX_STEPS)?;
        }
        check_range("batch", spec.batch, Self::BATCH.0, Self::BATCH.1)?;
        check_range("epochs", spec.epochs, Self::EPOCHS.0, Self::EPOCHS.1)?;
        check_range("digit", spec.digit, 0, crate::cnn::TEST_DIGITS - 1)?;
        for (name, v) in [("shift x", spec.shift.0), ("shift y", spec.shift.1)] {
            if v.unsigned_abs() > Self::MAX_SHIFT.unsigned_abs() {
                return Err(format!(
                    "{name} = {v} exceeds the limit of ±{}",
                    Self::MAX_SHIFT
                ));
            }
        }
        if let Some(at) = spec.at {
            check_range("at", at, 0, Self::MAX_STEPS)?;
        }
        Ok(())
    }

    /// The model's size against the limits (after its table was built without errors).
    pub fn check_size(table: &crate::arch::ArchTable, batch: usize) -> Result<(), String> {
        let params = table.total_params();
        if params > Self::MAX_PARAMS {
            return Err(format!(
                "the model has {params} parameters, over the limit of {}",
                Self::MAX_PARAMS
            ));
        }
        let work = table.total_mult_adds();
        if work > Self::MAX_MULT_ADDS {
            return Err(format!(
                "the model needs {work} multiply-adds per digit, over the limit of {}",
                Self::MAX_MULT_ADDS
            ));
        }
        let values = table.values_per_example().saturating_mul(batch as u64);
        if values > Self::MAX_BATCH_VALUES {
            return Err(format!(
                "a batch of {batch} needs about {values} values in memory, over the limit of {} (use a smaller batch, fewer channels or smaller kernels)",
                Self::MAX_BATCH_VALUES
            ));
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
