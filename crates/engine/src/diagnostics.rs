//! The Engine panel's measurement: an f32 N×N matrix product timed on the calling thread and
//! on the whole pool, checked for bit-identity between the two and against the scalar oracle.

use contract::diagnostics::{
    BenchmarkRow, Diagnostics, DiagnosticsReply, DiagnosticsRequest, MatmulBench,
};
use contract::limits::{check_range, Violation, MATMUL_BENCH_MAX_N, MATMUL_BENCH_MIN_N};
use lab::session::{Answer, Context, Session, StartError};
use nn::bench::{
    lstm_examples_per_second, transformer_examples_per_second, LSTM_BATCH, LSTM_INPUTS, LSTM_STEPS,
    LSTM_UNITS, TRANSFORMER_BATCH, TRANSFORMER_DIM, TRANSFORMER_FF, TRANSFORMER_HEADS,
    TRANSFORMER_LEN,
};
use tensor::bench::{
    cnn_examples_per_second, matmul_gflops, matrixmultiply_gflops, mlp_examples_per_second,
};
use tensor::kernels::gemm::Layout;
use tensor::kernels::gemm::{matmul, matmul_scalar, par_matmul, GemmShape};
use tensor::parallel::sequential;
use tensor::rng::Rng;
use tensor::ShapeError;

/// Time spent timing each variant: long enough for a stable median, short enough to feel live.
const BUDGET_MS: f64 = 400.0;
/// Each timed sample runs enough products to last this long, so the browser's coarse timer
/// (5 µs when cross-origin isolated, 100 µs otherwise) never dominates a small N.
const MIN_SAMPLE_MS: f64 = 2.0;
const MIN_REPETITIONS: usize = 3;
const MAX_REPETITIONS: usize = 41;
/// Rows of C recomputed by the scalar oracle (the first and last few): a full scalar product at
/// N = 2048 would take longer than the whole measurement.
const ORACLE_ROWS: usize = 8;

/// The engine's own participant: always running (run 0), it measures on request.
pub struct Measurements;

/// Why a measurement was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum DiagnosticsError {
    #[error(transparent)]
    Limit(#[from] Violation),
    /// The N×N product gave NaN or infinities.
    #[error(
        "the {0}×{0} product gave non-finite values: the matrix kernel is broken on this machine"
    )]
    NonFinite(usize),
    #[error(transparent)]
    Tensor(#[from] ShapeError),
}

impl Session for Measurements {
    type Protocol = Diagnostics;
    type Error = DiagnosticsError;

    fn start(
        _spec: (),
        _cx: &Context,
    ) -> Result<(Self, DiagnosticsReply), StartError<DiagnosticsError>> {
        Ok((Measurements, DiagnosticsReply::Started))
    }

    fn handle(
        &mut self,
        request: DiagnosticsRequest,
        out: &mut Answer<Self>,
    ) -> Result<(), DiagnosticsError> {
        let now_ms = out.cx.now_ms;
        match request {
            DiagnosticsRequest::MeasureMatmul { n } => {
                out.reply(DiagnosticsReply::MeasuringMatmul { n });
                out.reply(DiagnosticsReply::MatmulMeasured(measure_matmul(n, now_ms)?));
            }
            DiagnosticsRequest::RunBenchmarks => {
                run_benchmarks(now_ms, SUITE_BUDGET_MS, &mut |row| {
                    out.reply(DiagnosticsReply::BenchmarkRow(row))
                })?;
                out.reply(DiagnosticsReply::BenchmarksDone);
            }
        }
        Ok(())
    }
}

pub fn measure_matmul(n: usize, now_ms: &dyn Fn() -> f64) -> Result<MatmulBench, DiagnosticsError> {
    check_range("matrix size N", n, MATMUL_BENCH_MIN_N, MATMUL_BENCH_MAX_N)?;
    let shape = GemmShape { m: n, k: n, n };
    let mut rng = Rng::new(n as u64);
    let a = rng.uniform_vec(n * n, -1.0, 1.0);
    let b = rng.uniform_vec(n * n, -1.0, 1.0);
    let mut c_one = vec![0.0f32; n * n];
    let mut c_all = vec![0.0f32; n * n];

    // Warm-up (page in memory, pool workers awake) and a first estimate of the cost.
    let estimate = time_per_product(now_ms, 1, &mut || matmul(shape, &a, &b, &mut c_one));
    time_per_product(now_ms, 1, &mut || par_matmul(shape, &a, &b, &mut c_all));
    let estimate = estimate.max(1e-3);
    let per_sample = ((MIN_SAMPLE_MS / estimate).ceil() as usize).max(1);
    let repetitions = ((BUDGET_MS / (estimate * per_sample as f64)).ceil() as usize)
        .clamp(MIN_REPETITIONS, MAX_REPETITIONS);
    let time = |f: &mut dyn FnMut()| time_per_product(now_ms, per_sample, f);

    // Alternate the two variants so a slow phase of the machine hits both alike.
    let mut one = Vec::with_capacity(repetitions);
    let mut all = Vec::with_capacity(repetitions);
    for _ in 0..repetitions {
        one.push(time(&mut || matmul(shape, &a, &b, &mut c_one)));
        all.push(time(&mut || par_matmul(shape, &a, &b, &mut c_all)));
    }

    let max_rel_error_vs_scalar = max_rel_error_on_sampled_rows(n, &a, &b, &c_all);
    if max_rel_error_vs_scalar.is_nan() || c_all.iter().any(|v| !v.is_finite()) {
        return Err(DiagnosticsError::NonFinite(n));
    }
    let bit_identical = c_one
        .iter()
        .zip(&c_all)
        .all(|(x, y)| x.to_bits() == y.to_bits());

    Ok(MatmulBench {
        n,
        threads: rayon::current_num_threads(),
        seconds_one_thread: median(&mut one) / 1e3,
        seconds_all_threads: median(&mut all) / 1e3,
        repetitions,
        bit_identical,
        max_rel_error_vs_scalar,
    })
}

/// Milliseconds per call of `f`, over `count` back-to-back calls.
fn time_per_product(now_ms: &dyn Fn() -> f64, count: usize, f: &mut dyn FnMut()) -> f64 {
    let start = now_ms();
    for _ in 0..count {
        f();
    }
    (now_ms() - start) / count as f64
}

/// Matrix sizes of the benchmark suite, and the batch of its CNN step (the peers' workloads).
pub const SUITE_SIZES: [usize; 4] = [128, 256, 512, 1024];
pub const SUITE_CNN_BATCH: usize = 64;
/// The size at which the suite also times `matrixmultiply` alone, the engine's former kernel.
pub const REFERENCE_SIZE: usize = 512;
/// Time per variant of each workload in the suite.
pub const SUITE_BUDGET_MS: f64 = 250.0;

/// Every workload on one thread (the same chunks, run in order: `tensor::parallel::sequential`)
/// and on the whole pool, one row at a time.
pub fn run_benchmarks(
    now_ms: &dyn Fn() -> f64,
    budget_ms: f64,
    row: &mut dyn FnMut(BenchmarkRow),
) -> Result<(), DiagnosticsError> {
    let threads = rayon::current_num_threads();
    let layouts = [
        ("A·B", Layout::AsIs, Layout::AsIs),
        ("A·Bᵀ", Layout::AsIs, Layout::Transposed),
        ("Aᵀ·B", Layout::Transposed, Layout::AsIs),
    ];
    for n in SUITE_SIZES {
        for (name, la, lb) in layouts {
            row(BenchmarkRow {
                workload: format!("matmul {name}, N = {n}"),
                unit: "GFLOP/s".into(),
                one_thread: sequential(|| matmul_gflops(n, la, lb, now_ms, budget_ms)),
                all_threads: matmul_gflops(n, la, lb, now_ms, budget_ms),
                threads,
            });
        }
    }
    // The reference in the same page: the kernel the engine ran before its own.
    row(BenchmarkRow {
        workload: format!("reference: matrixmultiply A·B, N = {REFERENCE_SIZE}"),
        unit: "GFLOP/s".into(),
        one_thread: sequential(|| matrixmultiply_gflops(REFERENCE_SIZE, now_ms, budget_ms)),
        all_threads: matrixmultiply_gflops(REFERENCE_SIZE, now_ms, budget_ms),
        threads,
    });
    let cnn = |budget| cnn_examples_per_second(SUITE_CNN_BATCH, now_ms, budget);
    row(BenchmarkRow {
        workload: format!("CNN training step, batch {SUITE_CNN_BATCH}"),
        unit: "examples/s".into(),
        one_thread: sequential(|| cnn(4.0 * budget_ms))?,
        all_threads: cnn(4.0 * budget_ms)?,
        threads,
    });
    let mlp = |budget| mlp_examples_per_second(SUITE_CNN_BATCH, now_ms, budget);
    row(BenchmarkRow {
        workload: format!("MLP 784-256-256-10 training step, batch {SUITE_CNN_BATCH}"),
        unit: "examples/s".into(),
        one_thread: sequential(|| mlp(2.0 * budget_ms))?,
        all_threads: mlp(2.0 * budget_ms)?,
        threads,
    });
    let lstm = |budget| lstm_examples_per_second(now_ms, budget);
    row(BenchmarkRow {
        workload: format!(
            "LSTM {LSTM_INPUTS}→{LSTM_UNITS} training step, sequence {LSTM_STEPS}, batch {LSTM_BATCH}"
        ),
        unit: "examples/s".into(),
        one_thread: sequential(|| lstm(4.0 * budget_ms))?,
        all_threads: lstm(4.0 * budget_ms)?,
        threads,
    });
    let transformer = |budget| transformer_examples_per_second(now_ms, budget);
    row(BenchmarkRow {
        workload: format!(
            "Transformer block {TRANSFORMER_DIM}×{TRANSFORMER_HEADS} heads, FF {TRANSFORMER_FF} \
             training step, sequence {TRANSFORMER_LEN}, batch {TRANSFORMER_BATCH}"
        ),
        unit: "examples/s".into(),
        one_thread: sequential(|| transformer(4.0 * budget_ms))?,
        all_threads: transformer(4.0 * budget_ms)?,
        threads,
    });
    Ok(())
}

fn median(samples: &mut [f64]) -> f64 {
    samples.sort_by(f64::total_cmp);
    let mid = samples.len() / 2;
    if samples.len() % 2 == 1 {
        samples[mid]
    } else {
        (samples[mid - 1] + samples[mid]) / 2.0
    }
}

/// max |C - C_scalar| / (1 + |C_scalar|) over the first and last [`ORACLE_ROWS`] rows.
fn max_rel_error_on_sampled_rows(n: usize, a: &[f32], b: &[f32], c: &[f32]) -> f64 {
    let rows = ORACLE_ROWS.min(n);
    let mut worst = 0.0f64;
    for first in [0, n - rows] {
        let shape = GemmShape { m: rows, k: n, n };
        let mut oracle = vec![0.0f32; rows * n];
        matmul_scalar(shape, &a[first * n..(first + rows) * n], b, &mut oracle);
        for (got, want) in c[first * n..(first + rows) * n].iter().zip(&oracle) {
            let err = (*got as f64 - *want as f64).abs() / (1.0 + (*want as f64).abs());
            // NaN propagates (f64::max would drop it): the caller turns it into an error.
            if err.is_nan() || err > worst {
                worst = err;
            }
        }
    }
    worst
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    fn clock() -> impl Fn() -> f64 {
        let start = Instant::now();
        move || start.elapsed().as_secs_f64() * 1e3
    }

    #[test]
    fn measurement_is_consistent_and_checked() {
        let bench = measure_matmul(96, &clock()).expect("96 is within limits");
        assert_eq!(bench.n, 96);
        assert!(bench.bit_identical);
        assert!(
            bench.max_rel_error_vs_scalar < 1e-5,
            "{}",
            bench.max_rel_error_vs_scalar
        );
        assert!(bench.seconds_one_thread > 0.0 && bench.seconds_all_threads > 0.0);
        assert!((MIN_REPETITIONS..=MAX_REPETITIONS).contains(&bench.repetitions));
    }

    #[test]
    fn absurd_sizes_are_refused_with_the_limit() {
        use contract::limits::{Bound, Number};
        let err = measure_matmul(100_000, &clock()).unwrap_err();
        assert!(matches!(
            err,
            DiagnosticsError::Limit(Violation {
                bound: Bound::Max(Number::Int(2048)),
                ..
            })
        ));
        let err = measure_matmul(0, &clock()).unwrap_err();
        assert!(matches!(
            err,
            DiagnosticsError::Limit(Violation {
                bound: Bound::Min(Number::Int(16)),
                ..
            })
        ));
        assert_eq!(
            DiagnosticsError::NonFinite(4).to_string(),
            "the 4×4 product gave non-finite values: the matrix kernel is broken on this machine"
        );
    }

    #[test]
    fn benchmark_suite_reports_every_workload() {
        let mut rows = Vec::new();
        // A tiny budget: this checks the rows, not the speed.
        run_benchmarks(&clock(), 1.0, &mut |r| rows.push(r)).expect("suite runs");
        assert_eq!(rows.len(), SUITE_SIZES.len() * 3 + 5);
        assert!(rows
            .iter()
            .all(|r| r.one_thread > 0.0 && r.all_threads > 0.0 && r.threads >= 1));
        assert_eq!(rows[1].workload, "matmul A·Bᵀ, N = 128");
        assert_eq!(rows.last().map(|r| r.unit.as_str()), Some("examples/s"));
    }

    #[test]
    fn median_of_odd_and_even() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), 2.5);
    }

    #[test]
    fn unreadable_request_gets_an_error_reply() {
        let mut replies = Vec::new();
        crate::Engine::default().handle_json("{not json", &clock(), &mut |m| replies.push(m));
        assert!(
            matches!(&replies[..], [contract::FromEngine::Error { message, .. }]
            if message.starts_with("unreadable UI-to-engine message"))
        );
    }
}
