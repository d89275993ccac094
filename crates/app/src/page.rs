//! What every lab page does with the browser around it: the address bar follows its
//! experiment, Share copies a link, keys act unless the student is typing in a field.

use leptos::prelude::*;

/// Was this key pressed while typing in a form field (where space and arrows are the field's)?
/// A focused button is not a field: the page's keys still act, and `prevent_default` keeps
/// space from also clicking it.
pub fn typing_in_field(ev: &web_sys::KeyboardEvent) -> bool {
    ev.target()
        .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(t).ok())
        .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"))
}

/// Keeps the address bar's fragment equal to `fragment` while `active` (replaceState: no
/// history entry per change). The memo changes with the experiment only, not with every frame.
pub fn follow_in_address_bar(fragment: Memo<String>, active: Signal<bool>) {
    Effect::new(move |_| {
        let fragment = fragment.get();
        // Only the page on screen owns the address bar.
        if !active.get() {
            return;
        }
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = history.replace_state_with_url(
                &wasm_bindgen::JsValue::NULL,
                "",
                Some(&format!("#{fragment}")),
            );
        }
    });
}

/// The full link for `fragment` on this page's address, copied to the clipboard.
pub fn share(fragment: &str) -> String {
    let base = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .map(|h| h.split('#').next().unwrap_or_default().to_string())
        .unwrap_or_default();
    let link = format!("{base}#{fragment}");
    if let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard()) {
        let _ = clipboard.write_text(&link);
    }
    link
}

/// What a link could not use, and why, until dismissed.
#[component]
pub fn UrlNotes(
    notes: Signal<Vec<contract::link::UrlNote>>,
    on_dismiss: Callback<()>,
    #[prop(into)] testid: String,
) -> impl IntoView {
    move || {
        let notes = notes.get();
        (!notes.is_empty()).then(|| {
            view! {
                <div class="notice warn" role="status" data-testid=testid.clone()>
                    <strong>"Parts of this link were not used: "</strong>
                    <ul>
                        {notes.into_iter().map(|n| view! { <li><code>{n.part}</code>" — "{n.reason}</li> }).collect::<Vec<_>>()}
                    </ul>
                    <button class="secondary-blue" on:click=move |_| on_dismiss.run(())>"Dismiss"</button>
                </div>
            }
        })
    }
}

/// Share: copies the link that reproduces what is on screen, and shows it.
#[component]
pub fn ShareBar(
    label: &'static str,
    /// What the link does, said before it.
    #[prop(into)]
    hint: String,
    #[prop(into)] testid: String,
    #[prop(into)] link_testid: String,
    /// Makes the link (and copies it).
    make: Callback<(), String>,
) -> impl IntoView {
    let shared = RwSignal::new(None::<String>);
    view! {
        <div class="share">
            <button class="secondary-blue" data-testid=testid on:click=move |_| shared.set(Some(make.run(())))>{label}</button>
            {move || shared.get().map(|link| view! {
                <span class="hint">{hint.clone()}</span>
                <input class="share-link" data-testid=link_testid.clone() readonly value=link />
            })}
        </div>
    }
}

/// A titled part of a page: the heading names the section for screen readers
/// (`aria-labelledby`), and the lede under it says what the part shows. `level` 1 for a
/// page, 2 for a part of one.
#[component]
pub fn Headed(
    /// The heading's element id (unique on the page).
    id: &'static str,
    title: &'static str,
    lede: &'static str,
    #[prop(default = 2)] level: u8,
    /// The section's classes.
    class: &'static str,
    children: Children,
) -> impl IntoView {
    let heading = if level == 1 {
        view! { <h1 id=id>{title}</h1> }.into_any()
    } else {
        view! { <h2 id=id>{title}</h2> }.into_any()
    };
    view! {
        <section class=class aria-labelledby=id>
            {heading}
            <p class="lede">{lede}</p>
            {children()}
        </section>
    }
}
