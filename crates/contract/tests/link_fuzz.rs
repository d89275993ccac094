//! Every lab's link decoder against mutated links: each lab of the registry
//! (`contract::registry`) gets its own cases, from its README examples, its default and its
//! extra seeds (`docs/examples.json`), and now and then another lab's link; characters are
//! replaced, inserted, deleted and percent-escaped, parts repeated, grafted from any lab's
//! links, and cut. Whatever arrives, decoding does not panic, the experiment it gives is within
//! the limits, and writing it back gives a link that reads as the same experiment with nothing
//! to say. The cases start from the commit's seed (`fuzzing::seed`); a failure prints the seed
//! that replays it.
//!
//! CI runs `LINK_FUZZ_CASES` (default 100,000) cases per lab; for a longer run:
//! `LINK_FUZZ_CASES=1000000 cargo test --release -p contract --test link_fuzz`.
#![allow(clippy::unwrap_used)] // a panic is the failure report

mod example_links;
mod fuzzing;

use contract::link::Link;
use contract::registry::{each_lab, Lab, LabVisitor};

/// Characters links are made of, and a few they should never contain.
const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789.,-=&%#+eE_ \xce\xb7";

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // SplitMix64.
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, link: &str, grafts: &[String]) -> String {
    let mut bytes = link.as_bytes().to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(7) {
            0 if !bytes.is_empty() => {
                let i = at.min(bytes.len() - 1);
                bytes[i] = ALPHABET[rng.below(ALPHABET.len())];
            }
            1 => bytes.insert(at, ALPHABET[rng.below(ALPHABET.len())]),
            2 if at < bytes.len() => {
                bytes.remove(at);
            }
            3 => {
                // Percent-escape one byte, as a browser would.
                if let Some(&b) = bytes.get(at) {
                    let escaped = format!("%{b:02X}");
                    bytes.splice(at..=at, escaped.bytes());
                }
            }
            4 => {
                // Repeat a part (or graft one from another link).
                let other = &grafts[rng.below(grafts.len())];
                let parts: Vec<&str> = other.split('&').collect();
                let part = parts[rng.below(parts.len())];
                bytes.extend(format!("&{part}").bytes());
            }
            5 => bytes.truncate(at),
            _ => bytes.extend(format!("&at={}", rng.next() % 1_000_000).bytes()),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A lab's cases: one in `FOREIGN` starts from another lab's link (a link pasted into the
/// wrong lab, or a slug mistyped), the rest from its own.
const FOREIGN: usize = 4;

struct Fuzz {
    cases: usize,
    seed: u64,
    list: example_links::ExampleList,
    /// Every lab's seeds: what a mutation grafts parts from and a foreign case starts from.
    every_seed: Vec<String>,
}

impl LabVisitor for Fuzz {
    fn visit<L: Lab>(&mut self) {
        let own: Vec<String> = std::iter::once(L::Spec::default().encode())
            .chain(self.list.lab(L::SLUG).seeds().map(str::to_owned))
            .collect();
        // Each lab its own sequence, so adding a lab does not change another's cases.
        let mut rng = Rng(self.seed
            ^ L::SLUG
                .bytes()
                .fold(0u64, |h, b| h.wrapping_mul(31) ^ u64::from(b)));
        for case in 0..self.cases {
            let seed = if case % FOREIGN == FOREIGN - 1 {
                &self.every_seed[rng.below(self.every_seed.len())]
            } else {
                &own[case % own.len()]
            };
            let fragment = mutate(&mut rng, seed, &self.every_seed);
            let what = format_args!("lab {}, link {fragment:?}", L::SLUG);
            fuzzing::run_case(self.seed, what, || check::<L>(&fragment));
        }
    }
}

/// The named limits are all a decoded link must meet (the CNN's `trainable` also refuses
/// impossible architectures, which a link keeps for the builder to flag).
fn check<L: Lab>(fragment: &str) {
    let (spec, _) = L::Spec::decode(fragment);
    if let Err(why) = L::check(&spec) {
        panic!("{fragment}: {why}");
    }
    let again = spec.encode();
    let (back, notes) = L::Spec::decode(&again);
    assert!(notes.is_empty(), "{fragment} → {again}: {notes:?}");
    assert_eq!(back, spec, "{fragment} → {again}");
}

#[test]
fn mutated_links_decode_within_limits_and_round_trip() {
    let cases = fuzzing::cases("LINK_FUZZ_CASES");
    let list = example_links::load();
    let every_seed = list
        .labs
        .iter()
        .flat_map(|lab| lab.seeds().map(str::to_owned))
        .collect();
    each_lab(&mut Fuzz {
        cases,
        seed: fuzzing::seed(),
        list,
        every_seed,
    });
}
