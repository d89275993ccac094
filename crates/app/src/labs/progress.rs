//! Where a lab's training run stands, drawn the same way on every lab that trains in slices:
//! the transport (play, reset, the progress bar), the status line, why training stopped, and
//! the lab's own facts below.

use super::session::Session;
use super::training::Trains;
use crate::widgets::transport::Transport;
use contract::link::Link;
use contract::registry::Participant;
use contract::Protocol;
use leptos::prelude::*;

/// The status line: "step 120 of 800 · replaying the link to step 300 · done" (before the
/// start: `building`, or "Not started").
pub fn status<L: Trains>(s: &Session<L>, building: &str) -> String {
    if !s.started {
        return if s.waiting {
            building.to_string()
        } else {
            "Not started".into()
        };
    }
    let run = s.lab.run();
    let mut text = format!("step {} of {}", run.step, run.total_steps);
    if let Some(to) = s.replaying() {
        text += &format!(" · replaying the link to step {to}");
    }
    if s.finished() && run.stopped.is_none() {
        text += " · done";
    }
    text
}

/// The run's transport, status (from `status`) and stop reason; the lab's facts follow as
/// children. ▶ plays or pauses; Reset trains the same experiment again from step 0. Test ids:
/// `{prefix}play`, `{prefix}reset`, `{prefix}status`, `{prefix}stopped`.
#[component]
pub fn RunProgress<L>(
    state: RwSignal<Session<L>>,
    prefix: &'static str,
    /// The status before the first reply ("Building the network…").
    #[prop(optional)]
    building: &'static str,
    /// The lab's own status line, where [`status`] is not all it says (the CNN lab's loading).
    #[prop(optional)]
    status: Option<fn(&Session<L>) -> String>,
    /// Is the status a warning (the CNN lab's network that cannot be built)?
    #[prop(optional)]
    flagged: Option<fn(&Session<L>) -> bool>,
    /// Reset, where the lab's is more than training the same experiment again.
    #[prop(optional)]
    on_reset: Option<Callback<()>>,
    children: Children,
) -> impl IntoView
where
    L: Trains<Protocol: Participant> + Send + Sync + 'static,
    Session<L>: Send + Sync,
    <L::Protocol as Protocol>::Spec: Link + Clone,
{
    let on_play = Callback::new(move |_| state.update(Session::toggle_play));
    let on_reset = on_reset.unwrap_or_else(|| Callback::new(move |_| super::change(state, |_| {})));
    let status_line = move |s: &Session<L>| match status {
        Some(status) => status(s),
        None => self::status(s, building),
    };
    let playing = move || state.with(|s| s.playing);
    let can_play = move || state.with(|s| s.started && !s.finished());
    let fraction = move || {
        state.with(|s| {
            let run = s.lab.run();
            run.step as f64 / run.total_steps.max(1) as f64
        })
    };
    let train_ms = move || state.with(|s| s.lab.run().train_ms.to_string());
    view! {
        <Transport playing=Signal::derive(playing) can_play=Signal::derive(can_play) play_label="▶ Train"
            on_play=on_play on_reset=on_reset prefix=prefix progress=Signal::derive(fraction)>
            <span class="status" class:blocked=move || flagged.is_some_and(|f| state.with(f))
                data-testid=format!("{prefix}status") data-train-ms=train_ms>
                {move || state.with(status_line)}
            </span>
        </Transport>
        {move || state.with(|s| s.lab.run().stopped.clone()).map(|why| view! {
            <div class="notice error" role="alert" data-testid=format!("{prefix}stopped")>
                {format!("Training stopped: {why}. Change that setting and press Reset to train again.")}
            </div>
        })}
        {children()}
    }
}
