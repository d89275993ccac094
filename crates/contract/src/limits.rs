//! The one format of a violated limit, and the limits every lab shares (the training settings,
//! the Engine panel's measurement). Each lab's own limits are named constants in its folder
//! (`optim::limits`, `cnn::limits`), checked with these functions, so every violation names
//! the field, the value and the limit the same way: as a [`Violation`] a caller can match on,
//! whose one `Display` is the sentence the page shows.

use crate::training::OptimizerName;
use std::fmt;

/// Matrix sizes the Engine panel offers for its measurement (N for an N×N·N×N product).
pub const MATMUL_BENCH_SIZES: [usize; 5] = [128, 256, 384, 512, 1024];

/// Smallest N the matrix-product measurement accepts: below it a product takes less time than
/// a timer tick and the figure would be noise.
pub const MATMUL_BENCH_MIN_N: usize = 16;

/// Largest N the matrix-product measurement accepts: 3 N² f32 values (A, B, C) plus a second C
/// for the determinism check stay under 70 MiB, and one product under a few seconds.
pub const MATMUL_BENCH_MAX_N: usize = 2048;

/// A value as the user gave it: a count or a real number (each shown as Rust writes it, so the
/// sentence quotes what was typed).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Number {
    Int(usize),
    Float(f32),
}

impl From<usize> for Number {
    fn from(n: usize) -> Number {
        Number::Int(n)
    }
}

impl From<f32> for Number {
    fn from(x: f32) -> Number {
        Number::Float(x)
    }
}

impl fmt::Display for Number {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(n) => write!(out, "{n}"),
            Number::Float(x) => write!(out, "{x}"),
        }
    }
}

/// The limit a value broke.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Bound {
    Min(Number),
    Max(Number),
    /// NaN or an infinity, which no float limit lets through.
    NotFinite,
}

/// The end of a [`Violation`]'s sentence, after "field = value ": the bound it broke.
impl fmt::Display for Bound {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bound::Min(min) => write!(out, "is below the minimum of {min}"),
            Bound::Max(max) => write!(out, "exceeds the limit of {max}"),
            Bound::NotFinite => write!(out, "is not a finite number"),
        }
    }
}

/// A value outside its limit: the field (the link's key or the setting's name), what was
/// asked for, and the bound it broke.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{field} = {value} {bound}")]
pub struct Violation {
    pub field: String,
    pub value: Number,
    pub bound: Bound,
}

impl Violation {
    /// A count over its limit: "`field` = `value` exceeds the limit of `max`".
    pub fn above(field: &str, value: usize, max: usize) -> Violation {
        Violation {
            field: field.to_string(),
            value: Number::Int(value),
            bound: Bound::Max(Number::Int(max)),
        }
    }
}

/// Declares a lab's error enum whose first variants pass another layer's error through
/// unchanged (`#[error(transparent)]`, built with `?` by `#[from]`): every lab refuses for a
/// spec, a limit, a budget or a tensor op the same way, so those variants take one line,
/// `transparent { Spec(XError), Limit(Violation) }`, and the enum's own sentences follow.
/// The caller writes the word `transparent` because thiserror binds the inner error to a
/// name spanned by it: written inside this macro, hygiene would hide that name.
#[macro_export]
macro_rules! refusals {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $transparent:ident { $($pass:ident($from:ty)),* $(,)? }
            $($own:tt)*
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $(
                #[error($transparent)]
                $pass(#[from] $from),
            )*
            $($own)*
        }
    };
}

/// A limit that a request exceeded, with what the user asked for.
pub fn check_range(field: &str, value: usize, min: usize, max: usize) -> Result<(), Violation> {
    check_between(field, value, min, max)
}

/// A float limit: NaN and infinities never pass.
pub fn check_float(field: &str, value: f32, min: f32, max: f32) -> Result<(), Violation> {
    if value.is_finite() {
        check_between(field, value, min, max)
    } else {
        Err(Violation {
            field: field.to_string(),
            value: Number::Float(value),
            bound: Bound::NotFinite,
        })
    }
}

/// `value` within `min..=max`, or the bound it broke: the one comparison of counts and of
/// (finite) real numbers.
fn check_between<T: PartialOrd + Into<Number>>(
    field: &str,
    value: T,
    min: T,
    max: T,
) -> Result<(), Violation> {
    let bound = if value < min {
        Bound::Min(min.into())
    } else if value > max {
        Bound::Max(max.into())
    } else {
        return Ok(());
    };
    Err(Violation {
        field: field.to_string(),
        value: value.into(),
        bound,
    })
}

/// A training slice asked for more time than its lab allows (or for a negative or undefined
/// time): every lab that trains in time-budgeted slices checks it the same way.
#[derive(Clone, Copy, Debug, PartialEq, thiserror::Error)]
#[error("training budget = {budget_ms} ms is outside 0..={limit_ms} ms")]
pub struct BudgetError {
    pub budget_ms: f64,
    pub limit_ms: f64,
}

/// A slice's time budget within 0..=`limit_ms` (NaN never passes).
pub fn check_budget(budget_ms: f64, limit_ms: f64) -> Result<(), BudgetError> {
    if (0.0..=limit_ms).contains(&budget_ms) {
        Ok(())
    } else {
        Err(BudgetError {
            budget_ms,
            limit_ms,
        })
    }
}

/// An optimizer the lab does not offer (a link may name any): `lab` is the lab's title as the
/// sentence names it ("the Recurrent lab").
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("optimizer {} is not offered in the {lab} lab", .optimizer.slug())]
pub struct NotOffered {
    pub optimizer: OptimizerName,
    pub lab: &'static str,
}

/// `optimizer` is one of the lab's `offered` ones.
pub fn check_offered(
    optimizer: OptimizerName,
    offered: &[OptimizerName],
    lab: &'static str,
) -> Result<(), NotOffered> {
    if offered.contains(&optimizer) {
        Ok(())
    } else {
        Err(NotOffered { optimizer, lab })
    }
}

/// A replay target (a link's `at=`) within 0..=`max`: every lab's spec has one, named alike.
pub fn check_at(at: Option<usize>, max: usize) -> Result<(), Violation> {
    match at {
        Some(at) => check_range("at", at, 0, max),
        None => Ok(()),
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
    pub fn check_run(run: &crate::training::Run) -> Result<(), Violation> {
        let name = run.optimizer.slug();
        check_float(&format!("{name}.lr"), run.lr, Self::LR.0, Self::LR.1)?;
        for (knob, value) in [
            ("alpha", run.alpha),
            ("beta1", run.beta1),
            ("beta2", run.beta2),
            ("rho", run.rho),
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

    /// A lab's one run's settings, checked in the order every lab checks them: the optimizer's
    /// hyper-parameters, then the schedule (whose decay lasts at most `max_steps`).
    pub fn check_settings(
        run: &crate::training::Run,
        schedule: &crate::training::LrSchedule,
        max_steps: usize,
    ) -> Result<(), Violation> {
        Self::check_run(run)?;
        Self::check_schedule(schedule, max_steps)
    }

    /// A schedule whose decay lasts at most `max_steps` (the lab's longest run).
    pub fn check_schedule(
        schedule: &crate::training::LrSchedule,
        max_steps: usize,
    ) -> Result<(), Violation> {
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
        assert_eq!(err.to_string(), "n = 5000 exceeds the limit of 2048");
        let err = check_range("n", 3, 16, 2048).unwrap_err();
        assert_eq!(err.to_string(), "n = 3 is below the minimum of 16");
        let err = check_float("η", f32::NAN, 0.0, 1.0).unwrap_err();
        assert_eq!(err.to_string(), "η = NaN is not a finite number");
        let err = check_float("x", -1000.5, -1000.0, 1000.0).unwrap_err();
        assert_eq!(err.to_string(), "x = -1000.5 is below the minimum of -1000");
        let err = check_float("x", 0.25, 0.0, 0.125).unwrap_err();
        assert_eq!(err.to_string(), "x = 0.25 exceeds the limit of 0.125");
    }

    #[test]
    fn violations_are_values() {
        let err = check_range("n", 5000, 16, 2048).unwrap_err();
        assert_eq!(err.field, "n");
        assert_eq!(err.value, Number::Int(5000));
        assert!(matches!(err.bound, Bound::Max(Number::Int(2048))));
        assert!(matches!(
            check_float("η", f32::INFINITY, 0.0, 1.0),
            Err(Violation {
                bound: Bound::NotFinite,
                ..
            })
        ));
    }

    #[test]
    fn a_budget_and_an_optimizer_name_what_was_refused() {
        assert_eq!(check_budget(2000.0, 2000.0), Ok(()));
        let err = check_budget(2500.0, 2000.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "training budget = 2500 ms is outside 0..=2000 ms"
        );
        assert!(check_budget(f64::NAN, 2000.0).is_err());
        assert!(check_budget(-1.0, 2000.0).is_err());
        let err = check_offered(OptimizerName::Gd, &[OptimizerName::Adam], "CNN").unwrap_err();
        assert_eq!(err.optimizer, OptimizerName::Gd);
        assert_eq!(
            err.to_string(),
            "optimizer gd is not offered in the CNN lab"
        );
    }
}
