//! Learning curves: loss and accuracy against epochs, the training batches' (averaged into at
//! most a few hundred points) next to the test split's evaluations.

use super::state::CnnState;
use crate::widgets::axis::nice_ticks;
use leptos::prelude::*;

const W: f64 = 440.0;
const H: f64 = 220.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 10.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 36.0;
/// Training points drawn at most (buckets averaged).
const MAX_POINTS: usize = 300;
const TRAIN_COLOUR: &str = "#9aa6c9";
const TEST_COLOUR: &str = "#e07a2d";

/// Averages `points` into at most `max` buckets of consecutive points.
pub fn decimate(points: &[(f64, f64)], max: usize) -> Vec<(f64, f64)> {
    if points.len() <= max || max == 0 {
        return points.to_vec();
    }
    let size = points.len().div_ceil(max);
    points
        .chunks(size)
        .map(|c| {
            let n = c.len() as f64;
            (
                c.iter().map(|p| p.0).sum::<f64>() / n,
                c.iter().map(|p| p.1).sum::<f64>() / n,
            )
        })
        .collect()
}

fn path(points: &[(f64, f64)], px: impl Fn(f64) -> f64, py: impl Fn(f64) -> f64) -> String {
    points
        .iter()
        .filter(|p| p.1.is_finite())
        .enumerate()
        .map(|(i, &(x, y))| {
            format!(
                "{}{:.1},{:.1}",
                if i == 0 { "M" } else { "L" },
                px(x),
                py(y)
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[allow(clippy::too_many_arguments)]
fn chart(
    title: &'static str,
    testid: &'static str,
    epochs: f64,
    y_max: f64,
    y_label: &'static str,
    percent: bool,
    train: Vec<(f64, f64)>,
    test: Vec<(f64, f64)>,
) -> impl IntoView {
    let px = move |x: f64| LEFT + (W - LEFT - RIGHT) * x / epochs.max(1e-9);
    let py = move |y: f64| TOP + (H - TOP - BOTTOM) * (1.0 - (y / y_max).clamp(0.0, 1.05));
    let y_ticks = nice_ticks(y_max, 4);
    let x_ticks = nice_ticks(epochs, 6.min(epochs.ceil() as usize).max(1));
    let train_path = path(&train, px, py);
    let test_path = path(&test, px, py);
    view! {
        <figure class="curve" data-testid=testid>
            <figcaption>{title}</figcaption>
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=title>
                {y_ticks.into_iter().filter(|t| *t <= y_max * 1.001).map(|t| view! {
                    <line class="grid" x1=LEFT x2=W - RIGHT y1=py(t) y2=py(t) />
                    <text class="tick" x=LEFT - 6.0 y=py(t) + 4.0 text-anchor="end">
                        {if percent { format!("{:.0}%", t * 100.0) } else { crate::format::tick(t) }}
                    </text>
                }).collect::<Vec<_>>()}
                {x_ticks.into_iter().filter(|t| *t <= epochs * 1.001).map(|t| view! {
                    <text class="tick" x=px(t) y=H - BOTTOM + 16.0 text-anchor="middle">{crate::format::tick(t)}</text>
                }).collect::<Vec<_>>()}
                <line class="axis" x1=LEFT x2=W - RIGHT y1=H - BOTTOM y2=H - BOTTOM />
                <line class="axis" x1=LEFT x2=LEFT y1=TOP y2=H - BOTTOM />
                <text class="axis-label" x=(LEFT + W - RIGHT) / 2.0 y=H - 4.0 text-anchor="middle">"epoch (passes over the 8,000 training digits)"</text>
                <text class="axis-label" x=12.0 y=(TOP + H - BOTTOM) / 2.0 text-anchor="middle"
                    transform=format!("rotate(-90 12 {})", (TOP + H - BOTTOM) / 2.0)>{y_label}</text>
                <path d=train_path fill="none" stroke=TRAIN_COLOUR stroke-width="1.5" />
                <path d=test_path.clone() fill="none" stroke=TEST_COLOUR stroke-width="2" />
                {test.iter().map(|&(x, y)| view! { <circle cx=px(x) cy=py(y) r="3" fill=TEST_COLOUR /> }).collect::<Vec<_>>()}
            </svg>
        </figure>
    }
}

#[component]
pub fn Curves(state: RwSignal<CnnState>) -> impl IntoView {
    move || {
        state.with(|s| {
            let per_epoch = s.spec.steps_per_epoch().max(1) as f64;
            let epochs = s.spec.epochs as f64;
            let at = |step: usize| step as f64 / per_epoch;
            let train_loss = decimate(
                &s.train.iter().map(|p| (at(p.step), p.loss as f64)).collect::<Vec<_>>(),
                MAX_POINTS,
            );
            let train_acc = decimate(
                &s.train.iter().map(|p| (at(p.step), p.accuracy as f64)).collect::<Vec<_>>(),
                MAX_POINTS,
            );
            let test_loss: Vec<(f64, f64)> =
                s.evaluations.iter().map(|e| (at(e.step), e.loss as f64)).collect();
            let test_acc: Vec<(f64, f64)> =
                s.evaluations.iter().map(|e| (at(e.step), e.accuracy as f64)).collect();
            let loss_max = train_loss
                .iter()
                .chain(&test_loss)
                .map(|p| p.1)
                .filter(|v| v.is_finite())
                .fold(0.5f64, f64::max)
                .min(5.0);
            // Every evaluation exactly, for a reader that compares runs (step:loss:accuracy).
            let exact = s
                .evaluations
                .iter()
                .map(|e| format!("{}:{}:{}", e.step, e.loss, e.accuracy))
                .collect::<Vec<_>>()
                .join(",");
            view! {
                <div class="curves" data-testid="curves" data-evaluations=exact>
                    {chart("Cross-entropy loss", "loss-curve", epochs, loss_max, "loss", false, train_loss, test_loss)}
                    {chart("Accuracy", "accuracy-curve", epochs, 1.0, "accuracy", true, train_acc, test_acc)}
                </div>
                <p class="legend">
                    <span class="swatch" style=format!("background:{TRAIN_COLOUR}")></span>" training batches (averaged)  "
                    <span class="swatch" style=format!("background:{TEST_COLOUR}")></span>" the 2,000 test digits, evaluated every 4,000 training digits"
                </p>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimation_averages_consecutive_buckets() {
        let points: Vec<(f64, f64)> = (0..10).map(|i| (i as f64, i as f64 * 2.0)).collect();
        assert_eq!(decimate(&points, 20), points);
        assert_eq!(
            decimate(&points, 5),
            vec![(0.5, 1.0), (2.5, 5.0), (4.5, 9.0), (6.5, 13.0), (8.5, 17.0)]
        );
    }
}
