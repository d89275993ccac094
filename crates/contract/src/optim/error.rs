//! Why an optimizer race cannot run: a limit, or a list of optimizers that is not one.

use crate::limits::Violation;
use crate::training::OptimizerName;

crate::refusals! {
    #[derive(Clone, Debug, PartialEq, thiserror::Error)]
    pub enum OptimError {
        transparent { Limit(Violation) }
        /// The race has no optimizer in it.
        #[error("opt: choose at least one optimizer")]
        NoOptimizer,
        /// An optimizer raced against itself.
        #[error("opt: {} is listed twice", .0.slug())]
        ListedTwice(OptimizerName),
    }
}

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
