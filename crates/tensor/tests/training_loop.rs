//! A real training loop (a small MNIST-shaped CNN): it learns, and its numbers do not depend
//! on the number of threads.

mod common;

use common::{batch, SmallCnn};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_dedicated_worker);

/// The loss and the gradients, as bits, of the small CNN's first `count` SGD steps on one batch.
fn first_steps(count: usize) -> Vec<(u32, Vec<Vec<u32>>)> {
    let model = SmallCnn::new(3);
    let (images, labels) = batch(16, 4);
    (0..count)
        .map(|_| model.step(&images, &labels, 0.05))
        .map(|(loss, grads)| (loss.to_bits(), grads))
        .collect()
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn a_training_step_is_bit_identical_on_1_2_and_8_threads() {
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| first_steps(3))
    };
    let one = run(1);
    assert_eq!(run(2), one);
    assert_eq!(run(8), one);
}

/// In the browser: the wasm-bindgen-rayon pool (all cores; the calling worker is one of its
/// threads) against every kernel run on the calling worker alone (`parallel::sequential`, as
/// the benchmarks' "1 thread" is measured: a second pool cannot be started on a thread that
/// already belongs to one).
#[cfg(target_arch = "wasm32")]
#[test]
async fn a_training_step_is_bit_identical_on_one_and_all_threads() {
    let threads = common::ensure_pool().await;
    assert_eq!(rayon::current_num_threads(), threads);
    assert_eq!(
        rayon::current_thread_index(),
        Some(0),
        "the test worker is in the pool"
    );
    let all = first_steps(2);
    let one = tensor::parallel::sequential(|| first_steps(2));
    assert_eq!(one, all);
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn the_small_cnn_learns_a_fixed_batch() {
    check_learns();
}

#[cfg(target_arch = "wasm32")]
#[test]
async fn the_small_cnn_learns_a_fixed_batch() {
    common::ensure_pool().await;
    check_learns();
}

fn check_learns() {
    let model = SmallCnn::new(5);
    let (images, labels) = batch(8, 6);
    let first = model.step(&images, &labels, 0.05).0;
    let mut last = first;
    for _ in 0..30 {
        last = model.step(&images, &labels, 0.05).0;
    }
    assert!(
        last < 0.5 * first,
        "loss {first} → {last}: SGD through conv/pool/linear should fit 8 examples"
    );
}
