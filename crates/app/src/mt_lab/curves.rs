//! Each model's held-out BLEU and loss against training steps, and BLEU against the source
//! sentence's length at the latest evaluation — where one fixed context vector breaks —
//! with a few held-out sentences and what each model writes for them.

use super::state::MtSession;
use crate::widgets::line_chart::{Frame, LineChart, Series, YAxis};
use contract::mt::limits::MtLimits;
use super::state::ModelRun;
use contract::mt::protocol::MtEvaluation;
use contract::mt::SHORTEST;
use leptos::prelude::*;


fn frame(
    x_label: &'static str,
    x_name: &'static str,
    y_label: &'static str,
    y_axis: YAxis,
    span: f64,
) -> Frame {
    Frame {
        x_span: Some(span),
        ..Frame::new(x_label, x_name, y_label, y_axis)
    }
}

fn over_steps(models: &[ModelRun], value: fn(&MtEvaluation) -> f32) -> Vec<Series> {
    models
        .iter()
        .map(|m| Series {
            label: m.model.short().into(),
            colour: m.model.colour(),
            points: m
                .history
                .evaluations
                .iter()
                .map(|e| (e.step as f64, value(e) as f64))
                .collect(),
            width: 2.0,
            dots: true,
        })
        .collect()
}

#[component]
pub fn Curves(state: ReadSignal<MtSession>) -> impl IntoView {
    let models = Memo::new(move |_| state.with(|s| s.lab.models.clone()));
    let steps = move || state.with(|s| s.spec.steps as f64);
    // Every evaluation's BLEU exactly ("model:step:bleu;…"), for a reader that compares runs.
    let exact = move || {
        models.with(|m| {
            m.iter()
                .flat_map(|r| {
                    r.history.evaluations
                        .iter()
                        .map(move |e| format!("{}:{}:{}", r.model.slug(), e.step, e.bleu))
                })
                .collect::<Vec<_>>()
                .join(";")
        })
    };
    view! {
        <div class="curves" data-testid="mt-curves" data-evaluations=exact>
            <LineChart series=Signal::derive(move || models.with(|m| over_steps(m, |e| e.bleu)))
                frame=Signal::derive(move || frame("training step", "step", "corpus BLEU-4 (held-out)", YAxis::Fraction, steps()))
                title="Held-out BLEU" caption=true legend=true testid="mt-bleu-curve" class="curve"
                readout_testid="mt-bleu-readout" hint="Point at the chart to read the values." />
            <LineChart series=Signal::derive(move || models.with(|m| over_steps(m, |e| e.loss)))
                frame=Signal::derive(move || frame("training step", "step", "cross-entropy per target word (held-out)", YAxis::LogWhenPositive, steps()))
                title="Held-out loss" caption=true legend=true testid="mt-loss-curve" class="curve"
                readout_testid="mt-loss-readout" hint="Teacher-forced: the decoder reads the right previous words." />
        </div>
        <p class="hint">{move || state.with(|s| format!(
            "Every {} steps each model translates all {} held-out sentences ({} of each length) greedily, on its own, and is scored by corpus BLEU-4 (section 5 shows how).",
            MtLimits::EVAL_EVERY, s.lab.held_out, MtLimits::TEST_PER_LENGTH
        ))}</p>
    }
}

#[component]
pub fn ByLength(state: ReadSignal<MtSession>) -> impl IntoView {
    let models = Memo::new(move |_| state.with(|s| s.lab.models.clone()));
    let series = move || {
        models.with(|m| {
            m.iter()
                .filter_map(|r| {
                    let e = r.history.evaluations.last()?;
                    Some(Series {
                        label: format!("{} (step {})", r.model.short(), e.step),
                        colour: r.model.colour(),
                        points: e
                            .bleu_by_length
                            .iter()
                            .enumerate()
                            .map(|(i, &b)| ((SHORTEST + i) as f64, b as f64))
                            .collect(),
                        width: 2.0,
                        dots: true,
                    })
                })
                .collect::<Vec<_>>()
        })
    };
    // "model:b5,b6,…;…" for a reader (and a test) that compares lengths.
    let by_length = move || {
        models.with(|m| {
            m.iter()
                .filter_map(|r| {
                    let e = r.history.evaluations.last()?;
                    let values: Vec<String> =
                        e.bleu_by_length.iter().map(|b| b.to_string()).collect();
                    Some(format!("{}:{}", r.model.slug(), values.join(",")))
                })
                .collect::<Vec<_>>()
                .join(";")
        })
    };
    let longest = move || state.with(|s| s.spec.longest as f64);
    let samples = Memo::new(move |_| state.with(|s| s.lab.samples.clone()));
    view! {
        <p class="hint">
            "The fixed-context model must carry the whole sentence in c, a vector of a fixed size, however long the sentence: "
            "the longer it is, the more c forgets. Attention reads every source word again for each word it writes, so length costs it little."
        </p>
        <div class="curves" data-testid="mt-by-length" data-bleu=by_length>
            <LineChart series=Signal::derive(series)
                frame=Signal::derive(move || Frame { x_span: None, x_from: Some(SHORTEST as f64), ..frame("source words", "words", "corpus BLEU-4 of that length", YAxis::Fraction, longest()) })
                title="BLEU against source length (latest evaluation)" caption=true legend=true testid="mt-length-curve" class="curve wide"
                readout_testid="mt-length-readout" hint="Point at the chart to read each model's BLEU for one length." />
        </div>
        <table class="mt-samples" data-testid="mt-samples">
            <caption>"Held-out sentences, short to long, as each model translates them now"</caption>
            <thead><tr><th scope="col">"source"</th><th scope="col">"right translation"</th>
                {contract::mt::MtModel::ALL.iter().map(|m| view! { <th scope="col">{m.short()}</th> }).collect::<Vec<_>>()}
            </tr></thead>
            <tbody>
                {move || samples.get().into_iter().map(|s| {
                    let reference = s.reference.clone();
                    view! {
                        <tr>
                            <td>{s.source.clone()}</td>
                            <td>{s.reference.clone()}</td>
                            {s.outputs.iter().map(|o| {
                                let right = *o == reference;
                                view! { <td class:mt-right=right class:mt-wrong=!right>{o.clone()}</td> }
                            }).collect::<Vec<_>>()}
                        </tr>
                    }
                }).collect::<Vec<_>>()}
            </tbody>
        </table>
    }
}
