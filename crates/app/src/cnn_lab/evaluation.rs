//! After (and during) training: the confusion matrix over the 2,000 test digits and the
//! mistakes the network is most sure of.

use super::inside::Thumb;
use super::state::CnnSession;
use leptos::prelude::*;

#[component]
pub fn EvaluationView(state: ReadSignal<CnnSession>, on_look: Callback<usize>) -> impl IntoView {
    // Rebuilt when a new evaluation arrives, not on every engine message (buttons stay put).
    let latest = Memo::new(move |_| state.with(|s| s.lab.evaluations.last().cloned()));
    move || {
        let Some(e) = latest.get() else {
            return view! { <p class="hint">"The test digits are evaluated every 4,000 training digits; train to see where the network goes wrong."</p> }.into_any();
        };
        let largest_off = e
            .confusion
            .iter()
            .enumerate()
            .flat_map(|(i, r)| {
                r.iter()
                    .enumerate()
                    .filter(move |(j, _)| *j != i)
                    .map(|(_, &c)| c)
            })
            .max()
            .unwrap_or(0)
            .max(1);
        let rows = e
            .confusion
            .iter()
            .enumerate()
            .map(|(label, row)| {
                let total: u32 = row.iter().sum();
                let cells = row
                    .iter()
                    .enumerate()
                    .map(|(predicted, &c)| {
                        let style = if predicted == label {
                            format!("background: rgba(46,160,67,{:.2})", 0.15 + 0.5 * c as f64 / total.max(1) as f64)
                        } else if c > 0 {
                            format!("background: rgba(180,35,24,{:.2})", 0.1 + 0.6 * c as f64 / largest_off as f64)
                        } else {
                            String::new()
                        };
                        view! { <td class="num" style=style title=format!("{c} digits labelled {label} predicted as {predicted}")>{if c > 0 { c.to_string() } else { String::new() }}</td> }
                    })
                    .collect::<Vec<_>>();
                view! { <tr><th>{label}</th>{cells}<td class="num hint">{format!("{:.1}%", row.get(label).copied().unwrap_or(0) as f64 / total.max(1) as f64 * 100.0)}</td></tr> }
            })
            .collect::<Vec<_>>();
        let wrong = e
            .wrong
            .iter()
            .map(|w| {
                let index = w.index;
                view! {
                    <button class="wrong" title=format!("test digit {index}") on:click=move |_| on_look.run(index)>
                        <Thumb pixels=w.pixels.clone() scale=2 />
                        <span>{format!("a {} read as {}", w.label, w.predicted)}</span>
                        <span class="hint">{format!("{:.0}% sure", w.confidence * 100.0)}</span>
                    </button>
                }
            })
            .collect::<Vec<_>>();
        view! {
            <div class="evaluation">
                <div>
                    <h3>{format!("Confusion matrix at step {} ({:.2}% right)", e.step, e.accuracy * 100.0)}</h3>
                    <table class="confusion" data-testid="confusion">
                        <thead>
                            <tr><th class="corner">"label ↓ · predicted →"</th>{(0..10).map(|p| view! { <th>{p}</th> }).collect::<Vec<_>>()}<th class="hint">"right"</th></tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
                <div>
                    <h3>"Most confidently wrong"</h3>
                    <div class="wrong-list" data-testid="wrong-digits">{wrong}</div>
                    <p class="hint">"Click one to look inside the network for it."</p>
                </div>
            </div>
        }.into_any()
    }
}
