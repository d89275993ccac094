//! What every lab page says above its work: the parts of its link it could not use, and the
//! last error (with a way to restart a dead engine), each until dismissed.

use super::session::{LabState, Session};
use leptos::prelude::*;

#[component]
pub fn Notices<L: LabState + Send + Sync + 'static>(
    state: RwSignal<Session<L>>,
    /// Restarts the engine worker (every page's runs come back).
    restart: Callback<()>,
    /// The notices' test ids: `{prefix}url-notes`, `{prefix}error` (unique: every page stays mounted).
    #[prop(into)]
    error_testid: String,
    #[prop(into)] notes_testid: String,
) -> impl IntoView
where
    Session<L>: Send + Sync,
{
    view! {
        <crate::page::UrlNotes notes=Signal::derive(move || state.with(|s| s.notes.clone()))
            on_dismiss=Callback::new(move |_| state.update(|s| s.notes.clear())) testid=notes_testid />
        {move || state.with(|s| s.error.clone()).map(|e| view! {
            <div class="notice error" role="alert" data-testid=error_testid.clone()>
                {e}
                <Show when=move || state.with(|s| s.engine_failed)>
                    " "
                    <button class="secondary" on:click=move |_| restart.run(())>"Restart engine"</button>
                </Show>
                " "
                <button class="secondary-blue" on:click=move |_| state.update(|s| s.error = None)>"Dismiss"</button>
            </div>
        })}
    }
}
