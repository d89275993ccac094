//! What the fuzzers share: how many cases a run takes, where its random sequence starts, and how
//! a case that panics is reported (a panic is the failure: the message names the case and the
//! seed, so it can be replayed).
//!
//! The seed is the commit's: every commit explores other cases, while a run on one commit is
//! repeatable. `FUZZ_SEED=<hex>` replays another run's cases.

use std::panic::{catch_unwind, AssertUnwindSafe};

/// Cases per run: the number in the environment variable `var` (for a longer run), else
/// 100,000.
pub fn cases(var: &str) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

/// Where this run's random sequences start: `FUZZ_SEED` (hexadecimal) if set, else the first 16
/// hex digits of the checked-out commit, else (no git, say a source tarball) a fixed number.
pub fn seed() -> u64 {
    let hex = |text: &str| u64::from_str_radix(text.trim().get(..16).unwrap_or(text.trim()), 16);
    if let Ok(given) = std::env::var("FUZZ_SEED") {
        return hex(&given).unwrap_or_else(|_| panic!("FUZZ_SEED={given:?} is not hexadecimal"));
    }
    std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|out| out.status.success())
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|commit| hex(&commit).ok())
        .unwrap_or(0x5EED)
}

/// Runs one case; if it panics, the test fails with `what` (the case), what the panic said and
/// how to run the same cases again.
pub fn run_case(seed: u64, what: std::fmt::Arguments<'_>, case: impl FnOnce()) {
    if let Err(panic) = catch_unwind(AssertUnwindSafe(case)) {
        panic!("{what}: {} (replay: FUZZ_SEED={seed:x})", said(&*panic))
    }
}

/// What a panic said (its message is a `String` or a `&str`).
fn said(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic without a message")
}
