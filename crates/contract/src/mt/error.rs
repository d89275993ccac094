//! Why a Translation lab experiment cannot run: a limit, or a width the models cannot split.

use crate::limits::{NotOffered, Violation};

crate::refusals! {
    #[derive(Clone, Debug, PartialEq, thiserror::Error)]
    pub enum MtError {
        transparent { Limit(Violation), NotOffered(NotOffered) }
        #[error(
            "width = {width} is not a multiple of the {heads} heads (each head gets width / heads dimensions)"
        )]
        HeadsDoNotDivide { width: usize, heads: usize },
        /// The encoder runs half of the width each way.
        #[error("width = {0} is odd: the encoder runs half of it each way")]
        OddWidth(usize),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sentences_shown() {
        assert_eq!(
            MtError::HeadsDoNotDivide {
                width: 60,
                heads: 8
            }
            .to_string(),
            "width = 60 is not a multiple of the 8 heads (each head gets width / heads dimensions)"
        );
        assert_eq!(
            MtError::OddWidth(9).to_string(),
            "width = 9 is odd: the encoder runs half of it each way"
        );
    }
}
