//! Why the Transformer lab refuses a start or a request: the spec's limits, a request's, a
//! typed input the task cannot read, or a tensor op that failed.

use contract::tfm::{COUNT_LETTERS, MODULUS};
use contract::limits::{BudgetError, Violation};
use contract::tfm::TfmError;
use std::fmt;
use tensor::ShapeError;

#[derive(Debug, PartialEq)]
pub enum TfmSessionError {
    Spec(TfmError),
    Limit(Violation),
    Budget(BudgetError),
    Tensor(ShapeError),
    Input(InputError),
    /// A focus on a head the model does not have (`layer` and `head` from 0).
    NoSuchHead {
        layer: usize,
        head: usize,
        layers: usize,
        heads: usize,
    },
    /// Sampling asked of a model that is not the character language model.
    NotLanguageModel,
    /// The prompt's first characters outside the alphabet (at most five).
    PromptUnreadable(String),
}

/// What is wrong with a typed input (`what` names the symbols as the sentence does).
#[derive(Clone, Debug, PartialEq)]
pub enum InputError {
    NotADigit { c: char, what: &'static str },
    WrongLength {
        expected: usize,
        what: &'static str,
        got: usize,
    },
    NotALetter(char),
    NotASum,
    NotANumber(String),
    /// A number of the addition task with no digits, or more than the task's length.
    DigitCount { number: String, length: usize },
    /// The first characters (at most five) the language model cannot read.
    Unreadable(String),
    Empty,
}

macro_rules! from {
    ($($error:ty => $variant:ident),*) => {$(
        impl From<$error> for TfmSessionError {
            fn from(e: $error) -> TfmSessionError {
                TfmSessionError::$variant(e)
            }
        }
    )*};
}
from!(TfmError => Spec, Violation => Limit, BudgetError => Budget, ShapeError => Tensor, InputError => Input);

impl fmt::Display for TfmSessionError {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TfmSessionError::Spec(e) => e.fmt(out),
            TfmSessionError::Limit(e) => e.fmt(out),
            TfmSessionError::Budget(e) => e.fmt(out),
            TfmSessionError::Tensor(e) => e.fmt(out),
            TfmSessionError::Input(e) => e.fmt(out),
            TfmSessionError::NoSuchHead {
                layer,
                head,
                layers,
                heads,
            } => write!(
                out,
                "layer {} head {} does not exist: the model has {layers} layers of {heads} heads",
                layer + 1,
                head + 1
            ),
            TfmSessionError::NotLanguageModel => {
                write!(out, "only the character language model writes text")
            }
            TfmSessionError::PromptUnreadable(shown) => write!(
                out,
                "the prompt has characters the model cannot read: “{shown}” (it knows a–z, space and full stop)"
            ),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::NotADigit { c, what } => {
                write!(out, "“{c}” is not a digit ({what} are digits 0–9)")
            }
            InputError::WrongLength {
                expected,
                what,
                got,
            } => write!(
                out,
                "expected {expected} {what} (the task's length), got {got}"
            ),
            InputError::NotALetter(c) => write!(
                out,
                "“{c}” is not one of the letters a–{}",
                char::from(b'a' + COUNT_LETTERS as u8 - 1)
            ),
            InputError::NotASum => write!(out, "write two numbers joined by “+”, like 12+34"),
            InputError::NotANumber(s) => {
                write!(out, "“{s}” is not a number from 0 to {}", MODULUS - 1)
            }
            InputError::DigitCount { number, length } => write!(
                out,
                "“{number}” must have 1 to {length} digits (the task's length)"
            ),
            InputError::Unreadable(shown) => write!(
                out,
                "the model cannot read “{shown}”: it knows a–z, space and full stop"
            ),
            InputError::Empty => write!(out, "type some text"),
        }
    }
}

impl std::error::Error for TfmSessionError {}
impl std::error::Error for InputError {}

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
            (InputError::NotALetter('z'), "“z” is not one of the letters a–d"),
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
