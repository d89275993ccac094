//! Every lab's link decoder against mutated links: the README's example links and the
//! defaults, with characters replaced, inserted, deleted and percent-escaped, parts repeated,
//! swapped between labs and cut. Whatever arrives, decoding does not panic, the experiment it
//! gives is within the limits, and writing it back gives a link that reads as the same
//! experiment with nothing to say.
//!
//! CI runs `LINK_FUZZ_CASES` (default 100,000) cases per lab; for a longer run:
//! `LINK_FUZZ_CASES=1000000 cargo test --release -p contract --test link_fuzz`.
#![allow(clippy::unwrap_used)] // a panic is the failure report

use contract::link::Link;

/// The README's example links (the corpus every mutation starts from).
const SEEDS: &[&str] = &[
    "lab=optim&v=1",
    "lab=optim&v=1&problem=ravine&opt=gd,momentum,nesterov&gd.lr=0.09&momentum.lr=0.02&nesterov.lr=0.02",
    "lab=optim&v=1&problem=saddle&opt=sgd,adam&sgd.lr=0.01&adam.lr=0.01",
    "lab=optim&v=1&problem=regression&opt=gd,sgd,minibatch&gd.lr=0.1&sgd.lr=0.1&minibatch.lr=0.1&at=200",
    "lab=optim&v=1&problem=himmelblau&opt=momentum,adagrad,rmsprop,adam&start=0.5,-4.5&decay=0.01,300",
    "lab=cnn&v=1",
    "lab=cnn&v=1&digit=7&at=125",
    "lab=cnn&v=1&layers=c8k3p1,bn,relu,res8,res16s2,res32s2,avg7&epochs=2",
    "lab=cnn&v=1&layers=c8k5p2,relu,c16k4s2p1,relu&shift=2,0&at=250",
    "lab=cnn&v=1&opt=sgd&lr=2&at=125",
    "lab=net&v=1",
    "lab=net&v=1&data=spiral&at=300",
    "lab=net&v=1&data=spiral&features=x1,x2,sinx1,sinx2&layers=8,8&at=300",
    "lab=net&v=1&data=spiral&layers=8,8,8,8&act=relu&opt=adam&at=300",
    "lab=net&v=1&data=xor&features=x1x2&layers=-&at=30",
    "lab=net&v=1&data=gauss&noise=50&train=10&layers=8,8,8&opt=adam&test=1&at=500",
    "lab=net&v=1&data=gauss&noise=50&train=10&layers=8,8,8&opt=adam&reg=l2&rate=0.03&test=1&at=500",
    "lab=net&v=1&data=spiral&layers=8,8,8,8&act=relu&opt=adam&at=150",
    "lab=net&v=1&data=spiral&layers=8,8,8,8&act=relu&opt=adam&bn=1&at=150",
    "lab=net&v=1&data=custom&pts=-200_-200_p,200_200_p,-200_200_n,200_-200_n,-300_-100_p,100_350_p,-350_250_n,300_-300_n&features=x1x2&layers=-&at=20",
    // Not in the README: every other key of the Network lab's link.
    "lab=net&v=1&edit=30_1_1_3_-3,31_3_0_0_0.25&at=32",
    "lab=net&v=1&data=gaussians&noise=10&train=70&batch=1&act=sigmoid&reg=l1&rate=0.001&opt=momentum&alpha=0.5&discrete=1&seed=3",
    "lab=rnn&v=1",
    "lab=rnn&v=1&span=16&cell=relu&gain=2&clip=none&opt=sgd&lr=0.05&steps=400&at=400",
    "lab=rnn&v=1&span=40&cmp=1&trunc=10&steps=500&at=500",
    "lab=rnn&v=1&task=add&span=8&lr=0.01&steps=600&at=600",
    "lab=rnn&v=1&task=lm&span=32&hidden=64&bi=0&layers=2&batch=16&decay=0.01,300&seed=4",
    "lab=tfm&v=1",
    "lab=tfm&v=1&at=800",
    "lab=tfm&v=1&pos=none&arch=enc&at=800",
    "lab=tfm&v=1&task=lm&len=32&width=48&heads=4&ff=128&steps=1500&at=1500",
    "lab=tfm&v=1&task=add&len=4&layers=3&norm=pre&res=0&scale=0&vs=1&warm=0&clip=none",
    "lab=tfm&v=1&task=mod&opt=momentum&alpha=0.5&decay=0.1,300&batch=8&seed=3",
    "lab=tfm&v=1&task=add&len=6&steps=2500&at=2500",
    "lab=tfm&v=1&task=lm&len=6&steps=20&warm=20&at=20",
    "lab=rnn&v=1&span=70&bi=1&cmp=1",
    "lab=mt&v=1",
    "lab=mt&v=1&at=600",
    "lab=mt&v=1&len=17&width=48&heads=2&layers=3&steps=900&at=900",
    "lab=mt&v=1&say=the+small+cat+eats+a+mouse&beam=4&at=600",
    "lab=mt&v=1&opt=momentum&alpha=0.5&decay=0.1,300&batch=8&seed=3&warm=0&clip=none",
];

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

fn mutate(rng: &mut Rng, link: &str) -> String {
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
                let other = SEEDS[rng.below(SEEDS.len())];
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

fn check<S: Link + PartialEq + std::fmt::Debug, E: std::fmt::Display>(
    fragment: &str,
    limits: impl Fn(&S) -> Result<(), E>,
) {
    let (spec, _) = S::decode(fragment);
    if let Err(why) = limits(&spec) {
        panic!("{fragment}: {why}");
    }
    let again = spec.encode();
    let (back, notes) = S::decode(&again);
    assert!(notes.is_empty(), "{fragment} → {again}: {notes:?}");
    assert_eq!(back, spec, "{fragment} → {again}");
}

#[test]
fn mutated_links_decode_within_limits_and_round_trip() {
    let cases: usize = std::env::var("LINK_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let mut rng = Rng(0x5EED);
    for case in 0..cases {
        let seed = SEEDS[case % SEEDS.len()];
        let fragment = mutate(&mut rng, seed);
        check::<contract::optim::OptimLab, _>(&fragment, |s| s.check());
        // The CNN's check also refuses impossible architectures it keeps for the builder:
        // only the named limits are asked of a decoded link.
        check::<contract::cnn::CnnLab, _>(&fragment, |s| s.check());
        check::<contract::net::NetLab, _>(&fragment, |s| s.check());
        check::<contract::rnn::RnnLab, _>(&fragment, |s| s.check());
        check::<contract::tfm::TfmLab, _>(&fragment, |s| s.check());
        check::<contract::mt::MtLab, _>(&fragment, |s| s.check());
    }
}
