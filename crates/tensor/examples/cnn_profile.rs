//! Where a CNN training step spends its time, natively: `perf record` this
//! (`cargo build --release -p tensor --example cnn_profile`), one thread or all.
use tensor::bench::{random_batch, SmallCnn};

fn main() {
    let model = SmallCnn::new(1);
    let (x, y) = random_batch(64, 2);
    let steps: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    let one = std::env::args().nth(2).is_some();
    let run = || {
        for _ in 0..steps {
            let _ = model.step(&x, &y, 0.01);
        }
    };
    let t = std::time::Instant::now();
    if one {
        tensor::parallel::sequential(run);
    } else {
        run();
    }
    let s = t.elapsed().as_secs_f64();
    println!("{:.0} examples/s", steps as f64 * 64.0 / s);
}
