//! Why a CNN lab experiment cannot run: a limit, a layer the builder flags, or a model too
//! large for one tab. The builder's own sentences are [`ArchError`]'s.

use super::arch::ArchError;
use super::limits::CnnLimits;
use super::TRAIN_DIGITS;
use crate::limits::{NotOffered, Violation};

crate::refusals! {
    #[derive(Clone, Debug, PartialEq, thiserror::Error)]
    pub enum CnnError {
        transparent { Limit(Violation), NotOffered(NotOffered) }
        /// The digit's shift along `axis` ("shift x", "shift y") beyond ±[`CnnLimits::MAX_SHIFT`].
        #[error("{axis} = {value} exceeds the limit of ±{}", CnnLimits::MAX_SHIFT)]
        Shift { axis: &'static str, value: i32 },
        /// Layer `index` (from 0) cannot be built.
        #[error("layer {}: {error}", .index + 1)]
        Layer { index: usize, error: ArchError },
        /// Batch normalisation with a batch of one digit (every batch, or each epoch's last).
        #[error(
            "batch norm needs at least 2 digits in every batch; with batch = {batch} {}",
            if *.batch < 2 {
                "each batch holds one".to_string()
            } else {
                format!("the last batch of each epoch holds 1 of the {TRAIN_DIGITS} digits")
            }
        )]
        OneDigitBatch { batch: usize },
        #[error(
            "the model has {params} parameters, over the limit of {}",
            CnnLimits::MAX_PARAMS
        )]
        TooManyParams { params: u64 },
        #[error(
            "the model needs {work} multiply-adds per digit, over the limit of {}",
            CnnLimits::MAX_MULT_ADDS
        )]
        TooMuchWork { work: u64 },
        #[error(
            "a batch of {batch} makes {reads} pooling window reads, over the limit of {} (use a smaller batch, smaller pooling windows or fewer channels)",
            CnnLimits::MAX_BATCH_WINDOW_OPS
        )]
        TooManyWindowReads { batch: usize, reads: u64 },
        #[error(
            "a batch of {batch} needs about {values} values in memory, over the limit of {} (use a smaller batch, fewer channels or smaller kernels)",
            CnnLimits::MAX_BATCH_VALUES
        )]
        TooManyValues { batch: usize, values: u64 },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cnn::arch::{Part, Problem};

    #[test]
    fn the_sentences_shown() {
        let cases = [
            (
                CnnError::Shift {
                    axis: "shift x",
                    value: -9,
                },
                "shift x = -9 exceeds the limit of ±8",
            ),
            (
                CnnError::Layer {
                    index: 6,
                    error: ArchError::new(Part::Dense, Problem::NoUnits),
                },
                "layer 7: dense: at least 1 unit",
            ),
            (
                CnnError::OneDigitBatch { batch: 1 },
                "batch norm needs at least 2 digits in every batch; with batch = 1 each batch holds one",
            ),
            (
                CnnError::OneDigitBatch { batch: 19 },
                "batch norm needs at least 2 digits in every batch; with batch = 19 the last batch of each epoch holds 1 of the 8000 digits",
            ),
            (
                CnnError::TooManyParams { params: 3_000_000 },
                "the model has 3000000 parameters, over the limit of 2000000",
            ),
            (
                CnnError::TooMuchWork { work: 50_000_000 },
                "the model needs 50000000 multiply-adds per digit, over the limit of 40000000",
            ),
            (
                CnnError::TooManyWindowReads {
                    batch: 256,
                    reads: 462_422_016,
                },
                "a batch of 256 makes 462422016 pooling window reads, over the limit of 100000000 (use a smaller batch, smaller pooling windows or fewer channels)",
            ),
            (
                CnnError::TooManyValues {
                    batch: 64,
                    values: 200_000_000,
                },
                "a batch of 64 needs about 200000000 values in memory, over the limit of 100000000 (use a smaller batch, fewer channels or smaller kernels)",
            ),
        ];
        for (error, sentence) in cases {
            assert_eq!(error.to_string(), sentence);
        }
    }
}
