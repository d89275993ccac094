//! The message decoders against mutated messages: real requests and replies of every
//! participant with bytes replaced, inserted, deleted or cut. Reading never panics; what reads
//! as an envelope and then as a lab's own message round-trips.
//!
//! `MESSAGE_FUZZ_CASES` (default 100,000); longer: `MESSAGE_FUZZ_CASES=1000000 cargo test
//! --release -p contract --test message_fuzz`.
#![allow(clippy::unwrap_used)] // a panic is the failure report

use contract::cnn::protocol::{CnnProtocol, CnnRequest};
use contract::cnn::view::DigitSource;
use contract::diagnostics::{Diagnostics, DiagnosticsRequest};
use contract::optim::protocol::{OptimProtocol, OptimRequest};
use contract::{Ask, FromEngine, Protocol, ToEngine};

fn corpus() -> Vec<String> {
    vec![
        ToEngine::start::<OptimProtocol>(3, &Default::default()).to_json(),
        ToEngine::request::<OptimProtocol>(3, &OptimRequest::Step { steps: 5 }).to_json(),
        ToEngine::start::<CnnProtocol>(1, &Default::default()).to_json(),
        ToEngine::request::<CnnProtocol>(
            1,
            &CnnRequest::Train {
                budget_ms: 300.0,
                one_thread: false,
                until: Some(125),
            },
        )
        .to_json(),
        ToEngine::request::<CnnProtocol>(
            1,
            &CnnRequest::Look {
                digit: DigitSource::Drawn {
                    size: 2,
                    ink: vec![0, 255, 3, 4],
                },
                shift: (1, -2),
            },
        )
        .to_json(),
        ToEngine::request::<Diagnostics>(0, &DiagnosticsRequest::MeasureMatmul { n: 512 })
            .to_json(),
        r#"{"failed":{"message":"boom"}}"#.to_string(),
    ]
}

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n.max(1) as u64) as usize
    }
}

/// A start whose spec reads and is within the lab's limits round-trips (one outside them, say
/// a number too large for f32 that reads as ∞, is the engine's to refuse by its limits).
fn read_body<P: Protocol>(ask: &Ask, within_limits: impl Fn(&P::Spec) -> bool) {
    match ask {
        Ask::Start(body) => {
            if let Some(spec) = body.read::<P::Spec>().ok().filter(|s| within_limits(s)) {
                let again = ToEngine::start::<P>(0, &spec);
                let Ask::Start(back) = again.ask else {
                    unreachable!()
                };
                assert_eq!(back.read::<P::Spec>().ok(), Some(spec));
            }
        }
        Ask::Request(body) => {
            let _ = body.read::<P::Request>();
        }
    }
}

#[test]
fn mutated_messages_never_panic_and_what_reads_round_trips() {
    let cases: usize = std::env::var("MESSAGE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let corpus = corpus();
    let mut rng = Rng(7);
    const BYTES: &[u8] = b"{}[]\":,0123456789-.eE nulltruefalse\\u";
    for case in 0..cases {
        let mut bytes = corpus[case % corpus.len()].as_bytes().to_vec();
        for _ in 0..1 + rng.below(3) {
            let at = rng.below(bytes.len());
            match rng.below(4) {
                0 => bytes[at] = BYTES[rng.below(BYTES.len())],
                1 => bytes.insert(at, BYTES[rng.below(BYTES.len())]),
                2 => {
                    bytes.remove(at);
                }
                _ => bytes.truncate(at),
            }
            if bytes.is_empty() {
                break;
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        if let Ok(request) = ToEngine::from_json(&text) {
            assert_eq!(ToEngine::from_json(&request.to_json()), Ok(request.clone()));
            match request.to.as_str() {
                "optim" => read_body::<OptimProtocol>(&request.ask, |s| s.check().is_ok()),
                "cnn" => read_body::<CnnProtocol>(&request.ask, |s| s.check().is_ok()),
                _ => read_body::<Diagnostics>(&request.ask, |_| true),
            }
        }
        let _ = FromEngine::from_json(&text);
    }
}
