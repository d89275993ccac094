//! Why the Translation lab refuses a start or a request: the spec's limits, a request's, a
//! sentence the models cannot read, or a tensor op that failed.

use contract::limits::BudgetError;
use contract::mt::limits::MtLimits;
use contract::mt::MtError;
use tensor::ShapeError;

contract::refusals! {
    #[derive(Debug, PartialEq, thiserror::Error)]
    pub enum MtSessionError {
        transparent { Spec(MtError), Budget(BudgetError), Tensor(ShapeError) }
        /// A beam width outside [`MtLimits::BEAM`].
        #[error("beam width = {0} is outside {lo}..={hi}", lo = MtLimits::BEAM.0, hi = MtLimits::BEAM.1)]
        Beam(usize),
        /// A text (`what`: "sentence", "candidate", "reference") over
        /// [`MtLimits::MAX_TEXT_CHARS`] characters.
        #[error(
            "the {what} has {chars} characters, over the limit of {}",
            MtLimits::MAX_TEXT_CHARS
        )]
        TooManyChars { what: &'static str, chars: usize },
        /// Words outside the vocabulary, and the words the models know.
        #[error(
            "{} {} not in the vocabulary. The models know: {}",
            .unknown.iter().map(|w| format!("“{w}”")).collect::<Vec<_>>().join(", "),
            if .unknown.len() == 1 { "is" } else { "are" },
            .known.join(", ")
        )]
        UnknownWords {
            unknown: Vec<String>,
            known: Vec<String>,
        },
        #[error("type a sentence: there are no words to translate")]
        NoWords,
        /// A typed sentence over the [`MtLimits::LONGEST`] + 3 words a sentence may have.
        #[error(
            "{0} words is over the limit of {max} words a sentence may have here",
            max = MtLimits::LONGEST + 3
        )]
        TooManyWords(usize),
        #[error("there are no held-out sentences")]
        NoHeldOut,
        /// A candidate or reference over [`MtLimits::MAX_BLEU_WORDS`] words.
        #[error(
            "the {what} has {words} words, over the limit of {}",
            MtLimits::MAX_BLEU_WORDS
        )]
        TooManyBleuWords { what: &'static str, words: usize },
    }
}

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
