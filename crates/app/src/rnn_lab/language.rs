//! The language model at work, as the notes use one: two sentences compared by probability
//! (P(the man pulled a cart) against P(the man pooled a cart)), word by word; text sampled at
//! a temperature; and the missing-word search.

use super::state::{LanguageState, RnnSession, SAMPLE_CHARS};
use contract::rnn::limits::RnnLimits;
use contract::rnn::protocol::{RnnRequest, SentenceScore};
use leptos::prelude::*;

/// How many times more probable the first sentence is: e^(log P₁ − log P₂), written plainly.
pub fn verdict(a: &SentenceScore, b: &SentenceScore) -> String {
    let (better, worse, first) = if a.log_prob >= b.log_prob { (a, b, "first") } else { (b, a, "second") };
    let ratio = (better.log_prob - worse.log_prob) as f64;
    let times = if ratio > 60.0 {
        format!("e^{ratio:.0}")
    } else if ratio.exp() < 1000.0 {
        format!("{:.1}", ratio.exp())
    } else {
        crate::format::value(ratio.exp(), 3)
    };
    format!(
        "The {first} sentence, “{}”, is {times} times more probable (log P {:.2} against {:.2}).",
        better.text, better.log_prob, worse.log_prob
    )
}

#[component]
fn Score(score: SentenceScore, testid: &'static str) -> impl IntoView {
    view! {
        <div class="sentence-score" data-testid=testid data-log-prob=score.log_prob.to_string()>
            <div class="words">
                {score.words.iter().map(|w| view! {
                    <span class="word" title=format!("log P = {:.3}, P = {}", w.log_prob, crate::format::value((w.log_prob as f64).exp(), 3))>
                        <span class="text">{w.word.clone()}</span>
                        <span class="num">{format!("{:.2}", w.log_prob)}</span>
                    </span>
                }).collect::<Vec<_>>()}
            </div>
            <p class="hint">{format!("log P(sentence) = {:.2} · P = {}", score.log_prob, crate::format::value((score.log_prob as f64).exp(), 3))}</p>
        </div>
    }
}

/// A box for one of the language model's texts (at most the lab's text length).
fn text_field(
    state: RwSignal<RnnSession>,
    label: &'static str,
    testid: &'static str,
    text: fn(&LanguageState) -> &String,
    text_mut: fn(&mut LanguageState) -> &mut String,
) -> impl IntoView {
    view! {
        <label class="field">{label}
            <input type="text" data-testid=testid maxlength=RnnLimits::MAX_TEXT_CHARS.to_string()
                prop:value=move || state.with(|s| text(&s.lab.lm).clone())
                on:change=move |ev| { let value = event_target_value(&ev); state.update(|s| *text_mut(&mut s.lab.lm) = value) } />
        </label>
    }
}

#[component]
pub fn Language(state: RwSignal<RnnSession>) -> impl IntoView {
    // Each view reads only its own part: the state changes with every training reply.
    let lm = move |read: fn(&super::state::LanguageState) -> String| state.with(|s| read(&s.lab.lm));
    let ask = move |request: RnnRequest| state.update(|s| s.ask_model(request));
    let scores = move || state.with(|s| s.lab.lm.scores.clone());
    view! {
        <p class="lede">
            "A language model gives every sentence a probability, one character at a time: "
            <span class="formula">"P(c₁ … c_T) = ∏ P(c_t | c₁ … c_{t−1})"</span>
            ". This one has read nothing but the lab's little grammar (sentences like “the man who pulled the cart when the king arrived was already tired.”): "
            "after training, a sentence it could have written is far more probable than one with a misspelt word or a verb that disagrees with its subject."
        </p>
        <h3>"Which sentence is more probable?"</h3>
        <div class="sentence-pair">
            {[0usize, 1].into_iter().map(|i| view! {
                <div class="sentence">
                    <input type="text" maxlength=RnnLimits::MAX_TEXT_CHARS.to_string() data-testid=format!("rnn-sentence-{i}")
                        prop:value=move || state.with(|s| s.lab.lm.sentences[i].clone())
                        on:change=move |ev| { let text = event_target_value(&ev); state.update(|s| s.lab.lm.sentences[i] = text) } />
                    {move || scores()[i].clone().map(|score| view! { <Score score=score testid=if i == 0 { "rnn-score-0" } else { "rnn-score-1" } /> })}
                </div>
            }).collect::<Vec<_>>()}
        </div>
        <button class="secondary-blue" data-testid="rnn-compare-sentences" on:click=move |_| state.update(RnnSession::score_sentences)>"Compare"</button>
        <p data-testid="rnn-verdict">{move || match scores() {
            [Some(a), Some(b)] => verdict(&a, &b),
            _ => String::new(),
        }}</p>
        <h3>"What does it write?"</h3>
        <div class="sample-controls">
            {text_field(state, "Start with ", "rnn-prompt", |l| &l.prompt, |l| &mut l.prompt)}
            <label class="field">"Temperature "
                <input type="number" step="0.1" min=RnnLimits::TEMPERATURE.0.to_string() max=RnnLimits::TEMPERATURE.1.to_string()
                    data-testid="rnn-temperature" prop:value=move || lm(|l| l.temperature.to_string())
                    on:change=move |ev| { if let Ok(t) = event_target_value(&ev).trim().parse::<f32>() { state.update(|s| s.lab.lm.temperature = t) } } />
            </label>
            <button class="secondary-blue" data-testid="rnn-sample" on:click=move |_| {
                let (prompt, temperature, seed) = state.with_untracked(|s| (s.lab.lm.prompt.clone(), s.lab.lm.temperature, s.lab.run.step as u64));
                ask(RnnRequest::Sample { prompt, length: SAMPLE_CHARS, temperature, seed });
            }>"Sample"</button>
        </div>
        <p class="hint">"Low temperatures pick the likeliest characters (repetitive); high ones flatten the distribution (creative, then gibberish)."</p>
        {move || state.with(|s| s.lab.lm.sample.clone()).map(|s| view! {
            <pre class="sample" data-testid="rnn-sample-text"><strong>{s.prompt.clone()}</strong>{s.text.clone()}</pre>
        })}
        <h3>"Which word is missing, and where?"</h3>
        <div class="sample-controls">
            {text_field(state, "A sentence with one word left out ", "rnn-fill-text", |l| &l.fill_text, |l| &mut l.fill_text)}
            <button class="secondary-blue" data-testid="rnn-fill" on:click=move |_| {
                let text = state.with_untracked(|s| s.lab.lm.fill_text.clone());
                ask(RnnRequest::FillIn { text });
            }>"Find it"</button>
        </div>
        <p class="hint">"Every word the model knows is tried at every position; the most probable sentences are listed."</p>
        {move || state.with(|s| s.lab.lm.completions.clone()).map(|list| view! {
            <table class="bp-vector completions" data-testid="rnn-completions">
                <thead><tr><th>"completed sentence"</th><th>"word"</th><th>"position"</th><th>"log P"</th></tr></thead>
                <tbody>
                    {list.into_iter().map(|c| {
                        let words: Vec<String> = c.sentence.split(' ').map(str::to_string).collect();
                        view! {
                            <tr>
                                <td>{words.into_iter().enumerate().map(|(i, w)| if i == c.position {
                                    view! { <strong class="inserted">{w}" "</strong> }.into_any()
                                } else {
                                    view! { <span>{w}" "</span> }.into_any()
                                }).collect::<Vec<_>>()}</td>
                                <td>{c.word.clone()}</td>
                                <td class="num">{c.position + 1}</td>
                                <td class="num">{format!("{:.2}", c.log_prob)}</td>
                            </tr>
                        }
                    }).collect::<Vec<_>>()}
                </tbody>
            </table>
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verdict_names_the_likelier_sentence_and_by_how_much() {
        let a = SentenceScore { text: "the man pulled a cart.".into(), words: vec![], log_prob: -14.0, step: 1 };
        let b = SentenceScore { text: "the man pooled a cart.".into(), words: vec![], log_prob: -14.0 - 2f32.ln(), step: 1 };
        assert_eq!(
            verdict(&b, &a),
            "The second sentence, “the man pulled a cart.”, is 2.0 times more probable (log P -14.00 against -14.69)."
        );
    }
}
