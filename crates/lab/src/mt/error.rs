//! Why the Translation lab refuses a start or a request: the spec's limits, a request's, a
//! sentence the models cannot read, or a tensor op that failed.

use contract::limits::BudgetError;
use contract::mt::limits::MtLimits;
use contract::mt::MtError;
use std::fmt;
use tensor::ShapeError;

#[derive(Debug, PartialEq)]
pub enum MtSessionError {
    Spec(MtError),
    Budget(BudgetError),
    Tensor(ShapeError),
    /// A beam width outside [`MtLimits::BEAM`].
    Beam(usize),
    /// A text (`what`: "sentence", "candidate", "reference") over
    /// [`MtLimits::MAX_TEXT_CHARS`] characters.
    TooManyChars { what: &'static str, chars: usize },
    /// Words outside the vocabulary, and the words the models know.
    UnknownWords {
        unknown: Vec<String>,
        known: Vec<String>,
    },
    NoWords,
    /// A typed sentence over the [`MtLimits::LONGEST`] + 3 words a sentence may have.
    TooManyWords(usize),
    NoHeldOut,
    /// A candidate or reference over [`MtLimits::MAX_BLEU_WORDS`] words.
    TooManyBleuWords { what: &'static str, words: usize },
}

macro_rules! from {
    ($($error:ty => $variant:ident),*) => {$(
        impl From<$error> for MtSessionError {
            fn from(e: $error) -> MtSessionError {
                MtSessionError::$variant(e)
            }
        }
    )*};
}
from!(MtError => Spec, BudgetError => Budget, ShapeError => Tensor);

impl fmt::Display for MtSessionError {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MtSessionError::Spec(e) => e.fmt(out),
            MtSessionError::Budget(e) => e.fmt(out),
            MtSessionError::Tensor(e) => e.fmt(out),
            MtSessionError::Beam(beam) => {
                let (lo, hi) = MtLimits::BEAM;
                write!(out, "beam width = {beam} is outside {lo}..={hi}")
            }
            MtSessionError::TooManyChars { what, chars } => write!(
                out,
                "the {what} has {chars} characters, over the limit of {}",
                MtLimits::MAX_TEXT_CHARS
            ),
            MtSessionError::UnknownWords { unknown, known } => {
                let quoted: Vec<String> = unknown.iter().map(|w| format!("“{w}”")).collect();
                write!(
                    out,
                    "{} {} not in the vocabulary. The models know: {}",
                    quoted.join(", "),
                    if unknown.len() == 1 { "is" } else { "are" },
                    known.join(", ")
                )
            }
            MtSessionError::NoWords => {
                write!(out, "type a sentence: there are no words to translate")
            }
            MtSessionError::TooManyWords(words) => write!(
                out,
                "{words} words is over the limit of {} words a sentence may have here",
                MtLimits::LONGEST + 3
            ),
            MtSessionError::NoHeldOut => write!(out, "there are no held-out sentences"),
            MtSessionError::TooManyBleuWords { what, words } => write!(
                out,
                "the {what} has {words} words, over the limit of {}",
                MtLimits::MAX_BLEU_WORDS
            ),
        }
    }
}

impl std::error::Error for MtSessionError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sentences_shown() {
        let unknown = |words: &[&str]| MtSessionError::UnknownWords {
            unknown: words.iter().map(|w| w.to_string()).collect(),
            known: vec!["the".into(), "a".into()],
        };
        let cases = [
            (MtSessionError::Beam(9), "beam width = 9 is outside 1..=8"),
            (
                MtSessionError::TooManyChars {
                    what: "sentence",
                    chars: 201,
                },
                "the sentence has 201 characters, over the limit of 200",
            ),
            (
                unknown(&["pizza"]),
                "“pizza” is not in the vocabulary. The models know: the, a",
            ),
            (
                unknown(&["pizza", "ketchup"]),
                "“pizza”, “ketchup” are not in the vocabulary. The models know: the, a",
            ),
            (
                MtSessionError::NoWords,
                "type a sentence: there are no words to translate",
            ),
            (
                MtSessionError::TooManyWords(25),
                "25 words is over the limit of 20 words a sentence may have here",
            ),
            (MtSessionError::NoHeldOut, "there are no held-out sentences"),
            (
                MtSessionError::TooManyBleuWords {
                    what: "candidate",
                    words: 41,
                },
                "the candidate has 41 words, over the limit of 40",
            ),
        ];
        for (error, sentence) in cases {
            assert_eq!(error.to_string(), sentence);
        }
    }
}
