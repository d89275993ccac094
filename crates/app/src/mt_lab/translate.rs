//! Translate a typed sentence (or a held-out one) with every model: the greedy translation,
//! and the beam's hypotheses with their log-probabilities. A word the models do not know is
//! named in the lab's error line and the sentence is dropped; nothing else changes.

use super::state::MtSession;
use contract::mt::limits::MtLimits;
use contract::mt::link::normalise_sentence;
use contract::mt::protocol::{Hypothesis, ModelTranslation};
use leptos::prelude::*;

/// "w1 w2 … </s>" or "… (cut)": how a hypothesis ended.
pub fn written(h: &Hypothesis) -> String {
    let words = h.words.join(" ");
    if h.finished {
        format!("{words} </s>")
    } else {
        format!("{words} … (cut at the length limit)")
    }
}

#[component]
fn ModelCard(m: ModelTranslation, reference: Option<Vec<String>>, width: usize) -> impl IntoView {
    let right = reference.as_ref() == Some(&m.greedy.words);
    let verdict = match (&reference, m.bleu) {
        (Some(_), _) if right => "✓ right".to_string(),
        (Some(_), Some(b)) => format!("✗ BLEU-4 {:.1}", b * 100.0),
        _ => String::new(),
    };
    let beam = m
        .beam
        .iter()
        .enumerate()
        .map(|(i, h)| {
            view! {
                <tr class:best=i == 0>
                    <td class="num">{i + 1}</td>
                    <td>{written(h)}</td>
                    <td class="num">{format!("{:.3}", h.log_prob)}</td>
                    <td class="num">{format!("{:.1}%", (h.log_prob as f64).exp() * 100.0)}</td>
                </tr>
            }
        })
        .collect::<Vec<_>>();
    let slug = m.model.slug();
    view! {
        <div class="mt-card" style=format!("border-top-color: {}", m.model.colour())>
            <h3>{m.model.title()}</h3>
            <p class="mt-output" data-testid=format!("mt-greedy-{slug}") data-words=m.greedy.words.join(" ")>
                <span class="hint">"greedy: "</span>{m.greedy.words.join(" ")}
                <span class="mt-verdict" class:right=right>{format!("  {verdict}")}</span>
            </p>
            <p class="hint">{format!("log P = {:.3} (each step takes the likeliest word)", m.greedy.log_prob)}</p>
            <table class="mt-beam" data-testid=format!("mt-beam-{slug}")>
                <caption>{format!("Beam search, width {width}: the hypotheses kept at the end, best first")}</caption>
                <thead><tr><th scope="col">"#"</th><th scope="col">"hypothesis"</th><th scope="col">"log P"</th><th scope="col">"P"</th></tr></thead>
                <tbody>{beam}</tbody>
            </table>
        </div>
    }
}

#[component]
pub fn Translate(state: RwSignal<MtSession>) -> impl IntoView {
    let translation = Memo::new(move |_| state.with(|s| s.lab.translation.clone()));
    let (typed, set_typed) = signal(state.with_untracked(|s| s.spec.sentence.clone().unwrap_or_default()));
    // A link's sentence fills the box (and a refused one empties it).
    Effect::new(move |_| {
        let sentence = state.with(|s| s.spec.sentence.clone());
        set_typed.set(sentence.unwrap_or_default());
    });
    let apply = move || {
        let text = normalise_sentence(&typed.get_untracked());
        state.update(|s| s.type_sentence((!text.is_empty()).then_some(text)));
    };
    let example = move |delta: i64| {
        state.update(|s| {
            // From the example asked last (not the one shown), so quick clicks all count.
            let next = (s.lab.example as i64 + delta).rem_euclid(s.lab.held_out.max(1) as i64) as usize;
            s.show_example(next);
        });
    };
    let source = move || {
        translation.with(|t| {
            t.as_ref().map(|t| {
                let what = match &t.sentence {
                    Some(_) => "typed".to_string(),
                    None => format!("held-out sentence {}", t.example + 1),
                };
                format!("{what} (step {}): {}", t.step, t.source.join(" "))
            })
        })
    };
    let reference = move || {
        translation.with(|t| {
            t.as_ref().map(|t| match &t.reference {
                Some(r) => format!("right translation: {}", r.join(" ")),
                None => "Not a sentence of the task's grammar: there is no right translation to compare with.".into(),
            })
        })
    };
    view! {
        <div class="lab-controls">
            <div class="stepper">
                <span class="hint">"Held-out sentence"</span>
                <button data-testid="mt-example-prev" title="The previous held-out sentence" on:click=move |_| example(-1)>"◀"</button>
                <button data-testid="mt-example-next" title="The next held-out sentence" on:click=move |_| example(1)>"▶"</button>
            </div>
            <label class="field">"or type an English sentence "
                <input type="text" class="mt-sentence" data-testid="mt-sentence" maxlength=MtLimits::MAX_TEXT_CHARS.to_string()
                    placeholder="the small cat with a dog eats the red mouse" prop:value=typed
                    on:input=move |ev| set_typed.set(event_target_value(&ev))
                    on:keydown=move |ev| if ev.key() == "Enter" { apply() } />
            </label>
            <button data-testid="mt-translate" on:click=move |_| apply()>"Translate"</button>
            <label class="field" title="How many hypotheses beam search keeps at every step">"Beam width "
                <input type="number" min=MtLimits::BEAM.0.to_string() max=MtLimits::BEAM.1.to_string() data-testid="mt-beam-width"
                    prop:value=move || state.with(|s| s.spec.beam.to_string())
                    on:change=move |ev| {
                        if let Ok(n) = event_target_value(&ev).trim().parse::<usize>() {
                            let (lo, hi) = MtLimits::BEAM;
                            state.update(|s| s.set_beam(n.clamp(lo, hi)));
                        }
                    } />
            </label>
        </div>
        <p class="hint">
            "Words: the, a · small, big, old, red, black, happy · cat, mouse, dog, bird, fish, child · eats, sees, chases, hears, feeds · with. "
            "A sentence is a noun phrase (the/a, up to three adjectives, a noun), optionally “with” another, a verb, and a noun phrase."
        </p>
        <p class="mt-source" data-testid="mt-source">{source}</p>
        <p class="hint" data-testid="mt-reference">{reference}</p>
        <div class="mt-cards" data-testid="mt-translations">
            {move || translation.get().map(|t| {
                let (reference, width) = (t.reference.clone(), t.beam_width);
                t.models.into_iter().map(|m| view! { <ModelCard m=m reference=reference.clone() width=width /> }).collect::<Vec<_>>()
            })}
        </div>
        <p class="hint">
            "Greedy decoding keeps one hypothesis; beam search keeps the k likeliest prefixes at every step and may find a likelier sentence. "
            "log P is the sum of each word's log-probability, no length normalisation."
        </p>
    }
}
