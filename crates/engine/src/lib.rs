//! The engine: everything that computes runs here, inside one dedicated Web Worker that owns
//! a wasm-bindgen-rayon pool (one Web Worker per thread, all sharing this module's memory).
//! The main thread only ever sees typed messages (`spec::ToEngine` / `spec::FromEngine`).
//!
//! The message handling is plain Rust ([`handle`]) so it runs and is tested natively; the
//! wasm-bindgen entry points in `worker` only move JSON text in and out.

pub mod diagnostics;
#[cfg(target_arch = "wasm32")]
mod worker;

/// The worker bootstrap calls this as `initThreadPool(n)` to start the rayon pool.
#[cfg(target_arch = "wasm32")]
pub use wasm_bindgen_rayon::init_thread_pool;

use spec::{EngineInfo, FromEngine, ToEngine};

/// What this build of the engine is, and how many threads its pool has. `shared_memory` is
/// observed by the caller (in the browser: whether the module's memory is a SharedArrayBuffer).
pub fn engine_info(shared_memory: bool) -> EngineInfo {
    EngineInfo {
        threads: rayon::current_num_threads(),
        simd128: tensor::kernels::SIMD128,
        shared_memory,
        version: env!("CARGO_PKG_VERSION").to_string(),
    }
}

/// Answers one request. `now_ms` is the clock (`performance.now()` in the browser); `reply`
/// receives every message the request produces, in order.
pub fn handle(request: ToEngine, now_ms: &dyn Fn() -> f64, reply: &mut dyn FnMut(FromEngine)) {
    match request {
        ToEngine::MeasureMatmul { n } => {
            reply(FromEngine::MeasuringMatmul { n });
            match diagnostics::measure_matmul(n, now_ms) {
                Ok(bench) => reply(FromEngine::MatmulMeasured(bench)),
                Err(message) => reply(FromEngine::Error { message }),
            }
        }
        ToEngine::RunBenchmarks => {
            match diagnostics::run_benchmarks(now_ms, diagnostics::SUITE_BUDGET_MS, &mut |row| {
                reply(FromEngine::BenchmarkRow(row))
            }) {
                Ok(()) => reply(FromEngine::BenchmarksDone),
                Err(message) => reply(FromEngine::Error { message }),
            }
        }
    }
}

/// Decodes a request from its JSON text and answers it; unreadable text gets an `Error` reply.
pub fn handle_json(text: &str, now_ms: &dyn Fn() -> f64, reply: &mut dyn FnMut(FromEngine)) {
    match ToEngine::from_json(text) {
        Ok(request) => handle(request, now_ms, reply),
        Err(e) => reply(FromEngine::Error {
            message: e.to_string(),
        }),
    }
}
