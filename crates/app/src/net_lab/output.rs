//! The output column: the test and training loss now and after every epoch, and the output
//! neuron's map over the input plane with the data drawn on it (test points on request; the
//! map in two colours on request, TensorFlow Playground's "discretize").

use super::colors;
use super::state::NetSession;
use super::Actions;
use crate::widgets::line_chart::{Frame, LineChart, Series, YAxis};
use contract::net::protocol::Sample;
use leptos::html::Canvas;
use crate::widgets::palette;
use leptos::prelude::*;

/// The output map's side on the page (CSS pixels); the engine samples it on an 80 × 80 grid.
/// With its tick labels it fits the 320-pixel output column.
pub const SIDE: f64 = 280.0;
const TRAIN_COLOUR: &str = "#8a94a6";
const TEST_COLOUR: &str = palette::INK;

/// Where a point of the plane [−domain, domain]² is drawn.
pub fn place(x1: f32, x2: f32, domain: f32) -> (f64, f64) {
    let d = domain as f64;
    (
        (x1 as f64 + d) / (2.0 * d) * SIDE,
        (d - x2 as f64) / (2.0 * d) * SIDE,
    )
}

/// The index of the sample nearest to (x₁, x₂).
pub fn nearest(samples: &[Sample], x1: f32, x2: f32) -> Option<usize> {
    samples
        .iter()
        .map(|p| (p.0 - x1).powi(2) + (p.1 - x2).powi(2))
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

fn loss_series(s: &NetSession) -> Vec<Series> {
    let line = |label: &str, colour, value: fn(&contract::net::protocol::EpochLoss) -> f32| Series {
        label: label.into(),
        colour,
        points: s
            .lab
            .curve
            .iter()
            .map(|c| (c.epoch as f64, value(c) as f64))
            .collect(),
        width: 2.0,
        dots: false,
    };
    vec![
        line("training", TRAIN_COLOUR, |c| c.train),
        line("test", TEST_COLOUR, |c| c.test),
    ]
}

#[component]
pub fn Output(
    state: ReadSignal<NetSession>,
    actions: Actions,
    /// A click on the map, at this point of the plane (x₁, x₂).
    on_plane: Callback<(f32, f32)>,
) -> impl IntoView {
    let version = Memo::new(move |_| state.with(|s| (s.run, s.lab.frames)));
    let discrete = Memo::new(move |_| state.with(|s| s.spec.discretize));
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        // `get`, not `track`: a memo read only by `track` is never recomputed, so never changes.
        let _ = version.get();
        let discrete = discrete.get();
        if let Some(canvas) = canvas.get() {
            state.with_untracked(|s| {
                if let Some(frame) = &s.lab.frame {
                    colors::paint(&canvas, &frame.output_map, discrete);
                }
            });
        }
    });
    // The points change with the data and the choice of test points, not with every frame.
    let data_key = Memo::new(move |_| state.with(|s| (s.run, s.lab.data.is_some(), s.spec.show_test)));
    let points = Memo::new(move |_| {
        let _ = data_key.get();
        state.with_untracked(|s| {
            let Some(data) = &s.lab.data else {
                return Vec::new();
            };
            let dot = |p: &Sample, test: bool| {
                let (x, y) = place(p.0, p.1, data.domain);
                (x, y, colors::css(p.2), test)
            };
            let mut dots: Vec<_> = data.train.iter().map(|p| dot(p, false)).collect();
            if s.spec.show_test {
                dots.extend(data.test.iter().map(|p| dot(p, true)));
            }
            dots
        })
    });
    let pick = move |ev: web_sys::MouseEvent| {
        // Where on the map, from the map's own box (the click may land on a point's circle).
        let Some(svg) = ev
            .current_target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
        else {
            return;
        };
        let rect = svg.get_bounding_client_rect();
        let (sx, sy) = (ev.client_x() as f64 - rect.left(), ev.client_y() as f64 - rect.top());
        let d = contract::net::DOMAIN as f64;
        on_plane.run(((sx / SIDE * 2.0 * d - d) as f32, (d - sy / SIDE * 2.0 * d) as f32));
    };
    let chosen = move || {
        state.with(|s| {
            let data = s.lab.data.as_ref()?;
            let p = data.train.get(s.lab.explain_point?)?;
            Some(place(p.0, p.1, data.domain))
        })
    };
    let loss = move |test: bool| {
        state.with(|s| {
            s.lab
                .latest()
                .map(|c| if test { c.test } else { c.train })
        })
    };
    let shown = |v: Option<f32>| v.map_or("—".to_string(), |v| crate::format::value(v as f64, 3));
    let series = Signal::derive(move || state.with(loss_series));
    let frame = Signal::derive(move || Frame {
        width: SIDE,
        height: 170.0,
        x_span: Some(10.0),
        ..Frame::new("epoch", "epoch", "loss", YAxis::LogWhenPositive)
    });
    let regression = move || state.with(|s| s.spec.dataset.is_regression());
    let ticks = [-6.0f32, -3.0, 0.0, 3.0, 6.0];
    view! {
        <div class="output-column">
            <dl class="losses">
                <div><dt>"Test loss"</dt>
                    <dd data-testid="net-test-loss" data-value=move || loss(true).map(|v| v.to_string()).unwrap_or_default()>{move || shown(loss(true))}</dd></div>
                <div><dt>"Training loss"</dt>
                    <dd data-testid="net-train-loss" data-value=move || loss(false).map(|v| v.to_string()).unwrap_or_default()>{move || shown(loss(false))}</dd></div>
            </dl>
            <LineChart series=series frame=frame title="Loss after every epoch (½ squared error, mean over the set)"
                caption=true testid="net-loss-chart" readout_testid="net-loss-readout"
                hint="Point at the chart to read both losses at an epoch." class="curve net-curve" />
            <p class="legend">
                <span class="swatch" style=format!("background:{TRAIN_COLOUR}")></span>" training points  "
                <span class="swatch" style=format!("background:{TEST_COLOUR}")></span>" test points"
            </p>
            <div class="output-map" style=format!("width:{SIDE}px;height:{SIDE}px")>
                <canvas node_ref=canvas data-testid="output-map" width="1" height="1"
                    style=format!("width:{SIDE}px;height:{SIDE}px")></canvas>
                <svg class="points" width=SIDE height=SIDE viewBox=format!("0 0 {SIDE} {SIDE}") role="img"
                    aria-label="the data: each point coloured by its label; test points outlined in black"
                    data-testid="output-points" on:click=pick>
                    // Redrawn whole when the data or the choice of points changes (not per frame).
                    {move || points.get().into_iter().map(|(x, y, fill, test)| view! {
                        <circle cx=x cy=y r="3.2" fill=fill stroke=if test { "#000" } else { "#fff" } stroke-width="1" />
                    }).collect_view()}
                    {move || chosen().map(|(x, y)| view! { <circle class="chosen" cx=x cy=y r="7" data-testid="chosen-point" /> })}
                </svg>
                {ticks.iter().map(|&t| {
                    let (x, _) = place(t, 0.0, contract::net::DOMAIN);
                    let (_, y) = place(0.0, t, contract::net::DOMAIN);
                    view! {
                        <span class="tick x" style=format!("left:{x}px")>{format!("{t}")}</span>
                        <span class="tick y" style=format!("top:{y}px")>{format!("{t}")}</span>
                    }
                }).collect::<Vec<_>>()}
                <span class="axis-name x">"x₁"</span>
                <span class="axis-name y">"x₂"</span>
            </div>
            <div class="colour-bar" aria-hidden="true">
                <span>"−1"</span><div class="bar"></div><span>"+1"</span>
            </div>
            <p class="hint">
                {move || if regression() {
                    "Colour: the network's output over the plane; the points' colour is their label (a value from −1 to +1)."
                } else {
                    "Colour: the network's output over the plane (tanh, −1 to +1); the points' colour is their class: orange −1, blue +1."
                }}
            </p>
            {actions.check(state, "field checkbox", "show-test", " Show test data", |s| s.show_test, |s, on| s.show_test = on)}
            {actions.check(state, "field checkbox", "discretize", " Discretize output (its sign only)", |s| s.discretize, |s, on| s.discretize = on)}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plane_maps_onto_the_square_with_x2_up() {
        assert_eq!(place(-6.0, 6.0, 6.0), (0.0, 0.0));
        assert_eq!(place(6.0, -6.0, 6.0), (SIDE, SIDE));
        assert_eq!(place(0.0, 0.0, 6.0), (SIDE / 2.0, SIDE / 2.0));
        let samples = [Sample(0.0, 0.0, 1.0), Sample(3.0, 3.0, -1.0), Sample(-3.0, 2.0, 1.0)];
        assert_eq!(nearest(&samples, 2.0, 2.5), Some(1));
        assert_eq!(nearest(&[], 2.0, 2.5), None);
    }
}
