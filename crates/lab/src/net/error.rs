//! Why the Network lab refuses a start or a request: the spec's limits, a request's, an edit
//! out of step with the run, a run that cannot go on, or a tensor op that failed.

use contract::limits::Violation;
use contract::net::limits::NetLimits;
use contract::net::NetError;
use tensor::ShapeError;

contract::refusals! {
    #[derive(Debug, PartialEq, thiserror::Error)]
    pub enum NetSessionError {
        transparent { Spec(NetError), Limit(Violation), Tensor(ShapeError) }
        /// A hand-set weight for an epoch the run has passed.
        #[error("edit epoch = {edit} is before the run's epoch {epoch}")]
        EditBefore { edit: usize, epoch: usize },
        /// A live edit for another epoch than the run's: the page and the engine disagree.
        #[error(
            "edit epoch = {edit} is not the run's epoch {epoch}: the page and the engine disagree; reset"
        )]
        EditElsewhen { edit: usize, epoch: usize },
        /// The run is at [`NetLimits::MAX_EPOCHS`].
        #[error(
            "the run has reached the limit of {} epochs; reset to start again",
            NetLimits::MAX_EPOCHS
        )]
        LastEpoch,
        /// Training stopped earlier, for the reason the run's log keeps.
        #[error("training has stopped: {0}. Reset to start again.")]
        Stopped(String),
        /// The walk-through asked of a network with batch normalisation.
        #[error(
            "the walk-through follows networks without batch normalisation: switch batch norm off to follow a point"
        )]
        ExplainWithBatchNorm,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sentences_shown() {
        let cases = [
            (
                NetSessionError::EditBefore { edit: 1, epoch: 5 },
                "edit epoch = 1 is before the run's epoch 5",
            ),
            (
                NetSessionError::EditElsewhen { edit: 1, epoch: 5 },
                "edit epoch = 1 is not the run's epoch 5: the page and the engine disagree; reset",
            ),
            (
                NetSessionError::LastEpoch,
                "the run has reached the limit of 10000 epochs; reset to start again",
            ),
            (
                NetSessionError::Stopped("the loss became NaN".into()),
                "training has stopped: the loss became NaN. Reset to start again.",
            ),
            (
                NetSessionError::ExplainWithBatchNorm,
                "the walk-through follows networks without batch normalisation: switch batch norm off to follow a point",
            ),
        ];
        for (error, sentence) in cases {
            assert_eq!(error.to_string(), sentence);
        }
    }
}
