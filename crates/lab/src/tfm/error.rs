//! Why the Transformer lab refuses a start or a request: the spec's limits, a request's, a
//! typed input the task cannot read, or a tensor op that failed.

use contract::limits::{BudgetError, Violation};
use contract::tfm::TfmError;
use contract::tfm::{COUNT_LETTERS, MODULUS};
use tensor::ShapeError;

contract::refusals! {
    #[derive(Debug, PartialEq, thiserror::Error)]
    pub enum TfmSessionError {
        transparent { Spec(TfmError), Limit(Violation), Budget(BudgetError), Tensor(ShapeError), Input(InputError) }
        /// A focus on a head the model does not have (`layer` and `head` from 0).
        #[error(
            "layer {} head {} does not exist: the model has {layers} layers of {heads} heads",
            // Saturating: a request may name any usize, and its refusal must not overflow.
            .layer.saturating_add(1),
            .head.saturating_add(1)
        )]
        NoSuchHead {
            layer: usize,
            head: usize,
            layers: usize,
            heads: usize,
        },
        /// Sampling asked of a model that is not the character language model.
        #[error("only the character language model writes text")]
        NotLanguageModel,
        /// The prompt's first characters outside the alphabet (at most five).
        #[error(
            "the prompt has characters the model cannot read: “{0}” (it knows a–z, space and full stop)"
        )]
        PromptUnreadable(String),
    }
}

/// What is wrong with a typed input (`what` names the symbols as the sentence does).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum InputError {
    #[error("“{c}” is not a digit ({what} are digits 0–9)")]
    NotADigit { c: char, what: &'static str },
    #[error("expected {expected} {what} (the task's length), got {got}")]
    WrongLength {
        expected: usize,
        what: &'static str,
        got: usize,
    },
    #[error(
        "“{0}” is not one of the letters a–{last}",
        last = char::from(b'a' + COUNT_LETTERS as u8 - 1)
    )]
    NotALetter(char),
    #[error("write two numbers joined by “+”, like 12+34")]
    NotASum,
    #[error("“{0}” is not a number from 0 to {max}", max = MODULUS - 1)]
    NotANumber(String),
    /// A number of the addition task with no digits, or more than the task's length.
    #[error("“{number}” must have 1 to {length} digits (the task's length)")]
    DigitCount { number: String, length: usize },
    /// The first characters (at most five) the language model cannot read.
    #[error("the model cannot read “{0}”: it knows a–z, space and full stop")]
    Unreadable(String),
    #[error("type some text")]
    Empty,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sentences_shown() {
        let cases = [
            (
                TfmSessionError::NoSuchHead {
                    layer: 2,
                    head: 0,
                    layers: 2,
                    heads: 4,
                },
                "layer 3 head 1 does not exist: the model has 2 layers of 4 heads",
            ),
            (
                TfmSessionError::NoSuchHead {
                    layer: usize::MAX,
                    head: usize::MAX,
                    layers: 2,
                    heads: 4,
                },
                &format!("layer {0} head {0} does not exist: the model has 2 layers of 4 heads", usize::MAX),
            ),
            (
                TfmSessionError::NotLanguageModel,
                "only the character language model writes text",
            ),
            (
                TfmSessionError::PromptUnreadable("9".into()),
                "the prompt has characters the model cannot read: “9” (it knows a–z, space and full stop)",
            ),
        ];
        for (error, sentence) in cases {
            assert_eq!(error.to_string(), sentence);
        }
    }

    #[test]
    fn the_input_sentences_shown() {
        let cases = [
            (
                InputError::NotADigit {
                    c: 'x',
                    what: "the symbols",
                },
                "“x” is not a digit (the symbols are digits 0–9)",
            ),
            (
                InputError::WrongLength {
                    expected: 6,
                    what: "digits",
                    got: 3,
                },
                "expected 6 digits (the task's length), got 3",
            ),
            (
                InputError::NotALetter('z'),
                "“z” is not one of the letters a–d",
            ),
            (
                InputError::NotASum,
                "write two numbers joined by “+”, like 12+34",
            ),
            (
                InputError::NotANumber("30".into()),
                "“30” is not a number from 0 to 22",
            ),
            (
                InputError::DigitCount {
                    number: "1234".into(),
                    length: 3,
                },
                "“1234” must have 1 to 3 digits (the task's length)",
            ),
            (
                InputError::Unreadable("9".into()),
                "the model cannot read “9”: it knows a–z, space and full stop",
            ),
            (InputError::Empty, "type some text"),
        ];
        for (error, sentence) in cases {
            assert_eq!(error.to_string(), sentence);
        }
    }
}
