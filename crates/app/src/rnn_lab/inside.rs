//! Inside the cell for one held-out sequence: every gate, the memory cell and the state of
//! the first layer as heatmaps (units down, time along, the tokens beneath), the network's
//! answer, and the values at a clicked time step.

use crate::widgets::heatmap::{Grid, Heatmap, Scale};
use super::state::RnnSession;
use contract::rnn::limits::RnnLimits;
use contract::rnn::protocol::{Trace, TraceKind};
use leptos::prelude::*;

/// Answers listed at most (the language model has 29).
pub const SHOWN_CLASSES: usize = 5;

/// Which answers the probability bars list: all of a few, else the most probable few (and the
/// right one if it is not among them), most probable first.
pub fn shown_classes(probabilities: &[f32], answer: usize) -> Vec<usize> {
    if probabilities.len() <= SHOWN_CLASSES + 1 {
        return (0..probabilities.len()).collect();
    }
    let mut order: Vec<usize> = (0..probabilities.len()).collect();
    order.sort_by(|&a, &b| probabilities[b].total_cmp(&probabilities[a]));
    order.truncate(SHOWN_CLASSES);
    if !order.contains(&answer) && answer < probabilities.len() {
        order.push(answer);
    }
    order
}

/// A trace as a grid of units (rows) by time steps (columns).
pub fn units_by_time(trace: &Trace) -> Grid {
    let units = trace.units.max(1);
    let steps = trace.values.bytes.len() / units;
    Grid {
        rows: units,
        columns: steps,
        values: (0..units)
            .flat_map(|u| (0..steps).map(move |t| (u, t)))
            .map(|(u, t)| trace.values.value(t * units + u))
            .collect(),
    }
}

/// Gates live in [0, 1]; the memory and the state are signed, zero white.
pub fn scale_of(trace: &Trace) -> Scale {
    if trace.kind.is_gate() {
        Scale::Linear { low: 0.0, high: 1.0 }
    } else {
        Scale::Signed { magnitude: crate::widgets::raster::magnitude(trace.values.min, trace.values.max) }
    }
}

fn meaning(kind: TraceKind) -> &'static str {
    match kind {
        TraceKind::ForgetGate => "near 1: keep the memory; near 0: forget it",
        TraceKind::UpdateGate => "near 1: write the new candidate; near 0: keep what is there",
        TraceKind::RelevanceGate => "how much of the old state the candidate may use",
        TraceKind::OutputGate => "how much of the memory is shown as h",
        TraceKind::Memory => "m_t = Γu ⊙ m̃_t + Γf ⊙ m_{t−1}",
        TraceKind::State => "what the next layer (and the answer) reads",
    }
}

#[component]
pub fn Inside(state: ReadSignal<RnnSession>, on_example: Callback<usize>, on_time: Callback<usize>) -> impl IntoView {
    let inside = Memo::new(move |_| state.with(|s| s.lab.inside.clone()));
    let example = move || inside.with(|i| i.as_ref().map_or(0, |i| i.example));
    let last = RnnLimits::TEST_SEQUENCES - 1;
    let picked = Memo::new(move |_| state.with(|s| s.lab.picked_time));
    let tokens = move || {
        inside.with(|i| {
            let Some(i) = i else { return vec![] };
            let columns = i.tokens.len();
            i.tokens
                .iter()
                .enumerate()
                .map(|(t, token)| {
                    view! {
                        <span class="token" class:picked=move || picked.get() == Some(t)
                            style=format!("width: calc(100% / {columns})") title=format!("step {}", t + 1)
                            on:click=move |_| on_time.run(t)>{token.clone()}</span>
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    let answer = move || {
        inside.with(|i| {
            let i = i.as_ref()?;
            let best = i
                .probabilities
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1))
                .map(|(c, _)| c)?;
            Some(view! {
                <p data-testid="rnn-inside-answer">
                    {format!("The right answer is “{}”; the network says “{}”", i.classes[i.answer], i.classes[best])}
                    {if best == i.answer { " ✓" } else { " ✗" }}
                </p>
                {(i.classes.len() > SHOWN_CLASSES).then(|| view! {
                    <p class="hint">{format!("The {SHOWN_CLASSES} most probable of {} answers, and the right one:", i.classes.len())}</p>
                })}
                <div class="probabilities">
                    {shown_classes(&i.probabilities, i.answer).into_iter().map(|c| (c, (&i.classes[c], i.probabilities[c]))).map(|(c, (name, p))| view! {
                        <div class="probability" class:answer=c == i.answer>
                            <span class="class-name">{name.clone()}</span>
                            <span class="bar" style=format!("width: {:.1}%", p * 100.0)></span>
                            <span class="num">{format!("{:.1}%", p * 100.0)}</span>
                        </div>
                    }).collect::<Vec<_>>()}
                </div>
            })
        })
    };
    let traces = move || {
        inside.with(|i| {
            i.as_ref().map_or(vec![], |i| {
                i.traces
                    .iter()
                    .map(|trace| {
                        let grid = units_by_time(trace);
                        let scale = scale_of(trace);
                        let testid = format!("rnn-trace-{}", trace.kind.word());
                        view! {
                            <figure class="trace" data-testid=testid>
                                <figcaption>
                                    <strong>{trace.kind.title()}</strong>
                                    <span class="hint">{format!(" · {} units × {} steps · {}", trace.units, grid.columns, meaning(trace.kind))}</span>
                                </figcaption>
                                <Heatmap grid=Signal::derive(move || grid.clone()) scale=Signal::derive(move || scale)
                                    bar_label="value" aria="rows: the cell's units; columns: time steps; colour: the value"
                                    testid="rnn-trace-canvas"
                                    on_pick=Callback::new(move |(_, t)| on_time.run(t)) />
                            </figure>
                        }
                    })
                    .collect::<Vec<_>>()
            })
        })
    };
    let readout = move || {
        let t = picked.get()?;
        inside.with(|i| {
            let i = i.as_ref()?;
            let token = i.tokens.get(t)?.clone();
            Some(view! {
                <div class="time-readout"><table class="bp-vector" data-testid="rnn-time-readout">
                    <caption>{format!("Step {} (token “{token}”): every unit's value", t + 1)}</caption>
                    <tbody>
                        {i.traces.iter().map(|trace| {
                            let units = trace.units.max(1);
                            view! {
                                <tr>
                                    <th>{trace.kind.title()}</th>
                                    {(0..units).map(|u| view! { <td class="num">{format!("{:.2}", trace.values.value(t * units + u))}</td> }).collect::<Vec<_>>()}
                                </tr>
                            }
                        }).collect::<Vec<_>>()}
                    </tbody>
                </table></div>
            })
        })
    };
    view! {
        <div class="inside-controls">
            <button class="secondary-blue" data-testid="rnn-prev-example" disabled=move || example() == 0
                on:click=move |_| on_example.run(example().saturating_sub(1))>"← Previous"</button>
            <label class="field inline">"Held-out sequence "
                <input type="number" min="1" max=(last + 1).to_string() data-testid="rnn-example"
                    prop:value=move || (example() + 1).to_string()
                    on:change=move |ev| {
                        if let Ok(n) = event_target_value(&ev).trim().parse::<usize>() {
                            on_example.run(n.clamp(1, last + 1) - 1)
                        }
                    } />
                {format!(" of {}", last + 1)}
            </label>
            <button class="secondary-blue" data-testid="rnn-next-example" disabled={move || example() >= last}
                on:click=move |_| on_example.run((example() + 1).min(last))>"Next →"</button>
        </div>
        {answer}
        <div class="traces">
            <div class="tokens" data-testid="rnn-tokens"
                class:short=move || inside.with(|i| i.as_ref().is_some_and(|i| i.tokens.iter().all(|t| t.chars().count() <= 3)))>{tokens}</div>
            {traces}
        </div>
        <p class="hint">"Click a token or a column to read every unit's value at that step."</p>
        {readout}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use contract::cnn::view::Quantised;

    #[test]
    fn many_answers_show_the_likeliest_and_the_right_one() {
        assert_eq!(shown_classes(&[0.5, 0.5], 1), [0, 1]);
        let p: Vec<f32> = (0..29).map(|i| i as f32 / 406.0).collect();
        assert_eq!(shown_classes(&p, 28), [28, 27, 26, 25, 24]);
        assert_eq!(shown_classes(&p, 3), [28, 27, 26, 25, 24, 3]);
    }

    #[test]
    fn a_trace_is_drawn_with_units_down_and_time_along() {
        // Two steps of three units: t0 = (0, 0.5, 1), t1 = (1, 0.5, 0).
        let trace = Trace {
            kind: TraceKind::UpdateGate,
            units: 3,
            values: Quantised::from_values(&[0.0, 0.5, 1.0, 1.0, 0.5, 0.0]),
        };
        let g = units_by_time(&trace);
        assert_eq!((g.rows, g.columns), (3, 2));
        let rounded: Vec<f32> = g.values.iter().map(|v| (v * 10.0).round() / 10.0).collect();
        assert_eq!(rounded, [0.0, 1.0, 0.5, 0.5, 1.0, 0.0]);
        assert_eq!(scale_of(&trace), Scale::Linear { low: 0.0, high: 1.0 });
    }
}
