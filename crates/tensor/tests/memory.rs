//! A steady training loop must not grow memory: wasm memory only grows, so a leak or a
//! fragmenting allocation pattern would eventually end the page. Alone in its test binary,
//! because the native check counts every allocation of the process.

mod common;

use common::{batch, SmallCnn};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_dedicated_worker);

/// Bytes the process has asked for: natively a counting allocator, in the browser the size
/// of the wasm memory itself (what a user's tab pays for).
#[cfg(not(target_arch = "wasm32"))]
mod memory {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicUsize, Ordering};

    static LIVE: AtomicUsize = AtomicUsize::new(0);
    static PEAK: AtomicUsize = AtomicUsize::new(0);

    struct Counting;

    // SAFETY: forwards to the system allocator unchanged; only counts.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
            // SAFETY: same layout contract as our caller's.
            unsafe { System.alloc(layout) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            // SAFETY: ptr came from System.alloc with this layout.
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    #[global_allocator]
    static ALLOCATOR: Counting = Counting;

    /// Peak bytes live since the last call.
    pub fn take_peak() -> usize {
        PEAK.swap(LIVE.load(Ordering::Relaxed), Ordering::Relaxed)
    }
}

#[cfg(target_arch = "wasm32")]
mod memory {
    use wasm_bindgen::JsCast;

    /// The wasm memory's size: it only grows, so it is its own peak.
    pub fn take_peak() -> usize {
        wasm_bindgen::memory()
            .unchecked_into::<js_sys::WebAssembly::Memory>()
            .buffer()
            .unchecked_into::<js_sys::SharedArrayBuffer>()
            .byte_length() as usize
    }
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn memory_stays_flat_over_a_thousand_steps() {
    check_memory_stays_flat();
}

/// In the browser with the real pool: its workers allocate in the same memory.
#[cfg(target_arch = "wasm32")]
#[test]
async fn memory_stays_flat_over_a_thousand_steps() {
    common::ensure_pool().await;
    check_memory_stays_flat();
}

fn check_memory_stays_flat() {
    let model = SmallCnn::new(1);
    let (images, labels) = batch(8, 2);
    for _ in 0..20 {
        model.step(&images, &labels, 0.01);
    }
    let warm = memory::take_peak();
    let mut peak_after = 0;
    for _ in 0..1000 {
        model.step(&images, &labels, 0.01);
        peak_after = peak_after.max(memory::take_peak());
    }
    // The smallest leak possible, one empty tensor per step, is a ~120-byte graph node: 120 KB
    // over 1000 steps. Natively rayon's queues may still grow by a few hundred bytes as threads
    // steal for the first time; in the browser memory grows by 64 KiB pages, so this tolerance
    // allows no page at all.
    const SLACK: usize = 16 * 1024;
    assert!(
        peak_after <= warm + SLACK,
        "peak memory grew from {warm} to {peak_after} bytes over 1000 steps"
    );
}
