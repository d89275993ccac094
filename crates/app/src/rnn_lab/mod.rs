//! The Recurrent lab: an RNN, a GRU or an LSTM learns to answer at the end of a sequence —
//! recall its first symbol, or say "was" or "were" after a long clause — while the page shows
//! how far back its gradient reaches, what clipping does to an exploding one, and every gate
//! inside the cell. All computing happens in the engine; this page asks and draws.

mod compare;
mod curves;
mod inside;
mod language;
pub mod state;
mod through_time;

use crate::labs::{self, Page};
use contract::rnn::limits::RnnLimits;
use contract::rnn::{CellChoice, ClipRule, RnnLab, RnnTask, RNN_OPTIMIZERS};
use contract::training::{LrSchedule, OptimizerName};
use crate::labs::progress::{self, RunProgress};
use leptos::prelude::*;
use state::RnnSession;

const FRAGMENT: &str = contract::lab_fragment!(contract::rnn::SLUG);

/// Experiments a student can open in one click (the README links the same; the e2e test
/// checks what each title claims).
pub const PRESETS: [(&str, &str); 8] = [
    (
        "RNN, recall across 40 steps: fails",
        "lab=rnn&v=1&span=40&cell=rnn&steps=500&at=500",
    ),
    ("LSTM, the same: succeeds", "lab=rnn&v=1&span=40&steps=500&at=500"),
    (
        "Exploding: ReLU RNN, gain 2, no clipping",
        "lab=rnn&v=1&span=16&cell=relu&gain=2&clip=none&opt=sgd&lr=0.05&steps=400&at=400",
    ),
    (
        "… the same, clipped at norm 1",
        "lab=rnn&v=1&span=16&cell=relu&gain=2&opt=sgd&lr=0.05&steps=400&at=400",
    ),
    (
        "Was or were after 40 words: LSTM",
        "lab=rnn&v=1&task=agree&span=40&steps=500&at=500",
    ),
    (
        "… and the RNN",
        "lab=rnn&v=1&task=agree&span=40&cell=rnn&steps=500&at=500",
    ),
    (
        "RNN, GRU and LSTM side by side",
        "lab=rnn&v=1&span=40&cmp=1&steps=500&at=500",
    ),
    (
        "A language model: the man pulled (or pooled) a cart",
        "lab=rnn&v=1&task=lm&span=32&hidden=64&steps=400&at=400",
    ),
];

/// What the lab is, above everything else on its page.
const LEDE: &str = concat!(
    "A recurrent network reads a sequence one token at a time, carrying a state h from step to step, ",
    "and answers at the end. Can it still use the first token after 40 others? Train a plain RNN, a GRU ",
    "or an LSTM on the same task, watch how far back its gradient reaches, make one explode and clip it, ",
    "and look at every gate as it reads. Space trains or pauses.",
);

/// The Recurrent lab in the registry.
pub fn page(opening: &str) -> Box<dyn Page> {
    labs::EngineRoom::boxed("Recurrent", FRAGMENT, opening, RnnSession::for_link, lab_page)
}

/// The lab's page, inside the room that runs it.
fn lab_page(state: RwSignal<RnnSession>, _: Signal<bool>, restart: Callback<()>) -> AnyView {
    let read = state.read_only();
    view! {
        <labs::LabPage state=state restart=restart title="Recurrent networks" lede=LEDE presets=&PRESETS trains="the same network">
            <Controls state=read on_change=Callback::new(move |spec: RnnLab| labs::change(state, move |s| *s = spec)) />
            <Progress state=read
                on_play=Callback::new(move |_| state.update(RnnSession::toggle_play))
                on_reset=Callback::new(move |_| labs::change(state, |_| {})) />
            <h2>"1 · Learning"</h2>
            <curves::Curves state=read />
            <Show when=move || state.with(|s| s.spec.compare)>
                <compare::Compare state=read />
            </Show>
            <h2>"2 · Gradients through time"</h2>
            <through_time::ThroughTime state=read />
            <h2>"3 · Exploding gradients and clipping"</h2>
            <curves::Clipping state=read />
            <h2>"4 · Inside the cell"</h2>
            <inside::Inside state=read
                on_example=Callback::new(move |example| state.update(|s| s.follow_sequence(example)))
                on_time=Callback::new(move |t| state.update(|s| s.lab.picked_time = Some(t))) />
            <Show when=move || state.with(|s| s.spec.task == RnnTask::Language)>
                <h2>"5 · The language model"</h2>
                <language::Language state=state />
            </Show>
        </labs::LabPage>
    }
    .into_any()
}

#[component]
fn Controls(state: ReadSignal<RnnSession>, on_change: Callback<RnnLab>) -> impl IntoView {
    let spec = Memo::new(move |_| state.with(|s| s.spec.clone()));
    // Edits a copy; a decay over the whole run keeps spanning the run when its steps change.
    let edit = move |f: Box<dyn FnOnce(&mut RnnLab)>| {
        let mut s = spec.get_untracked();
        let steps = s.steps;
        f(&mut s);
        labs::controls::keep_spanning(&mut s.schedule, steps, s.steps);
        on_change.run(s);
    };
    let whole = |ev: &leptos::ev::Event| event_target_value(ev).trim().parse::<usize>().ok();
    let real = |ev: &leptos::ev::Event| event_target_value(ev).trim().parse::<f32>().ok();
    let number = move |label: &'static str, testid: &'static str, (lo, hi): (usize, usize), get: fn(&RnnLab) -> usize, set: fn(&mut RnnLab, usize)| {
        view! {
            <label class="field">{label}
                <input type="number" min=lo.to_string() max=hi.to_string() data-testid=testid
                    prop:value=move || get(&spec.get()).to_string()
                    on:change=move |ev| { if let Some(n) = whole(&ev) { edit(Box::new(move |s| set(s, n))) } } />
            </label>
        }
    };
    view! {
        <div class="lab-controls">
            <label class="field">"Task "
                <select data-testid="rnn-task" on:change=move |ev| {
                    if let Some(t) = RnnTask::from_slug(&event_target_value(&ev)) { edit(Box::new(move |s| s.task = t)) }
                }>
                    {RnnTask::ALL.iter().map(|&t| view! {
                        <option value=t.slug() selected=move || spec.get().task == t>{t.title()}</option>
                    }).collect::<Vec<_>>()}
                </select>
            </label>
            {number("Span (tokens between cue and answer) ", "rnn-span", RnnLimits::SPAN, |s| s.span, |s, n| s.span = n)}
            <label class="field">"Cell "
                <select data-testid="rnn-cell" on:change=move |ev| {
                    if let Some(c) = CellChoice::from_slug(&event_target_value(&ev)) { edit(Box::new(move |s| s.cell = c)) }
                }>
                    {CellChoice::ALL.iter().map(|&c| view! {
                        <option value=c.slug() selected=move || spec.get().cell == c>{c.title()}</option>
                    }).collect::<Vec<_>>()}
                </select>
            </label>
            <label class="field checkbox toolbar-check">
                <input type="checkbox" data-testid="rnn-bi" prop:checked=move || spec.get().bidirectional
                    on:change=move |ev| { let on = event_target_checked(&ev); edit(Box::new(move |s| s.bidirectional = on)) } />
                " Bidirectional"
            </label>
            <label class="field checkbox toolbar-check" title="Train the plain RNN, the GRU and the LSTM beside this run, same task, seed and budget">
                <input type="checkbox" data-testid="rnn-compare-cells" prop:checked=move || spec.get().compare
                    on:change=move |ev| { let on = event_target_checked(&ev); edit(Box::new(move |s| s.compare = on)) } />
                " Compare RNN, GRU, LSTM"
            </label>
            {number("Hidden units ", "rnn-hidden", RnnLimits::HIDDEN, |s| s.hidden, |s, n| s.hidden = n)}
            {number("Layers ", "rnn-layers", RnnLimits::LAYERS, |s| s.layers, |s, n| s.layers = n)}
            {number("Batch ", "rnn-batch", RnnLimits::BATCH, |s| s.batch, |s, n| s.batch = n)}
            {number("Steps ", "rnn-steps", RnnLimits::STEPS, |s| s.steps, |s, n| s.steps = n)}
            <label class="field">"Optimizer "
                <select data-testid="rnn-opt" on:change=move |ev| {
                    if let Some(o) = OptimizerName::from_slug(&event_target_value(&ev)) { edit(Box::new(move |s| s.run = RnnLab::default_run(o))) }
                }>
                    {RNN_OPTIMIZERS.iter().map(|&o| view! {
                        <option value=o.slug() selected=move || spec.get().run.optimizer == o>{labs::optimizer_label(o)}</option>
                    }).collect::<Vec<_>>()}
                </select>
            </label>
            <label class="field">"Learning rate η "
                <input type="number" step="any" data-testid="rnn-lr" prop:value=move || spec.get().run.lr.to_string()
                    on:change=move |ev| { if let Some(v) = real(&ev) { edit(Box::new(move |s| s.run.lr = v)) } } />
            </label>
            <labs::controls::DecayBox testid="rnn-decay" on=Signal::derive(move || spec.get().schedule != LrSchedule::Constant)
                on_change=Callback::new(move |on| edit(Box::new(move |s| s.schedule = labs::controls::decay_over(on, s.steps)))) />
            <label class="field">"Gradient clipping "
                <select data-testid="rnn-clip" on:change=move |ev| {
                    if let Some(c) = ClipRule::from_slug(&event_target_value(&ev)) { edit(Box::new(move |s| s.clip = c)) }
                }>
                    {ClipRule::ALL.iter().map(|&c| view! {
                        <option value=c.slug() selected=move || spec.get().clip == c>{match c {
                            ClipRule::None => "none",
                            ClipRule::Norm => "by global norm",
                            ClipRule::Value => "by value",
                        }}</option>
                    }).collect::<Vec<_>>()}
                </select>
            </label>
            <label class="field">"Threshold "
                <input type="number" step="any" data-testid="rnn-clip-at" prop:value=move || spec.get().clip_at.to_string()
                    disabled=move || spec.get().clip == ClipRule::None
                    on:change=move |ev| { if let Some(v) = real(&ev) { edit(Box::new(move |s| s.clip_at = v)) } } />
            </label>
            {number("Truncated BPTT (steps, 0 = all) ", "rnn-trunc", (0, RnnLimits::SPAN.1 + 2), |s| s.truncate, |s, n| s.truncate = n)}
            <label class="field">"Recurrent gain "
                <input type="number" step="0.1" data-testid="rnn-gain" prop:value=move || spec.get().gain.to_string()
                    on:change=move |ev| { if let Some(v) = real(&ev) { edit(Box::new(move |s| s.gain = v)) } } />
            </label>
            <labs::controls::SeedField testid="rnn-seed" seed=Signal::derive(move || spec.get().seed)
                on_change=Callback::new(move |n| edit(Box::new(move |s| s.seed = n))) />
        </div>
        <p class="hint">{move || {
            let s = spec.get();
            match s.task {
                RnnTask::Recall => format!(
                    "Each sequence is {} symbols from A–D; the network must answer with the first. Guessing scores 25%.",
                    s.length()
                ),
                RnnTask::Agreement => format!(
                    "Each sentence is a subject, a clause of {} words naming other nouns of either number, then the network says “was” or “were”. Only the subject decides.",
                    s.span
                ),
                RnnTask::Language => format!(
                    "The network reads {} characters of the lab's corpus at a time and predicts each next one; accuracy is per character. Then ask it about sentences in section 5.",
                    s.span
                ),
                RnnTask::Addition => format!(
                    "Two {}-digit numbers, least significant digit first: at each step the network reads one digit of each (the token “a+b”) and writes that digit of the sum, then the last carry. It must remember the carry; accuracy counts digits.",
                    s.span
                ),
            }
        }}</p>
    }
}

#[component]
fn Progress(state: ReadSignal<RnnSession>, on_play: Callback<()>, on_reset: Callback<()>) -> impl IntoView {
    let test = Memo::new(move |_| state.with(|s| s.lab.history.evaluations.last().map(|e| (e.step, e.accuracy, e.loss))));
    let speed = Memo::new(move |_| state.with(|s| s.lab.run.examples_per_second));
    view! {
        <RunProgress state=state prefix="rnn-" status=|s: &RnnSession| progress::status(s, "Building the network…")
            on_play=on_play on_reset=on_reset>
        <dl class="facts">
            <div><dt>"held-out accuracy"</dt>
                <dd data-testid="rnn-accuracy" data-value=move || test.get().map(|t| t.1.to_string()).unwrap_or_default()>
                    {move || test.get().map_or("—".to_string(), |t| format!("{:.1}%", t.1 * 100.0))}</dd>
                <span class="hint">{move || test.get().map_or(String::new(), |t| format!("{} sequences, step {} · loss {}", RnnLimits::TEST_SEQUENCES, t.0, crate::format::value(t.2 as f64, 3)))}</span></div>
            <div><dt>"training batches"</dt>
                <dd data-testid="rnn-train">{move || state.with(|s| s.lab.history.recent_train(20)).map_or("—".to_string(), |(l, a)| format!("{:.1}% · loss {}", a * 100.0, crate::format::value(l as f64, 3)))}</dd>
                <span class="hint">"mean of the last 20 steps"</span></div>
            <div><dt>"speed"</dt>
                <dd data-testid="rnn-speed">{move || speed.get().map_or("—".to_string(), |e| format!("{e:.0} sequences/s"))}</dd>
                <span class="hint">"training only, in the engine worker"</span></div>
        </dl>
        </RunProgress>
    }
}
