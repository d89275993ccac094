//! Native benchmark: `cargo run --release -p tensor --example bench`.
//! Prints GFLOP/s of matrix products (A·B, A·Bᵀ, Aᵀ·B) and examples/s of a small-CNN training
//! step, on one thread (`tensor::parallel::sequential`, as in the browser) and on all threads, and the ratio between them (both measured here, in
//! this process: absolute figures drift between machines, ratios much less).

use std::time::Instant;
use tensor::bench::{cnn_examples_per_second, matmul_gflops, mlp_examples_per_second};
use tensor::kernels::gemm::Layout;
use tensor::parallel::sequential;

fn main() {
    let start = Instant::now();
    let clock = move || start.elapsed().as_secs_f64() * 1e3;
    let all = rayon::current_num_threads();
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a one-thread pool");
    println!("| workload | 1 thread | {all} threads | speed-up |");
    println!("|---|---|---|---|");
    let layouts = [
        ("A·B", Layout::AsIs, Layout::AsIs),
        ("A·Bᵀ", Layout::AsIs, Layout::Transposed),
        ("Aᵀ·B", Layout::Transposed, Layout::AsIs),
    ];
    for n in [128, 256, 512, 1024] {
        for (name, la, lb) in layouts {
            let single = sequential(|| matmul_gflops(n, la, lb, &clock, 300.0));
            let multi = matmul_gflops(n, la, lb, &clock, 300.0);
            row(&format!("matmul {name} N={n} (GFLOP/s)"), single, multi, 1);
        }
    }
    let steps: [(&str, StepRate, f64); 2] = [
        ("CNN step, batch 64", cnn_examples_per_second, 1500.0),
        (
            "MLP 784-256-256-10 step, batch 64",
            mlp_examples_per_second,
            1000.0,
        ),
    ];
    for (name, rate, budget_ms) in steps {
        let failed = |e: tensor::ShapeError| panic!("{name}: {e}");
        let single = one
            .install(|| rate(64, &clock, budget_ms))
            .unwrap_or_else(failed);
        let multi = rate(64, &clock, budget_ms).unwrap_or_else(failed);
        row(&format!("{name} (examples/s)"), single, multi, 0);
    }
}

/// Examples per second of a model's training steps: (batch, clock, budget in ms).
type StepRate = fn(usize, &dyn Fn() -> f64, f64) -> tensor::Result<f64>;

/// One row of the table: a workload's figure on one thread and on all, and the speed-up.
fn row(workload: &str, single: f64, multi: f64, decimals: usize) {
    println!(
        "| {workload} | {single:.decimals$} | {multi:.decimals$} | {:.2}× |",
        multi / single
    );
}
