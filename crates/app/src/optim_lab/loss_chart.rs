//! Loss against step for every path: log scale when every loss is positive, linear otherwise
//! (the saddle goes below zero). Drawn by the shared line chart.

use super::colors;
use super::state::OptimSession;
use crate::widgets::line_chart::{Frame, LineChart, Series, YAxis};
use leptos::prelude::*;

const FRAME: Frame = Frame {
    width: 640.0,
    x_span: Some(1.0),
    ..Frame::new("step k", "step", "loss", YAxis::LogWhenPositive)
};

/// One series per path: its loss at every step it took (a step whose loss is not a number
/// is left out).
fn series(state: &OptimSession) -> Vec<Series> {
    state
        .lab
        .paths
        .iter()
        .map(|p| Series {
            label: colors::label(p.optimizer).to_string(),
            colour: colors::of(p.optimizer),
            points: p
                .losses
                .iter()
                .enumerate()
                .filter_map(|(k, loss)| loss.map(|l| (k as f64, l as f64)))
                .collect(),
            width: 2.0,
            dots: false,
        })
        .collect()
}

#[component]
pub fn LossChart(state: ReadSignal<OptimSession>) -> impl IntoView {
    view! {
        <LineChart series=Signal::derive(move || state.with(series)) frame=FRAME
            title="Loss against step for every optimizer" legend=true
            testid="loss-chart" class="loss-chart" readout_testid="chart-readout"
            hint="Point at the chart to read every loss at that step." />
    }
}
