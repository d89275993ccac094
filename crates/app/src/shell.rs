//! The page around every lab: header, navigation between the labs (by the URL's fragment), and
//! the one engine worker they share. (The notice for a page that is not cross-origin isolated
//! is in index.html: it must show even when no wasm can start.)

use crate::cnn_lab::state::CnnState;
use crate::cnn_lab::{start_run, CnnLabPage};
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
    Cnn,
    Engine,
}

/// `#engine` is the Engine panel, `#lab=cnn…` the CNN lab; anything else (including an
/// optimizer experiment) the optimizer lab.
pub fn page_of(fragment: &str) -> Page {
    let f = fragment.trim_start_matches('#');
    if f.starts_with("engine") {
        Page::Engine
    } else if f == "lab=cnn" || f.starts_with("lab=cnn&") {
        Page::Cnn
    } else {
        Page::Optim
    }
}

/// A fragment that only names a lab (the navigation's links) switches to it and keeps its
/// experiment; a fuller link is an experiment to open.
fn names_only_a_lab(link: &str) -> bool {
    matches!(link, "lab=optim" | "lab=cnn")
}

fn fragment() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Starts (or restarts) the worker; every message goes to every page's state.
pub fn start_engine(
    engine: RwSignal<PanelState>,
    lab: RwSignal<LabState>,
    cnn: RwSignal<CnnState>,
) {
    engine.update(PanelState::restarting);
    let deliver = Rc::new(move |message: spec::FromEngine| {
        engine.update(|s| s.apply(message.clone()));
        cnn.update(|s| s.apply(message.clone()));
        lab.update(|s| s.apply(message));
    });
    if let Err(message) = engine_client::start(deliver) {
        engine.update(|s| s.status = EngineStatus::Failed(message));
        return;
    }
    // The worker queues messages until its pool is up: the race can be asked for right away.
    start_race(lab);
    // The CNN lab starts once it has been shown (a restart brings its run back).
    if cnn.with_untracked(|s| s.run > 0) {
        start_run(cnn);
    }
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
    let (cnn_spec, cnn_notes) = if page.get_untracked() == Page::Cnn {
        spec::cnn_url::decode(&initial)
    } else {
        (Default::default(), vec![])
    };
    let cnn = RwSignal::new(CnnState::new(cnn_spec, cnn_notes));
    if isolated {
        start_engine(engine, lab, cnn);
    }
    // A CNN link trains on opening, unless it asks for a step to show (`at=`): then it stops there.
    let open_cnn = move |play: bool| {
        if cnn.with_untracked(|s| s.run == 0) && isolated {
            let replay = cnn.with_untracked(|s| s.spec.at.is_some());
            start_run(cnn);
            cnn.update(|s| s.playing = play && !replay);
        }
    };
    if page.get_untracked() == Page::Cnn {
        open_cnn(true);
    }
    // Navigation by the address bar: switch page; a different experiment link starts that race.
    let _hash = window_event_listener(leptos::ev::hashchange, move |_| {
        let now = fragment();
        page.set(page_of(&now));
        let link = now.trim_start_matches('#');
        match page.get_untracked() {
            Page::Engine => {
                lab.update(|s| s.playing = false);
                cnn.update(|s| s.playing = false);
                return;
            }
            Page::Cnn => {
                lab.update(|s| s.playing = false);
                if names_only_a_lab(link) {
                    open_cnn(false);
                    return;
                }
                let current = cnn.with_untracked(|s| spec::cnn_url::encode(&s.spec));
                if link != current {
                    let (spec, notes) = spec::cnn_url::decode(link);
                    cnn.update(|s| {
                        s.spec = spec;
                        s.notes = notes;
                    });
                    let replay = cnn.with_untracked(|s| s.spec.at.is_some());
                    start_run(cnn);
                    cnn.update(|s| s.playing = !replay);
                }
                return;
            }
            Page::Optim => cnn.update(|s| s.playing = false),
        }
        if names_only_a_lab(link) {
            return;
        }
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
    let restart = Callback::new(move |_| start_engine(engine, lab, cnn));
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
                {link(Page::Cnn, "CNN", "#lab=cnn")}
                {link(Page::Engine, "Engine", "#engine")}
            </nav>
        </header>
        <main>
            // Both pages stay mounted (their timers and listeners live as long as the app);
            // the one not chosen is hidden.
            <div style:display=move || if page.get() == Page::Optim { "block" } else { "none" }>
                <OptimLabPage state=lab restart=restart active=Signal::derive(move || page.get() == Page::Optim) />
            </div>
            <div style:display=move || if page.get() == Page::Cnn { "block" } else { "none" }>
                <CnnLabPage state=cnn restart=restart active=Signal::derive(move || page.get() == Page::Cnn) />
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
        assert_eq!(page_of("#lab=cnn"), Page::Cnn);
        assert_eq!(page_of("#lab=cnn&v=1&digit=3"), Page::Cnn);
        assert_eq!(page_of("#lab=cnnx"), Page::Optim);
    }
}
