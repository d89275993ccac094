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
use crate::labs::progress::RunProgress;
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
            <Controls state=state />
            <Progress state=state />
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
fn Controls(state: RwSignal<MtSession>) -> impl IntoView {
    let form = labs::form::Form::of(state, |before: &MtLab, after| {
        labs::controls::keep_spanning(&mut after.schedule, before.steps, after.steps)
    });
    view! {
        <div class="lab-controls mt-controls">
            {form.whole("Longest sentence (words) ", "mt-longest", "Sentences of 5 words up to this many are trained and tested on, every length equally often",
                (SHORTEST, MtLimits::LONGEST), |s| s.longest, |s, n| s.longest = n)}
            {form.whole("Width ", "mt-width", "The recurrent decoder's state (the encoder runs half of it each way; c has this many numbers) and the Transformer's d_model",
                MtLimits::WIDTH, |s| s.width, |s, n| s.width = n)}
            {form.whole("Transformer layers ", "mt-layers", "Encoder and decoder blocks each", MtLimits::LAYERS, |s| s.layers, |s, n| s.layers = n)}
            {form.whole("Heads ", "mt-heads", "Attention heads of every Transformer block", MtLimits::HEADS, |s| s.heads, |s, n| s.heads = n)}
            {form.whole("Batch ", "mt-batch", "Sentence pairs per step, all of one length", MtLimits::BATCH, |s| s.batch, |s, n| s.batch = n)}
            {form.whole("Steps ", "mt-steps", "Every model takes this many steps", MtLimits::STEPS, |s| s.steps, |s, n| { s.steps = n; s.warmup = s.warmup.min(n); })}
            {form.optimizer("mt-opt", &MT_OPTIMIZERS, |s| s.run.optimizer, |s, o| s.run = MtLab::default_run(o))}
            {form.real("Learning rate η ", "mt-lr", "", |s| s.run.lr, |s, v| s.run.lr = v)}
            {form.decay("mt-decay", |s| &mut s.schedule, |s| s.steps)}
            {form.whole("Warm-up steps ", "mt-warmup", "η rises linearly from 0 over these steps: the Transformer needs it", (0, MtLimits::STEPS.1), |s| s.warmup, |s, n| s.warmup = n)}
            {form.optional_real("Clip ‖g‖ at ", "mt-clip", "Rescale each model's gradients when their global norm exceeds this; empty: no clipping", |s| s.clip, |s, v| s.clip = v)}
            {form.seed("mt-seed", |s| s.seed, |s, n| s.seed = n)}
        </div>
        <p class="hint" data-testid="mt-task-hint">{move || {
            let s = form.get();
            format!(
                "Every step, each model takes one {} step on the same {} sentence pairs of one length (5 to {} words, each length equally often). \
                 The held-out sentences were never trained on. The fixed-context model's c has {} numbers; the Transformer has {} layers of {} heads.",
                labs::optimizer_label(s.run.optimizer), s.batch, s.longest, s.width, s.layers, s.heads
            )
        }}</p>
    }
}

#[component]
fn Progress(state: RwSignal<MtSession>) -> impl IntoView {
    let models = Memo::new(move |_| state.with(|s| s.lab.models.clone()));
    view! {
        <RunProgress state=state prefix="mt-" building="Building the models…">
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
