//! Shared by the integration tests (each test binary uses a part, hence `dead_code`):
//! a small MNIST-shaped CNN training step (conv5x5x8 same + relu + maxpool2 → conv5x5x16 same +
//! relu + maxpool2 → dense10, SGD), and the browser's thread pool start.
#![allow(dead_code)]
#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use tensor::ops::conv::Conv2dOptions;
use tensor::ops::pool::Pool2dOptions;
use tensor::rng::Rng;
use tensor::Tensor;

pub struct SmallCnn {
    pub params: Vec<Tensor>,
}

impl SmallCnn {
    pub fn new(seed: u64) -> Self {
        let mut rng = Rng::new(seed);
        let mut p = |shape: &[usize], fan_in: usize| {
            let bound = (6.0 / fan_in as f32).sqrt();
            Tensor::uniform(shape, -bound, bound, &mut rng).requires_grad()
        };
        let params = vec![
            p(&[8, 1, 5, 5], 25),
            p(&[8], 25),
            p(&[16, 8, 5, 5], 200),
            p(&[16], 200),
            p(&[16 * 7 * 7, 10], 784),
            p(&[10], 784),
        ];
        SmallCnn { params }
    }

    pub fn loss(&self, images: &Tensor, labels: &[usize]) -> Tensor {
        let same = Conv2dOptions {
            padding: (2, 2),
            ..Conv2dOptions::default()
        };
        let p = &self.params;
        let h = images.conv2d(&p[0], Some(&p[1]), same).unwrap().relu();
        let h = h.max_pool2d(Pool2dOptions::square(2)).unwrap();
        let h = h.conv2d(&p[2], Some(&p[3]), same).unwrap().relu();
        let h = h.max_pool2d(Pool2dOptions::square(2)).unwrap();
        let batch = images.shape()[0];
        let h = h.reshape(&[batch, 16 * 7 * 7]).unwrap();
        let logits = h.matmul(&p[4]).unwrap().add(&p[5]).unwrap();
        logits.cross_entropy(labels, None).unwrap()
    }

    /// One step of plain SGD; returns the loss and every parameter's gradient bits.
    pub fn step(&self, images: &Tensor, labels: &[usize], lr: f32) -> (f32, Vec<Vec<u32>>) {
        let loss = self.loss(images, labels);
        let mut grads = loss.backward().unwrap();
        let mut bits = Vec::new();
        for p in &self.params {
            let g = grads.take(p).unwrap();
            bits.push(g.iter().map(|v| v.to_bits()).collect());
            p.update(|w| w.iter_mut().zip(&g).for_each(|(w, g)| *w -= lr * g));
        }
        (loss.item().unwrap(), bits)
    }
}

/// A deterministic batch of 28×28 "images" and labels.
pub fn batch(size: usize, seed: u64) -> (Tensor, Vec<usize>) {
    let mut rng = Rng::new(seed);
    let images = Tensor::uniform(&[size, 1, 28, 28], 0.0, 1.0, &mut rng);
    let labels = (0..size).map(|_| (rng.next_u64() % 10) as usize).collect();
    (images, labels)
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
