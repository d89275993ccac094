//! Why the optimizer lab refuses a start or a request: the spec's limits, a request's, or a
//! race already at its last step.

use contract::limits::Violation;
use contract::optim::limits::OptimLimits;
use contract::optim::OptimError;

contract::refusals! {
    #[derive(Debug, PartialEq, thiserror::Error)]
    pub enum OptimSessionError {
        transparent { Spec(OptimError), Limit(Violation) }
        /// The race is at [`OptimLimits::MAX_STEPS`].
        #[error(
            "the race has reached the limit of {} steps; reset to start again",
            OptimLimits::MAX_STEPS
        )]
        LastStep,
    }
}

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
