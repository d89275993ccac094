//! The message decoders against mutated messages: for every participant of the registry
//! (`contract::registry`), its default start, the start of each of its README links
//! (`docs/examples.json`), its example requests and the engine's envelopes addressed to it,
//! with bytes replaced, inserted, deleted, written as JSON escapes, stretches repeated, or the
//! message cut. Reading never panics; what reads as an envelope and then as the addressed
//! participant's own message round-trips. The cases start from the commit's seed
//! (`fuzzing::seed`); a failure prints the seed that replays it.
//!
//! `MESSAGE_FUZZ_CASES` (default 100,000) cases per participant; longer:
//! `MESSAGE_FUZZ_CASES=1000000 cargo test --release -p contract --test message_fuzz`.
#![allow(clippy::unwrap_used)] // a panic is the failure report

mod example_links;
mod fuzzing;

use contract::link::Link;
use contract::registry::{
    each_lab, each_participant, Lab, LabVisitor, Participant, ParticipantVisitor,
};
use contract::{Ask, FromEngine, ToEngine};
use std::collections::BTreeMap;

/// Each participant's messages, by slug, in the registry's order.
#[derive(Default)]
struct Corpus {
    order: Vec<&'static str>,
    messages: BTreeMap<&'static str, Vec<String>>,
}

impl Corpus {
    fn add(&mut self, slug: &'static str, message: String) {
        if !self.messages.contains_key(slug) {
            self.order.push(slug);
        }
        self.messages.entry(slug).or_default().push(message);
    }
}

/// What every participant has: a default start, its example requests, and the envelopes the
/// engine writes to it.
impl ParticipantVisitor for Corpus {
    fn visit<P: Participant>(&mut self) {
        self.add(
            P::SLUG,
            ToEngine::start::<P>(3, &P::Spec::default()).to_json(),
        );
        for request in P::example_requests() {
            self.add(P::SLUG, ToEngine::request::<P>(3, &request).to_json());
        }
        let (from, run) = (P::SLUG.to_string(), 3);
        let message = "step = 9 exceeds the limit of 5".to_string();
        let what = "the MNIST digits".to_string();
        for envelope in [
            FromEngine::Error { from, run, message },
            FromEngine::Waiting {
                from: P::SLUG.into(),
                run,
                what,
            },
        ] {
            self.add(P::SLUG, envelope.to_json());
        }
    }
}

/// And a lab, the start of each of its README links.
struct LinkStarts<'a>(&'a mut Corpus, example_links::ExampleList);

impl LabVisitor for LinkStarts<'_> {
    fn visit<L: Lab>(&mut self) {
        for example in &self.1.lab(L::SLUG).links {
            let (spec, _) = L::Spec::decode(&example.link);
            self.0
                .add(L::SLUG, ToEngine::start::<L>(1, &spec).to_json());
        }
    }
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

/// One change to a message: a byte replaced, inserted or removed, the message cut, a byte
/// written as a JSON escape (`\u0041` for `A`: the same text inside a string), or a stretch
/// repeated (a key given twice, an array grown).
fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>, alphabet: &[u8]) {
    let at = rng.below(bytes.len());
    match rng.below(6) {
        0 => bytes[at] = alphabet[rng.below(alphabet.len())],
        1 => bytes.insert(at, alphabet[rng.below(alphabet.len())]),
        2 => {
            bytes.remove(at);
        }
        3 => {
            let escaped = format!("\\u{:04x}", bytes[at]);
            bytes.splice(at..=at, escaped.bytes());
        }
        4 => {
            let end = (at + 1 + rng.below(40)).min(bytes.len());
            let stretch = bytes[at..end].to_vec();
            bytes.splice(end..end, stretch);
        }
        _ => bytes.truncate(at),
    }
}

/// Reads an envelope's body as the participant it is addressed to would.
struct ReadBody<'a> {
    to: &'a str,
    ask: &'a Ask,
}

impl ParticipantVisitor for ReadBody<'_> {
    fn visit<P: Participant>(&mut self) {
        if P::SLUG == self.to {
            read_body::<P>(self.ask);
        }
    }
}

/// A start whose spec reads and is within the participant's limits round-trips (one outside
/// them, say a number too large for f32 that reads as ∞, is the engine's to refuse by its
/// limits).
fn read_body<P: Participant>(ask: &Ask) {
    match ask {
        Ask::Start(body) => {
            if let Some(spec) = body.read::<P::Spec>().ok().filter(|s| P::check(s).is_ok()) {
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

/// One mutated message through every reader.
fn read(text: &str) {
    if let Ok(request) = ToEngine::from_json(text) {
        assert_eq!(ToEngine::from_json(&request.to_json()), Ok(request.clone()));
        each_participant(&mut ReadBody {
            to: &request.to,
            ask: &request.ask,
        });
    }
    let _ = FromEngine::from_json(text);
}

#[test]
fn mutated_messages_never_panic_and_what_reads_round_trips() {
    let cases = fuzzing::cases("MESSAGE_FUZZ_CASES");
    let mut corpus = Corpus::default();
    each_participant(&mut corpus);
    each_lab(&mut LinkStarts(&mut corpus, example_links::load()));
    // The worker bootstrap's own message (web/engine-worker.js), to no one in particular.
    let engine = *corpus.order.last().unwrap();
    corpus.add(engine, r#"{"failed":{"message":"boom"}}"#.to_string());
    const BYTES: &[u8] = b"{}[]\":,0123456789-.eE nulltruefalse\\u";
    let seed = fuzzing::seed();
    for slug in &corpus.order {
        let messages = &corpus.messages[slug];
        // Each participant its own sequence, so adding one does not change another's cases.
        let mut rng = Rng(seed
            ^ slug
                .bytes()
                .fold(0u64, |h, b| h.wrapping_mul(31) ^ u64::from(b)));
        for case in 0..cases {
            let mut bytes = messages[case % messages.len()].as_bytes().to_vec();
            for _ in 0..1 + rng.below(3) {
                mutate(&mut rng, &mut bytes, BYTES);
                if bytes.is_empty() {
                    break;
                }
            }
            let text = String::from_utf8_lossy(&bytes);
            fuzzing::run_case(seed, format_args!("{slug}'s message {text}"), || {
                read(&text)
            });
        }
    }
}
