//! The engine: everything that computes runs here, inside one dedicated Web Worker. It comes
//! in two builds of this one crate, chosen by the worker's bootstrap: the threaded build
//! (wasm atomics, `.cargo/threads.toml`) owns a wasm-bindgen-rayon pool, one Web Worker per
//! thread sharing this module's memory; the single-threaded build runs where the page is not
//! cross-origin isolated, and rayon runs every parallel loop on the worker's own thread. The
//! kernels split work into the same chunks whatever the thread count, so both builds give
//! bit-identical numbers.
//! The main thread only ever sees typed messages (`contract::ToEngine` / `contract::FromEngine`).
//!
//! The engine knows no lab by name: it holds one slot per participant (the labs' registry,
//! `lab::rooms`, and its own measurements) and hands each request to the slot it is addressed
//! to. The message handling is plain Rust ([`Engine::handle`]) so it runs and is tested
//! natively; the wasm-bindgen entry points in `worker` only move JSON text in and out.

pub mod diagnostics;
#[cfg(target_arch = "wasm32")]
mod worker;

/// The worker bootstrap calls this as `initThreadPool(n)` to start the rayon pool (threaded
/// build only).
#[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
pub use wasm_bindgen_rayon::init_thread_pool;

use contract::diagnostics::{EngineBuild, EngineInfo};
use contract::{FromEngine, ToEngine};
use data::mnist::Mnist;
use lab::session::{Asset, Assets, Context, Room, Slot};
use std::rc::Rc;

/// What this build of the engine is, and how many threads its pool has. `shared_memory` is
/// observed by the caller (in the browser: whether the module's memory is a SharedArrayBuffer).
pub fn engine_info(shared_memory: bool) -> EngineInfo {
    EngineInfo {
        threads: rayon::current_num_threads(),
        simd128: tensor::kernels::SIMD128,
        shared_memory,
        build: if cfg!(target_feature = "atomics") {
            EngineBuild::Threaded
        } else {
            EngineBuild::SingleThreaded
        },
        version: env!("CARGO_PKG_VERSION").to_string(),
    }
}

/// The engine's state between messages: one slot per participant, and the fetched data.
pub struct Engine {
    rooms: Vec<Box<dyn Room>>,
    assets: Assets,
}

impl Default for Engine {
    fn default() -> Self {
        let mut rooms = lab::rooms();
        rooms.push(Box::new(Slot::running(diagnostics::Measurements)));
        Engine {
            rooms,
            assets: Assets::default(),
        }
    }
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
        let cx = Context {
            now_ms,
            assets: &self.assets,
        };
        match self.rooms.iter_mut().find(|r| r.slug() == request.to) {
            Some(room) => room.answer(request.run, request.ask, &cx, reply),
            None => reply(FromEngine::Error {
                from: request.to.clone(),
                run: request.run,
                message: format!("there is no lab called {:?} in this engine", request.to),
            }),
        }
    }

    /// The worker has fetched the MNIST file (or failed to): starts that waited for it go on.
    pub fn digits_arrived(
        &mut self,
        bytes: Result<&[u8], String>,
        now_ms: &dyn Fn() -> f64,
        reply: &mut dyn FnMut(FromEngine),
    ) {
        self.assets.mnist =
            match bytes.and_then(|b| Mnist::from_bytes(b).map_err(|e| e.to_string())) {
                Ok(mnist) => Asset::Loaded(Rc::new(mnist)),
                Err(why) => Asset::Failed(why),
            };
        let cx = Context {
            now_ms,
            assets: &self.assets,
        };
        for room in &mut self.rooms {
            room.assets_arrived(&cx, reply);
        }
    }

    /// Decodes a request from its JSON text and answers it; unreadable text gets an `Error`
    /// reply from the engine's own participant (no lab can be told: the address is unreadable).
    pub fn handle_json(
        &mut self,
        text: &str,
        now_ms: &dyn Fn() -> f64,
        reply: &mut dyn FnMut(FromEngine),
    ) {
        match ToEngine::from_json(text) {
            Ok(request) => self.handle(request, now_ms, reply),
            Err(e) => reply(FromEngine::Error {
                from: contract::diagnostics::SLUG.into(),
                run: 0,
                message: e.to_string(),
            }),
        }
    }
}

#[cfg(test)]
mod tests;
