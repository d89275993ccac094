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
            println!(
                "| matmul {name} N={n} (GFLOP/s) | {single:.1} | {multi:.1} | {:.2}× |",
                multi / single
            );
        }
    }
    let single = one
        .install(|| cnn_examples_per_second(64, &clock, 1500.0))
        .expect("CNN step");
    let multi = cnn_examples_per_second(64, &clock, 1500.0).expect("CNN step");
    println!(
        "| CNN step, batch 64 (examples/s) | {single:.0} | {multi:.0} | {:.2}× |",
        multi / single
    );
    let single = one
        .install(|| mlp_examples_per_second(64, &clock, 1000.0))
        .expect("MLP step");
    let multi = mlp_examples_per_second(64, &clock, 1000.0).expect("MLP step");
    println!(
        "| MLP 784-256-256-10 step, batch 64 (examples/s) | {single:.0} | {multi:.0} | {:.2}× |",
        multi / single
    );
}
