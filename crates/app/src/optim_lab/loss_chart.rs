//! Loss against step for every path: log scale when every loss is positive, linear otherwise
//! (the saddle goes below zero).

use super::colors;
use super::state::LabState;
use crate::widgets::axis::nice_ticks;
use leptos::prelude::*;

const W: f64 = 640.0;
const H: f64 = 240.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 40.0;
/// Points per series drawn at most (long runs are thinned evenly; the last point is kept).
const MAX_POINTS: usize = 600;

#[component]
pub fn LossChart(state: RwSignal<LabState>) -> impl IntoView {
    // The step under the pointer, for the value readout below the chart.
    let hover = RwSignal::new(None::<usize>);
    let track = move |ev: web_sys::MouseEvent| {
        let Some(svg) = ev
            .current_target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
        else {
            return;
        };
        let x = ev.offset_x() as f64 * W / (svg.client_width().max(1) as f64);
        let steps = state.with_untracked(|s| {
            s.paths
                .iter()
                .map(|p| p.losses.len())
                .max()
                .unwrap_or(1)
                .max(2)
                - 1
        });
        let k = ((x - LEFT) / (W - LEFT - RIGHT) * steps as f64).round();
        hover.set((0.0..=steps as f64).contains(&k).then_some(k as usize));
    };
    let readout = move || {
        let k = hover.get()?;
        let values = state.with(|s| {
            s.paths
                .iter()
                .map(|p| {
                    let v = p
                        .losses
                        .get(k)
                        .copied()
                        .flatten()
                        .map_or("—".to_string(), |v| format!("{v:.4e}"));
                    format!("{} {v}", colors::label(p.optimizer))
                })
                .collect::<Vec<_>>()
                .join(" · ")
        });
        Some(format!("step {k}: {values}"))
    };
    let chart = move || {
        state.with(|s| {
            let all: Vec<f32> = s
                .paths
                .iter()
                .flat_map(|p| p.losses.iter().flatten().copied())
                .collect();
            if all.is_empty() {
                return None;
            }
            let log = all.iter().all(|&v| v > 0.0);
            let f = |v: f32| if log { (v as f64).log10() } else { v as f64 };
            let lo = all.iter().map(|&v| f(v)).fold(f64::INFINITY, f64::min);
            let hi = all.iter().map(|&v| f(v)).fold(f64::NEG_INFINITY, f64::max);
            let (lo, hi) = if hi - lo < 1e-9 {
                (lo - 1.0, hi + 1.0)
            } else {
                (lo, hi)
            };
            let steps = s
                .paths
                .iter()
                .map(|p| p.losses.len())
                .max()
                .unwrap_or(1)
                .max(2)
                - 1;
            let px = |i: usize| LEFT + (W - LEFT - RIGHT) * i as f64 / steps as f64;
            let py = |v: f64| TOP + (H - TOP - BOTTOM) * (1.0 - (v - lo) / (hi - lo));
            let series: Vec<(String, &'static str)> = s
                .paths
                .iter()
                .map(|p| {
                    let stride = (p.losses.len() / MAX_POINTS).max(1);
                    let mut d = String::new();
                    for (i, loss) in p.losses.iter().enumerate() {
                        if i % stride != 0 && i + 1 != p.losses.len() {
                            continue;
                        }
                        if let Some(v) = loss {
                            let cmd = if d.is_empty() { 'M' } else { 'L' };
                            d.push_str(&format!("{cmd}{:.1},{:.1} ", px(i), py(f(*v))));
                        }
                    }
                    (d, colors::of(p.optimizer))
                })
                .collect();
            let y_ticks: Vec<(f64, String)> = if log {
                (lo.floor() as i32..=hi.ceil() as i32)
                    .filter(|e| (*e as f64) >= lo - 1e-9 && (*e as f64) <= hi + 1e-9)
                    .map(|e| (py(e as f64), format!("1e{e}")))
                    .collect()
            } else {
                let step = nice_ticks(hi - lo, 5).get(1).copied().unwrap_or(1.0);
                let first = (lo / step).ceil() as i64;
                (first..)
                    .map(|i| i as f64 * step)
                    .take_while(|&t| t <= hi)
                    .map(|t| (py(t), crate::format::tick(t)))
                    .collect()
            };
            let x_ticks: Vec<(f64, String)> = nice_ticks(steps as f64, 6)
                .into_iter()
                .filter(|&t| t <= steps as f64)
                .map(|t| (px(t as usize), crate::format::tick(t)))
                .collect();
            let legend: Vec<(&'static str, &'static str)> = s
                .paths
                .iter()
                .map(|p| (colors::label(p.optimizer), colors::of(p.optimizer)))
                .collect();
            Some((series, y_ticks, x_ticks, log, legend))
        })
    };
    view! {
        <figure class="loss-chart" data-testid="loss-chart">
            {move || {
                chart()
                    .map(|(series, y_ticks, x_ticks, log, legend)| {
                        view! {
                            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label="Loss against step for every optimizer"
                                on:mousemove=track on:mouseleave=move |_| hover.set(None)>
                                {y_ticks
                                    .into_iter()
                                    .map(|(y, label)| {
                                        view! {
                                            <line class="grid" x1=LEFT x2=W - RIGHT y1=y y2=y />
                                            <text class="tick" x=LEFT - 6.0 y=y + 4.0 text-anchor="end">{label}</text>
                                        }
                                    })
                                    .collect::<Vec<_>>()}
                                {x_ticks
                                    .into_iter()
                                    .map(|(x, label)| {
                                        view! { <text class="tick" x=x y=H - BOTTOM + 16.0 text-anchor="middle">{label}</text> }
                                    })
                                    .collect::<Vec<_>>()}
                                <line class="axis" x1=LEFT x2=W - RIGHT y1=H - BOTTOM y2=H - BOTTOM />
                                <line class="axis" x1=LEFT x2=LEFT y1=TOP y2=H - BOTTOM />
                                {series
                                    .into_iter()
                                    .map(|(d, colour)| view! { <path d=d fill="none" stroke=colour stroke-width="2" class="series" /> })
                                    .collect::<Vec<_>>()}
                                {legend
                                    .into_iter()
                                    .enumerate()
                                    .map(|(i, (name, colour))| {
                                        let x = W - RIGHT - 110.0 * (i as f64 + 1.0);
                                        view! {
                                            <line x1=x x2=x + 18.0 y1=12.0 y2=12.0 stroke=colour stroke-width="3" />
                                            <text class="legend" x=x + 22.0 y=16.0>{name}</text>
                                        }
                                    })
                                    .collect::<Vec<_>>()}
                                <text class="axis-title" x=(LEFT + W) / 2.0 y=H - 6.0 text-anchor="middle">"step k"</text>
                                <text class="axis-title" x=LEFT y=16.0>
                                    {if log { "loss (log scale)" } else { "loss" }}
                                </text>
                            </svg>
                        }
                    })
            }}
            <figcaption class="readout" data-testid="chart-readout">
                {move || readout().unwrap_or_else(|| "Point at the chart to read every loss at that step.".to_string())}
            </figcaption>
        </figure>
    }
}
