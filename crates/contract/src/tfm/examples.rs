//! Requests as the Transformer page sends them (the fuzzers start from these).

use super::protocol::{TfmProtocol, TfmRequest};
use crate::registry::Examples;
use crate::training::TrainFor;

impl Examples for TfmProtocol {
    fn example_requests() -> Vec<TfmRequest> {
        vec![
            TfmRequest::Train(TrainFor::new(300.0, Some(800))),
            TfmRequest::Focus {
                input: None,
                example: 0,
                layer: 1,
                head: 2,
            },
            TfmRequest::Focus {
                input: Some("123456".into()),
                example: 0,
                layer: 0,
                head: 0,
            },
            TfmRequest::Sample {
                prompt: "the man ".into(),
                length: 80,
                temperature: 0.8,
                seed: 1,
            },
        ]
    }
}
