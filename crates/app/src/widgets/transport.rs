//! The transport every lab's training is driven by: play/pause, an optional single step, reset,
//! an optional progress bar, and whatever status the lab writes beside them.

use leptos::prelude::*;

#[component]
pub fn Transport(
    #[prop(into)] playing: Signal<bool>,
    /// Play (and step) are offered only when this holds (a run that has started, not finished).
    #[prop(into)]
    can_play: Signal<bool>,
    /// The play button's label while paused ("▶ Play", "▶ Train").
    play_label: &'static str,
    on_play: Callback<()>,
    /// A single step (→), if the lab has one.
    #[prop(optional)]
    on_step: Option<Callback<()>>,
    on_reset: Callback<()>,
    /// Test ids are `{prefix}play`, `{prefix}step`, `{prefix}reset` (unique: every page stays mounted).
    #[prop(optional)]
    prefix: &'static str,
    /// The fraction of the run done, drawn as a bar.
    #[prop(optional, into)]
    progress: Option<Signal<f64>>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let step = on_step.map(|on_step| {
        view! {
            <button class="secondary-blue" data-testid=format!("{prefix}step") on:click=move |_| on_step.run(())
                disabled=move || !can_play.get()>
                "Step →"
            </button>
        }
    });
    let bar = progress.map(|fraction| {
        view! {
            <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100"
                aria-valuenow=move || format!("{:.0}", fraction.get() * 100.0)>
                <div class="progress-bar" style:width=move || format!("{:.1}%", fraction.get() * 100.0)></div>
            </div>
        }
    });
    view! {
        <div class="transport">
            <button data-testid=format!("{prefix}play") on:click=move |_| on_play.run(())
                disabled=move || !can_play.get()>
                {move || if playing.get() { "❚❚ Pause" } else { play_label }}
            </button>
            {step}
            <button class="secondary-blue" data-testid=format!("{prefix}reset") on:click=move |_| on_reset.run(())>
                "Reset"
            </button>
            {bar}
            {children.map(|c| c())}
        </div>
    }
}
