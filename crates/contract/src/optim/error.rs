//! Why an optimizer race cannot run: a limit, or a list of optimizers that is not one.

use crate::limits::Violation;
use crate::training::OptimizerName;
use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub enum OptimError {
    Limit(Violation),
    /// The race has no optimizer in it.
    NoOptimizer,
    /// An optimizer raced against itself.
    ListedTwice(OptimizerName),
}

impl From<Violation> for OptimError {
    fn from(v: Violation) -> OptimError {
        OptimError::Limit(v)
    }
}

impl fmt::Display for OptimError {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptimError::Limit(v) => v.fmt(out),
            OptimError::NoOptimizer => write!(out, "opt: choose at least one optimizer"),
            OptimError::ListedTwice(o) => write!(out, "opt: {} is listed twice", o.slug()),
        }
    }
}

impl std::error::Error for OptimError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sentences_shown() {
        assert_eq!(
            OptimError::NoOptimizer.to_string(),
            "opt: choose at least one optimizer"
        );
        assert_eq!(
            OptimError::ListedTwice(OptimizerName::Adam).to_string(),
            "opt: adam is listed twice"
        );
    }
}
