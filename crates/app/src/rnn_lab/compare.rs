//! The notes' argument in one picture: the RNN, the GRU and the LSTM on the same task, seed
//! and budget — their held-out accuracy over training, and how far back each one's gradient
//! reaches at the latest evaluation.

use super::state::RnnSession;
use crate::widgets::line_chart::{Frame, LineChart, Series, YAxis};
use contract::rnn::protocol::RnnEvaluation;
use contract::rnn::CellChoice;
use leptos::prelude::*;

pub fn colour(cell: CellChoice) -> &'static str {
    match cell {
        CellChoice::Rnn => "#c0392b",
        CellChoice::RnnRelu => "#8e44ad",
        CellChoice::GruSimplified => "#16a085",
        CellChoice::Gru => "#2c7fb8",
        CellChoice::Lstm => "#e07a2d",
    }
}

/// Every run's evaluations, this run's first: (cell, evaluations).
fn runs(s: &RnnSession) -> Vec<(CellChoice, &[RnnEvaluation])> {
    std::iter::once((s.spec.cell, s.lab.history.evaluations.as_slice()))
        .chain(s.lab.compared.iter().map(|c| (c.kind, c.evaluations.as_slice())))
        .collect()
}

/// ‖∂L/∂h_k‖ ÷ ‖∂L/∂h_T‖ at one evaluation, against k.
pub fn relative_profile(e: &RnnEvaluation) -> Vec<(f64, f64)> {
    let last = e.through_time.last().copied().unwrap_or(f32::NAN) as f64;
    e.through_time
        .iter()
        .enumerate()
        .map(|(k, &v)| ((k + 1) as f64, v as f64 / last))
        .collect()
}

#[component]
pub fn Compare(state: ReadSignal<RnnSession>) -> impl IntoView {
    let accuracy = Memo::new(move |_| {
        state.with(|s| {
            runs(s)
                .into_iter()
                .map(|(cell, evaluations)| Series {
                    label: cell.title().into(),
                    colour: colour(cell),
                    points: evaluations.iter().map(|e| (e.step as f64, e.accuracy as f64)).collect(),
                    width: 2.0,
                    dots: true,
                })
                .collect::<Vec<_>>()
        })
    });
    let reach = Memo::new(move |_| {
        state.with(|s| {
            runs(s)
                .into_iter()
                .filter_map(|(cell, evaluations)| {
                    let last = evaluations.last()?;
                    Some(Series {
                        label: cell.title().into(),
                        colour: colour(cell),
                        points: relative_profile(last),
                        width: 2.0,
                        dots: false,
                    })
                })
                .collect::<Vec<_>>()
        })
    });
    let steps = move || state.with(|s| s.spec.steps as f64);
    let stopped = move || {
        state.with(|s| {
            s.lab
                .compared
                .iter()
                .filter_map(|c| c.stopped.as_ref().map(|why| format!("{}: {why}", c.kind.title())))
                .collect::<Vec<_>>()
                .join(" · ")
        })
    };
    view! {
        <h3>"The RNN, the GRU and the LSTM on the same task, seed and budget"</h3>
        <div class="curves" data-testid="rnn-compare">
            <LineChart series=Signal::derive(move || accuracy.get())
                frame=Signal::derive(move || Frame::over_steps("held-out accuracy", YAxis::Fraction, steps()))
                title="What each cell learns" caption=true legend=true testid="rnn-compare-accuracy" class="curve"
                readout_testid="rnn-compare-accuracy-readout" hint="Point at the chart to read the values." />
            <LineChart series=Signal::derive(move || reach.get())
                frame=Frame::new("time step k", "k", "‖∂L/∂h_k‖ ÷ ‖∂L/∂h_T‖", YAxis::LogWhenPositive)
                title="How far back each one's gradient reaches (latest evaluation)" caption=true legend=true testid="rnn-compare-reach" class="curve"
                readout_testid="rnn-compare-reach-readout" hint="Point at the chart to read the values." />
        </div>
        <p class="hint stopped">{stopped}</p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_profile_is_relative_to_the_answer() {
        let e = RnnEvaluation { step: 0, loss: 1.0, accuracy: 0.5, through_time: vec![0.25, 0.5, 2.0], jacobian: vec![] };
        assert_eq!(relative_profile(&e), [(1.0, 0.125), (2.0, 0.25), (3.0, 1.0)]);
    }
}
