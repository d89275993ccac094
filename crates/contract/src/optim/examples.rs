//! Requests as the Optimizer page sends them (the fuzzers start from these).

use super::protocol::{OptimProtocol, OptimRequest};
use crate::registry::Examples;

impl Examples for OptimProtocol {
    fn example_requests() -> Vec<OptimRequest> {
        // One step (→), a tick of play, a replay's slice.
        vec![
            OptimRequest::Step { steps: 1 },
            OptimRequest::Step { steps: 5 },
            OptimRequest::Step { steps: 200 },
        ]
    }
}
