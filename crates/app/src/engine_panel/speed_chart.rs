//! One measurement as two horizontal bars on a GFLOP/s axis, with the speed-up between them.

use crate::format;
use crate::widgets::axis::nice_ticks;
use contract::diagnostics::MatmulBench;
use leptos::prelude::*;

const WIDTH: f64 = 640.0;
const LABEL_W: f64 = 110.0;
const RIGHT_PAD: f64 = 70.0;
const BAR_H: f64 = 26.0;
const TOP: f64 = 10.0;
const AXIS_Y: f64 = TOP + 2.0 * (BAR_H + 12.0) + 4.0;
const HEIGHT: f64 = AXIS_Y + 40.0;

#[component]
pub fn SpeedChart(bench: MatmulBench) -> impl IntoView {
    let one = bench.gflops_one_thread();
    let all = bench.gflops_all_threads();
    let ticks = nice_ticks(one.max(all), 5);
    let top = ticks.last().copied().unwrap_or(1.0);
    let plot_w = WIDTH - LABEL_W - RIGHT_PAD;
    let x = move |v: f64| LABEL_W + plot_w * (v / top).clamp(0.0, 1.0);
    // The single-threaded build's pool is that one thread: say so rather than "1 threads".
    let pool = match bench.threads {
        1 => "the whole pool (1 thread)".to_string(),
        t => format!("{t} threads"),
    };
    let bars = [
        ("1 thread".to_string(), one, "bar one"),
        (pool.replace("the whole ", ""), all, "bar all"),
    ];
    let summary = format!(
        "{n}×{n}: {one} GFLOP/s on 1 thread, {all} GFLOP/s on {pool} (speed-up {s})",
        n = bench.n,
        one = format::gflops(one),
        all = format::gflops(all),
        s = format::speedup(bench.speedup()),
    );
    view! {
        <figure class="speed-chart" data-testid="speed-chart">
            <figcaption data-testid="summary">{summary.clone()}</figcaption>
            <svg
                viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                role="img"
                aria-label=summary
            >
                {ticks
                    .iter()
                    .map(|&t| {
                        view! {
                            <line class="grid" x1=x(t) x2=x(t) y1=TOP - 4.0 y2=AXIS_Y />
                            <text class="tick" x=x(t) y=AXIS_Y + 16.0 text-anchor="middle">
                                {format::tick(t)}
                            </text>
                        }
                    })
                    .collect::<Vec<_>>()}
                {bars
                    .into_iter()
                    .enumerate()
                    .map(|(i, (label, value, class))| {
                        let y = TOP + i as f64 * (BAR_H + 12.0);
                        view! {
                            <text class="bar-label" x=LABEL_W - 10.0 y=y + BAR_H * 0.68 text-anchor="end">
                                {label}
                            </text>
                            <rect class=class x=LABEL_W y=y width=x(value) - LABEL_W height=BAR_H rx="3" />
                            <text class="bar-value" x=x(value) + 6.0 y=y + BAR_H * 0.68>
                                {format::gflops(value)}
                            </text>
                        }
                    })
                    .collect::<Vec<_>>()}
                <line class="axis" x1=LABEL_W x2=LABEL_W + plot_w y1=AXIS_Y y2=AXIS_Y />
                <text class="axis-title" x=LABEL_W + plot_w / 2.0 y=AXIS_Y + 34.0 text-anchor="middle">
                    "GFLOP/s (billions of floating-point operations per second; longer is faster)"
                </text>
            </svg>
        </figure>
    }
}
