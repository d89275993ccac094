//! The contour plot: the loss surface as colour and level lines, every optimizer's path on top,
//! the minima marked, axes with ticks. Drawn on a canvas; a click sets the start point.

use super::colors;
use super::state::OptimSession;
use crate::widgets::axis::nice_ticks;
use crate::widgets::contour::{marching_squares, quantile_levels, ramp, Segment};
use contract::optim::protocol::ContourGrid;
use crate::widgets::palette;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

pub const WIDTH: f64 = 640.0;
pub const HEIGHT: f64 = 480.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 44.0;
/// Points per path drawn at most.
const MAX_DRAWN_POINTS: usize = 4000;

/// Data ↔ pixel mapping of the plot area.
#[derive(Clone, Copy)]
pub struct Frame {
    x: (f32, f32),
    y: (f32, f32),
}

impl Frame {
    pub fn new(grid: &ContourGrid) -> Frame {
        Frame {
            x: grid.x_range,
            y: grid.y_range,
        }
    }
    fn px(&self, x: f32, y: f32) -> (f64, f64) {
        let w = WIDTH - LEFT - RIGHT;
        let h = HEIGHT - TOP - BOTTOM;
        (
            LEFT + w * ((x - self.x.0) / (self.x.1 - self.x.0)) as f64,
            TOP + h * (1.0 - ((y - self.y.0) / (self.y.1 - self.y.0)) as f64),
        )
    }
    /// The data point under a pixel, if it is inside the plot area.
    pub fn data(&self, px: f64, py: f64) -> Option<(f32, f32)> {
        let (u, v) = (
            (px - LEFT) / (WIDTH - LEFT - RIGHT),
            1.0 - (py - TOP) / (HEIGHT - TOP - BOTTOM),
        );
        ((0.0..=1.0).contains(&u) && (0.0..=1.0).contains(&v)).then_some((
            self.x.0 + (self.x.1 - self.x.0) * u as f32,
            self.y.0 + (self.y.1 - self.y.0) * v as f32,
        ))
    }
}

fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok().flatten()?.dyn_into().ok()
}

/// The surface as an image the size of the grid (one pixel per sample), colour by rank of
/// log-loss so every surface uses the whole ramp.
fn surface_image(grid: &ContourGrid) -> Option<HtmlCanvasElement> {
    let document = web_sys::window()?.document()?;
    let canvas: HtmlCanvasElement = document.create_element("canvas").ok()?.dyn_into().ok()?;
    canvas.set_width(grid.columns as u32);
    canvas.set_height(grid.rows as u32);
    let finite: Vec<f32> = grid
        .values
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    let lo = finite.iter().copied().fold(f32::INFINITY, f32::min);
    let hi = finite.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let squash = |v: f32| ((v - lo) / (hi - lo).max(1e-12) * 1000.0).ln_1p() / 1001f32.ln();
    let mut pixels = vec![0u8; grid.columns * grid.rows * 4];
    for r in 0..grid.rows {
        for c in 0..grid.columns {
            // Row 0 of the grid is the lowest y: it goes to the bottom of the image.
            let (red, green, blue) = ramp(squash(grid.values[r * grid.columns + c]));
            let at = ((grid.rows - 1 - r) * grid.columns + c) * 4;
            pixels[at..at + 4].copy_from_slice(&[red, green, blue, 255]);
        }
    }
    // ImageData refuses views of shared memory (ours is, for the threads): copy to a JS array.
    let array = js_sys::Uint8ClampedArray::new_with_length(pixels.len() as u32);
    array.copy_from(&pixels);
    let image = ImageData::new_with_js_u8_clamped_array_and_sh(
        &array,
        grid.columns as u32,
        grid.rows as u32,
    )
    .ok()?;
    context(&canvas)?.put_image_data(&image, 0.0, 0.0).ok()?;
    Some(canvas)
}

fn draw(
    canvas: &HtmlCanvasElement,
    state: &OptimSession,
    background: Option<&HtmlCanvasElement>,
    levels: &[Vec<Segment>],
) {
    let Some(ctx) = context(canvas) else { return };
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(0.0, 0.0, WIDTH, HEIGHT);
    let Some(grid) = &state.lab.contour else {
        ctx.set_fill_style_str(palette::MUTED);
        ctx.set_font("15px system-ui, sans-serif");
        let _ = ctx.fill_text("Waiting for the engine…", LEFT + 20.0, HEIGHT / 2.0);
        return;
    };
    let frame = Frame::new(grid);
    let (x0, y0) = frame.px(grid.x_range.0, grid.y_range.1);
    let (x1, y1) = frame.px(grid.x_range.1, grid.y_range.0);
    if let Some(bg) = background {
        ctx.set_image_smoothing_enabled(true);
        let _ = ctx.draw_image_with_html_canvas_element_and_dw_and_dh(bg, x0, y0, x1 - x0, y1 - y0);
    }
    // Level lines.
    ctx.set_stroke_style_str("rgba(255,255,255,0.55)");
    ctx.set_line_width(1.0);
    let to_data = |c: f32, r: f32| {
        let x = grid.x_range.0 + (grid.x_range.1 - grid.x_range.0) * c / (grid.columns - 1) as f32;
        let y = grid.y_range.0 + (grid.y_range.1 - grid.y_range.0) * r / (grid.rows - 1) as f32;
        frame.px(x, y)
    };
    ctx.begin_path();
    for segment in levels.iter().flatten() {
        let (a, b) = (
            to_data(segment.0 .0, segment.0 .1),
            to_data(segment.1 .0, segment.1 .1),
        );
        ctx.move_to(a.0, a.1);
        ctx.line_to(b.0, b.1);
    }
    ctx.stroke();
    // −∇L arrows, normal to the level lines as drawn: in pixels the normal is
    // (g_x / s_x, −g_y / s_y) for s = pixels per unit along each axis.
    if state.lab.show_arrows && grid.arrow_columns > 0 {
        let (sx, sy) = (
            (x1 - x0) / (grid.x_range.1 - grid.x_range.0) as f64,
            (y1 - y0) / (grid.y_range.1 - grid.y_range.0) as f64,
        );
        ctx.set_stroke_style_str("rgba(255,255,255,0.9)");
        ctx.set_fill_style_str("rgba(255,255,255,0.9)");
        ctx.set_line_width(1.5);
        for (k, &(gx, gy)) in grid.gradients.iter().enumerate() {
            let (i, j) = (k % grid.arrow_columns, k / grid.arrow_columns);
            let x = grid.x_range.0
                + (grid.x_range.1 - grid.x_range.0) * (i as f32 + 0.5) / grid.arrow_columns as f32;
            let y = grid.y_range.0
                + (grid.y_range.1 - grid.y_range.0) * (j as f32 + 0.5) / grid.arrow_rows as f32;
            let (nx, ny) = (-(gx as f64) / sx, (gy as f64) / sy);
            let len = (nx * nx + ny * ny).sqrt();
            if len == 0.0 || !len.is_finite() {
                continue;
            }
            let (ux, uy) = (nx / len, ny / len);
            let (px, py) = frame.px(x, y);
            let (tx, ty) = (px + 13.0 * ux, py + 13.0 * uy);
            ctx.begin_path();
            ctx.move_to(px, py);
            ctx.line_to(tx, ty);
            ctx.stroke();
            ctx.begin_path();
            ctx.move_to(tx, ty);
            ctx.line_to(tx - 5.0 * ux + 3.0 * uy, ty - 5.0 * uy - 3.0 * ux);
            ctx.line_to(tx - 5.0 * ux - 3.0 * uy, ty - 5.0 * uy + 3.0 * ux);
            ctx.fill();
        }
    }
    // Minima.
    ctx.set_stroke_style_str("#ffffff");
    ctx.set_line_width(2.0);
    for &(mx, my) in &grid.minima {
        let (px, py) = frame.px(mx, my);
        ctx.begin_path();
        ctx.move_to(px - 5.0, py - 5.0);
        ctx.line_to(px + 5.0, py + 5.0);
        ctx.move_to(px + 5.0, py - 5.0);
        ctx.line_to(px - 5.0, py + 5.0);
        ctx.stroke();
    }
    // Paths, clipped to the plot area.
    ctx.save();
    ctx.begin_path();
    ctx.rect(x0, y0, x1 - x0, y1 - y0);
    ctx.clip();
    for path in &state.lab.paths {
        let colour = colors::of(path.optimizer);
        ctx.set_stroke_style_str(colour);
        ctx.set_line_width(2.0);
        ctx.begin_path();
        // Long replays are thinned evenly for drawing (the last point always kept).
        let stride = (path.points.len() / MAX_DRAWN_POINTS).max(1);
        let last = path.points.len().saturating_sub(1);
        for (i, &(x, y)) in path
            .points
            .iter()
            .enumerate()
            .filter(|(i, _)| i % stride == 0 || *i == last)
        {
            let (px, py) = frame.px(x, y);
            if i == 0 {
                ctx.move_to(px, py);
            } else {
                ctx.line_to(px, py);
            }
        }
        ctx.stroke();
        if let Some(&(x, y)) = path.points.last() {
            let (px, py) = frame.px(x, y);
            ctx.set_fill_style_str(colour);
            ctx.begin_path();
            let _ = ctx.arc(px, py, 5.0, 0.0, std::f64::consts::TAU);
            ctx.fill();
            ctx.set_stroke_style_str(palette::INK);
            ctx.set_line_width(1.0);
            ctx.stroke();
        }
    }
    if let Some(&(x, y)) = state.lab.paths.first().and_then(|p| p.points.first()) {
        let (px, py) = frame.px(x, y);
        ctx.set_fill_style_str(palette::INK);
        ctx.fill_rect(px - 4.0, py - 4.0, 8.0, 8.0);
    }
    ctx.restore();
    // Axes, ticks, titles.
    ctx.set_stroke_style_str(palette::MUTED);
    ctx.set_fill_style_str(palette::INK);
    ctx.set_line_width(1.0);
    ctx.stroke_rect(x0, y0, x1 - x0, y1 - y0);
    ctx.set_font("12px system-ui, sans-serif");
    let regression = state.spec.problem == contract::optim::Problem::Regression;
    let (xname, yname) = if regression {
        ("slope w", "intercept b")
    } else {
        ("x", "y")
    };
    for t in ticks_in(grid.x_range) {
        let (px, _) = frame.px(t, grid.y_range.0);
        ctx.begin_path();
        ctx.move_to(px, y1);
        ctx.line_to(px, y1 + 5.0);
        ctx.stroke();
        let label = crate::format::tick(t as f64);
        let _ = ctx.fill_text(&label, px - 3.5 * label.len() as f64, y1 + 18.0);
    }
    for t in ticks_in(grid.y_range) {
        let (_, py) = frame.px(grid.x_range.0, t);
        ctx.begin_path();
        ctx.move_to(x0 - 5.0, py);
        ctx.line_to(x0, py);
        ctx.stroke();
        let label = crate::format::tick(t as f64);
        let _ = ctx.fill_text(&label, x0 - 9.0 - 7.0 * label.len() as f64, py + 4.0);
    }
    ctx.set_font("13px system-ui, sans-serif");
    let _ = ctx.fill_text(xname, (x0 + x1) / 2.0 - 10.0, HEIGHT - 8.0);
    ctx.save();
    let _ = ctx.translate(14.0, (y0 + y1) / 2.0 + 20.0);
    let _ = ctx.rotate(-std::f64::consts::FRAC_PI_2);
    let _ = ctx.fill_text(yname, 0.0, 0.0);
    ctx.restore();
}

/// The loss at (x, y) by bilinear interpolation of the grid (a reading for the pointer, not
/// a computation of the model: the engine computed every sample).
fn sample(g: &ContourGrid, x: f32, y: f32) -> f32 {
    let u = ((x - g.x_range.0) / (g.x_range.1 - g.x_range.0) * (g.columns - 1) as f32)
        .clamp(0.0, (g.columns - 1) as f32);
    let v = ((y - g.y_range.0) / (g.y_range.1 - g.y_range.0) * (g.rows - 1) as f32)
        .clamp(0.0, (g.rows - 1) as f32);
    let (c, r) = (
        (u.floor() as usize).min(g.columns - 2),
        (v.floor() as usize).min(g.rows - 2),
    );
    let (fu, fv) = (u - c as f32, v - r as f32);
    let at = |c: usize, r: usize| g.values[r * g.columns + c];
    let top = at(c, r) * (1.0 - fu) + at(c + 1, r) * fu;
    let bottom = at(c, r + 1) * (1.0 - fu) + at(c + 1, r + 1) * fu;
    top * (1.0 - fv) + bottom * fv
}

/// Nice ticks inside a range that may start below zero.
fn ticks_in((lo, hi): (f32, f32)) -> Vec<f32> {
    let span = (hi - lo) as f64;
    let step = nice_ticks(span, 6).get(1).copied().unwrap_or(span);
    let first = (lo as f64 / step).ceil() as i64;
    (first..)
        .map(|i| (i as f64 * step) as f32)
        .take_while(|&t| t <= hi + 1e-6)
        .collect()
}

#[component]
pub fn ContourPlot(
    state: ReadSignal<OptimSession>,
    on_pick: Callback<(f32, f32)>,
) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    // The surface image and level lines change only with the grid, not with every frame.
    let grid = Memo::new(move |_| state.with(|s| s.lab.contour.clone()));
    let levels = Memo::new(move |_| {
        grid.with(|g| {
            g.as_ref()
                .map(|g| {
                    quantile_levels(&g.values, 14)
                        .into_iter()
                        .map(|level| marching_squares(&g.values, g.columns, g.rows, level))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let background = StoredValue::new_local(None::<HtmlCanvasElement>);
    Effect::new(move |_| {
        let image = grid.with(|g| g.as_ref().and_then(surface_image));
        background.set_value(image);
    });
    Effect::new(move |_| {
        let Some(el) = canvas.get() else { return };
        levels.with(|lv| state.with(|s| background.with_value(|bg| draw(&el, s, bg.as_ref(), lv))));
    });
    let hover = RwSignal::new(None::<(f32, f32, f32)>);
    let track = move |ev: web_sys::MouseEvent| {
        let reading = grid.with_untracked(|g| {
            let g = g.as_ref()?;
            let (x, y) = Frame::new(g).data(ev.offset_x() as f64, ev.offset_y() as f64)?;
            Some((x, y, sample(g, x, y)))
        });
        hover.set(reading);
    };
    let click = move |ev: web_sys::MouseEvent| {
        if let Some(g) = grid.get_untracked() {
            if let Some(point) = Frame::new(&g).data(ev.offset_x() as f64, ev.offset_y() as f64) {
                on_pick.run(point);
            }
        }
    };
    view! {
        <canvas
            node_ref=canvas
            width=WIDTH
            height=HEIGHT
            class="contour"
            data-testid="contour"
            aria-label="Loss surface with level lines and the optimizers' paths"
            on:click=click
            on:mousemove=track
            on:mouseleave=move |_| hover.set(None)
        ></canvas>
        {move || {
            grid.with(|g| {
                g.as_ref().map(|g| {
                    let finite = g.values.iter().copied().filter(|v| v.is_finite());
                    let lo = finite.clone().fold(f32::INFINITY, f32::min);
                    let hi = finite.fold(f32::NEG_INFINITY, f32::max);
                    let stops: Vec<String> = (0..=8)
                        .map(|i| {
                            let (r, gr, b) = ramp(i as f32 / 8.0);
                            format!("rgb({r},{gr},{b})")
                        })
                        .collect();
                    view! {
                        <div class="colour-bar" data-testid="colour-bar">
                            <span>{format!("loss {lo:.3}")}</span>
                            <span class="bar" style=format!("background: linear-gradient(to right, {})", stops.join(", "))></span>
                            <span>{format!("{hi:.3e}")}</span>
                            <span class="hint">"(colour grows with log-loss)"</span>
                        </div>
                    }
                })
            })
        }}
        <p class="readout" data-testid="readout">
            {move || match hover.get() {
                Some((x, y, v)) => format!("at ({x:.3}, {y:.3}) the loss is ≈ {v:.4} — click to start there"),
                None => "Point at the plot to read the loss; click to start every path there.".to_string(),
            }}
        </p>
    }
}
