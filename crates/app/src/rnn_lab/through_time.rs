//! Gradients through time: for the last layer's states h_1 … h_T, ‖∂L/∂h_k‖ and ‖∂h_T/∂h_k‖
//! at every evaluation, as heatmaps (time step k along, training down) and as a profile at
//! the latest evaluation — the notes' ∏ Wᵀ diag(φ′) made visible: an RNN's dies a few steps
//! back, a gated cell's reaches the start.

use crate::widgets::heatmap::{Grid, Heatmap, Scale};
use super::state::RnnSession;
use crate::widgets::line_chart::{Frame, LineChart, Series, YAxis};
use contract::rnn::protocol::RnnEvaluation;
use crate::widgets::palette;
use leptos::prelude::*;

/// Evaluations drawn as rows at most (evenly chosen, the last always).
pub const MAX_ROWS: usize = 120;

/// The rows drawn: every evaluation, or an even choice of them ending with the last.
pub fn chosen(evaluations: &[RnnEvaluation]) -> Vec<&RnnEvaluation> {
    let n = evaluations.len();
    let rows = n.min(MAX_ROWS);
    (0..rows)
        .map(|r| &evaluations[if rows <= 1 { n - 1 } else { r * (n - 1) / (rows - 1) }])
        .collect()
}

/// One value per (evaluation, k), the evaluations that have it; with `relative`, each row
/// divided by its last value (so a loss that falls as the network learns does not darken the
/// rows: what is left is how far back the gradient reaches).
pub fn grid(evaluations: &[RnnEvaluation], value: fn(&RnnEvaluation) -> &[f32], relative: bool) -> Grid {
    let rows: Vec<&[f32]> = chosen(evaluations).into_iter().map(value).filter(|v| !v.is_empty()).collect();
    let columns = rows.iter().map(|r| r.len()).max().unwrap_or(0);
    Grid {
        rows: rows.len(),
        columns,
        values: rows
            .iter()
            .flat_map(|r| {
                let last = r.last().copied().unwrap_or(f32::NAN);
                let unit = if relative { last } else { 1.0 };
                (0..columns).map(move |k| r.get(k).map_or(f32::NAN, |v| v / unit))
            })
            .collect(),
    }
}

/// How much of the gradient at the answer is left at the first step: ‖∂L/∂h_1‖ / ‖∂L/∂h_T‖.
pub fn reach(e: &RnnEvaluation) -> Option<f32> {
    let (first, last) = (e.through_time.first()?, e.through_time.last()?);
    (*last > 0.0).then(|| first / last)
}

/// One quantity over (evaluation, time step k) as a heat map, its caption the children, with the
/// axis ticks both maps share.
#[component]
fn TimeMap(
    children: Children,
    grid: Memo<Grid>,
    scale: Memo<Scale>,
    axis: AnyView,
    bar_label: &'static str,
    aria: &'static str,
    testid: &'static str,
) -> impl IntoView {
    view! {
        <figure>
            <figcaption>{children()}</figcaption>
            <div class="tt-plot">
                <Heatmap grid=grid scale=scale bar_label=bar_label aria=aria testid=testid />
                {axis}
            </div>
        </figure>
    }
}

#[component]
pub fn ThroughTime(state: ReadSignal<RnnSession>) -> impl IntoView {
    let losses = Memo::new(move |_| state.with(|s| grid(&s.lab.history.evaluations, |e| &e.through_time, true)));
    let jacobians = Memo::new(move |_| state.with(|s| grid(&s.lab.history.evaluations, |e| &e.jacobian, false)));
    let loss_scale = Memo::new(move |_| losses.with(|g| Scale::log_of(&g.values)));
    let jacobian_scale = Memo::new(move |_| jacobians.with(|g| Scale::log_of(&g.values)));
    let span = move || {
        state.with(|s| {
            let first = s.lab.history.evaluations.first().map_or(0, |e| e.step);
            let last = s.lab.history.evaluations.last().map_or(0, |e| e.step);
            (first, last, s.spec.length())
        })
    };
    let profile = Memo::new(move |_| {
        state.with(|s| {
            let Some(e) = s.lab.history.evaluations.last() else {
                return vec![];
            };
            let line = |label: &str, colour, values: &[f32]| Series {
                label: label.into(),
                colour,
                points: values.iter().enumerate().map(|(k, &v)| ((k + 1) as f64, v as f64)).collect(),
                width: 2.0,
                dots: true,
            };
            vec![
                line("‖∂L/∂h_k‖", palette::HELD_OUT, &e.through_time),
                line("‖∂h_T/∂h_k‖", palette::SECOND, &e.jacobian),
            ]
        })
    });
    let summary = move || {
        state.with(|s| {
            let e = s.lab.history.evaluations.last()?;
            let r = reach(e)?;
            if r == 0.0 {
                return Some(format!(
                    "At step {}: ‖∂L/∂h_1‖ = 0 — truncated backpropagation cuts the gradient {} steps before the answer.",
                    e.step, s.spec.truncate
                ));
            }
            let meaning = if s.spec.task.answers_every_step() {
                "how much of the last answer's gradient reaches the first step (here every step has an answer and a loss of its own; the view follows the last one)."
            } else if r < 1e-3 {
                "the first token gets almost none of the gradient: it cannot be learnt from."
            } else {
                "the gradient still reaches the first token."
            };
            Some(format!(
                "At step {}: ‖∂L/∂h_1‖ / ‖∂L/∂h_T‖ = {} (10^{:.1}) — {meaning}",
                e.step,
                crate::format::value(r as f64, 3),
                r.max(1e-30).log10(),
            ))
        })
    };
    let axis = move || {
        let (first, last, length) = span();
        view! {
            <span class="tick first-row">{format!("step {first}")}</span>
            <span class="tick last-row">{format!("step {last}")}</span>
            <span class="tick first-column">"k = 1 (first token)"</span>
            <span class="tick last-column">{format!("k = {length} (the answer)")}</span>
        }
    };
    view! {
        <p class="lede">
            "Backpropagation through time multiplies one Jacobian per step: "
            <span class="formula">"∂h_t/∂h_k = ∏"<sub>"i=k+1"</sub><sup>"t"</sup>" Wᵀ diag(φ′(h"<sub>"i−1"</sub>"))"</span>
            ". When those factors are below 1 the gradient vanishes exponentially with the distance t − k, and "
            "the early tokens stop being learnt from; above 1 it explodes. Gates add a path (the memory cell, "
            "or (1 − Γu) ⊙ m) whose factor can stay near 1."
        </p>
        <div class="through-time">
            <TimeMap grid=losses scale=loss_scale axis=axis.into_any() testid="rnn-tt-loss"
                bar_label="share of the last step's gradient (log scale)"
                aria="rows: evaluations as training goes on (top first); columns: time step k; colour: the norm of the loss's gradient with respect to h_k">
                "‖∂L/∂h"<sub>"k"</sub>"‖ ÷ ‖∂L/∂h"<sub>"T"</sub>"‖: how much of the gradient at the answer reaches each step"
            </TimeMap>
            <TimeMap grid=jacobians scale=jacobian_scale axis=axis.into_any() testid="rnn-tt-jacobian"
                bar_label="Frobenius norm (log scale)"
                aria="rows: evaluations as training goes on; columns: time step k; colour: the norm of the Jacobian of the last state with respect to h_k">
                "‖∂h"<sub>"T"</sub>"/∂h"<sub>"k"</sub>"‖: the product of Jacobians itself"
            </TimeMap>
        </div>
        <p class="hint" data-testid="rnn-reach">{summary}</p>
        <div class="curves">
            <LineChart series=Signal::derive(move || profile.get())
                frame=Frame::new("time step k", "k", "norm", YAxis::LogWhenPositive)
                title="Both norms at the latest evaluation" caption=true legend=true testid="rnn-tt-profile" class="curve"
                readout_testid="rnn-tt-readout" hint="Point at the chart to read the values." />
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evaluation(step: usize, through_time: Vec<f32>) -> RnnEvaluation {
        RnnEvaluation { step, loss: 1.0, accuracy: 0.5, jacobian: through_time.clone(), through_time }
    }

    #[test]
    fn rows_follow_evaluations_and_reach_compares_the_ends() {
        let evaluations: Vec<RnnEvaluation> =
            (0..300).map(|i| evaluation(i * 25, vec![1e-3, 1e-2, 1.0])).collect();
        let g = grid(&evaluations, |e| &e.through_time, false);
        let relative = grid(&evaluations[..1], |e| &e.through_time, true);
        assert_eq!(relative.values, [1e-3, 1e-2, 1.0]);
        assert_eq!((g.rows, g.columns), (MAX_ROWS, 3));
        assert_eq!(chosen(&evaluations).last().map(|e| e.step), Some(299 * 25));
        assert_eq!(reach(&evaluations[0]), Some(1e-3));
        assert_eq!(grid(&[], |e| &e.through_time, true), Grid::default());
    }
}
