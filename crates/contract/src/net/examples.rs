//! Requests as the Network page sends them (the fuzzers start from these).

use super::protocol::{NetProtocol, NetRequest};
use super::WeightEdit;
use crate::registry::Examples;

impl Examples for NetProtocol {
    fn example_requests() -> Vec<NetRequest> {
        vec![
            NetRequest::Train {
                epochs: 1,
                contrast: false,
            },
            NetRequest::Train {
                epochs: 50,
                contrast: true,
            },
            NetRequest::Contrast { epochs: 20 },
            NetRequest::Explain { point: 3 },
            NetRequest::Jacobian { layer: 1, point: 0 },
            NetRequest::SetWeight {
                edit: WeightEdit {
                    epoch: 30,
                    layer: 1,
                    from: 1,
                    to: 3,
                    value: -3.0,
                },
            },
        ]
    }
}
