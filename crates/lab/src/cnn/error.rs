//! Why the CNN lab refuses a start or a request: the spec (a limit, or an architecture the
//! builder flags), a request's limits, a drawing or a data file of the wrong size, or a
//! tensor op that failed.

use contract::cnn::limits::CnnLimits;
use contract::cnn::{CnnError, TEST_DIGITS, TRAIN_DIGITS};
use contract::limits::{BudgetError, Violation};
use tensor::ShapeError;

contract::refusals! {
    #[derive(Debug, PartialEq, thiserror::Error)]
    pub enum CnnSessionError {
        transparent { Spec(CnnError), Limit(Violation), Budget(BudgetError), Tensor(ShapeError) }
        /// The MNIST file's splits are not the sizes the lab's arithmetic assumes.
        #[error(
            "the MNIST file has {train} training and {test} test digits; this lab expects {TRAIN_DIGITS} and {TEST_DIGITS}"
        )]
        WrongDigitCount { train: usize, test: usize },
        /// The looked-at digit's shift, beyond ±[`CnnLimits::MAX_SHIFT`].
        #[error("shift {0:?} exceeds the limit of ±{max} pixels", max = CnnLimits::MAX_SHIFT)]
        Shift((i32, i32)),
        /// A drawing of `size`×`size` pixels sent with `got` ink values.
        #[error("a {size}×{size} drawing needs {} ink values, got {got}", .size * .size)]
        InkCount { size: usize, got: usize },
        /// Layer `layer` (from 0) left no tap to read a unit from.
        #[error("layer {layer} produced no output")]
        NoOutput { layer: usize },
        #[error("layer {layer} has an unexpected shape")]
        UnexpectedShape { layer: usize },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sentences_shown() {
        let cases = [
            (
                CnnSessionError::WrongDigitCount { train: 10, test: 2 },
                "the MNIST file has 10 training and 2 test digits; this lab expects 8000 and 2000",
            ),
            (
                CnnSessionError::Shift((9, 0)),
                "shift (9, 0) exceeds the limit of ±8 pixels",
            ),
            (
                CnnSessionError::InkCount { size: 3, got: 4 },
                "a 3×3 drawing needs 9 ink values, got 4",
            ),
            (
                CnnSessionError::NoOutput { layer: 2 },
                "layer 2 produced no output",
            ),
            (
                CnnSessionError::UnexpectedShape { layer: 2 },
                "layer 2 has an unexpected shape",
            ),
        ];
        for (error, sentence) in cases {
            assert_eq!(error.to_string(), sentence);
        }
    }
}
