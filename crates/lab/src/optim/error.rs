//! Why the optimizer lab refuses a start or a request: the spec's limits, a request's, or a
//! race already at its last step.

use contract::limits::Violation;
use contract::optim::limits::OptimLimits;
use contract::optim::OptimError;
use std::fmt;

#[derive(Debug, PartialEq)]
pub enum OptimSessionError {
    Spec(OptimError),
    Limit(Violation),
    /// The race is at [`OptimLimits::MAX_STEPS`].
    LastStep,
}

impl From<OptimError> for OptimSessionError {
    fn from(e: OptimError) -> OptimSessionError {
        OptimSessionError::Spec(e)
    }
}

impl From<Violation> for OptimSessionError {
    fn from(e: Violation) -> OptimSessionError {
        OptimSessionError::Limit(e)
    }
}

impl fmt::Display for OptimSessionError {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptimSessionError::Spec(e) => e.fmt(out),
            OptimSessionError::Limit(e) => e.fmt(out),
            OptimSessionError::LastStep => write!(
                out,
                "the race has reached the limit of {} steps; reset to start again",
                OptimLimits::MAX_STEPS
            ),
        }
    }
}

impl std::error::Error for OptimSessionError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sentences_shown() {
        assert_eq!(
            OptimSessionError::LastStep.to_string(),
            "the race has reached the limit of 100000 steps; reset to start again"
        );
    }
}
