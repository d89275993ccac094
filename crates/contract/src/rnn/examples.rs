//! Requests as the Recurrent page sends them (the fuzzers start from these).

use super::protocol::{RnnProtocol, RnnRequest};
use crate::registry::Examples;
use crate::training::TrainFor;

impl Examples for RnnProtocol {
    fn example_requests() -> Vec<RnnRequest> {
        vec![
            RnnRequest::Train(TrainFor::new(300.0, None)),
            RnnRequest::Train(TrainFor::new(300.0, Some(500))),
            RnnRequest::Inside { example: 2 },
            RnnRequest::Score {
                text: "the man pulled a cart.".into(),
            },
            RnnRequest::Sample {
                prompt: "the man ".into(),
                length: 80,
                temperature: 0.8,
                seed: 1,
            },
            RnnRequest::FillIn {
                text: "the man a cart".into(),
            },
        ]
    }
}
