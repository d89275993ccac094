//! The engine's own participant: what it runs on, and the measurements the Engine panel asks
//! for (a matrix product on one and on all threads, the benchmark suite).

mod examples;

use serde::{Deserialize, Serialize};

/// The participant's name in envelopes (the Engine panel is at `#engine`).
pub const SLUG: &str = "engine";

crate::declare_protocol!(
    /// The diagnostics' protocol: no spec (the session is always there, run 0).
    Diagnostics, SLUG, (), DiagnosticsRequest, DiagnosticsReply
);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DiagnosticsRequest {
    /// Measure an f32 N×N matrix product on one thread and on the whole pool.
    MeasureMatmul { n: usize },
    /// Run the benchmark suite: matrix products in every transposition, and a CNN, an MLP, an
    /// LSTM and a Transformer encoder block training step (the peers' workloads).
    RunBenchmarks,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DiagnosticsReply {
    /// The participant is (re)started: nothing is being measured. (It starts with the engine;
    /// the page never needs to ask.)
    Started,
    /// A measurement has started; the panel shows it as running until `MatmulMeasured` or an error.
    MeasuringMatmul {
        n: usize,
    },
    MatmulMeasured(MatmulBench),
    /// One finished row of the benchmark suite; rows arrive as they are measured.
    BenchmarkRow(BenchmarkRow),
    /// The suite has finished (every row has been sent).
    BenchmarksDone,
}

/// What the engine worker runs on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EngineInfo {
    /// Threads in the engine's rayon pool (`navigator.hardwareConcurrency` in the browser).
    pub threads: usize,
    /// Whether the engine was compiled with the wasm `simd128` feature.
    pub simd128: bool,
    /// Whether the engine's memory is shared between threads (wasm atomics).
    pub shared_memory: bool,
    /// Which of the engine's two builds is running.
    pub build: EngineBuild,
    /// The engine crate's version.
    pub version: String,
}

/// The engine's two builds. The worker runs the threaded one when the page is cross-origin
/// isolated (the browser then allows memory shared between workers), the single-threaded one
/// otherwise. Both give the same numbers: only the speed differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EngineBuild {
    /// wasm atomics and a shared memory: a pool of one Web Worker per logical core.
    Threaded,
    /// No atomics: everything runs on the engine worker's own thread.
    SingleThreaded,
}

/// The result of one matrix-product measurement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MatmulBench {
    pub n: usize,
    /// Threads used by the parallel run.
    pub threads: usize,
    /// Median seconds of one product, on one thread and on all threads.
    pub seconds_one_thread: f64,
    pub seconds_all_threads: f64,
    /// Repetitions timed for each median.
    pub repetitions: usize,
    /// The two runs gave bit-identical products (they must: chunking does not depend on threads).
    pub bit_identical: bool,
    /// Largest |C - C_scalar| / (1 + |C_scalar|) against the scalar reference kernel.
    pub max_rel_error_vs_scalar: f64,
}

impl MatmulBench {
    /// Floating-point operations of one product: N multiplies and N adds per output, 2N³.
    pub fn flops(&self) -> f64 {
        2.0 * (self.n as f64).powi(3)
    }

    pub fn gflops_one_thread(&self) -> f64 {
        self.flops() / self.seconds_one_thread / 1e9
    }

    pub fn gflops_all_threads(&self) -> f64 {
        self.flops() / self.seconds_all_threads / 1e9
    }

    pub fn speedup(&self) -> f64 {
        self.seconds_one_thread / self.seconds_all_threads
    }
}

/// One workload of the benchmark suite on one thread and on the whole pool.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BenchmarkRow {
    /// What ran, e.g. "matmul A·Bᵀ N=512" or "CNN training step, batch 64".
    pub workload: String,
    /// The unit of both figures, e.g. "GFLOP/s" or "examples/s" (higher is faster).
    pub unit: String,
    pub one_thread: f64,
    pub all_threads: f64,
    pub threads: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gflops_and_speedup() {
        let b = MatmulBench {
            n: 1000,
            threads: 2,
            seconds_one_thread: 0.1,
            seconds_all_threads: 0.05,
            repetitions: 3,
            bit_identical: true,
            max_rel_error_vs_scalar: 0.0,
        };
        assert!((b.gflops_one_thread() - 20.0).abs() < 1e-9);
        assert!((b.gflops_all_threads() - 40.0).abs() < 1e-9);
        assert!((b.speedup() - 2.0).abs() < 1e-12);
    }
}
