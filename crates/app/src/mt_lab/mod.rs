//! The Translation lab: three translators (one fixed context vector, Bahdanau attention, a
//! Transformer) learn the same SVO → SOV task side by side in the engine worker, while the
//! page shows BLEU against training steps and against sentence length, translates a typed
//! sentence greedily and with beam search, draws each model's alignment, and takes BLEU
//! apart. All computing happens in the engine; this page asks and draws.

mod alignment;
mod bleu;
mod curves;
pub mod state;
mod translate;

use crate::labs::{self, Page};
use contract::mt::limits::MtLimits;
use contract::mt::{MtLab, MtModel, MT_OPTIMIZERS, SHORTEST};
use contract::training::{LrSchedule, OptimizerName};
use crate::labs::progress::{self, RunProgress};
use leptos::prelude::*;
use state::MtSession;

const FRAGMENT: &str = contract::lab_fragment!(contract::mt::SLUG);

/// Experiments a student can open in one click (the README links the same; the e2e test
/// checks what each title claims).
pub const PRESETS: [(&str, &str); 4] = [
    (
        "Sentences of 5–13 words: one vector c is not enough",
        "lab=mt&v=1&at=600",
    ),
    (
        "Up to 17 words",
        "lab=mt&v=1&len=17&at=600",
    ),
    (
        "The notes' sentence, with a beam of 4",
        "lab=mt&v=1&say=the+cat+eats+a+mouse&beam=4&at=600",
    ),
    (
        "Halfway (step 300): the Transformer learns first",
        "lab=mt&v=1&at=300",
    ),
];

/// What the lab is, above everything else on its page.
const LEDE: &str = concat!(
    "Three models learn to translate an English-like language (subject–verb–object) into a toy Hindi-like one ",
    "(subject–object–verb), as in the notes' “The cat eats mouse” → “Billi chuha khati hai”, on the same batches from the same seed. ",
    "An encoder–decoder that must squeeze the sentence into one context vector c; the same with Bahdanau attention, ",
    "which looks back at every source word for each word it writes; and a Transformer. Watch BLEU, see where the fixed ",
    "context breaks, translate your own sentence and see what each model looked at. Space trains or pauses.",
);

/// The Translation lab in the registry.
pub fn page(opening: &str) -> Box<dyn Page> {
    labs::EngineRoom::boxed("Translation", FRAGMENT, opening, MtSession::for_link, lab_page)
}

/// The lab's page, inside the room that runs it.
fn lab_page(state: RwSignal<MtSession>, active: Signal<bool>, restart: Callback<()>) -> AnyView {
    // Translations and BLEU are asked only while the page is shown.
    Effect::new(move |_| {
        let shown = active.get();
        state.update(|s| s.lab.shown = shown);
    });
    let read = state.read_only();
    view! {
        <labs::LabPage state=state restart=restart title="Machine translation" lede=LEDE presets=&PRESETS trains="the same three models">
            <Controls state=read on_change=Callback::new(move |spec: MtLab| labs::change(state, move |s| *s = spec)) />
            <Progress state=read
                on_play=Callback::new(move |_| state.update(MtSession::toggle_play))
                on_reset=Callback::new(move |_| labs::change(state, |_| {})) />
            <h2>"1 · Learning"</h2>
            <curves::Curves state=read />
            <h2>"2 · BLEU against sentence length"</h2>
            <curves::ByLength state=read />
            <h2>"3 · Translate"</h2>
            <translate::Translate state=state />
            <h2>"4 · What each model looked at"</h2>
            <alignment::Alignment state=read />
            <h2>"5 · BLEU, taken apart"</h2>
            <bleu::Bleu state=state />
        </labs::LabPage>
    }
    .into_any()
}

#[component]
fn Controls(state: ReadSignal<MtSession>, on_change: Callback<MtLab>) -> impl IntoView {
    let spec = Memo::new(move |_| state.with(|s| s.spec.clone()));
    // Edits a copy; a decay over the whole run keeps spanning the run when its steps change.
    let edit = move |f: Box<dyn FnOnce(&mut MtLab)>| {
        let mut s = spec.get_untracked();
        let steps = s.steps;
        f(&mut s);
        labs::controls::keep_spanning(&mut s.schedule, steps, s.steps);
        on_change.run(s);
    };
    let whole = |ev: &leptos::ev::Event| event_target_value(ev).trim().parse::<usize>().ok();
    let real = |ev: &leptos::ev::Event| event_target_value(ev).trim().parse::<f32>().ok();
    let number = move |label: &'static str,
                       testid: &'static str,
                       title: &'static str,
                       (lo, hi): (usize, usize),
                       get: fn(&MtLab) -> usize,
                       set: fn(&mut MtLab, usize)| {
        view! {
            <label class="field" title=title>{label}
                <input type="number" min=lo.to_string() max=hi.to_string() data-testid=testid
                    prop:value=move || get(&spec.get()).to_string()
                    on:change=move |ev| { if let Some(n) = whole(&ev) { edit(Box::new(move |s| set(s, n))) } } />
            </label>
        }
    };
    view! {
        <div class="lab-controls mt-controls">
            {number("Longest sentence (words) ", "mt-longest", "Sentences of 5 words up to this many are trained and tested on, every length equally often",
                (SHORTEST, MtLimits::LONGEST), |s| s.longest, |s, n| s.longest = n)}
            {number("Width ", "mt-width", "The recurrent decoder's state (the encoder runs half of it each way; c has this many numbers) and the Transformer's d_model",
                MtLimits::WIDTH, |s| s.width, |s, n| s.width = n)}
            {number("Transformer layers ", "mt-layers", "Encoder and decoder blocks each", MtLimits::LAYERS, |s| s.layers, |s, n| s.layers = n)}
            {number("Heads ", "mt-heads", "Attention heads of every Transformer block", MtLimits::HEADS, |s| s.heads, |s, n| s.heads = n)}
            {number("Batch ", "mt-batch", "Sentence pairs per step, all of one length", MtLimits::BATCH, |s| s.batch, |s, n| s.batch = n)}
            {number("Steps ", "mt-steps", "Every model takes this many steps", MtLimits::STEPS, |s| s.steps, |s, n| { s.steps = n; s.warmup = s.warmup.min(n); })}
            <label class="field">"Optimizer "
                <select data-testid="mt-opt" on:change=move |ev| {
                    if let Some(o) = OptimizerName::from_slug(&event_target_value(&ev)) { edit(Box::new(move |s| s.run = MtLab::default_run(o))) }
                }>
                    {MT_OPTIMIZERS.iter().map(|&o| view! {
                        <option value=o.slug() selected=move || spec.get().run.optimizer == o>{labs::optimizer_label(o)}</option>
                    }).collect::<Vec<_>>()}
                </select>
            </label>
            <label class="field">"Learning rate η "
                <input type="number" step="any" data-testid="mt-lr" prop:value=move || spec.get().run.lr.to_string()
                    on:change=move |ev| { if let Some(v) = real(&ev) { edit(Box::new(move |s| s.run.lr = v)) } } />
            </label>
            <labs::controls::DecayBox testid="mt-decay" on=Signal::derive(move || spec.get().schedule != LrSchedule::Constant)
                on_change=Callback::new(move |on| edit(Box::new(move |s| s.schedule = labs::controls::decay_over(on, s.steps)))) />
            {number("Warm-up steps ", "mt-warmup", "η rises linearly from 0 over these steps: the Transformer needs it", (0, MtLimits::STEPS.1), |s| s.warmup, |s, n| s.warmup = n)}
            <label class="field" title="Rescale each model's gradients when their global norm exceeds this; empty: no clipping">"Clip ‖g‖ at "
                <input type="number" step="any" data-testid="mt-clip" placeholder="none"
                    prop:value=move || spec.get().clip.map(|c| c.to_string()).unwrap_or_default()
                    on:change=move |ev| { let v = real(&ev); edit(Box::new(move |s| s.clip = v)) } />
            </label>
            <labs::controls::SeedField testid="mt-seed" seed=Signal::derive(move || spec.get().seed)
                on_change=Callback::new(move |n| edit(Box::new(move |s| s.seed = n))) />
        </div>
        <p class="hint" data-testid="mt-task-hint">{move || {
            let s = spec.get();
            format!(
                "Every step, each model takes one {} step on the same {} sentence pairs of one length (5 to {} words, each length equally often). \
                 The held-out sentences were never trained on. The fixed-context model's c has {} numbers; the Transformer has {} layers of {} heads.",
                labs::optimizer_label(s.run.optimizer), s.batch, s.longest, s.width, s.layers, s.heads
            )
        }}</p>
    }
}

#[component]
fn Progress(
    state: ReadSignal<MtSession>,
    on_play: Callback<()>,
    on_reset: Callback<()>,
) -> impl IntoView {
    let models = Memo::new(move |_| state.with(|s| s.lab.models.clone()));
    view! {
        <RunProgress state=state prefix="mt-" status=|s: &MtSession| progress::status(s, "Building the models…")
            on_play=on_play on_reset=on_reset>
        <dl class="facts mt-facts">
            {MtModel::ALL.iter().map(|&model| {
                let run = move || models.with(|m| m.iter().find(|r| r.model == model).cloned());
                let last = move || run().and_then(|r| r.history.evaluations.last().cloned());
                view! {
                    <div>
                        <dt><span class="swatch" style=format!("background: {}", model.colour())></span>{model.title()}</dt>
                        <dd data-testid=format!("mt-bleu-{}", model.slug())
                            data-value=move || last().map(|e| e.bleu.to_string()).unwrap_or_default()>
                            {move || last().map_or("—".to_string(), |e| format!("BLEU {:.1}", e.bleu * 100.0))}</dd>
                        <span class="hint">{move || match run() {
                            Some(r) if r.stopped.is_some() => format!("stopped: {}", r.stopped.unwrap_or_default()),
                            Some(r) => format!(
                                "{} exactly right · {}",
                                last().map_or("—".to_string(), |e| format!("{:.0}%", e.exact * 100.0)),
                                r.examples_per_second.map_or("—".to_string(), |v| format!("{v:.0} pairs/s alone")),
                            ),
                            None => String::new(),
                        }}</span>
                    </div>
                }
            }).collect::<Vec<_>>()}
            <div><dt>"speed"</dt>
                <dd data-testid="mt-speed">{move || state.with(|s| s.lab.run.examples_per_second).map_or("—".to_string(), |e| format!("{e:.0} pairs/s"))}</dd>
                <span class="hint">"through all three models, training only, in the engine worker"</span></div>
        </dl>
        </RunProgress>
    }
}
