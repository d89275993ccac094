//! Typed messages between the UI (main thread) and the engine worker.
//!
//! Both sides share these enums; each message is serialized to JSON once, at the
//! `postMessage` boundary. Small and frequent messages only: large arrays will travel
//! as transferable `Float32Array`s beside a message, not inside the JSON.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What the UI asks of the engine.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ToEngine {
    /// Measure an f32 N×N matrix product on one thread and on the whole pool.
    MeasureMatmul { n: usize },
    /// Run the benchmark suite: matrix products in every transposition and a CNN training step.
    RunBenchmarks,
    /// Start (or restart) the optimizer lab from a spec, replayed to `spec.at`. `race` numbers
    /// the start; every frame of that race carries it, so the page drops frames of older races.
    OptimStart {
        spec: crate::experiment::OptimLab,
        race: u64,
    },
    /// Take this many steps of the running optimizer lab (the UI's play loop asks again only
    /// after the answer, so requests never pile up).
    OptimStep { steps: usize },
    /// Start (or restart) the CNN lab: build the model (step 0; `spec.at` is the page's to
    /// replay with `CnnTrain { until }`). `run` numbers the start as `race` does for the
    /// optimizer lab.
    CnnStart { spec: crate::cnn::CnnLab, run: u64 },
    /// Train for about `budget_ms` (whole steps; at least one unless the run is at `until`),
    /// then report. `one_thread` runs every kernel on the engine's own thread (to compare
    /// speeds: the numbers are the same). A link's `at=` is replayed this way, in slices the
    /// page can follow and interrupt, never inside `CnnStart`.
    CnnTrain {
        budget_ms: f64,
        #[serde(default)]
        one_thread: bool,
        #[serde(default)]
        until: Option<usize>,
    },
    /// Look inside the model for another digit or shift (training state unchanged).
    CnnLook {
        digit: crate::cnn_view::DigitSource,
        shift: (i32, i32),
    },
    /// The receptive fields of one unit of one layer's output, for the looked-at digit.
    CnnReceptive {
        layer: usize,
        channel: usize,
        y: usize,
        x: usize,
    },
}

/// The lab a request belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lab {
    Optim,
    Cnn,
}

impl ToEngine {
    /// Which lab asked (none: the Engine panel's measurements).
    pub fn lab(&self) -> Option<Lab> {
        match self {
            ToEngine::MeasureMatmul { .. } | ToEngine::RunBenchmarks => None,
            ToEngine::OptimStart { .. } | ToEngine::OptimStep { .. } => Some(Lab::Optim),
            ToEngine::CnnStart { .. }
            | ToEngine::CnnTrain { .. }
            | ToEngine::CnnLook { .. }
            | ToEngine::CnnReceptive { .. } => Some(Lab::Cnn),
        }
    }
}

/// What the engine tells the UI.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FromEngine {
    /// The worker has loaded its module and started its thread pool.
    Ready(EngineInfo),
    /// A measurement has started; the UI shows it as running until `MatmulMeasured` or `Error`.
    MeasuringMatmul {
        n: usize,
    },
    MatmulMeasured(MatmulBench),
    /// One finished row of the benchmark suite; rows arrive as they are measured.
    BenchmarkRow(BenchmarkRow),
    /// The suite has finished (every row has been sent).
    BenchmarksDone,
    /// The optimizer lab (re)started: the loss surface and every path so far.
    OptimStarted {
        contour: ContourGrid,
        frame: OptimFrame,
    },
    /// New path points since the last frame.
    OptimFrame(OptimFrame),
    /// The CNN lab (re)started: progress up to `spec.at`, the view of the chosen digit, and
    /// test digits to choose from.
    CnnStarted {
        progress: crate::cnn_view::CnnProgress,
        view: crate::cnn_view::CnnView,
        gallery: Vec<crate::cnn_view::GalleryDigit>,
    },
    /// Training went on: new steps and evaluations, and the view after them.
    CnnTrained {
        progress: crate::cnn_view::CnnProgress,
        view: crate::cnn_view::CnnView,
    },
    CnnViewed(crate::cnn_view::CnnView),
    CnnReceptiveField(crate::cnn_view::ReceptiveFieldView),
    /// The CNN lab waits for the MNIST digits to arrive (the worker fetches them once).
    CnnLoadingData,
    /// A request was refused or failed; the engine is still usable.
    Error {
        message: String,
    },
    /// A lab's request was refused or failed: only that lab's page shows it (an error for the
    /// CNN lab must not stop the optimizer lab's race, nor land on the Engine panel).
    LabError {
        lab: Lab,
        message: String,
    },
    /// The worker could not start (module or thread pool failed); written by the worker's
    /// JavaScript bootstrap too, so its shape is fixed by a test.
    Failed {
        message: String,
    },
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
    /// The engine crate's version.
    pub version: String,
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

/// The loss on a grid over the problem's domain, row by row (y outer, x inner).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContourGrid {
    pub x_range: (f32, f32),
    pub y_range: (f32, f32),
    pub columns: usize,
    pub rows: usize,
    pub values: Vec<f32>,
    /// Known minima inside the domain (marked on the plot).
    pub minima: Vec<(f32, f32)>,
    /// The gradient ∇L on a coarser grid (`arrow_columns` × `arrow_rows`, same layout), for
    /// arrows normal to the level lines.
    pub arrow_columns: usize,
    pub arrow_rows: usize,
    pub gradients: Vec<(f32, f32)>,
}

/// The state of the optimizer race after `step` steps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OptimFrame {
    /// The `race` of the `OptimStart` this frame belongs to.
    pub race: u64,
    pub step: usize,
    pub runs: Vec<RunFrame>,
}

/// One optimizer's path points from index `from` on (index 0 is the start), the loss at each
/// (`None` where it is not a finite number: JSON has no NaN), its current η, and why it
/// stopped, if it did. A path ends at its last finite point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunFrame {
    pub optimizer: crate::experiment::OptimizerName,
    pub from: usize,
    pub points: Vec<(f32, f32)>,
    pub losses: Vec<Option<f32>>,
    pub lr: f32,
    pub diverged: Option<String>,
}

/// A message that could not be read: names the direction and what serde saw.
#[derive(Clone, Debug, PartialEq)]
pub struct MessageError(pub String);

impl fmt::Display for MessageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MessageError {}

macro_rules! json_codec {
    ($ty:ty, $what:literal) => {
        impl $ty {
            pub fn to_json(&self) -> String {
                // Serializing these plain enums cannot fail: no maps with non-string keys, no
                // custom Serialize impls. A failure would be a bug in this file.
                serde_json::to_string(self).expect(concat!($what, " serializes to JSON"))
            }

            pub fn from_json(text: &str) -> Result<Self, MessageError> {
                serde_json::from_str(text)
                    .map_err(|e| MessageError(format!("unreadable {} message: {e}", $what)))
            }
        }
    };
}

json_codec!(ToEngine, "UI-to-engine");
json_codec!(FromEngine, "engine-to-UI");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip() {
        let to = ToEngine::MeasureMatmul { n: 512 };
        assert_eq!(ToEngine::from_json(&to.to_json()), Ok(to));
        let from = FromEngine::MatmulMeasured(MatmulBench {
            n: 256,
            threads: 2,
            seconds_one_thread: 0.002,
            seconds_all_threads: 0.001,
            repetitions: 9,
            bit_identical: true,
            max_rel_error_vs_scalar: 1e-7,
        });
        assert_eq!(FromEngine::from_json(&from.to_json()), Ok(from));
    }

    /// web/engine-worker.js writes this message by hand when the module or pool fails to start.
    #[test]
    fn worker_bootstrap_failure_shape_is_readable() {
        let text = r#"{"kind":"failed","message":"initThreadPool: boom"}"#;
        assert_eq!(
            FromEngine::from_json(text),
            Ok(FromEngine::Failed {
                message: "initThreadPool: boom".into()
            })
        );
        let worker_js = include_str!("../../../web/engine-worker.js");
        assert!(worker_js.contains(r#"kind: 'failed'"#));
    }

    #[test]
    fn malformed_message_says_what_it_is() {
        let err = ToEngine::from_json(r#"{"kind":"launch_missiles"}"#).unwrap_err();
        assert!(
            err.0.starts_with("unreadable UI-to-engine message"),
            "{err}"
        );
    }

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
