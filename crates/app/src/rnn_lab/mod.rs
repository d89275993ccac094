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
use crate::labs::progress::RunProgress;
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
            <Controls state=state />
            <Progress state=state />
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
fn Controls(state: RwSignal<RnnSession>) -> impl IntoView {
    let form = labs::form::Form::of(state, |before: &RnnLab, after| {
        labs::controls::keep_spanning(&mut after.schedule, before.steps, after.steps)
    });
    let spec = move || form.get();
    view! {
        <div class="lab-controls">
            <label class="field">"Task "
                <select data-testid="rnn-task" on:change=move |ev| {
                    if let Some(t) = RnnTask::from_slug(&event_target_value(&ev)) { form.edit(|s| s.task = t) }
                }>
                    {RnnTask::ALL.iter().map(|&t| view! {
                        <option value=t.slug() selected=move || spec().task == t>{t.title()}</option>
                    }).collect::<Vec<_>>()}
                </select>
            </label>
            {form.whole("Span (tokens between cue and answer) ", "rnn-span", "", RnnLimits::SPAN, |s| s.span, |s, n| s.span = n)}
            <label class="field">"Cell "
                <select data-testid="rnn-cell" on:change=move |ev| {
                    if let Some(c) = CellChoice::from_slug(&event_target_value(&ev)) { form.edit(|s| s.cell = c) }
                }>
                    {CellChoice::ALL.iter().map(|&c| view! {
                        <option value=c.slug() selected=move || spec().cell == c>{c.title()}</option>
                    }).collect::<Vec<_>>()}
                </select>
            </label>
            {form.check(" Bidirectional", "rnn-bi", "", |s| s.bidirectional, |s, on| s.bidirectional = on)}
            {form.check(" Compare RNN, GRU, LSTM", "rnn-compare-cells", "Train the plain RNN, the GRU and the LSTM beside this run, same task, seed and budget", |s| s.compare, |s, on| s.compare = on)}
            {form.whole("Hidden units ", "rnn-hidden", "", RnnLimits::HIDDEN, |s| s.hidden, |s, n| s.hidden = n)}
            {form.whole("Layers ", "rnn-layers", "", RnnLimits::LAYERS, |s| s.layers, |s, n| s.layers = n)}
            {form.whole("Batch ", "rnn-batch", "", RnnLimits::BATCH, |s| s.batch, |s, n| s.batch = n)}
            {form.whole("Steps ", "rnn-steps", "", RnnLimits::STEPS, |s| s.steps, |s, n| s.steps = n)}
            {form.optimizer("rnn-opt", &RNN_OPTIMIZERS, |s| s.run.optimizer, |s, o| s.run = RnnLab::default_run(o))}
            {form.real("Learning rate η ", "rnn-lr", "", |s| s.run.lr, |s, v| s.run.lr = v)}
            {form.decay("rnn-decay", |s| &mut s.schedule, |s| s.steps)}
            <label class="field">"Gradient clipping "
                <select data-testid="rnn-clip" on:change=move |ev| {
                    if let Some(c) = ClipRule::from_slug(&event_target_value(&ev)) { form.edit(|s| s.clip = c) }
                }>
                    {ClipRule::ALL.iter().map(|&c| view! {
                        <option value=c.slug() selected=move || spec().clip == c>{match c {
                            ClipRule::None => "none",
                            ClipRule::Norm => "by global norm",
                            ClipRule::Value => "by value",
                        }}</option>
                    }).collect::<Vec<_>>()}
                </select>
            </label>
            <label class="field">"Threshold "
                <input type="number" step="any" data-testid="rnn-clip-at" prop:value=move || spec().clip_at.to_string()
                    disabled=move || spec().clip == ClipRule::None
                    on:change=move |ev| { if let Some(v) = labs::form::parsed(&ev) { form.edit(|s| s.clip_at = v) } } />
            </label>
            {form.whole("Truncated BPTT (steps, 0 = all) ", "rnn-trunc", "", (0, RnnLimits::SPAN.1 + 2), |s| s.truncate, |s, n| s.truncate = n)}
            <label class="field">"Recurrent gain "
                <input type="number" step="0.1" data-testid="rnn-gain" prop:value=move || spec().gain.to_string()
                    on:change=move |ev| { if let Some(v) = labs::form::parsed(&ev) { form.edit(|s| s.gain = v) } } />
            </label>
            {form.seed("rnn-seed", |s| s.seed, |s, n| s.seed = n)}
        </div>
        <p class="hint" data-testid="rnn-task-hint">{move || {
            let s = spec();
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
fn Progress(state: RwSignal<RnnSession>) -> impl IntoView {
    let test = Memo::new(move |_| state.with(|s| s.lab.history.evaluations.last().map(|e| (e.step, e.accuracy, e.loss))));
    let speed = Memo::new(move |_| state.with(|s| s.lab.run.examples_per_second));
    view! {
        <RunProgress state=state prefix="rnn-" building="Building the network…">
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
