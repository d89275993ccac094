//! The CNN lab: build a CNN, train it on real MNIST digits in the engine worker, and look
//! inside it — feature maps, kernels, receptive fields, what a shift does — plus the
//! architecture calculator for the notes' networks. The page only asks and draws.

mod builder;
mod calculator;
mod curves;
mod evaluation;
mod inside;
mod shift;
pub mod state;
mod training;

use crate::engine_client;
use leptos::prelude::*;
use spec::cnn::CnnLab;
use spec::cnn_view::DigitSource;
use spec::{cnn_url, FromEngine, ToEngine};
use state::{CnnState, Unit};
use std::time::Duration;

/// The play loop's tick: asks for more training (if the last answer is in) this often.
const TICK: Duration = Duration::from_millis(30);
/// Training time per request: long enough that a frame's view and messaging cost little,
/// short enough that the page follows the training smoothly.
const TRAIN_SLICE_MS: f64 = 300.0;

fn send(state: RwSignal<CnnState>, request: ToEngine) {
    if let Err(message) = engine_client::send(&request) {
        state.update(|s| s.apply(FromEngine::Failed { message }));
    }
}

/// (Re)starts the run from the current spec (training to `spec.at` if the link had one).
pub fn start_run(state: RwSignal<CnnState>) {
    let spec = state.with_untracked(|s| s.spec.clone());
    state.update(CnnState::restarting);
    // A link's `at=` is replayed by the play loop, in slices the page shows as they come.
    state.update(|s| s.replay_to = spec.at);
    if let Err(why) = spec.trainable() {
        // The builder flags the layer; the engine is not asked to build what cannot work.
        state.update(|s| {
            s.waiting = false;
            s.playing = false;
            s.blocked = Some(why);
        });
        return;
    }
    let run = state.with_untracked(|s| s.run);
    send(state, ToEngine::CnnStart { spec, run });
    state.update(|s| s.spec.at = None);
}

/// Changes what is trained: the run starts again from step 0.
fn change(state: RwSignal<CnnState>, edit: impl FnOnce(&mut CnnLab)) {
    let mut spec = state.with_untracked(|s| s.spec.clone());
    edit(&mut spec);
    if let Err(message) = spec.check() {
        state.update(|s| s.error = Some(message));
        return;
    }
    state.update(|s| {
        s.spec = spec;
        s.playing = false;
    });
    start_run(state);
}

/// Changes what is looked at (digit, shift): training goes on undisturbed.
fn look(state: RwSignal<CnnState>, digit: DigitSource, shift: (i32, i32)) {
    state.update(|s| {
        if let DigitSource::Test { index } = digit {
            s.spec.digit = index;
            s.drawn = false;
        } else {
            s.drawn = true;
        }
        s.spec.shift = shift;
        s.receptive = None;
        s.unit = None;
        // Sent by the play loop as soon as the engine is free (at once if it is).
        s.pending_look = Some((digit, shift));
    });
    pump(state, true);
}

fn pick_unit(state: RwSignal<CnnState>, unit: Unit) {
    state.update(|s| s.pick(unit));
    pump(state, true);
}

fn toggle_play(state: RwSignal<CnnState>) {
    state.update(CnnState::toggle_play);
}

/// Sends the next due request, if any (one is with the engine at a time).
fn pump(state: RwSignal<CnnState>, active: bool) {
    let mut request = None;
    state.update(|s| request = s.next_request(active, TRAIN_SLICE_MS));
    if let Some(request) = request {
        send(state, request);
    }
}

/// The link that reproduces what is on screen, at this step (copied to the clipboard).
fn share_link(state: RwSignal<CnnState>) -> String {
    let (mut spec, step) = state.with_untracked(|s| (s.spec.clone(), s.step));
    spec.at = (step > 0).then_some(step);
    crate::page::share(&cnn_url::encode(&spec))
}

#[component]
pub fn CnnLabPage(
    state: RwSignal<CnnState>,
    restart: Callback<()>,
    active: Signal<bool>,
) -> impl IntoView {
    set_interval(
        move || {
            // Cheap when idle: only a due request updates the state.
            let due = state.with_untracked(|s| s.started && !s.waiting && !s.engine_failed);
            if due {
                pump(state, active.get_untracked());
            }
        },
        TICK,
    );
    // Space trains or pauses (not while typing in a field), as in the optimizer lab.
    let _keys = window_event_listener(leptos::ev::keydown, move |ev| {
        let typing = crate::page::typing_in_field(&ev);
        let can = state.with_untracked(|s| s.started && !s.finished());
        if !typing && active.get_untracked() && can && ev.key() == " " {
            ev.prevent_default();
            toggle_play(state);
        }
    });
    crate::page::follow_in_address_bar(
        Memo::new(move |_| state.with(|s| cnn_url::encode(&s.spec))),
        active,
    );
    let shared = RwSignal::new(None::<String>);
    let share = move |_| shared.set(Some(share_link(state)));
    view! {
        <section class="panel lab cnn-lab" aria-labelledby="cnn-title">
            <h1 id="cnn-title">"Convolutional networks"</h1>
            <p class="lede">
                "Build a CNN, train it on 8,000 real handwritten digits right here, and look inside: what each "
                "kernel responds to, which pixels a unit can see, and why a shifted digit is still the same digit. Space trains or pauses."
            </p>
            <crate::page::UrlNotes notes=Signal::derive(move || state.with(|s| s.notes.clone())) on_dismiss=Callback::new(move |_| state.update(|s| s.notes.clear())) testid="cnn-url-notes" />
            {move || state.with(|s| s.error.clone()).map(|e| view! {
                <div class="notice error" role="alert" data-testid="cnn-error">
                    {e}
                    <Show when=move || state.with(|s| s.engine_failed)>
                        " "
                        <button class="secondary" on:click=move |_| restart.run(())>"Restart engine"</button>
                    </Show>
                    <button class="secondary-blue" on:click=move |_| state.update(|s| s.error = None)>"Dismiss"</button>
                </div>
            })}
            <h2>"1 · Architecture"</h2>
            <builder::Builder state=state on_change=Callback::new(move |layers| change(state, |spec| spec.layers = layers)) />
            <h2>"2 · Training"</h2>
            <training::Training state=state
                on_change=Callback::new(move |spec: CnnLab| change(state, |s| *s = spec))
                on_play=Callback::new(move |_| toggle_play(state))
                on_reset=Callback::new(move |_| start_run(state)) />
            <h2>"3 · Inside the network"</h2>
            <inside::Inside state=state
                on_look=Callback::new(move |(digit, shift)| look(state, digit, shift))
                on_unit=Callback::new(move |unit| pick_unit(state, unit)) />
            <h2>"4 · Moving the digit: equivariance and invariance"</h2>
            <shift::ShiftView state=state on_look=Callback::new(move |(digit, shift)| look(state, digit, shift)) />
            <h2>"5 · Mistakes on the test digits"</h2>
            <evaluation::EvaluationView state=state on_look=Callback::new(move |index| {
                let shift = state.with_untracked(|s| s.spec.shift);
                look(state, DigitSource::Test { index }, shift)
            }) />
            <div class="share">
                <button class="secondary-blue" data-testid="cnn-share" on:click=share>"Share this experiment"</button>
                {move || shared.get().map(|link| view! {
                    <span class="hint">"Link copied — it trains the same network to this step, with the same numbers: "</span>
                    <input class="share-link" data-testid="cnn-share-link" readonly value=link />
                })}
            </div>
            <h2>"6 · The notes' networks, computed"</h2>
            <calculator::Calculator />
        </section>
    }
}
