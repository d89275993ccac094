//! The one line chart every lab draws with: series of (x, y) points over labelled axes, a
//! legend, a linear or (when every value is positive, if asked) logarithmic y axis, and a
//! readout of every series' value under the pointer. The arithmetic ([`layout`]) is plain
//! Rust, tested natively; the component only draws it.

use crate::widgets::axis::nice_ticks;
use leptos::prelude::*;

/// Points drawn per series at most (long series are thinned evenly; the last point is kept).
pub const MAX_POINTS: usize = 600;

#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub label: String,
    pub colour: &'static str,
    /// Non-finite values are left out (the line joins the points around them).
    pub points: Vec<(f64, f64)>,
    pub width: f64,
    /// A dot on every point (sparse series: evaluations).
    pub dots: bool,
}

/// How many points a per-batch curve keeps: its batches are averaged down to this many, so
/// that a long run's noise does not hide its trend.
pub const BATCH_POINTS: usize = 300;

impl Series {
    /// A value measured at every training batch (loss, accuracy, a gradient norm): averaged
    /// down to [`BATCH_POINTS`], drawn thin and without dots.
    pub fn per_batch(
        label: &str,
        colour: &'static str,
        points: impl Iterator<Item = (f64, f64)>,
    ) -> Series {
        let points: Vec<(f64, f64)> = points.collect();
        Series {
            label: label.into(),
            colour,
            points: decimate(&points, BATCH_POINTS),
            width: 1.5,
            dots: false,
        }
    }

    /// Evaluations (on held-out data, every so many steps): sparse, drawn thicker with a dot
    /// at each.
    pub fn evaluated(
        label: &str,
        colour: &'static str,
        points: impl Iterator<Item = (f64, f64)>,
    ) -> Series {
        Series {
            label: label.into(),
            colour,
            points: points.collect(),
            width: 2.0,
            dots: true,
        }
    }
}

/// How the y axis is scaled and its values written.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum YAxis {
    /// From the data; logarithmic when every value is positive (losses that fall by decades).
    LogWhenPositive,
    /// From 0 to `max`, values written as numbers.
    Upto(f64),
    /// From 0 to 1, values written as percentages.
    Fraction,
}

/// What the chart is, for people: its labels and size (SVG units).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame {
    pub width: f64,
    pub height: f64,
    pub x_label: &'static str,
    pub y_label: &'static str,
    /// The x axis spans at least 0..x_span (a run's whole length before it has run).
    pub x_span: Option<f64>,
    /// Where the x axis starts (none: at 0), so a chart over sentence lengths 5 to 17 does
    /// not draw an empty 0 to 5; data further left still shows.
    pub x_from: Option<f64>,
    pub y_axis: YAxis,
    /// The readout names x with this (e.g. "step"); x is rounded to a whole number when true.
    pub x_name: &'static str,
    pub x_whole: bool,
}

/// The size every lab's charts are drawn at (the SVG scales to its box).
pub const CHART_WIDTH: f64 = 440.0;
pub const CHART_HEIGHT: f64 = 240.0;

impl Frame {
    /// A chart of the usual size, x labelled `x_label` and named `x_name` in the readout
    /// (a whole number), y labelled `y_label` on `y_axis`; change a field with `..`.
    pub const fn new(
        x_label: &'static str,
        x_name: &'static str,
        y_label: &'static str,
        y_axis: YAxis,
    ) -> Frame {
        Frame {
            width: CHART_WIDTH,
            height: CHART_HEIGHT,
            x_label,
            y_label,
            x_span: None,
            x_from: None,
            y_axis,
            x_name,
            x_whole: true,
        }
    }

    /// A chart over a run's training steps, spanning all `steps` before they are taken.
    pub const fn over_steps(y_label: &'static str, y_axis: YAxis, steps: f64) -> Frame {
        Frame {
            x_span: Some(steps),
            ..Frame::new("training step", "step", y_label, y_axis)
        }
    }
}

const LEFT: f64 = 64.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 40.0;

/// Everything the component draws, in SVG coordinates.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub lines: Vec<(String, &'static str, f64)>,
    pub dots: Vec<(f64, f64, &'static str)>,
    pub x_ticks: Vec<(f64, String)>,
    pub y_ticks: Vec<(f64, String)>,
    pub log: bool,
    /// The x range drawn, for the pointer.
    pub x_range: (f64, f64),
}

/// Every `stride`-th point and the last, so a long series keeps its shape and its end.
pub fn thin(points: &[(f64, f64)], max: usize) -> Vec<(f64, f64)> {
    let stride = points.len().div_ceil(max.max(1)).max(1);
    points
        .iter()
        .enumerate()
        .filter(|(i, _)| i % stride == 0 || i + 1 == points.len())
        .map(|(_, p)| *p)
        .collect()
}

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

/// Scales, ticks and paths for `series` in `frame`; `None` until there is a finite point.
pub fn layout(series: &[Series], frame: &Frame) -> Option<Layout> {
    let finite: Vec<(f64, f64)> = series
        .iter()
        .flat_map(|s| s.points.iter().copied())
        .filter(|p| p.0.is_finite() && p.1.is_finite())
        .collect();
    if finite.is_empty() {
        return None;
    }
    let log = frame.y_axis == YAxis::LogWhenPositive && finite.iter().all(|p| p.1 > 0.0);
    let f = |v: f64| if log { v.log10() } else { v };
    let (lo, hi) = match frame.y_axis {
        YAxis::LogWhenPositive => {
            let lo = finite.iter().map(|p| f(p.1)).fold(f64::INFINITY, f64::min);
            let hi = finite
                .iter()
                .map(|p| f(p.1))
                .fold(f64::NEG_INFINITY, f64::max);
            if hi - lo < 1e-9 {
                (lo - 1.0, hi + 1.0)
            } else {
                (lo, hi)
            }
        }
        YAxis::Upto(max) => (0.0, max.max(1e-9)),
        YAxis::Fraction => (0.0, 1.0),
    };
    let x_lo = frame
        .x_from
        .map_or(0.0, |from| finite.iter().map(|p| p.0).fold(from, f64::min));
    let x_hi = finite
        .iter()
        .map(|p| p.0)
        .fold(frame.x_span.unwrap_or(0.0), f64::max)
        .max(x_lo + 1e-9);
    let (w, h) = (frame.width, frame.height);
    let px = |x: f64| LEFT + (w - LEFT - RIGHT) * (x - x_lo) / (x_hi - x_lo);
    // Values beyond a fixed axis are drawn at its edge (a loss spike must not leave the chart).
    let py = |v: f64| TOP + (h - TOP - BOTTOM) * (1.0 - ((f(v) - lo) / (hi - lo)).clamp(0.0, 1.05));
    let py_scaled = |t: f64| TOP + (h - TOP - BOTTOM) * (1.0 - (t - lo) / (hi - lo));
    let mut lines = Vec::new();
    let mut dots = Vec::new();
    for s in series {
        let drawn: Vec<(f64, f64)> = thin(&s.points, MAX_POINTS)
            .into_iter()
            .filter(|p| p.0.is_finite() && p.1.is_finite() && (!log || p.1 > 0.0))
            .collect();
        let d = drawn
            .iter()
            .enumerate()
            .map(|(i, &(x, y))| {
                let cmd = if i == 0 { 'M' } else { 'L' };
                format!("{cmd}{:.1},{:.1}", px(x), py(y))
            })
            .collect::<Vec<_>>()
            .join(" ");
        lines.push((d, s.colour, s.width));
        if s.dots {
            dots.extend(drawn.iter().map(|&(x, y)| (px(x), py(y), s.colour)));
        }
    }
    let y_ticks = if log {
        (lo.floor() as i32..=hi.ceil() as i32)
            .filter(|e| (*e as f64) >= lo - 1e-9 && (*e as f64) <= hi + 1e-9)
            .map(|e| (py_scaled(e as f64), format!("1e{e}")))
            .collect()
    } else {
        let step = nice_ticks(hi - lo, 5).get(1).copied().unwrap_or(1.0);
        let first = (lo / step).ceil() as i64;
        (first..)
            .map(|i| i as f64 * step)
            .take_while(|&t| t <= hi * 1.001)
            .map(|t| {
                let label = match frame.y_axis {
                    YAxis::Fraction => format!("{:.0}%", t * 100.0),
                    _ => crate::format::tick(t),
                };
                (py_scaled(t), label)
            })
            .collect()
    };
    // Multiples of a round step within the axis (from 0 when it starts there).
    let x_step = nice_ticks(x_hi - x_lo, 6).get(1).copied().unwrap_or(1.0);
    let x_ticks = ((x_lo / x_step).ceil() as i64..)
        .map(|i| i as f64 * x_step)
        .take_while(|&t| t <= x_hi + (x_hi - x_lo) * 0.001)
        .map(|t| (px(t), crate::format::tick(t)))
        .collect();
    Some(Layout {
        lines,
        dots,
        x_ticks,
        y_ticks,
        log,
        x_range: (x_lo, x_hi),
    })
}

/// Every series' value at `x`: the point nearest to it, if it is within half the series'
/// spacing (past a series' end it has no value).
pub fn readout(series: &[Series], frame: &Frame, x: f64) -> String {
    let x = if frame.x_whole { x.round() } else { x };
    let values = series
        .iter()
        .map(|s| {
            let spacing = match (s.points.first(), s.points.last()) {
                (Some(a), Some(b)) if s.points.len() > 1 => {
                    (b.0 - a.0) / (s.points.len() - 1) as f64
                }
                _ => 1.0,
            };
            let nearest = s
                .points
                .iter()
                .filter(|p| p.1.is_finite())
                .min_by(|a, b| (a.0 - x).abs().total_cmp(&(b.0 - x).abs()))
                .filter(|p| (p.0 - x).abs() <= spacing / 2.0 + 1e-9);
            let value = nearest.map_or("—".to_string(), |p| match frame.y_axis {
                YAxis::Fraction => format!("{:.1}%", p.1 * 100.0),
                _ => format!("{:.4e}", p.1),
            });
            format!("{} {value}", s.label)
        })
        .collect::<Vec<_>>()
        .join(" · ");
    let at = if frame.x_whole {
        format!("{x:.0}")
    } else {
        format!("{x:.2}")
    };
    format!("{} {at}: {values}", frame.x_name)
}

#[component]
pub fn LineChart(
    series: Signal<Vec<Series>>,
    #[prop(into)] frame: Signal<Frame>,
    /// Names the chart for screen readers (and the figure's caption when given).
    title: &'static str,
    #[prop(optional)] caption: bool,
    /// A legend above the chart (off when the page writes its own).
    #[prop(optional)]
    legend: bool,
    #[prop(optional)] testid: &'static str,
    /// The readout's test id (unique on the page: every lab stays mounted).
    #[prop(optional)]
    readout_testid: &'static str,
    /// What the readout says while nothing is pointed at.
    #[prop(optional)]
    hint: &'static str,
    #[prop(optional)] class: &'static str,
) -> impl IntoView {
    let hover = RwSignal::new(None::<f64>);
    let chart = Memo::new(move |_| frame.with(|f| series.with(|s| layout(s, f))));
    let track = move |ev: web_sys::MouseEvent| {
        let Some(svg) = ev
            .current_target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
        else {
            return;
        };
        let Some((x0, x1)) = chart.with_untracked(|c| c.as_ref().map(|c| c.x_range)) else {
            return;
        };
        let w = frame.with_untracked(|f| f.width);
        let sx = ev.offset_x() as f64 * w / (svg.client_width().max(1) as f64);
        let x = x0 + (sx - LEFT) / (w - LEFT - RIGHT) * (x1 - x0);
        hover.set((x0..=x1).contains(&x).then_some(x));
    };
    let text = move || match hover.get() {
        Some(x) => frame.with(|f| series.with(|s| readout(s, f, x))),
        None => hint.to_string(),
    };
    let svg = move || {
        let frame = frame.get();
        let (w, h) = (frame.width, frame.height);
        chart.get().map(|c| {
            view! {
                <svg viewBox=format!("0 0 {w} {h}") role="img" aria-label=title
                    on:mousemove=track on:mouseleave=move |_| hover.set(None)>
                    {c.y_ticks.into_iter().map(|(y, label)| view! {
                        <line class="grid" x1=LEFT x2=w - RIGHT y1=y y2=y />
                        <text class="tick" x=LEFT - 6.0 y=y + 4.0 text-anchor="end">{label}</text>
                    }).collect::<Vec<_>>()}
                    {c.x_ticks.into_iter().map(|(x, label)| view! {
                        <text class="tick" x=x y=h - BOTTOM + 16.0 text-anchor="middle">{label}</text>
                    }).collect::<Vec<_>>()}
                    <line class="axis" x1=LEFT x2=w - RIGHT y1=h - BOTTOM y2=h - BOTTOM />
                    <line class="axis" x1=LEFT x2=LEFT y1=TOP y2=h - BOTTOM />
                    {c.lines.into_iter().map(|(d, colour, width)| view! {
                        <path d=d fill="none" stroke=colour stroke-width=width class="series" />
                    }).collect::<Vec<_>>()}
                    {c.dots.into_iter().map(|(x, y, colour)| view! { <circle cx=x cy=y r="3" fill=colour /> }).collect::<Vec<_>>()}
                    <text class="axis-title" x=(LEFT + w) / 2.0 y=h - 6.0 text-anchor="middle">{frame.x_label}</text>
                    <text class="axis-title" x=LEFT y=16.0>
                        {if c.log { format!("{} (log scale)", frame.y_label) } else { frame.y_label.to_string() }}
                    </text>
                </svg>
            }
        })
    };
    // Above the plot, in the page's flow: however many series, it never covers the axis title.
    let legend_row = move || {
        legend.then(|| {
            series.with(|s| {
                s.iter()
                    .map(|s| view! {
                        <span class="legend-item"><span class="swatch" style=format!("background:{}", s.colour)></span>{s.label.clone()}</span>
                    })
                    .collect::<Vec<_>>()
            })
        })
    };
    view! {
        <figure class=format!("line-chart {class}") data-testid=testid>
            {caption.then(|| view! { <div class="chart-title">{title}</div> })}
            <div class="chart-legend">{legend_row}</div>
            {svg}
            <figcaption class="readout" data-testid=readout_testid aria-live="polite">{text}</figcaption>
        </figure>
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

    fn series(points: Vec<(f64, f64)>) -> Series {
        Series {
            label: "SGD".into(),
            colour: "#000",
            points,
            width: 2.0,
            dots: false,
        }
    }

    fn frame(y_axis: YAxis) -> Frame {
        Frame {
            width: 640.0,
            height: 240.0,
            x_label: "step k",
            y_label: "loss",
            x_span: None,
            x_from: None,
            y_axis,
            x_name: "step",
            x_whole: true,
        }
    }

    #[test]
    fn positive_values_get_a_log_axis_by_decades_and_others_a_linear_one() {
        let falling = series(vec![(0.0, 100.0), (1.0, 1.0), (2.0, 0.01)]);
        let l = layout(&[falling], &frame(YAxis::LogWhenPositive)).unwrap();
        assert!(l.log);
        let labels: Vec<&str> = l.y_ticks.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(labels, ["1e-2", "1e-1", "1e0", "1e1", "1e2"]);
        let saddle = series(vec![(0.0, 1.0), (1.0, -3.0)]);
        let l = layout(&[saddle], &frame(YAxis::LogWhenPositive)).unwrap();
        assert!(!l.log);
        assert!(l.y_ticks.iter().any(|t| t.1 == "0"));
        let accuracy = series(vec![(0.0, 0.5), (1.0, 0.9)]);
        let l = layout(&[accuracy], &frame(YAxis::Fraction)).unwrap();
        assert_eq!(l.y_ticks.last().map(|t| t.1.as_str()), Some("100%"));
        assert_eq!(layout(&[series(vec![])], &frame(YAxis::Fraction)), None);
    }

    #[test]
    fn an_axis_may_start_where_the_data_does() {
        let lengths = Series {
            dots: true,
            ..series((5..=13).map(|x| (x as f64, 0.5)).collect())
        };
        let from_zero = layout(std::slice::from_ref(&lengths), &frame(YAxis::Fraction)).unwrap();
        assert_eq!(from_zero.x_range, (0.0, 13.0));
        let labels = |l: &Layout| l.x_ticks.iter().map(|t| t.1.clone()).collect::<Vec<_>>();
        assert_eq!(labels(&from_zero), ["0", "5", "10"]);
        let from_five = Frame {
            x_from: Some(5.0),
            ..frame(YAxis::Fraction)
        };
        let l = layout(&[lengths], &from_five).unwrap();
        assert_eq!(l.x_range, (5.0, 13.0));
        assert_eq!(labels(&l), ["6", "8", "10", "12"]);
        // The first point sits on the axis's left edge, the last on its right.
        assert_eq!(l.dots.first().map(|d| d.0), Some(LEFT));
        assert_eq!(l.dots.last().map(|d| d.0), Some(640.0 - RIGHT));
    }

    #[test]
    fn long_series_are_thinned_but_keep_their_end() {
        let points: Vec<(f64, f64)> = (0..2001).map(|i| (i as f64, 1.0)).collect();
        let thinned = thin(&points, MAX_POINTS);
        assert!(thinned.len() <= MAX_POINTS + 1, "{}", thinned.len());
        assert_eq!(thinned.last(), points.last());
    }

    #[test]
    fn the_readout_gives_each_series_its_value_or_a_dash_past_its_end() {
        let long = series(vec![(0.0, 1.0), (1.0, 0.5), (2.0, 0.25)]);
        let short = Series {
            label: "Adam".into(),
            ..series(vec![(0.0, 2.0), (1.0, 1.0)])
        };
        let f = frame(YAxis::LogWhenPositive);
        assert_eq!(
            readout(&[long.clone(), short.clone()], &f, 1.2),
            "step 1: SGD 5.0000e-1 · Adam 1.0000e0"
        );
        assert_eq!(
            readout(&[long, short], &f, 2.0),
            "step 2: SGD 2.5000e-1 · Adam —"
        );
    }
}
