//! Why the Recurrent lab refuses a start or a request: the spec's limits, a request's, text
//! the language model cannot read, or a tensor op that failed.

use contract::limits::{BudgetError, Violation};
use contract::rnn::RnnError;
use tensor::ShapeError;

contract::refusals! {
    #[derive(Debug, PartialEq, thiserror::Error)]
    pub enum RnnSessionError {
        transparent { Spec(RnnError), Limit(Violation), Budget(BudgetError), Tensor(ShapeError) }
        /// Scoring, sampling or completing asked of a model that is not the language model.
        #[error("scoring, sampling and completing sentences need the character language model task")]
        NotLanguageModel,
        #[error("type a sentence first")]
        EmptySentence,
        /// A sentence's characters outside the alphabet, in order.
        #[error(
            "the model reads only a–z, spaces and a full stop; this sentence has {}",
            {
                let mut shown: Vec<String> = .0.iter().map(|c| format!("“{c}”")).collect();
                shown.dedup();
                shown.join(", ")
            }
        )]
        SentenceUnreadable(Vec<char>),
        /// A prompt's characters outside the alphabet, in order.
        #[error("the prompt has characters the model does not read: {0:?}")]
        PromptUnreadable(Vec<char>),
    }
}

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
