//! The page around every lab: header, navigation between the pages of the registry (by the
//! URL's fragment), and the one engine worker they share. (The notice for a page that is not
//! cross-origin isolated, where the engine runs its single-threaded build, is in index.html.)

use crate::engine_client;
use crate::labs::{page_of, Page};
use contract::FromEngine;
use leptos::prelude::*;
use std::rc::Rc;

fn fragment() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Starts (or restarts) the worker; every message goes to every page.
fn start_engine(pages: &Rc<Vec<Box<dyn Page>>>) {
    for page in pages.iter() {
        page.engine_starting();
    }
    let all = pages.clone();
    let deliver = Rc::new(move |message: FromEngine| {
        for page in all.iter() {
            page.deliver(&message);
        }
    });
    if let Err(message) = engine_client::start(deliver.clone()) {
        deliver(FromEngine::Failed { message });
        return;
    }
    // The worker queues messages until its pool is up: the labs can ask right away.
    for page in pages.iter() {
        page.engine_started();
    }
}

/// What the address bar says to the page it names: the whole experiment, or `None` when the
/// fragment only names the page (a nav link: switch, keep what is there).
fn link_for<'a>(page: &dyn Page, fragment: &'a str) -> Option<&'a str> {
    let link = fragment.trim_start_matches('#');
    (link != page.fragment()).then_some(link)
}

#[component]
pub fn App() -> impl IntoView {
    let initial = fragment();
    let pages: Rc<Vec<Box<dyn Page>>> = Rc::new(crate::pages(&initial));
    let shown = RwSignal::new(page_of(&pages, &initial));
    start_engine(&pages);
    pages[shown.get_untracked()].open(link_for(&*pages[shown.get_untracked()], &initial), true);
    // Navigation by the address bar: switch page; the page decides what a link means to it.
    let _hash = window_event_listener(leptos::ev::hashchange, {
        let pages = pages.clone();
        move |_| {
            let now = fragment();
            let index = page_of(&pages, &now);
            shown.set(index);
            for (i, page) in pages.iter().enumerate() {
                if i != index {
                    page.leave();
                }
            }
            pages[index].open(link_for(&*pages[index], &now), false);
        }
    });
    // Leptos callbacks must be Send + Sync: the pages (main thread only) are stored locally.
    let stored = StoredValue::new_local(pages.clone());
    let restart = Callback::new(move |_| stored.with_value(start_engine));
    let nav = pages
        .iter()
        .enumerate()
        .map(|(i, page)| {
            let current = move || shown.get() == i;
            view! {
                <a href=format!("#{}", page.fragment()) class:active=current aria-current=move || current().then_some("page")>
                    {page.title()}
                </a>
            }
        })
        .collect::<Vec<_>>();
    // A page's view is built the first time it is shown, and then stays mounted (its timers
    // and listeners live as long as the app) and hidden while another page is chosen. Building
    // every lab's view at start-up was one main-thread task of 160–280 ms while the opening lab
    // had already started training; the labs' state lives in the pages, not in their views.
    let bodies = (0..pages.len())
        .map(|i| {
            let active = Signal::derive(move || shown.get() == i);
            let mounted = Memo::new(move |before: Option<&bool>| {
                before.copied().unwrap_or(false) || active.get()
            });
            // Built untracked: what the view reads while it is built must not rebuild it.
            let body = move || {
                mounted
                    .get()
                    .then(|| untrack(|| stored.with_value(|pages| pages[i].view(active, restart))))
            };
            view! {
                <div style:display=move || if active.get() { "block" } else { "none" }>
                    {body}
                </div>
            }
        })
        .collect::<Vec<_>>();
    view! {
        <header class="site-header">
            <div class="brand">
                <span class="brand-mark" aria-hidden="true">"∇"</span>
                <span class="brand-name">"Deep Learning Playground"</span>
            </div>
            <nav class="labs-nav" aria-label="Labs">{nav}</nav>
        </header>
        <main>{bodies}</main>
        <footer class="site-footer">
            "Everything runs in your browser: a Rust engine compiled to WebAssembly, "
            "with SIMD, on every core the page may use. No server computes anything."
        </footer>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pages' own fragments, without building their views (no reactive runtime natively).
    struct Named(&'static str);
    impl Page for Named {
        fn title(&self) -> &'static str {
            self.0
        }
        fn fragment(&self) -> &'static str {
            self.0
        }
        fn deliver(&self, _: &FromEngine) {}
        fn view(&self, _: Signal<bool>, _: Callback<()>) -> AnyView {
            ().into_any()
        }
    }

    #[test]
    fn the_fragment_chooses_the_page() {
        let pages: Vec<Box<dyn Page>> = vec![
            Box::new(Named("lab=first")),
            Box::new(Named("lab=second")),
            Box::new(Named("engine")),
        ];
        assert_eq!(page_of(&pages, ""), 0);
        assert_eq!(page_of(&pages, "#lab=first&v=1"), 0);
        assert_eq!(page_of(&pages, "#engine"), 2);
        assert_eq!(page_of(&pages, "#lab=second"), 1);
        assert_eq!(page_of(&pages, "#lab=second&v=1&digit=3"), 1);
        assert_eq!(page_of(&pages, "#lab=secondx"), 0);
        assert_eq!(link_for(&*pages[1], "#lab=second"), None);
        assert_eq!(
            link_for(&*pages[1], "#lab=second&v=1"),
            Some("lab=second&v=1")
        );
    }
}
