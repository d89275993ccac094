//! Learning curves (loss and accuracy against steps: the training batches averaged, the
//! held-out sequences at every evaluation) and the gradient's global norm before and after
//! clipping at every step.

use super::state::RnnSession;
use crate::widgets::line_chart::{Frame, LineChart, Series, YAxis};
use contract::rnn::limits::RnnLimits;
use contract::rnn::protocol::RnnEvaluation;
use contract::rnn::ClipRule;
use contract::training::TrainPoint;
use crate::widgets::palette;
use leptos::prelude::*;


fn series(s: &RnnSession) -> (Vec<Series>, Vec<Series>) {
    let history = &s.lab.history;
    let train = |value: fn(&TrainPoint) -> f32| {
        let points = history.train.iter().map(|p| (p.step as f64, value(p) as f64));
        Series::per_batch("training batches", palette::TRAIN, points)
    };
    let test = |value: fn(&RnnEvaluation) -> f32| {
        let points = history.evaluations.iter().map(|e| (e.step as f64, value(e) as f64));
        Series::evaluated("held-out sequences", palette::HELD_OUT, points)
    };
    (
        vec![train(|p| p.loss), test(|e| e.loss)],
        vec![train(|p| p.accuracy), test(|e| e.accuracy)],
    )
}

#[component]
pub fn Curves(state: ReadSignal<RnnSession>) -> impl IntoView {
    let all = Memo::new(move |_| state.with(series));
    let steps = move || state.with(|s| s.spec.steps as f64);
    let chance = move || state.with(|s| 1.0 / s.spec.task.classes() as f64);
    // Every evaluation exactly (step:loss:accuracy), for a reader that compares runs.
    let exact = move || {
        state.with(|s| {
            crate::format::exact_evaluations(
                s.lab.history.evaluations.iter().map(|e| (e.step, e.loss, e.accuracy)),
            )
        })
    };
    view! {
        <div class="curves" data-testid="rnn-curves" data-evaluations=exact>
            <LineChart series=Signal::derive(move || all.with(|a| a.0.clone()))
                frame=Signal::derive(move || Frame::over_steps("cross-entropy", YAxis::LogWhenPositive, steps()))
                title="Loss" caption=true testid="rnn-loss-curve" class="curve"
                readout_testid="rnn-loss-readout" hint="Point at the chart to read the values." />
            <LineChart series=Signal::derive(move || all.with(|a| a.1.clone()))
                frame=Signal::derive(move || Frame::over_steps("accuracy", YAxis::Fraction, steps()))
                title="Accuracy" caption=true testid="rnn-accuracy-curve" class="curve"
                readout_testid="rnn-accuracy-readout" hint="Point at the chart to read the values." />
        </div>
        <p class="legend">
            <span class="swatch" style=format!("background:{}", palette::TRAIN)></span>" training batches (averaged)  "
            <span class="swatch" style=format!("background:{}", palette::HELD_OUT)></span>
            {format!(" {} held-out sequences, every {} steps", RnnLimits::TEST_SEQUENCES, RnnLimits::EVAL_EVERY)}
            <span class="hint">{move || format!(" · guessing scores {:.0}%", chance() * 100.0)}</span>
        </p>
    }
}

/// ‖g‖₂ over every parameter at every step, before and after clipping.
#[component]
pub fn Clipping(state: ReadSignal<RnnSession>) -> impl IntoView {
    let norms = Memo::new(move |_| {
        state.with(|s| {
            let line = |label: &str, colour, value: fn(&contract::rnn::protocol::ClipPoint) -> f32| {
                let points = s.lab.clipping.iter().map(|c| (c.step as f64, value(c) as f64));
                Series::per_batch(label, colour, points)
            };
            let mut lines = vec![line("before clipping", palette::CONTRAST, |c| c.before)];
            if s.spec.clip != ClipRule::None {
                lines.push(line("after clipping", palette::SECOND, |c| c.after));
            }
            lines
        })
    });
    let rule = move || {
        state.with(|s| match s.spec.clip {
            ClipRule::None => "No clipping: every step uses the gradient as it comes.".to_string(),
            ClipRule::Norm => format!(
                "Clipping by norm: when ‖g‖ > {}, every gradient is scaled by {} / ‖g‖ — the direction is kept.",
                s.spec.clip_at, s.spec.clip_at
            ),
            ClipRule::Value => format!(
                "Clipping by value: each component is clamped to ±{} — the direction may change.",
                s.spec.clip_at
            ),
        })
    };
    let largest = move || {
        state.with(|s| {
            s.lab
                .clipping
                .iter()
                .map(|c| c.before)
                .fold(None, |m: Option<f32>, v| Some(m.map_or(v, |m| m.max(v))))
        })
    };
    view! {
        <p class="lede">{rule}</p>
        <div class="curves">
            <LineChart series=Signal::derive(move || norms.get())
                frame=Signal::derive(move || Frame::over_steps("‖g‖₂", YAxis::LogWhenPositive, state.with(|s| s.spec.steps as f64)))
                title="The gradient's norm over all parameters, every step" caption=true legend=true testid="rnn-clip-chart" class="curve"
                readout_testid="rnn-clip-readout" hint="Point at the chart to read the values." />
        </div>
        <p class="hint" data-testid="rnn-largest-norm">{move || largest().map_or(String::new(), |m| format!("Largest ‖g‖ before clipping so far: {}", crate::format::value(m as f64, 3)))}</p>
    }
}
