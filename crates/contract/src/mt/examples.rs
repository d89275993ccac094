//! Requests as the Translation page sends them (the fuzzers start from these).

use super::protocol::{MtProtocol, MtRequest};
use crate::registry::Examples;
use crate::training::TrainFor;

impl Examples for MtProtocol {
    fn example_requests() -> Vec<MtRequest> {
        vec![
            MtRequest::Train(TrainFor::new(300.0, Some(600))),
            MtRequest::Translate {
                sentence: Some("the cat eats a mouse".into()),
                example: 0,
                beam: 4,
            },
            MtRequest::Translate {
                sentence: None,
                example: 3,
                beam: 1,
            },
            MtRequest::Bleu {
                candidate: "the ball the ball".into(),
                reference: "the ball is blue".into(),
            },
        ]
    }
}
