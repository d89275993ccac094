//! Why a Recurrent lab experiment cannot run: a limit, or a choice that defeats the task.

use super::limits::RnnLimits;
use super::RnnTask;
use crate::limits::{NotOffered, Violation};
use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub enum RnnError {
    Limit(Violation),
    NotOffered(NotOffered),
    /// A task answered at every step, read in both directions: the network would read ahead.
    BidirectionalReadsAhead(RnnTask),
    /// One step's forward multiply-adds, over [`RnnLimits::MAX_STEP_MULT_ADDS`].
    StepTooCostly {
        work: u64,
    },
}

impl From<Violation> for RnnError {
    fn from(v: Violation) -> RnnError {
        RnnError::Limit(v)
    }
}

impl From<NotOffered> for RnnError {
    fn from(e: NotOffered) -> RnnError {
        RnnError::NotOffered(e)
    }
}

impl fmt::Display for RnnError {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RnnError::Limit(v) => v.fmt(out),
            RnnError::NotOffered(e) => e.fmt(out),
            RnnError::BidirectionalReadsAhead(task) => write!(
                out,
                "a bidirectional network would read what it must predict: {} reads left to right",
                task.title().to_lowercase()
            ),
            RnnError::StepTooCostly { work } => write!(
                out,
                "one training step would take {work} multiply-adds, over the limit of {}: fewer hidden units, layers, a shorter span or a smaller batch",
                RnnLimits::MAX_STEP_MULT_ADDS
            ),
        }
    }
}

impl std::error::Error for RnnError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sentences_shown() {
        assert_eq!(
            RnnError::BidirectionalReadsAhead(RnnTask::Language).to_string(),
            format!(
                "a bidirectional network would read what it must predict: {} reads left to right",
                RnnTask::Language.title().to_lowercase()
            )
        );
        assert_eq!(
            RnnError::StepTooCostly { work: 70_000_000 }.to_string(),
            "one training step would take 70000000 multiply-adds, over the limit of 60000000: fewer hidden units, layers, a shorter span or a smaller batch"
        );
    }
}
