//! A thread-local switch set for the length of one call: how [`crate::no_grad`] stops recording
//! and [`crate::parallel::sequential`] keeps kernels on the calling thread.

use std::cell::Cell;
use std::thread::LocalKey;

/// Runs `f` with `flag` set to `value` on this thread, then puts back what it held before, also
/// when `f` panics (a caught panic must not leave the switch set) and when such calls nest.
pub(crate) fn with_flag<R>(
    flag: &'static LocalKey<Cell<bool>>,
    value: bool,
    f: impl FnOnce() -> R,
) -> R {
    struct Restore(&'static LocalKey<Cell<bool>>, bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            self.0.with(|flag| flag.set(self.1));
        }
    }
    let _restore = Restore(flag, flag.with(|flag| flag.replace(value)));
    f()
}
