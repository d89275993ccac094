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
use contract::training::{LrSchedule, OptimizerName};
use crate::labs::progress::{self, RunProgress};
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
            <Controls state=read on_change=Callback::new(move |spec: TfmLab| labs::change(state, move |s| *s = spec)) />
            <Progress state=read
                on_play=Callback::new(move |_| state.update(TfmSession::toggle_play))
                on_reset=Callback::new(move |_| labs::change(state, |_| {})) />
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
fn Controls(state: ReadSignal<TfmSession>, on_change: Callback<TfmLab>) -> impl IntoView {
    let spec = Memo::new(move |_| state.with(|s| s.spec.clone()));
    // Edits a copy; a decay over the whole run keeps spanning the run when its steps change.
    let edit = move |f: Box<dyn FnOnce(&mut TfmLab)>| {
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
                       (lo, hi): (usize, usize),
                       get: fn(&TfmLab) -> usize,
                       set: fn(&mut TfmLab, usize)| {
        view! {
            <label class="field">{label}
                <input type="number" min=lo.to_string() max=hi.to_string() data-testid=testid
                    prop:value=move || get(&spec.get()).to_string()
                    on:change=move |ev| { if let Some(n) = whole(&ev) { edit(Box::new(move |s| set(s, n))) } } />
            </label>
        }
    };
    macro_rules! pick {
        ($label:literal, $testid:literal, $ty:ty, $field:ident) => {
            view! {
                <label class="field">{$label}
                    <select data-testid=$testid on:change=move |ev| {
                        if let Some(v) = <$ty>::from_slug(&event_target_value(&ev)) { edit(Box::new(move |s| s.$field = v)) }
                    }>
                        {<$ty>::ALL.iter().map(|&v| view! {
                            <option value=v.slug() selected=move || spec.get().$field == v>{v.title()}</option>
                        }).collect::<Vec<_>>()}
                    </select>
                </label>
            }
        };
    }
    let check = move |label: &'static str, testid: &'static str, title: &'static str, get: fn(&TfmLab) -> bool, set: fn(&mut TfmLab, bool)| {
        view! {
            <label class="field checkbox toolbar-check" title=title>
                <input type="checkbox" data-testid=testid prop:checked=move || get(&spec.get())
                    on:change=move |ev| { let on = event_target_checked(&ev); edit(Box::new(move |s| set(s, on))) } />
                {label}
            </label>
        }
    };
    view! {
        <div class="lab-controls tfm-controls">
            <label class="field">"Task "
                <select data-testid="tfm-task" on:change=move |ev| {
                    if let Some(t) = TfmTask::from_slug(&event_target_value(&ev)) {
                        edit(Box::new(move |s| {
                            s.task = t;
                            s.length = t.default_length();
                            if t == TfmTask::Language { s.architecture = Architecture::Decoder; }
                        }))
                    }
                }>
                    {TfmTask::ALL.iter().map(|&t| view! {
                        <option value=t.slug() selected=move || spec.get().task == t>{t.title()}</option>
                    }).collect::<Vec<_>>()}
                </select>
            </label>
            {number("Length ", "tfm-length", (1, TfmLimits::LM_LENGTH.1), |s| s.length, |s, n| s.length = n)}
            {pick!("Model ", "tfm-arch", Architecture, architecture)}
            {number("Layers ", "tfm-layers", TfmLimits::LAYERS, |s| s.layers, |s, n| s.layers = n)}
            {number("Heads ", "tfm-heads", TfmLimits::HEADS, |s| s.heads, |s, n| s.heads = n)}
            {number("d_model ", "tfm-width", TfmLimits::WIDTH, |s| s.width, |s, n| s.width = n)}
            {number("d_ff ", "tfm-ff", TfmLimits::FF, |s| s.ff, |s, n| s.ff = n)}
            {pick!("LayerNorm ", "tfm-norm", NormPlacement, norm)}
            {pick!("Positions ", "tfm-pos", Positions, positions)}
            {check(" Residual connections", "tfm-residual", "x + Sublayer(x): the input added back around each sublayer", |s| s.residual, |s, on| s.residual = on)}
            {check(" Divide by √d_k", "tfm-scaled", "softmax(QKᵀ/√d_k): off, large dot products saturate the softmax", |s| s.scaled, |s, on| s.scaled = on)}
            {check(" …and train the other way beside it", "tfm-contrast", "The same model with the scaling flipped, same seed and data: section 5 compares them", |s| s.contrast, |s, on| s.contrast = on)}
            {number("Batch ", "tfm-batch", TfmLimits::BATCH, |s| s.batch, |s, n| s.batch = n)}
            {number("Steps ", "tfm-steps", TfmLimits::STEPS, |s| s.steps, |s, n| { s.steps = n; s.warmup = s.warmup.min(n); })}
            <label class="field">"Optimizer "
                <select data-testid="tfm-opt" on:change=move |ev| {
                    if let Some(o) = OptimizerName::from_slug(&event_target_value(&ev)) { edit(Box::new(move |s| s.run = TfmLab::default_run(o))) }
                }>
                    {TFM_OPTIMIZERS.iter().map(|&o| view! {
                        <option value=o.slug() selected=move || spec.get().run.optimizer == o>{labs::optimizer_label(o)}</option>
                    }).collect::<Vec<_>>()}
                </select>
            </label>
            <label class="field">"Learning rate η "
                <input type="number" step="any" data-testid="tfm-lr" prop:value=move || spec.get().run.lr.to_string()
                    on:change=move |ev| { if let Some(v) = real(&ev) { edit(Box::new(move |s| s.run.lr = v)) } } />
            </label>
            <labs::controls::DecayBox testid="tfm-decay" on=Signal::derive(move || spec.get().schedule != LrSchedule::Constant)
                on_change=Callback::new(move |on| edit(Box::new(move |s| s.schedule = labs::controls::decay_over(on, s.steps)))) />
            {number("Warm-up steps ", "tfm-warmup", (0, TfmLimits::STEPS.1), |s| s.warmup, |s, n| s.warmup = n)}
            <label class="field" title="Rescale the gradients when their global norm exceeds this; empty: no clipping">"Clip ‖g‖ at "
                <input type="number" step="any" data-testid="tfm-clip" placeholder="none"
                    prop:value=move || spec.get().clip.map(|c| c.to_string()).unwrap_or_default()
                    on:change=move |ev| { let v = real(&ev); edit(Box::new(move |s| s.clip = v)) } />
            </label>
            <labs::controls::SeedField testid="tfm-seed" seed=Signal::derive(move || spec.get().seed)
                on_change=Callback::new(move |n| edit(Box::new(move |s| s.seed = n))) />
        </div>
        <p class="hint" data-testid="tfm-task-hint">{move || task_hint(&spec.get())}</p>
    }
}

#[component]
fn Progress(
    state: ReadSignal<TfmSession>,
    on_play: Callback<()>,
    on_reset: Callback<()>,
) -> impl IntoView {
    let test = Memo::new(move |_| state.with(|s| s.lab.history.evaluations.last().cloned()));
    let sequences = move || state.with(|s| TfmLimits::test_sequences(&s.spec));
    let speed = Memo::new(move |_| state.with(|s| s.lab.run.examples_per_second));
    view! {
        <RunProgress state=state prefix="tfm-" status=|s: &TfmSession| progress::status(s, "Building the model…")
            on_play=on_play on_reset=on_reset>
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
