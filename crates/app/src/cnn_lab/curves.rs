//! Learning curves: loss and accuracy against epochs, the training batches' (averaged into at
//! most a few hundred points) next to the test split's evaluations, on the shared line chart.

use super::state::CnnSession;
use crate::widgets::line_chart::{Frame, LineChart, Series, YAxis};
use contract::cnn::view::Evaluation;
use contract::training::TrainPoint;
use crate::widgets::palette;
use leptos::prelude::*;

/// Loss and accuracy of the training batches (averaged) and of the test split, against
/// epochs: (loss series, accuracy series, the loss axis' top).
fn series(s: &CnnSession) -> (Vec<Series>, Vec<Series>, f64) {
    let per_epoch = s.spec.steps_per_epoch().max(1) as f64;
    let at = |step: usize| step as f64 / per_epoch;
    let history = &s.lab.history;
    let train = |value: fn(&TrainPoint) -> f32| {
        let points = history.train.iter().map(|p| (at(p.step), value(p) as f64));
        Series::per_batch("training batches", palette::TRAIN, points)
    };
    let test = |value: fn(&Evaluation) -> f32| {
        let points = history.evaluations.iter().map(|e| (at(e.step), value(e) as f64));
        Series::evaluated("test digits", palette::HELD_OUT, points)
    };
    let loss = vec![train(|p| p.loss), test(|e| e.loss)];
    let loss_max = loss
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .filter(|v| v.is_finite())
        .fold(0.5f64, f64::max)
        .min(5.0);
    (loss, vec![train(|p| p.accuracy), test(|e| e.accuracy)], loss_max)
}

fn frame(y_label: &'static str, y_axis: YAxis, epochs: f64) -> Frame {
    Frame {
        x_span: Some(epochs),
        x_whole: false,
        ..Frame::new("epoch (passes over the 8,000 training digits)", "epoch", y_label, y_axis)
    }
}

#[component]
pub fn Curves(state: ReadSignal<CnnSession>) -> impl IntoView {
    let all = Memo::new(move |_| state.with(series));
    let epochs = move || state.with(|s| s.spec.epochs as f64);
    // Every evaluation exactly, for a reader that compares runs (step:loss:accuracy).
    let exact = move || {
        state.with(|s| {
            crate::format::exact_evaluations(
                s.lab.history.evaluations.iter().map(|e| (e.step, e.loss, e.accuracy)),
            )
        })
    };
    view! {
        <div class="curves" data-testid="curves" data-evaluations=exact>
            <LineChart series=Signal::derive(move || all.with(|a| a.0.clone()))
                frame=Signal::derive(move || frame("loss", YAxis::Upto(all.with(|a| a.2)), epochs()))
                title="Cross-entropy loss" caption=true testid="loss-curve" class="curve"
                readout_testid="loss-curve-readout" hint="Point at the chart to read the values." />
            <LineChart series=Signal::derive(move || all.with(|a| a.1.clone()))
                frame=Signal::derive(move || frame("accuracy", YAxis::Fraction, epochs()))
                title="Accuracy" caption=true testid="accuracy-curve" class="curve"
                readout_testid="accuracy-curve-readout" hint="Point at the chart to read the values." />
        </div>
        <p class="legend">
            <span class="swatch" style=format!("background:{}", palette::TRAIN)></span>" training batches (averaged)  "
            <span class="swatch" style=format!("background:{}", palette::HELD_OUT)></span>" the 2,000 test digits, evaluated every 4,000 training digits"
        </p>
    }
}
