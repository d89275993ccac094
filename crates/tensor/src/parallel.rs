//! When kernels may use the rayon pool. Every parallel region in this crate is cut into chunks
//! whose boundaries do not depend on the thread count, so running the same chunks one after
//! another on the calling thread gives the same bits: [`sequential`] does exactly that, which is
//! how benchmarks measure "1 thread" in a browser, where a second rayon pool cannot be spawned.

use std::cell::Cell;

thread_local!(static SEQUENTIAL: Cell<bool> = const { Cell::new(false) });

/// Runs `f` with every kernel called from this thread on this thread alone.
pub fn sequential<R>(f: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            SEQUENTIAL.with(|s| s.set(self.0));
        }
    }
    let _restore = Restore(SEQUENTIAL.with(|s| s.replace(true)));
    f()
}

/// Whether a kernel called on this thread may fork onto the pool.
pub fn allowed() -> bool {
    !SEQUENTIAL.with(Cell::get)
}
