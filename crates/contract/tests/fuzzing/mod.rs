//! What the fuzzers share: how many cases a run takes, and how a case that panics is reported
//! (a panic is the failure: the message names the case, so it can be replayed).

use std::panic::{catch_unwind, AssertUnwindSafe};

/// Cases per run: the number in the environment variable `var` (for a longer run), else
/// 100,000.
pub fn cases(var: &str) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

/// Runs one case; if it panics, the test fails with `what` (the case) and what the panic said.
pub fn run_case(what: std::fmt::Arguments<'_>, case: impl FnOnce()) {
    if let Err(panic) = catch_unwind(AssertUnwindSafe(case)) {
        panic!("{what}: {}", said(&*panic))
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
