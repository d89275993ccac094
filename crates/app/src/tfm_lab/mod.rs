//! The Transformer lab: a small Transformer learns to reverse, sort, count, add or write
//! characters, in the engine worker, while the page shows every head's attention (the causal
//! mask's empty upper triangle included), the notes' walk through one head from X to
//! LayerNorm, the positional encodings, and why QKᵀ is divided by √d_k. All computing happens
//! in the engine; this page asks and draws.

mod attention;
mod curves;
mod positions;
pub mod state;
mod walkthrough;

use crate::labs::{self, Page};
use contract::tfm::limits::TfmLimits;
use contract::tfm::{
    Architecture, NormPlacement, Positions, TfmLab, TfmTask, COUNT_LETTERS, MODULUS,
    TFM_OPTIMIZERS,
};
use crate::labs::progress::RunProgress;
use leptos::prelude::*;
use state::TfmSession;

const FRAGMENT: &str = contract::lab_fragment!(contract::tfm::SLUG);

/// Experiments a student can open in one click (the README links the same; the e2e test
/// checks what each title claims).
pub const PRESETS: [(&str, &str); 8] = [
    ("Reverse 6 digits: causal decoder", "lab=tfm&v=1&at=800"),
    ("… without positions", "lab=tfm&v=1&pos=none&at=800"),
    (
        "Encoder without positions: a bag of tokens",
        "lab=tfm&v=1&arch=enc&pos=none&steps=400&at=400",
    ),
    ("Sort", "lab=tfm&v=1&task=sort&at=800"),
    ("Count letters: encoder", "lab=tfm&v=1&task=count&arch=enc&steps=1500&at=1500"),
    (
        "Add 4-digit numbers: a long plateau, then a jump",
        "lab=tfm&v=1&task=add&steps=2500&at=2500",
    ),
    (
        "Why √d_k: one wide head, scaled and not",
        "lab=tfm&v=1&width=64&heads=1&vs=1&at=800",
    ),
    (
        "A character language model",
        "lab=tfm&v=1&task=lm&len=32&width=48&ff=128&steps=600&at=600",
    ),
];

/// What the lab is, above everything else on its page.
const LEDE: &str = concat!(
    "A Transformer reads a whole sequence at once: every token asks every other (its query against their keys) ",
    "how much to take of it (their values). Train a small one here on a task where order matters, ",
    "and watch each head's attention form; walk through one head's arithmetic from X to LayerNorm; ",
    "see what positional encodings add and what happens without them. Space trains or pauses.",
);

/// The Transformer lab in the registry.
pub fn page(opening: &str) -> Box<dyn Page> {
    labs::EngineRoom::boxed("Transformer", FRAGMENT, opening, TfmSession::for_link, lab_page)
}

/// The lab's page, inside the room that runs it.
fn lab_page(state: RwSignal<TfmSession>, _: Signal<bool>, restart: Callback<()>) -> AnyView {
    let read = state.read_only();
    view! {
        <labs::LabPage state=state restart=restart title="Transformers" lede=LEDE presets=&PRESETS trains="the same model">
            <Controls state=state />
            <Progress state=state />
            <h2>"1 · Learning"</h2>
            <curves::Curves state=read />
            <h2>"2 · Attention"</h2>
            <attention::Attention state=state />
            <h2>"3 · One head, step by step"</h2>
            <walkthrough::Walkthrough state=state />
            <h2>"4 · Positional encodings"</h2>
            <positions::PositionsPanel state=read />
            <h2>"5 · Why divide by √d_k?"</h2>
            <curves::Scaling state=state />
            <Show when=move || state.with(|s| s.spec.task == TfmTask::Language)>
                <h2>"6 · Sampling text"</h2>
                <Sampling state=state />
            </Show>
        </labs::LabPage>
    }
    .into_any()
}

/// What the task asks, in a sentence, and what guessing would score.
fn task_hint(s: &TfmLab) -> String {
    let n = s.length;
    let model = match s.architecture {
        Architecture::Decoder => "The decoder reads “input =” and writes the answer one token at a time, each written token read back (a causal mask hides what comes later).",
        Architecture::Encoder => "The encoder reads “input = _ _ …” and fills every blank at once; every position sees every other.",
    };
    let task = match s.task {
        TfmTask::Copy => format!("{n} random digits, written again."),
        TfmTask::Reverse => format!("{n} random digits, written backwards."),
        TfmTask::Sort => format!("{n} random digits, written in ascending order."),
        TfmTask::Count => format!(
            "{n} letters from a–{}; for each, how many times it occurs in the input.",
            char::from(b'a' + COUNT_LETTERS as u8 - 1)
        ),
        TfmTask::Addition => format!(
            "Two {n}-digit numbers and their sum, every number written backwards (least-significant digit first, as the carry travels): type 1234+5678 and the model reads 4 3 2 1 + 8 7 6 5."
        ),
        TfmTask::ModularAddition => format!(
            "a + b mod {MODULUS}: 70% of the {} pairs train, the other 30% are never seen until the test.",
            MODULUS * MODULUS
        ),
        TfmTask::Language => {
            return format!(
                "The model reads {n} characters of the lab's corpus at a time and predicts each next one (a causal mask: it never sees the character it predicts). Accuracy is per character; sample text in section 6."
            )
        }
    };
    format!("{task} {model} Exact = the whole answer right.")
}

#[component]
fn Controls(state: RwSignal<TfmSession>) -> impl IntoView {
    let form = labs::form::Form::of(state, |before: &TfmLab, after| {
        labs::controls::keep_spanning(&mut after.schedule, before.steps, after.steps)
    });
    macro_rules! pick {
        ($label:literal, $testid:literal, $ty:ty, $field:ident) => {
            view! {
                <label class="field">{$label}
                    <select data-testid=$testid on:change=move |ev| {
                        if let Some(v) = <$ty>::from_slug(&event_target_value(&ev)) { form.edit(|s| s.$field = v) }
                    }>
                        {<$ty>::ALL.iter().map(|&v| view! {
                            <option value=v.slug() selected=move || form.get().$field == v>{v.title()}</option>
                        }).collect::<Vec<_>>()}
                    </select>
                </label>
            }
        };
    }
    view! {
        <div class="lab-controls tfm-controls">
            <label class="field">"Task "
                <select data-testid="tfm-task" on:change=move |ev| {
                    if let Some(t) = TfmTask::from_slug(&event_target_value(&ev)) {
                        form.edit(|s| {
                            s.task = t;
                            s.length = t.default_length();
                            if t == TfmTask::Language { s.architecture = Architecture::Decoder; }
                        })
                    }
                }>
                    {TfmTask::ALL.iter().map(|&t| view! {
                        <option value=t.slug() selected=move || form.get().task == t>{t.title()}</option>
                    }).collect::<Vec<_>>()}
                </select>
            </label>
            {form.whole("Length ", "tfm-length", "", (1, TfmLimits::LM_LENGTH.1), |s| s.length, |s, n| s.length = n)}
            {pick!("Model ", "tfm-arch", Architecture, architecture)}
            {form.whole("Layers ", "tfm-layers", "", TfmLimits::LAYERS, |s| s.layers, |s, n| s.layers = n)}
            {form.whole("Heads ", "tfm-heads", "", TfmLimits::HEADS, |s| s.heads, |s, n| s.heads = n)}
            {form.whole("d_model ", "tfm-width", "", TfmLimits::WIDTH, |s| s.width, |s, n| s.width = n)}
            {form.whole("d_ff ", "tfm-ff", "", TfmLimits::FF, |s| s.ff, |s, n| s.ff = n)}
            {pick!("LayerNorm ", "tfm-norm", NormPlacement, norm)}
            {pick!("Positions ", "tfm-pos", Positions, positions)}
            {form.check(" Residual connections", "tfm-residual", "x + Sublayer(x): the input added back around each sublayer", |s| s.residual, |s, on| s.residual = on)}
            {form.check(" Divide by √d_k", "tfm-scaled", "softmax(QKᵀ/√d_k): off, large dot products saturate the softmax", |s| s.scaled, |s, on| s.scaled = on)}
            {form.check(" …and train the other way beside it", "tfm-contrast", "The same model with the scaling flipped, same seed and data: section 5 compares them", |s| s.contrast, |s, on| s.contrast = on)}
            {form.whole("Batch ", "tfm-batch", "", TfmLimits::BATCH, |s| s.batch, |s, n| s.batch = n)}
            {form.whole("Steps ", "tfm-steps", "", TfmLimits::STEPS, |s| s.steps, |s, n| { s.steps = n; s.warmup = s.warmup.min(n); })}
            {form.optimizer("tfm-opt", &TFM_OPTIMIZERS, |s| s.run.optimizer, |s, o| s.run = TfmLab::default_run(o))}
            {form.real("Learning rate η ", "tfm-lr", "", |s| s.run.lr, |s, v| s.run.lr = v)}
            {form.decay("tfm-decay", |s| &mut s.schedule, |s| s.steps)}
            {form.whole("Warm-up steps ", "tfm-warmup", "", (0, TfmLimits::STEPS.1), |s| s.warmup, |s, n| s.warmup = n)}
            {form.optional_real("Clip ‖g‖ at ", "tfm-clip", "Rescale the gradients when their global norm exceeds this; empty: no clipping", |s| s.clip, |s, v| s.clip = v)}
            {form.seed("tfm-seed", |s| s.seed, |s, n| s.seed = n)}
        </div>
        <p class="hint" data-testid="tfm-task-hint">{move || task_hint(&form.get())}</p>
    }
}

#[component]
fn Progress(state: RwSignal<TfmSession>) -> impl IntoView {
    let test = Memo::new(move |_| state.with(|s| s.lab.history.evaluations.last().cloned()));
    let sequences = move || state.with(|s| TfmLimits::test_sequences(&s.spec));
    let speed = Memo::new(move |_| state.with(|s| s.lab.run.examples_per_second));
    view! {
        <RunProgress state=state prefix="tfm-" building="Building the model…">
        <dl class="facts">
            <div><dt>"held-out answers exactly right"</dt>
                <dd data-testid="tfm-exact" data-value=move || test.get().and_then(|t| t.exact).map(|x| x.to_string()).unwrap_or_default()>
                    {move || test.get().and_then(|t| t.exact).map_or("—".to_string(), |x| format!("{:.1}%", x * 100.0))}</dd>
                <span class="hint">{move || test.get().map_or(String::new(), |t| format!("{} held-out examples, step {}", sequences(), t.step))}</span></div>
            <div><dt>"held-out tokens right"</dt>
                <dd data-testid="tfm-token-accuracy" data-value=move || test.get().map(|t| t.token_accuracy.to_string()).unwrap_or_default()>
                    {move || test.get().map_or("—".to_string(), |t| format!("{:.1}%", t.token_accuracy * 100.0))}</dd>
                <span class="hint">{move || test.get().map_or(String::new(), |t| format!("loss {} per token", crate::format::value(t.loss as f64, 3)))}</span></div>
            <div><dt>"training batches"</dt>
                <dd data-testid="tfm-train">{move || state.with(|s| s.lab.history.recent_train(20)).map_or("—".to_string(), |(l, a)| format!("{:.1}% · loss {}", a * 100.0, crate::format::value(l as f64, 3)))}</dd>
                <span class="hint">"tokens right, mean of the last 20 steps"</span></div>
            <div><dt>"speed"</dt>
                <dd data-testid="tfm-speed">{move || speed.get().map_or("—".to_string(), |e| format!("{e:.0} sequences/s"))}</dd>
                <span class="hint">"training only, in the engine worker"</span></div>
        </dl>
        </RunProgress>
    }
}

#[component]
fn Sampling(state: RwSignal<TfmSession>) -> impl IntoView {
    let sampling = Memo::new(move |_| state.with(|s| s.lab.sampling.clone()));
    let draw = move || state.update(|s| s.ask_sample());
    view! {
        <p class="hint">"Each next character is drawn from softmax(logits / T): a low temperature T picks the likeliest, a high one anything. The same seed draws the same text."</p>
        <div class="lab-controls">
            <label class="field">"Start with "
                <input type="text" data-testid="tfm-prompt" prop:value=move || sampling.get().prompt
                    maxlength=TfmLimits::MAX_TEXT_CHARS.to_string()
                    on:change=move |ev| { let v = event_target_value(&ev); state.update(|s| s.lab.sampling.prompt = v) } />
            </label>
            <label class="field">"Temperature T "
                <input type="number" step="0.1" data-testid="tfm-temperature" prop:value=move || sampling.get().temperature.to_string()
                    on:change=move |ev| { if let Ok(v) = event_target_value(&ev).trim().parse::<f32>() { state.update(|s| s.lab.sampling.temperature = v) } } />
            </label>
            <label class="field">"Seed "
                <input type="number" data-testid="tfm-sample-seed" prop:value=move || sampling.get().seed.to_string()
                    on:change=move |ev| { if let Ok(v) = event_target_value(&ev).trim().parse::<u64>() { state.update(|s| s.lab.sampling.seed = v) } } />
            </label>
            <button data-testid="tfm-sample" on:click=move |_| draw()>"Write"</button>
        </div>
        <pre class="sample" data-testid="tfm-sample-text">{move || {
            let s = sampling.get();
            s.text.map(|t| format!("{}{}", s.prompt, t)).unwrap_or_else(|| "Press Write.".into())
        }}</pre>
    }
}
