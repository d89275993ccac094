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

use data::mnist::Mnist;
use spec::{EngineInfo, FromEngine, ToEngine};
use std::rc::Rc;

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

/// Longest training slice one `CnnTrain` may ask for: the worker answers nothing else meanwhile.
pub const MAX_TRAIN_BUDGET_MS: f64 = 2000.0;

/// The MNIST digits, as far as the worker got with them.
#[derive(Default)]
enum Digits {
    #[default]
    Loading,
    Loaded(Rc<Mnist>),
    Failed(String),
}

/// The engine's state between messages: the running lab sessions, if any.
#[derive(Default)]
pub struct Engine {
    optim: Option<lab::optim::OptimSession>,
    cnn: Option<lab::cnn::CnnSession>,
    digits: Digits,
    /// A CNN start that arrived before the digits: answered when they do.
    waiting: Option<(spec::cnn::CnnLab, u64)>,
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
        // A lab's errors are addressed to that lab.
        let lab = request.lab();
        let reply = &mut |message: FromEngine| {
            reply(match (message, lab) {
                (FromEngine::Error { message }, Some(lab)) => FromEngine::LabError { lab, message },
                (other, _) => other,
            })
        };
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
            ToEngine::CnnStart { spec, run } => match &self.digits {
                Digits::Loading => {
                    self.cnn = None;
                    self.waiting = Some((spec, run));
                    reply(FromEngine::CnnLoadingData);
                }
                Digits::Failed(why) => reply(FromEngine::Error {
                    message: format!("the MNIST digits could not be loaded: {why}"),
                }),
                Digits::Loaded(mnist) => {
                    let mnist = mnist.clone();
                    self.start_cnn(&spec, run, mnist, reply)
                }
            },
            ToEngine::CnnTrain {
                budget_ms,
                one_thread,
                until,
            } => {
                let Some(session) = self.cnn.as_mut() else {
                    return reply(FromEngine::Error {
                        message: "no CNN is being trained: start one first".into(),
                    });
                };
                if !(0.0..=MAX_TRAIN_BUDGET_MS).contains(&budget_ms) {
                    return reply(FromEngine::Error {
                        message: format!(
                            "training budget = {budget_ms} ms is outside 0..={MAX_TRAIN_BUDGET_MS} ms"
                        ),
                    });
                }
                let speed = if one_thread {
                    tensor::parallel::sequential(|| session.train_until(budget_ms, now_ms, until))
                } else {
                    session.train_until(budget_ms, now_ms, until)
                };
                let progress = session.progress(speed);
                reply(FromEngine::CnnTrained {
                    progress,
                    view: session.view(),
                });
            }
            ToEngine::CnnLook { digit, shift } => {
                let Some(session) = self.cnn.as_mut() else {
                    return reply(FromEngine::Error {
                        message: "no CNN is being trained: start one first".into(),
                    });
                };
                match session.look(digit, shift) {
                    Ok(()) => reply(FromEngine::CnnViewed(session.view())),
                    Err(message) => reply(FromEngine::Error { message }),
                }
            }
            ToEngine::CnnReceptive {
                layer,
                channel,
                y,
                x,
            } => {
                let Some(session) = self.cnn.as_ref() else {
                    return reply(FromEngine::Error {
                        message: "no CNN is being trained: start one first".into(),
                    });
                };
                match session.receptive_field(layer, channel, y, x) {
                    Ok(view) => reply(FromEngine::CnnReceptiveField(view)),
                    Err(message) => reply(FromEngine::Error { message }),
                }
            }
        }
    }

    fn start_cnn(
        &mut self,
        spec: &spec::cnn::CnnLab,
        run: u64,
        mnist: Rc<Mnist>,
        reply: &mut dyn FnMut(FromEngine),
    ) {
        // The old session goes first: two models need not fit in memory at once.
        self.cnn = None;
        match lab::cnn::CnnSession::new(spec, run, mnist) {
            Ok(mut session) => {
                let progress = session.progress(None);
                let view = session.view();
                let gallery = session.gallery();
                self.cnn = Some(session);
                reply(FromEngine::CnnStarted {
                    progress,
                    view,
                    gallery,
                });
            }
            Err(message) => reply(FromEngine::Error { message }),
        }
    }

    /// The worker has fetched the MNIST file (or failed to): a waiting CNN start goes on.
    pub fn digits_arrived(
        &mut self,
        bytes: Result<&[u8], String>,
        now_ms: &dyn Fn() -> f64,
        reply: &mut dyn FnMut(FromEngine),
    ) {
        self.digits = match bytes.and_then(|b| Mnist::from_bytes(b).map_err(|e| e.to_string())) {
            Ok(mnist) => Digits::Loaded(Rc::new(mnist)),
            Err(why) => Digits::Failed(why),
        };
        if let Some((spec, run)) = self.waiting.take() {
            self.handle(ToEngine::CnnStart { spec, run }, now_ms, reply);
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
            matches!(&err[..], [FromEngine::LabError { message, .. }] if message.contains("start one first"))
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
            matches!(&too_many[..], [FromEngine::LabError { message, .. }] if message.contains("exceeds the limit of 1000"))
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
        assert!(matches!(&refused[..], [FromEngine::LabError { .. }]));
        assert!(matches!(
            &ask(&mut engine, ToEngine::OptimStep { steps: 1 })[..],
            [FromEngine::LabError { .. }]
        ));
    }

    #[test]
    fn a_cnn_start_waits_for_the_digits_then_trains_looks_and_explains() {
        let mut engine = Engine::default();
        let spec = spec::cnn::CnnLab {
            at: Some(3),
            ..spec::cnn::CnnLab::default()
        };
        let waiting = ask(&mut engine, ToEngine::CnnStart { spec, run: 4 });
        // `at` is not replayed inside the start (the page replays it in slices it can follow).
        assert!(matches!(&waiting[..], [FromEngine::CnnLoadingData]));
        let bytes = std::fs::read(data::mnist::ASSET_PATH).unwrap();
        let mut replies = Vec::new();
        engine.digits_arrived(Ok(&bytes), &|| 0.0, &mut |m| replies.push(m));
        let [FromEngine::CnnStarted {
            progress,
            view,
            gallery,
        }] = &replies[..]
        else {
            panic!("{replies:?}")
        };
        assert_eq!(
            (progress.run, progress.step, progress.train.len()),
            (4, 0, 0)
        );
        assert_eq!((view.run, view.layers.len(), view.input.len()), (4, 6, 784));
        assert_eq!(gallery.len(), lab::cnn::GALLERY);
        // A replay to step 3 stops there, whatever the budget.
        let replayed = ask(
            &mut engine,
            ToEngine::CnnTrain {
                budget_ms: 2000.0,
                one_thread: false,
                until: Some(3),
            },
        );
        assert!(
            matches!(&replayed[..], [FromEngine::CnnTrained { progress, .. }] if progress.step == 3 && progress.train.len() == 3)
        );

        // A zero budget still trains one whole step.
        let trained = ask(
            &mut engine,
            ToEngine::CnnTrain {
                budget_ms: 0.0,
                one_thread: true,
                until: None,
            },
        );
        let [FromEngine::CnnTrained { progress, .. }] = &trained[..] else {
            panic!("{trained:?}")
        };
        assert_eq!((progress.step, progress.train.len()), (4, 1));

        let looked = ask(
            &mut engine,
            ToEngine::CnnLook {
                digit: spec::cnn_view::DigitSource::Test { index: 9 },
                shift: (1, -1),
            },
        );
        assert!(
            matches!(&looked[..], [FromEngine::CnnViewed(v)] if v.shift.is_some() && v.step == 4)
        );
        let field = ask(
            &mut engine,
            ToEngine::CnnReceptive {
                layer: 3,
                channel: 2,
                y: 7,
                x: 7,
            },
        );
        assert!(
            matches!(&field[..], [FromEngine::CnnReceptiveField(f)] if f.theoretical_size == 14)
        );
        for bad in [
            ToEngine::CnnTrain {
                budget_ms: 1e9,
                one_thread: false,
                until: None,
            },
            ToEngine::CnnTrain {
                budget_ms: f64::NAN,
                one_thread: false,
                until: None,
            },
            ToEngine::CnnReceptive {
                layer: 99,
                channel: 0,
                y: 0,
                x: 0,
            },
        ] {
            let r = ask(&mut engine, bad);
            assert!(matches!(&r[..], [FromEngine::LabError { .. }]), "{r:?}");
        }
    }

    #[test]
    fn a_failed_download_is_reported_to_the_cnn_lab() {
        let mut engine = Engine::default();
        let mut replies = Vec::new();
        engine.digits_arrived(Err("HTTP 404".into()), &|| 0.0, &mut |m| replies.push(m));
        let r = ask(
            &mut engine,
            ToEngine::CnnStart {
                spec: spec::cnn::CnnLab::default(),
                run: 1,
            },
        );
        assert!(
            matches!(&r[..], [FromEngine::LabError { message, .. }] if message.contains("could not be loaded: HTTP 404"))
        );
        // A corrupt file is a failure too, with the parser's reason.
        let mut engine = Engine::default();
        engine.digits_arrived(Ok(b"garbage"), &|| 0.0, &mut |m| replies.push(m));
        let r = ask(
            &mut engine,
            ToEngine::CnnStart {
                spec: spec::cnn::CnnLab::default(),
                run: 1,
            },
        );
        assert!(
            matches!(&r[..], [FromEngine::LabError { message, .. }] if message.contains("not an MNIST10K file"))
        );
    }
}
