//! Requests as the Engine panel sends them (the fuzzers start from these).

use super::{Diagnostics, DiagnosticsRequest};
use crate::registry::Examples;

impl Examples for Diagnostics {
    fn example_requests() -> Vec<DiagnosticsRequest> {
        vec![
            DiagnosticsRequest::MeasureMatmul { n: 512 },
            DiagnosticsRequest::RunBenchmarks,
        ]
    }
}
