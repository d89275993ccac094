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

/// Contour grid resolution sent with a started optimizer lab.
pub const CONTOUR_COLUMNS: usize = 120;
pub const CONTOUR_ROWS: usize = 90;
/// Steps one `OptimStep` request may ask for (the play loop asks for a few at a time).
pub const MAX_STEPS_PER_REQUEST: usize = 1000;

/// The engine's state between messages: the running lab session, if any.
#[derive(Default)]
pub struct Engine {
    optim: Option<lab::optim::OptimSession>,
}

impl Engine {
    /// Answers one request. `now_ms` is the clock (`performance.now()` in the browser); `reply`
    /// receives every message the request produces, in order.
    pub fn handle(
        &mut self,
        request: ToEngine,
        now_ms: &dyn Fn() -> f64,
        reply: &mut dyn FnMut(FromEngine),
    ) {
        match request {
            ToEngine::MeasureMatmul { n } => {
                reply(FromEngine::MeasuringMatmul { n });
                match diagnostics::measure_matmul(n, now_ms) {
                    Ok(bench) => reply(FromEngine::MatmulMeasured(bench)),
                    Err(message) => reply(FromEngine::Error { message }),
                }
            }
            ToEngine::RunBenchmarks => {
                match diagnostics::run_benchmarks(
                    now_ms,
                    diagnostics::SUITE_BUDGET_MS,
                    &mut |row| reply(FromEngine::BenchmarkRow(row)),
                ) {
                    Ok(()) => reply(FromEngine::BenchmarksDone),
                    Err(message) => reply(FromEngine::Error { message }),
                }
            }
            ToEngine::OptimStart { spec, race } => match lab::optim::OptimSession::new(&spec) {
                Ok(mut session) => {
                    session.race = race;
                    session.run_to(spec.at.unwrap_or(0));
                    let contour = session.contour(CONTOUR_COLUMNS, CONTOUR_ROWS);
                    let frame = session.frame(0);
                    self.optim = Some(session);
                    reply(FromEngine::OptimStarted { contour, frame });
                }
                Err(message) => {
                    // A refused start ends the old race too: its frames would be stale.
                    self.optim = None;
                    reply(FromEngine::Error { message })
                }
            },
            ToEngine::OptimStep { steps } => {
                let Some(session) = self.optim.as_mut() else {
                    return reply(FromEngine::Error {
                        message: "no optimizer race is running: start one first".into(),
                    });
                };
                if let Err(message) =
                    spec::limits::check_range("steps per request", steps, 1, MAX_STEPS_PER_REQUEST)
                {
                    return reply(FromEngine::Error { message });
                }
                let limit = spec::limits::OptimLimits::MAX_STEPS;
                if session.steps_taken() >= limit {
                    return reply(FromEngine::Error {
                        message: format!(
                            "the race has reached the limit of {limit} steps; reset to start again"
                        ),
                    });
                }
                let from = session.steps_taken() + 1;
                session.run_to((session.steps_taken() + steps).min(limit));
                reply(FromEngine::OptimFrame(session.frame(from)));
            }
        }
    }

    /// Decodes a request from its JSON text and answers it; unreadable text gets an `Error` reply.
    pub fn handle_json(
        &mut self,
        text: &str,
        now_ms: &dyn Fn() -> f64,
        reply: &mut dyn FnMut(FromEngine),
    ) {
        match ToEngine::from_json(text) {
            Ok(request) => self.handle(request, now_ms, reply),
            Err(e) => reply(FromEngine::Error {
                message: e.to_string(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spec::experiment::OptimLab;

    fn ask(engine: &mut Engine, request: ToEngine) -> Vec<FromEngine> {
        let mut replies = Vec::new();
        engine.handle(request, &|| 0.0, &mut |m| replies.push(m));
        replies
    }

    #[test]
    fn the_optimizer_race_starts_replays_and_steps_in_contiguous_frames() {
        let mut engine = Engine::default();
        let err = ask(&mut engine, ToEngine::OptimStep { steps: 1 });
        assert!(
            matches!(&err[..], [FromEngine::Error { message }] if message.contains("start one first"))
        );

        let spec = OptimLab {
            at: Some(10),
            ..OptimLab::default()
        };
        let started = ask(&mut engine, ToEngine::OptimStart { spec, race: 7 });
        let [FromEngine::OptimStarted { contour, frame }] = &started[..] else {
            panic!("{started:?}")
        };
        assert_eq!(
            (frame.race, frame.step, frame.runs[0].points.len()),
            (7, 10, 11)
        );
        assert_eq!(contour.values.len(), CONTOUR_COLUMNS * CONTOUR_ROWS);

        let stepped = ask(&mut engine, ToEngine::OptimStep { steps: 5 });
        let [FromEngine::OptimFrame(next)] = &stepped[..] else {
            panic!("{stepped:?}")
        };
        assert_eq!(
            (
                next.race,
                next.step,
                next.runs[0].from,
                next.runs[0].points.len()
            ),
            (7, 15, 11, 5)
        );

        let too_many = ask(
            &mut engine,
            ToEngine::OptimStep {
                steps: MAX_STEPS_PER_REQUEST + 1,
            },
        );
        assert!(
            matches!(&too_many[..], [FromEngine::Error { message }] if message.contains("exceeds the limit of 1000"))
        );

        // A refused start ends the old race: no stale frames afterwards.
        let refused = ask(
            &mut engine,
            ToEngine::OptimStart {
                spec: OptimLab {
                    runs: vec![],
                    ..OptimLab::default()
                },
                race: 8,
            },
        );
        assert!(matches!(&refused[..], [FromEngine::Error { .. }]));
        assert!(matches!(
            &ask(&mut engine, ToEngine::OptimStep { steps: 1 })[..],
            [FromEngine::Error { .. }]
        ));
    }
}
