//! Cross-origin isolation: without it the browser hides `SharedArrayBuffer`, and the engine's
//! threads (which share one wasm memory) cannot start.

/// Whether the page is cross-origin isolated (`window.crossOriginIsolated`).
pub fn is_cross_origin_isolated() -> bool {
    web_sys::window().is_some_and(|w| {
        js_sys::Reflect::get(&w, &"crossOriginIsolated".into())
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    })
}
