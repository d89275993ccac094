//! Requests as the CNN page sends them (the fuzzers start from these).

use super::protocol::{CnnProtocol, CnnRequest};
use super::view::DigitSource;
use crate::registry::Examples;
use crate::training::TrainFor;

impl Examples for CnnProtocol {
    fn example_requests() -> Vec<CnnRequest> {
        vec![
            CnnRequest::Train(TrainFor::new(300.0, Some(125))),
            CnnRequest::Look {
                digit: DigitSource::Test { index: 7 },
                shift: (2, 0),
            },
            // A drawn digit, smaller than the page's so a mutation often hits its fields.
            CnnRequest::Look {
                digit: DigitSource::Drawn {
                    size: 2,
                    ink: vec![0, 255, 3, 4],
                },
                shift: (1, -2),
            },
            CnnRequest::Receptive {
                layer: 3,
                channel: 1,
                y: 4,
                x: 5,
            },
        ]
    }
}
