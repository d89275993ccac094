//! Why the Recurrent lab refuses a start or a request: the spec's limits, a request's, text
//! the language model cannot read, or a tensor op that failed.

use contract::limits::{BudgetError, Violation};
use contract::rnn::RnnError;
use std::fmt;
use tensor::ShapeError;

#[derive(Debug, PartialEq)]
pub enum RnnSessionError {
    Spec(RnnError),
    Limit(Violation),
    Budget(BudgetError),
    Tensor(ShapeError),
    /// Scoring, sampling or completing asked of a model that is not the language model.
    NotLanguageModel,
    EmptySentence,
    /// A sentence's characters outside the alphabet, in order.
    SentenceUnreadable(Vec<char>),
    /// A prompt's characters outside the alphabet, in order.
    PromptUnreadable(Vec<char>),
}

macro_rules! from {
    ($($error:ty => $variant:ident),*) => {$(
        impl From<$error> for RnnSessionError {
            fn from(e: $error) -> RnnSessionError {
                RnnSessionError::$variant(e)
            }
        }
    )*};
}
from!(RnnError => Spec, Violation => Limit, BudgetError => Budget, ShapeError => Tensor);

impl fmt::Display for RnnSessionError {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RnnSessionError::Spec(e) => e.fmt(out),
            RnnSessionError::Limit(e) => e.fmt(out),
            RnnSessionError::Budget(e) => e.fmt(out),
            RnnSessionError::Tensor(e) => e.fmt(out),
            RnnSessionError::NotLanguageModel => write!(
                out,
                "scoring, sampling and completing sentences need the character language model task"
            ),
            RnnSessionError::EmptySentence => write!(out, "type a sentence first"),
            RnnSessionError::SentenceUnreadable(unknown) => {
                let mut shown: Vec<String> = unknown.iter().map(|c| format!("“{c}”")).collect();
                shown.dedup();
                write!(
                    out,
                    "the model reads only a–z, spaces and a full stop; this sentence has {}",
                    shown.join(", ")
                )
            }
            RnnSessionError::PromptUnreadable(unknown) => write!(
                out,
                "the prompt has characters the model does not read: {unknown:?}"
            ),
        }
    }
}

impl std::error::Error for RnnSessionError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sentences_shown() {
        let cases = [
            (
                RnnSessionError::NotLanguageModel,
                "scoring, sampling and completing sentences need the character language model task",
            ),
            (RnnSessionError::EmptySentence, "type a sentence first"),
            (
                RnnSessionError::SentenceUnreadable(vec![',', ',', '2']),
                "the model reads only a–z, spaces and a full stop; this sentence has “,”, “2”",
            ),
            (
                RnnSessionError::PromptUnreadable(vec!['9']),
                "the prompt has characters the model does not read: ['9']",
            ),
        ];
        for (error, sentence) in cases {
            assert_eq!(error.to_string(), sentence);
        }
    }
}
