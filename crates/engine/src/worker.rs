//! wasm-bindgen entry points called by `web/engine-worker.js`, which first runs the module's
//! `init()` and `initThreadPool(navigator.hardwareConcurrency)` (re-exported from the crate root).

use contract::FromEngine;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::DedicatedWorkerGlobalScope;

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(message: FromEngine) {
    // postMessage of a string cannot fail in a live worker; if the page has gone, nobody listens.
    let _ = scope().post_message(&JsValue::from_str(&message.to_json()));
}

fn now_ms() -> f64 {
    scope().performance().map_or(0.0, |p| p.now())
}

/// Called once the pool is up: announces what the engine runs on.
#[wasm_bindgen(js_name = engineStart)]
pub fn engine_start() {
    console_error_panic_hook::set_once();
    let shared = wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .is_ok_and(|m| m.buffer().is_instance_of::<js_sys::SharedArrayBuffer>());
    post(FromEngine::Ready(crate::engine_info(shared)));
}

thread_local! {
    // The worker's one engine: messages arrive one at a time on this thread.
    static ENGINE: std::cell::RefCell<crate::Engine> = std::cell::RefCell::new(crate::Engine::default());
}

/// Answers one JSON-encoded `contract::ToEngine` message with `contract::FromEngine` messages.
#[wasm_bindgen(js_name = engineHandle)]
pub fn engine_handle(text: &str) {
    ENGINE.with(|engine| engine.borrow_mut().handle_json(text, &now_ms, &mut post));
}

/// The bootstrap fetched the MNIST file: hand its bytes to the engine.
#[wasm_bindgen(js_name = engineDigits)]
pub fn engine_digits(bytes: &[u8]) {
    ENGINE.with(|engine| {
        engine
            .borrow_mut()
            .digits_arrived(Ok(bytes), &now_ms, &mut post)
    });
}

/// The bootstrap could not fetch the MNIST file: the CNN lab reports why.
#[wasm_bindgen(js_name = engineDigitsFailed)]
pub fn engine_digits_failed(message: &str) {
    ENGINE.with(|engine| {
        engine
            .borrow_mut()
            .digits_arrived(Err(message.to_string()), &now_ms, &mut post)
    });
}
