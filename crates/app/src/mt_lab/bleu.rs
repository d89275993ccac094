//! BLEU taken apart for one candidate and one reference, as the notes build it: the n-grams,
//! each clipped by how often the reference has it, p_1 … p_4, their geometric mean P, the
//! brevity penalty and the score. The notes' examples are one click away, and so is any
//! model's translation of the sentence shown in section 3.

use super::state::{BleuPair, MtSession};
use contract::mt::limits::MtLimits;
use contract::mt::protocol::{BleuView, OrderView};
use leptos::prelude::*;

/// The notes' examples: (title, candidate, reference).
pub const EXAMPLES: [(&str, &str, &str); 3] = [
    (
        "The notes: “The ball is blue”",
        "The ball is blue",
        "The ball has a blue color",
    ),
    (
        "“The ball the ball”: every word right, the sentence wrong",
        "The ball the ball",
        "The ball has a blue color",
    ),
    (
        "“the the the ball”: repeats are clipped",
        "the the the ball",
        "the ball has a blue color",
    ),
];

fn fraction(credited: usize, total: usize) -> String {
    if total == 0 {
        "— (no n-grams)".into()
    } else {
        format!("{credited}/{total} = {:.3}", credited as f64 / total as f64)
    }
}

/// BLEU with the first `n` orders (w_n = 1/n): what the score would be for BLEU-n.
pub fn bleu_n(b: &BleuView, n: usize) -> f64 {
    let orders = &b.orders[..n.min(b.orders.len())];
    if orders.is_empty() || orders.iter().any(|o| o.precision == 0.0) {
        return 0.0;
    }
    let log_mean = orders.iter().map(|o| o.precision.ln()).sum::<f64>() / orders.len() as f64;
    log_mean.exp() * b.brevity_penalty
}

#[component]
fn Order(order: OrderView) -> impl IntoView {
    let rows = order
        .grams
        .iter()
        .map(|g| {
            // Clipped: the reference has it, but fewer times than the candidate.
            let clipped = g.in_reference > 0 && g.credited < g.in_candidate;
            let unmatched = g.in_reference == 0;
            view! {
                <tr class:clipped=clipped class:unmatched=unmatched>
                    <td>{format!("“{}”", g.gram)}</td>
                    <td class="num">{g.in_candidate}</td>
                    <td class="num">{g.in_reference}</td>
                    <td class="num">{g.credited}{clipped.then_some(" (clipped)")}{unmatched.then_some(" (not in the reference)")}</td>
                </tr>
            }
        })
        .collect::<Vec<_>>();
    view! {
        <table class="mt-grams" data-testid=format!("mt-grams-{}", order.n)>
            <caption>{format!("{}-grams: p_{} = {}", order.n, order.n, fraction(order.credited, order.total))}</caption>
            <thead><tr><th scope="col">"n-gram"</th><th scope="col">"in candidate"</th><th scope="col">"in reference"</th><th scope="col">"credited"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

#[component]
pub fn Bleu(state: RwSignal<MtSession>) -> impl IntoView {
    let breakdown = Memo::new(move |_| state.with(|s| s.lab.bleu.clone()));
    let pair = Memo::new(move |_| state.with(|s| s.lab.bleu_pair.clone()));
    let (candidate, set_candidate) = signal(String::new());
    let (reference, set_reference) = signal(String::new());
    Effect::new(move |_| {
        let p = pair.get();
        set_candidate.set(p.candidate);
        set_reference.set(p.reference);
    });
    let apply = move || {
        let p = BleuPair {
            candidate: candidate.get_untracked(),
            reference: reference.get_untracked(),
        };
        state.update(|s| s.explain(p));
    };
    let examples = EXAMPLES
        .iter()
        .enumerate()
        .map(|(i, (title, c, r))| {
            view! {
                <button data-testid=format!("mt-bleu-example-{i}") on:click=move |_| state.update(|s| s.explain(BleuPair {
                    candidate: c.to_string(),
                    reference: r.to_string(),
                }))>{*title}</button>
            }
        })
        .collect::<Vec<_>>();
    // Any model's greedy translation of the sentence shown, against its right translation.
    let from_models = move || {
        state.with(|s| {
            let t = s.lab.translation.as_ref()?;
            let reference = t.reference.as_ref()?.join(" ");
            Some(
                t.models
                    .iter()
                    .map(|m| {
                        let p = BleuPair {
                            candidate: m.greedy.words.join(" "),
                            reference: reference.clone(),
                        };
                        view! {
                            <button data-testid=format!("mt-bleu-from-{}", m.model.slug())
                                on:click=move |_| state.update(|s| s.explain(p.clone()))>
                                {format!("{}'s translation", m.model.short())}</button>
                        }
                    })
                    .collect::<Vec<_>>(),
            )
        })
    };
    let summary = move || {
        breakdown.get().map(|b| {
            let ps: Vec<String> = b.orders.iter().map(|o| format!("{:.3}", o.precision)).collect();
            let zero = b.orders.iter().any(|o| o.precision == 0.0);
            view! {
                <dl class="facts mt-bleu-facts" data-testid="mt-bleu-summary" data-score=b.score.to_string()
                    data-precisions=ps.join(",") data-bp=b.brevity_penalty.to_string()>
                    <div><dt>"p_1 … p_4"</dt><dd>{ps.join(" · ")}</dd>
                        <span class="hint">"clipped n-gram precisions"</span></div>
                    <div><dt>"P = (p_1·p_2·p_3·p_4)^(1/4)"</dt><dd>{format!("{:.4}", b.geometric_mean)}</dd>
                        <span class="hint">{if zero { "0: some p_n is 0 (no smoothing, as in the notes)" } else { "geometric mean, w_n = 1/4" }}</span></div>
                    <div><dt>"BP"</dt><dd>{format!("{:.4}", b.brevity_penalty)}</dd>
                        <span class="hint">{if b.candidate_len == 0 {
                            "0: an empty candidate".to_string()
                        } else if b.candidate_len > b.reference_len {
                            format!("1: the candidate ({} words) is longer than r = {}", b.candidate_len, b.reference_len)
                        } else {
                            format!("e^(1 − r/len) = e^(1 − {}/{}): {} words against r = {}", b.reference_len, b.candidate_len.max(1), b.candidate_len, b.reference_len)
                        }}</span></div>
                    <div><dt>"BLEU-4 = P · BP"</dt><dd data-testid="mt-bleu-score">{format!("{:.4}", b.score)}</dd>
                        <span class="hint">{format!("with N = 1: {:.4} · N = 2: {:.4}", bleu_n(&b, 1), bleu_n(&b, 2))}</span></div>
                </dl>
            }
        })
    };
    view! {
        <p class="hint">
            "BLEU compares a candidate translation with a reference by n-grams. Each candidate n-gram is credited at most as often as the reference has it "
            "(clipping: “the the the ball” gets one “the”; as Papineni et al., min(count in the candidate, count in the reference) — the notes' "
            "“count a repeat as 1” is the same rule when the reference has the word once), p_n is the credited share of the candidate's n-grams, P their geometric mean, "
            "and the brevity penalty BP punishes candidates shorter than the reference (r is its length). Words are split on spaces and compared as written."
        </p>
        <div class="presets">{examples}{from_models}</div>
        <div class="lab-controls">
            <label class="field">"Candidate "
                <input type="text" class="mt-sentence" data-testid="mt-bleu-candidate" prop:value=candidate maxlength=MtLimits::MAX_TEXT_CHARS.to_string()
                    on:input=move |ev| set_candidate.set(event_target_value(&ev))
                    on:keydown=move |ev| if ev.key() == "Enter" { apply() } />
            </label>
            <label class="field">"Reference "
                <input type="text" class="mt-sentence" data-testid="mt-bleu-reference" prop:value=reference maxlength=MtLimits::MAX_TEXT_CHARS.to_string()
                    on:input=move |ev| set_reference.set(event_target_value(&ev))
                    on:keydown=move |ev| if ev.key() == "Enter" { apply() } />
            </label>
            <button data-testid="mt-bleu-apply" on:click=move |_| apply()>"Score"</button>
        </div>
        {summary}
        <div class="mt-orders">
            {move || breakdown.get().map(|b| b.orders.into_iter().map(|o| view! { <Order order=o /> }).collect::<Vec<_>>())}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bleu_with_fewer_orders_uses_their_geometric_mean() {
        let order = |n: usize, credited: usize, total: usize| OrderView {
            n,
            grams: vec![],
            credited,
            total,
            precision: credited as f64 / total as f64,
        };
        let b = BleuView {
            candidate: vec![],
            reference: vec![],
            orders: vec![order(1, 3, 4), order(2, 1, 3), order(3, 0, 2), order(4, 0, 1)],
            geometric_mean: 0.0,
            candidate_len: 4,
            reference_len: 6,
            brevity_penalty: (-0.5f64).exp(),
            score: 0.0,
        };
        assert!((bleu_n(&b, 1) - 0.75 * (-0.5f64).exp()).abs() < 1e-12);
        assert!((bleu_n(&b, 2) - (0.75f64 / 3.0).sqrt() * (-0.5f64).exp()).abs() < 1e-12);
        assert_eq!(bleu_n(&b, 4), 0.0);
    }
}
