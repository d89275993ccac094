//! Learning curves (loss, tokens right and whole answers right against steps), and the "why
//! √d_k" view: how saturated the attention is and how much gradient reaches W_q and W_k, for
//! the run and (when trained beside it) the same model with the scaling the other way.

use super::state::TfmSession;
use crate::widgets::line_chart::{Frame, LineChart, Series, YAxis};
use contract::tfm::limits::TfmLimits;
use contract::tfm::protocol::TfmEvaluation;
use contract::training::TrainPoint;
use crate::widgets::palette;
use leptos::prelude::*;


fn held_out(
    label: &str,
    colour: &'static str,
    evaluations: &[TfmEvaluation],
    value: impl Fn(&TfmEvaluation) -> Option<f32>,
) -> Series {
    let points = evaluations.iter().filter_map(|e| value(e).map(|v| (e.step as f64, v as f64)));
    Series::evaluated(label, colour, points)
}

fn learning(s: &TfmSession) -> (Vec<Series>, Vec<Series>) {
    let train = |value: fn(&TrainPoint) -> f32| {
        let points = s.lab.history.train.iter().map(|p| (p.step as f64, value(p) as f64));
        Series::per_batch("training batches (tokens)", palette::TRAIN, points)
    };
    let e = &s.lab.history.evaluations;
    let mut accuracy = vec![
        train(|p| p.accuracy),
        held_out("held-out tokens", palette::HELD_OUT, e, |e| {
            Some(e.token_accuracy)
        }),
    ];
    if e.iter().any(|e| e.exact.is_some()) {
        accuracy.push(held_out(
            "held-out answers exactly right",
            palette::SECOND,
            e,
            |e| e.exact,
        ));
    }
    (
        vec![
            train(|p| p.loss),
            held_out("held-out tokens", palette::HELD_OUT, e, |e| Some(e.loss)),
        ],
        accuracy,
    )
}

#[component]
pub fn Curves(state: ReadSignal<TfmSession>) -> impl IntoView {
    let all = Memo::new(move |_| state.with(learning));
    let steps = move || state.with(|s| s.spec.steps as f64);
    // Every evaluation exactly (step:loss:exact or token accuracy), for a reader that compares
    // runs.
    let exact = move || {
        state.with(|s| {
            crate::format::exact_evaluations(
                s.lab
                    .history
                    .evaluations
                    .iter()
                    .map(|e| (e.step, e.loss, e.exact.unwrap_or(e.token_accuracy))),
            )
        })
    };
    view! {
        <div class="curves" data-testid="tfm-curves" data-evaluations=exact>
            <LineChart series=Signal::derive(move || all.with(|a| a.0.clone()))
                frame=Signal::derive(move || Frame::over_steps("cross-entropy per answer token", YAxis::LogWhenPositive, steps()))
                title="Loss" caption=true legend=true testid="tfm-loss-curve" class="curve"
                readout_testid="tfm-loss-readout" hint="Point at the chart to read the values." />
            <LineChart series=Signal::derive(move || all.with(|a| a.1.clone()))
                frame=Signal::derive(move || Frame::over_steps("accuracy", YAxis::Fraction, steps()))
                title="Accuracy" caption=true legend=true testid="tfm-accuracy-curve" class="curve"
                readout_testid="tfm-accuracy-readout" hint="Point at the chart to read the values." />
        </div>
        <p class="hint">{move || state.with(|s| format!(
            "Held-out: {} examples never trained on, every {} steps; loss and tokens with the right answer read back (teacher forcing), exact answers written by the model itself.",
            TfmLimits::test_sequences(&s.spec), TfmLimits::EVAL_EVERY
        ))}</p>
    }
}

/// The run's and the contrast run's evaluations, each labelled by its scaling.
fn runs(s: &TfmSession) -> Vec<(String, &'static str, Vec<TfmEvaluation>)> {
    let label = |scaled: bool| {
        if scaled {
            ("QKᵀ/√d_k".to_string(), palette::SECOND)
        } else {
            ("QKᵀ unscaled".to_string(), palette::CONTRAST)
        }
    };
    let (l, c) = label(s.spec.scaled);
    let mut all = vec![(format!("{l} (this run)"), c, s.lab.history.evaluations.clone())];
    if let Some(twin) = &s.lab.contrast {
        let (l, c) = label(twin.kind);
        all.push((l, c, twin.evaluations.clone()));
    }
    all
}

#[component]
pub fn Scaling(state: RwSignal<TfmSession>) -> impl IntoView {
    let all = Memo::new(move |_| state.with(runs));
    let steps = move || state.with(|s| s.spec.steps as f64);
    let chart = move |value: fn(&TfmEvaluation) -> Option<f32>| {
        move || {
            all.with(|runs| {
                runs.iter()
                    .map(|(label, colour, e)| held_out(label, colour, e, value))
                    .collect::<Vec<_>>()
            })
        }
    };
    let d_k = move || state.with(|s| s.spec.head_width());
    view! {
        <p class="hint">{move || format!(
            "With d_k = {} dimensions per head, q·k is a sum of {} products: if q and k have unit-variance entries its standard deviation is √d_k = {:.1}. \
             Large scores push the softmax to one-hot (low entropy) where its gradient vanishes, so little reaches W_q and W_k and attention stops learning. \
             Dividing by √d_k brings the scores back to unit variance.",
            d_k(), d_k(), (d_k() as f32).sqrt()
        )}</p>
        <div class="curves" data-testid="tfm-scaling" data-entropy=move || all.with(|runs| {
            // Each run's entropy at every evaluation, "label:step=value,…;…", for a reader
            // that compares them at a step.
            runs.iter()
                .map(|(label, _, e)| {
                    let points = e.iter().map(|e| format!("{}={}", e.step, e.entropy)).collect::<Vec<_>>();
                    format!("{label}:{}", points.join(","))
                })
                .collect::<Vec<_>>()
                .join(";")
        })>
            <LineChart series=Signal::derive(chart(|e| Some(e.entropy)))
                frame=Signal::derive(move || Frame::over_steps("entropy / ln(keys seen)", YAxis::Fraction, steps()))
                title="Attention entropy (1 = uniform, 0 = one key)" caption=true legend=true testid="tfm-entropy-curve" class="curve"
                readout_testid="tfm-entropy-readout" hint="Mean over every head and query, on 32 held-out sequences." />
            <LineChart series=Signal::derive(chart(|e| Some(e.grad_query + e.grad_key)))
                frame=Signal::derive(move || Frame::over_steps("‖∂L/∂W_q‖ + ‖∂L/∂W_k‖", YAxis::LogWhenPositive, steps()))
                title="Gradient reaching the queries and keys" caption=true legend=true testid="tfm-qk-gradient-curve" class="curve"
                readout_testid="tfm-qk-gradient-readout" hint="All layers, on 32 held-out sequences." />
        </div>
        <Show when=move || state.with(|s| !s.spec.contrast)>
            <p class="hint">
                "To compare on the same data and seed, tick “…and train the other way beside it” above "
                <button data-testid="tfm-contrast-now" on:click=move |_| {
                    let mut spec = state.with_untracked(|s| s.spec.clone());
                    spec.contrast = true;
                    crate::labs::change(state, move |s| *s = spec);
                }>"Compare now"</button>
                " (the run restarts with both)."
            </p>
        </Show>
    }
}
