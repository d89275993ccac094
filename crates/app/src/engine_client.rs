//! The main thread's handle on the engine worker: starts it, sends typed requests, and turns
//! whatever comes back (messages, a crash) into `contract::FromEngine` for the UI to apply.

use contract::{FromEngine, ToEngine};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ErrorEvent, MessageEvent, Worker, WorkerOptions, WorkerType};

/// Served next to index.html (Trunk copies it from web/).
const WORKER_SCRIPT: &str = "./engine-worker.js";

thread_local! {
    // The main thread is single-threaded: one live worker, replaced on restart.
    static WORKER: RefCell<Option<Worker>> = const { RefCell::new(None) };
}

fn describe(err: JsValue) -> String {
    err.as_string()
        .or_else(|| {
            err.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{err:?}"))
}

/// Starts a fresh engine worker (terminating any previous one). Every message it sends, and
/// its death, reach `on_message`.
pub fn start(on_message: Rc<dyn Fn(FromEngine)>) -> Result<(), String> {
    let options = WorkerOptions::new();
    options.set_type(WorkerType::Module);
    let worker = Worker::new_with_options(WORKER_SCRIPT, &options)
        .map_err(|e| format!("the engine worker could not be created: {}", describe(e)))?;

    let deliver = on_message.clone();
    let on_data = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        // Only JSON strings are ours; the thread pool's own traffic never reaches the page.
        if let Some(text) = event.data().as_string() {
            // An envelope that cannot be read has no address, so no page can tell whether it
            // was its answer: every page stops waiting and offers a restart (a lab's body that
            // cannot be read is that lab's error only: `labs::session`).
            let message = FromEngine::from_json(&text).unwrap_or_else(|e| FromEngine::Failed {
                message: format!(
                    "the engine sent a message this page cannot read ({e}); restart the engine"
                ),
            });
            deliver(message);
        }
    });
    worker.set_onmessage(Some(on_data.as_ref().unchecked_ref()));
    on_data.forget(); // lives as long as the worker; one per (re)start

    let on_crash = Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
        on_message(FromEngine::Failed {
            message: format!("the engine worker died: {}", event.message()),
        });
    });
    worker.set_onerror(Some(on_crash.as_ref().unchecked_ref()));
    on_crash.forget();

    WORKER.with(|slot| {
        if let Some(old) = slot.replace(Some(worker)) {
            old.terminate();
        }
    });
    Ok(())
}

/// Sends one request; fails only when no worker is running.
pub fn send(request: &ToEngine) -> Result<(), String> {
    WORKER.with(|slot| match &*slot.borrow() {
        Some(worker) => worker
            .post_message(&JsValue::from_str(&request.to_json()))
            .map_err(|e| format!("the engine worker refused the message: {}", describe(e))),
        None => Err("the engine worker is not running".into()),
    })
}
