//! What the `*_train` examples share: the link they train (the first argument), their clock,
//! and the line each training slice ends with. (A folder, so Cargo does not take it for an
//! example of its own.)

// Each example uses the parts it needs.
#![allow(dead_code)]

use contract::link::Link;
use std::time::Instant;

/// The spec the link in the first argument describes; what its decoding noted goes to stderr.
pub fn link_spec<S: Link>() -> S {
    let link = std::env::args().nth(1).unwrap_or_default();
    let (spec, notes) = S::decode(&link);
    for n in notes {
        eprintln!("link: {} — {}", n.part, n.reason);
    }
    spec
}

/// The sessions' clock: milliseconds since this call.
pub fn clock() -> impl Fn() -> f64 {
    let start = Instant::now();
    move || start.elapsed().as_secs_f64() * 1000.0
}

/// After a slice: its speed (`unit`s per second, if it trained) on stderr, and why training
/// stopped as the example's error.
pub fn end_slice(
    speed: Option<f32>,
    unit: &str,
    stopped: Option<String>,
) -> Result<(), Box<dyn std::error::Error>> {
    if let Some(speed) = speed {
        eprintln!(
            "  {speed:.0} {unit}/s on {} threads",
            rayon::current_num_threads()
        );
    }
    match stopped {
        Some(why) => Err(why.into()),
        None => Ok(()),
    }
}
