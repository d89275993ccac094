//! Runs a few small-CNN training steps on one thread: a target for profilers
//! (`valgrind --tool=callgrind target/release/examples/cnn_steps`).
use tensor::bench::{random_batch, SmallCnn};

fn main() {
    let model = SmallCnn::new(1);
    let (images, labels) = random_batch(64, 2);
    tensor::parallel::sequential(|| {
        for _ in 0..3 {
            model.step(&images, &labels, 0.01).expect("step");
        }
    });
}
