//! The page around every lab: header and navigation. (The notice for a page that is not
//! cross-origin isolated is in index.html: it must show even when no wasm can start.)

use crate::engine_panel::EnginePanel;
use crate::isolation::is_cross_origin_isolated;
use leptos::prelude::*;

#[component]
pub fn App() -> impl IntoView {
    let isolated = is_cross_origin_isolated();
    view! {
        <header class="site-header">
            <div class="brand">
                <span class="brand-mark" aria-hidden="true">"∇"</span>
                <span class="brand-name">"Deep Learning Playground"</span>
            </div>
            <nav class="labs-nav" aria-label="Labs">
                <a href="#engine" class="active" aria-current="page">"Engine"</a>
            </nav>
        </header>
        <main>
            <EnginePanel isolated=isolated />
        </main>
        <footer class="site-footer">
            "Everything runs in your browser: a Rust engine compiled to WebAssembly, "
            "on all your cores, with SIMD. No server computes anything."
        </footer>
    }
}
