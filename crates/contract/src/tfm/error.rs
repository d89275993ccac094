//! Why a Transformer lab experiment cannot run: a limit, or sizes that do not fit together.

use super::limits::TfmLimits;
use crate::limits::{NotOffered, Violation};

crate::refusals! {
    #[derive(Clone, Debug, PartialEq, thiserror::Error)]
    pub enum TfmError {
        transparent { Limit(Violation), NotOffered(NotOffered) }
        /// The character language model with an encoder, which would see what it predicts.
        #[error(
            "an encoder would see the characters it must predict: the character language model needs the causal decoder"
        )]
        EncoderLanguageModel,
        #[error(
            "d_model = {width} is not a multiple of the {heads} heads (each head gets d_model / heads dimensions)"
        )]
        HeadsDoNotDivide { width: usize, heads: usize },
        /// One step's forward multiply-adds, over [`TfmLimits::MAX_STEP_MULT_ADDS`].
        #[error(
            "one training step would take {work} multiply-adds, over the limit of {}: fewer layers, a narrower model, a shorter sequence or a smaller batch",
            TfmLimits::MAX_STEP_MULT_ADDS
        )]
        StepTooCostly { work: u64 },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::training::OptimizerName;

    #[test]
    fn the_sentences_shown() {
        let not_offered = NotOffered {
            optimizer: OptimizerName::Gd,
            lab: "Transformer",
        };
        assert_eq!(
            TfmError::from(not_offered).to_string(),
            "optimizer gd is not offered in the Transformer lab"
        );
        assert_eq!(
            TfmError::EncoderLanguageModel.to_string(),
            "an encoder would see the characters it must predict: the character language model needs the causal decoder"
        );
        assert_eq!(
            TfmError::HeadsDoNotDivide { width: 30, heads: 4 }.to_string(),
            "d_model = 30 is not a multiple of the 4 heads (each head gets d_model / heads dimensions)"
        );
        assert_eq!(
            TfmError::StepTooCostly { work: 70_000_000 }.to_string(),
            "one training step would take 70000000 multiply-adds, over the limit of 60000000: fewer layers, a narrower model, a shorter sequence or a smaller batch"
        );
    }
}
