//! Training settings (optimizer, η and its knobs, the notes' decay, batch, epochs, seed), the
//! transport (play, pause, reset), progress with time left, speed, and the learning curves.

use super::curves::Curves;
use crate::labs::controls::SeedField;
use crate::labs::progress::RunProgress;
use contract::cnn::DEFAULT_FINAL_RATIO;
use super::state::{CnnSession, TARGET_ACCURACY};
use contract::cnn::{CnnLab, CNN_OPTIMIZERS};
use contract::training::{Knob, LrSchedule, OptimizerName};
use leptos::prelude::*;

/// Logical cores the browser reports (the engine's pool has one thread per core).
fn threads() -> String {
    let n = web_sys::window().map_or(0.0, |w| w.navigator().hardware_concurrency());
    if n >= 1.0 {
        format!("{n:.0}")
    } else {
        "?".into()
    }
}

fn seconds(s: f64) -> String {
    if s < 60.0 {
        format!("{s:.1} s")
    } else {
        format!("{}:{:02} min", (s / 60.0) as u64, (s % 60.0) as u64)
    }
}

#[component]
pub fn Training(
    state: RwSignal<CnnSession>,
    on_change: Callback<CnnLab>,
    on_reset: Callback<()>,
    /// Train on the engine's own thread only (a speed comparison), or on all.
    on_one_thread: Callback<bool>,
) -> impl IntoView {
    let spec = move || state.with(|s| s.spec.clone());
    // Edits a copy; a decay over the whole run keeps spanning the run when epochs or batch change.
    let edit = move |f: Box<dyn FnOnce(&mut CnnLab)>| {
        let mut s = spec();
        let spans_run = s.schedule == s.decay_over_run(decay_ratio(&s));
        f(&mut s);
        if spans_run {
            s.schedule = s.decay_over_run(decay_ratio(&s));
        }
        on_change.run(s);
    };
    let number = move |ev: leptos::ev::Event| event_target_value(&ev).trim().parse::<f64>().ok();
    let run_memo = Memo::new(move |_| state.with(|s| s.spec.run));
    let knobs = move || {
        let run = run_memo.get();
        std::iter::once(Knob::Lr)
            .chain(run.optimizer.knobs().iter().copied())
            .map(|knob| {
                view! {
                    <label class="knob" title=knob.meaning()>
                        {knob.symbol()}
                        <input type="number" step="any" data-testid=format!("cnn-{}", knob.slug()) value=run.get(knob).to_string()
                            on:change=move |ev| { if let Some(v) = number(ev) { edit(Box::new(move |s| s.run.set(knob, v as f32))) } } />
                    </label>
                }
            })
            .collect::<Vec<_>>()
    };
    // Text nodes update in place; the checkbox is not rebuilt under the pointer.
    let test =
        Memo::new(move |_| state.with(|s| s.lab.history.evaluations.last().map(|e| (e.step, e.accuracy))));
    let speed = Memo::new(move |_| state.with(|s| s.lab.run.examples_per_second));
    let facts = view! {
        <dl class="facts cnn-facts">
            <div><dt>"test accuracy"</dt>
                <dd data-testid="test-accuracy" data-value=move || test.get().map(|(_, a)| a.to_string()).unwrap_or_default()>
                    {move || test.get().map_or("—".to_string(), |(_, a)| format!("{:.2}%", a * 100.0))}</dd>
                <span class="hint">{move || test.get().map_or("on all 2,000 held-out digits".to_string(), |(step, _)| format!("2,000 held-out digits, step {step}"))}</span></div>
            <div><dt>"training batch"</dt>
                <dd data-testid="cnn-train-loss" data-value=move || state.with(|s| s.lab.history.recent_train(20)).map(|(l, _)| l.to_string()).unwrap_or_default()>{move || state.with(|s| s.lab.history.recent_train(20)).map_or("—".to_string(), |(l, a)| format!("{:.1}% · loss {}", a * 100.0, crate::format::value(l as f64, 3)))}</dd>
                <span class="hint">"mean of the last 20 steps"</span></div>
            <div><dt>"speed"</dt>
                <dd data-testid="examples-per-second" data-value=move || speed.get().map(|e| e.to_string()).unwrap_or_default()>
                    {move || speed.get().map_or("—".to_string(), |e| format!("{e:.0} digits/s"))}</dd>
                <label class="hint one-thread">
                    <input type="checkbox" data-testid="cnn-one-thread" prop:checked=move || state.with(|s| s.lab.one_thread)
                        on:change=move |ev| { let on = event_target_checked(&ev); on_one_thread.run(on) } />
                    {format!(" on one thread (compare: the numbers stay the same; this machine has {})", threads())}
                </label></div>
            <div><dt>{format!("{:.0}% reached", TARGET_ACCURACY * 100.0)}</dt>
                <dd data-testid="time-to-target">
                    {move || state.with(|s| s.lab.reached_target()).map_or("not yet".to_string(), |(step, t)| format!("{} of training (step {step})", seconds(t)))}</dd>
                <span class="hint">"training time only, tests excluded"</span></div>
        </dl>
    };
    view! {
        <div class="cnn-training">
            <div class="cnn-settings">
                <label class="field">"Optimizer "
                    <select data-testid="cnn-optimizer" on:change=move |ev| {
                        if let Some(o) = OptimizerName::from_slug(&event_target_value(&ev)) {
                            edit(Box::new(move |s| s.run = CnnLab::default_run(o)));
                        }
                    }>
                        {CNN_OPTIMIZERS.into_iter().map(|o| view! {
                            <option value=o.slug() selected=move || state.with(|s| s.spec.run.optimizer == o)>{crate::labs::optimizer_label(o)}</option>
                        }).collect::<Vec<_>>()}
                    </select>
                </label>
                <div class="knobs">{knobs}</div>
                <label class="field">"Batch "
                    <input type="number" min="1" max="256" data-testid="cnn-batch" prop:value=move || state.with(|s| s.spec.batch.to_string())
                        on:change=move |ev| { if let Some(v) = number(ev) { edit(Box::new(move |s| s.batch = v as usize)) } } />
                </label>
                <label class="field">"Epochs "
                    <input type="number" min="1" max="30" data-testid="cnn-epochs" prop:value=move || state.with(|s| s.spec.epochs.to_string())
                        on:change=move |ev| { if let Some(v) = number(ev) { edit(Box::new(move |s| s.epochs = v as usize)) } } />
                </label>
                <label class="field checkbox">
                    <input type="checkbox" data-testid="cnn-decay" prop:checked=move || state.with(|s| s.spec.schedule != LrSchedule::Constant)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            let mut s = spec();
                            s.schedule = if on { s.decay_over_run(DEFAULT_FINAL_RATIO) } else { LrSchedule::Constant };
                            on_change.run(s);
                        } />
                    " η decays linearly to "
                    <input type="number" step="any" class="short" data-testid="cnn-decay-ratio"
                        prop:value=move || state.with(|s| decay_ratio(&s.spec).to_string())
                        on:change=move |ev| { if let Some(v) = number(ev) {
                            let mut s = spec();
                            s.schedule = s.decay_over_run(v as f32);
                            on_change.run(s);
                        } } />
                    " × η over the run (the notes' ε_T/ε₀)"
                </label>
                <SeedField testid="cnn-seed" seed=Signal::derive(move || state.with(|s| s.spec.seed))
                    on_change=Callback::new(move |v| edit(Box::new(move |s| s.seed = v))) />
            </div>
            <RunProgress state=state prefix="cnn-" status=status flagged=|s: &CnnSession| s.lab.blocked.is_some()
                on_reset=on_reset>
                {facts}
            </RunProgress>
            <Curves state=state.read_only() />
        </div>
    }
}

/// The status line: loading, why the network cannot be built, or where training stands with
/// the epoch and the time left.
fn status(s: &CnnSession) -> String {
        if s.loading.is_some() {
            return "Loading the MNIST digits…".to_string();
        }
        if let Some(why) = &s.lab.blocked {
            return format!("Cannot train this network — {why}");
        }
        if !s.started {
            return if s.waiting {
                "Building the network…".into()
            } else {
                "Not started".into()
            };
        }
        let mut text = format!(
            "step {} of {} · epoch {:.2} of {}",
            s.lab.run.step,
            s.lab.run.total_steps,
            s.epoch(),
            s.spec.epochs
        );
        if let Some(left) = s.seconds_left().filter(|_| !s.finished()) {
            text += &format!(" · about {} left", seconds(left));
        }
        if s.finished() && s.lab.run.stopped.is_none() {
            text += " · done";
        }
        if let Some(target) = s.replaying() {
            text += &format!(" · replaying the link to step {target}");
        }
        text
    }

/// ε_T/ε₀ of the spec's decay (0.03 when η is constant: what the checkbox turns on).
fn decay_ratio(spec: &CnnLab) -> f32 {
    match spec.schedule {
        LrSchedule::LinearDecay { final_ratio, .. } => final_ratio,
        LrSchedule::Constant => DEFAULT_FINAL_RATIO,
    }
}
