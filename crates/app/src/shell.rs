//! The page around every lab: header, navigation between the labs (by the URL's fragment), and
//! the one engine worker they share. (The notice for a page that is not cross-origin isolated
//! is in index.html: it must show even when no wasm can start.)

use crate::engine_client;
use crate::engine_panel::state::{EngineStatus, PanelState};
use crate::engine_panel::EnginePanel;
use crate::isolation::is_cross_origin_isolated;
use crate::optim_lab::state::LabState;
use crate::optim_lab::{start_race, OptimLabPage};
use leptos::prelude::*;
use std::rc::Rc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    Optim,
    Engine,
}

/// `#engine` is the Engine panel; anything else (including an experiment) the optimizer lab.
pub fn page_of(fragment: &str) -> Page {
    if fragment.trim_start_matches('#').starts_with("engine") {
        Page::Engine
    } else {
        Page::Optim
    }
}

fn fragment() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Starts (or restarts) the worker; every message goes to every page's state.
pub fn start_engine(engine: RwSignal<PanelState>, lab: RwSignal<LabState>) {
    engine.update(PanelState::restarting);
    let deliver = Rc::new(move |message: spec::FromEngine| {
        engine.update(|s| s.apply(message.clone()));
        lab.update(|s| s.apply(message));
    });
    if let Err(message) = engine_client::start(deliver) {
        engine.update(|s| s.status = EngineStatus::Failed(message));
        return;
    }
    // The worker queues messages until its pool is up: the race can be asked for right away.
    start_race(lab);
}

#[component]
pub fn App() -> impl IntoView {
    let isolated = is_cross_origin_isolated();
    let initial = fragment();
    let page = RwSignal::new(page_of(&initial));
    let engine = RwSignal::new(PanelState::new(isolated));
    let (spec, notes) = if page.get_untracked() == Page::Optim {
        spec::url::decode(&initial)
    } else {
        (Default::default(), vec![])
    };
    let lab = RwSignal::new(LabState::new(spec, notes));
    if isolated {
        start_engine(engine, lab);
    }
    // Navigation by the address bar: switch page; a different experiment link starts that race.
    let _hash = window_event_listener(leptos::ev::hashchange, move |_| {
        let now = fragment();
        page.set(page_of(&now));
        if page.get_untracked() == Page::Engine {
            lab.update(|s| s.playing = false);
            return;
        }
        let link = now.trim_start_matches('#');
        let current = lab.with_untracked(|s| spec::url::encode(&s.spec));
        if link != current && link.starts_with("lab=") {
            let (spec, notes) = spec::url::decode(link);
            lab.update(|s| {
                s.spec = spec;
                s.notes = notes;
                s.playing = false;
            });
            start_race(lab);
        }
    });
    let restart = Callback::new(move |_| start_engine(engine, lab));
    let link = move |target: Page, label: &'static str, href: &'static str| {
        view! {
            <a href=href class:active=move || page.get() == target aria-current=move || (page.get() == target).then_some("page")>
                {label}
            </a>
        }
    };
    view! {
        <header class="site-header">
            <div class="brand">
                <span class="brand-mark" aria-hidden="true">"∇"</span>
                <span class="brand-name">"Deep Learning Playground"</span>
            </div>
            <nav class="labs-nav" aria-label="Labs">
                {link(Page::Optim, "Optimizers", "#lab=optim")}
                {link(Page::Engine, "Engine", "#engine")}
            </nav>
        </header>
        <main>
            // Both pages stay mounted (their timers and listeners live as long as the app);
            // the one not chosen is hidden.
            <div style:display=move || if page.get() == Page::Optim { "block" } else { "none" }>
                <OptimLabPage state=lab restart=restart active=Signal::derive(move || page.get() == Page::Optim) />
            </div>
            <div style:display=move || if page.get() == Page::Engine { "block" } else { "none" }>
                <EnginePanel state=engine restart=restart />
            </div>
        </main>
        <footer class="site-footer">
            "Everything runs in your browser: a Rust engine compiled to WebAssembly, "
            "on all your cores, with SIMD. No server computes anything."
        </footer>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fragment_chooses_the_page() {
        assert_eq!(page_of(""), Page::Optim);
        assert_eq!(page_of("#lab=optim&v=1"), Page::Optim);
        assert_eq!(page_of("#engine"), Page::Engine);
    }
}
