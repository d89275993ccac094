//! Why a Translation lab experiment cannot run: a limit, or a width the models cannot split.

use crate::limits::{NotOffered, Violation};
use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub enum MtError {
    Limit(Violation),
    NotOffered(NotOffered),
    HeadsDoNotDivide {
        width: usize,
        heads: usize,
    },
    /// The encoder runs half of the width each way.
    OddWidth(usize),
}

impl From<Violation> for MtError {
    fn from(v: Violation) -> MtError {
        MtError::Limit(v)
    }
}

impl From<NotOffered> for MtError {
    fn from(e: NotOffered) -> MtError {
        MtError::NotOffered(e)
    }
}

impl fmt::Display for MtError {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MtError::Limit(v) => v.fmt(out),
            MtError::NotOffered(e) => e.fmt(out),
            MtError::HeadsDoNotDivide { width, heads } => write!(
                out,
                "width = {width} is not a multiple of the {heads} heads (each head gets width / heads dimensions)"
            ),
            MtError::OddWidth(width) => {
                write!(out, "width = {width} is odd: the encoder runs half of it each way")
            }
        }
    }
}

impl std::error::Error for MtError {}

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
