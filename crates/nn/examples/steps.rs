//! Native benchmark of the peers' recurrent and attention training steps:
//! `cargo run --release -p nn --example steps`. Prints examples/s of the LSTM (32 → 128,
//! sequence 32, batch 32) and the Transformer encoder block (d 64, 4 heads, d_ff 256, sequence
//! 64, batch 16) on one thread and on all threads, measured here, in this process.

use nn::bench::{lstm_examples_per_second, transformer_examples_per_second};
use std::time::Instant;
use tensor::parallel::sequential;

type Workload = fn(&dyn Fn() -> f64, f64) -> tensor::Result<f64>;

fn main() -> tensor::Result<()> {
    let start = Instant::now();
    let clock = move || start.elapsed().as_secs_f64() * 1e3;
    println!(
        "| training step | 1 thread | {} threads | speed-up |",
        rayon::current_num_threads()
    );
    println!("|---|---|---|---|");
    let workloads: [(&str, Workload); 2] = [
        ("LSTM 32→128, T 32, batch 32", lstm_examples_per_second),
        (
            "Transformer block d 64, 4 heads, T 64, batch 16",
            transformer_examples_per_second,
        ),
    ];
    for (name, run) in workloads {
        let one = sequential(|| run(&clock, 2000.0))?;
        let many = run(&clock, 2000.0)?;
        println!(
            "| {name} | {one:.0} ex/s | {many:.0} ex/s | {:.2}× |",
            many / one
        );
    }
    Ok(())
}
