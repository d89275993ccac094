//! When kernels may use the rayon pool. Every parallel region in this crate is cut into chunks
//! whose boundaries do not depend on the thread count, so running the same chunks one after
//! another on the calling thread gives the same bits: [`sequential`] does exactly that, which is
//! how benchmarks measure "1 thread" in a browser, where a second rayon pool cannot be spawned.

use crate::thread_flag::with_flag;
use std::cell::Cell;

thread_local!(static SEQUENTIAL: Cell<bool> = const { Cell::new(false) });

/// Runs `f` with every kernel called from this thread on this thread alone.
pub fn sequential<R>(f: impl FnOnce() -> R) -> R {
    with_flag(&SEQUENTIAL, true, f)
}

/// Whether a kernel called on this thread may fork onto the pool.
pub fn allowed() -> bool {
    !SEQUENTIAL.with(Cell::get)
}

/// Elements per chunk of an element-wise kernel: large enough that a fork costs little next to
/// the work (a rayon round trip in wasm is 15–45 µs; ReLU does 64k values in ~12 µs), small
/// enough to split a CNN's maps.
pub const ELEMENT_CHUNK: usize = 64 * 1024;

/// Element-wise work forks onto the pool only from this many values: a fork/join round trip in
/// wasm (15–45 µs) costs about what 64k values of ReLU take, so splitting the Transformer's
/// 262k-value maps into 4 chunks lost time (the same-page benchmark: CNN step 3,420 → 3,947
/// examples/s on two threads, Transformer 563 → 639, with this threshold). Whether a call forks
/// never changes its chunks, so never its bits.
pub const ELEMENT_FORK_MIN: usize = 512 * 1024;

/// Calls `f(index, chunk)` for every `len`-long chunk of `out` (the last may be shorter), on the
/// pool when allowed, there is more than one chunk and `out` has `ELEMENT_FORK_MIN` values.
/// Chunks never share values and their boundaries do not depend on the thread count, so the
/// bits are the same either way.
pub fn for_each_chunk_mut<T: Send>(out: &mut [T], len: usize, f: impl Fn(usize, &mut [T]) + Sync) {
    let work = out.len();
    for_each_chunk_mut_by_work(out, len, work, f);
}

/// As [`for_each_chunk_mut`], for loops whose cost is not one element-wise value per output:
/// forks when `work`, in element-wise values' worth, reaches `ELEMENT_FORK_MIN`.
pub fn for_each_chunk_mut_by_work<T: Send>(
    out: &mut [T],
    len: usize,
    work: usize,
    f: impl Fn(usize, &mut [T]) + Sync,
) {
    use rayon::prelude::*;
    let len = len.max(1);
    if allowed() && out.len() > len && work >= ELEMENT_FORK_MIN {
        out.par_chunks_mut(len)
            .enumerate()
            .for_each(|(i, chunk)| f(i, chunk));
    } else {
        out.chunks_mut(len)
            .enumerate()
            .for_each(|(i, chunk)| f(i, chunk));
    }
}

/// From this many values [`zeros`] zeroes on the pool.
pub const ZEROS_FORK_MIN: usize = 256 * 1024;

/// `vec![0.0; len]`, zeroed on the pool when large. A zeroed allocation is one `memory.fill` on
/// the calling thread (a call out of the module, at memory speed): the CNN's backward buffers
/// (5 MB for conv1's unfolded gradient) made it a tenth of the engine thread's time in the
/// browser's profile, while the other thread waited.
pub fn zeros(len: usize) -> Vec<f32> {
    use rayon::prelude::*;
    use std::mem::MaybeUninit;
    if !allowed() || len < ZEROS_FORK_MIN {
        return vec![0.0; len];
    }
    let mut values = Vec::with_capacity(len);
    values.spare_capacity_mut()[..len]
        .par_chunks_mut(ELEMENT_CHUNK)
        .for_each(|chunk| chunk.fill(MaybeUninit::new(0.0)));
    // SAFETY: the chunks above wrote all `len` values.
    unsafe { values.set_len(len) };
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zeros_are_zeros_at_every_size_and_on_one_thread() {
        for len in [
            0,
            1,
            ZEROS_FORK_MIN - 1,
            ZEROS_FORK_MIN,
            3 * ZEROS_FORK_MIN + 7,
        ] {
            assert!(zeros(len).len() == len && zeros(len).iter().all(|v| v.to_bits() == 0));
            assert!(sequential(|| zeros(len)).iter().all(|v| v.to_bits() == 0));
        }
    }
}
