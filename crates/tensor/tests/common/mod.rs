//! Shared by the integration tests (each test binary uses a part, hence `dead_code`):
//! a small MNIST-shaped CNN training step (conv5x5x8 same + relu + maxpool2 → conv5x5x16 same +
//! relu + maxpool2 → dense10, SGD), and the browser's thread pool start.
#![allow(dead_code, unused_imports)]
#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

pub use tensor::bench::random_batch as batch;
use tensor::Tensor;

/// The benchmark's CNN, with gradients returned as bits for exact comparison.
pub struct SmallCnn(tensor::bench::SmallCnn);

impl SmallCnn {
    pub fn new(seed: u64) -> Self {
        SmallCnn(tensor::bench::SmallCnn::new(seed))
    }

    pub fn step(&self, images: &Tensor, labels: &[usize], lr: f32) -> (f32, Vec<Vec<u32>>) {
        let (loss, grads) = self.0.step(images, labels, lr).unwrap();
        let bits = grads
            .iter()
            .map(|g| g.iter().map(|v| v.to_bits()).collect())
            .collect();
        (loss, bits)
    }
}

/// In the browser the rayon pool is wasm-bindgen-rayon's Web Workers sharing this memory,
/// started once with `navigator.hardwareConcurrency` threads (at least 2, so work is split).
/// Every browser test that may reach rayon awaits this first: rayon's first use would otherwise
/// install a one-thread fallback pool, and the real one could no longer start.
#[cfg(target_arch = "wasm32")]
pub async fn ensure_pool() -> usize {
    use std::cell::RefCell;
    // Async tests may run interleaved: all of them await the one promise that starts the pool.
    thread_local!(static STARTING: RefCell<Option<js_sys::Promise>> = const { RefCell::new(None) });
    let threads = js_sys_hardware_concurrency().max(2);
    let promise = STARTING.with(|p| {
        p.borrow_mut()
            .get_or_insert_with(|| wasm_bindgen_rayon::init_thread_pool(threads))
            .clone()
    });
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .expect("the rayon pool starts in the test worker");
    threads
}

#[cfg(target_arch = "wasm32")]
fn js_sys_hardware_concurrency() -> usize {
    use js_sys::Reflect;
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into()).expect("navigator");
    let threads =
        Reflect::get(&navigator, &"hardwareConcurrency".into()).expect("hardwareConcurrency");
    threads.as_f64().unwrap_or(1.0) as usize
}
