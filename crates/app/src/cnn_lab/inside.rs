//! Inside the network for one digit: pick a test digit or draw one, the prediction, every
//! layer's feature maps (click a unit for its receptive fields), the first layer's kernels.

use super::state::{CnnSession, Unit};
use crate::widgets::raster::{
    self, context, digit_pixels, diverging, magnitude, paint, tiling, unit_at,
};
use contract::cnn::view::{CnnView, DigitSource, LayerMaps, ReceptiveFieldView};
use contract::cnn::limits::CnnLimits;
use leptos::html::Canvas;
use crate::format;
use crate::widgets::palette;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The drawing pad's resolution (the engine centres and scales it to 28×28 as MNIST did), the
/// largest it accepts.
const PAD: usize = CnnLimits::MAX_DRAWN_SIDE;
/// Input pixels are drawn this large in the receptive-field view.
const FIELD_SCALE: f64 = 9.0;

/// A small digit image.
#[component]
pub fn Thumb(pixels: Vec<u8>, #[prop(default = 2)] scale: u32) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let side = (pixels.len() as f64).sqrt() as usize;
    Effect::new(move |_| {
        if let Some(c) = canvas.get() {
            paint(&c, side, side, &digit_pixels(&pixels));
        }
    });
    view! { <canvas node_ref=canvas class="pixelated" style=format!("width:{0}px;height:{0}px", side as u32 * scale) /> }
}

fn layer_name(state: &CnnSession, layer: usize) -> String {
    state
        .spec
        .layers
        .get(layer)
        .map_or("?".into(), |l| l.label())
}

#[component]
pub fn Inside(
    state: ReadSignal<CnnSession>,
    on_look: Callback<(DigitSource, (i32, i32))>,
    on_unit: Callback<Unit>,
    /// A value typed that cannot be used: the page shows why.
    on_error: Callback<String>,
) -> impl IntoView {
    let view_of = move || state.with(|s| s.lab.view.clone());
    view! {
        <div class="inside-top">
            <div class="digit-choice">
                <h3>"A test digit"</h3>
                <Gallery state=state on_look=on_look on_error=on_error />
                <h3>"…or draw one"</h3>
                <DrawPad state=state on_look=on_look />
            </div>
            <div class="prediction">
                <h3>"What the network sees and says"</h3>
                {move || view_of().map(|v| view! { <Prediction view=v /> })}
                <ReceptivePanel state=state />
            </div>
        </div>
        <h3>"Feature maps: every channel of every layer for this digit"</h3>
        <p class="caption">
            "Red: positive activation, blue: negative, white: zero (one colour scale per layer, its range written beside it). "
            "After a ReLU only red is left. Click any unit to see its receptive field on the input."
        </p>
        <div class="feature-maps" data-testid="feature-maps">
            {move || {
                let (maps, unit) = state.with(|s| (s.lab.view.as_ref().map(|v| v.layers.clone()).unwrap_or_default(), s.lab.unit));
                maps.into_iter().map(|m| {
                    let name = state.with_untracked(|s| layer_name(s, m.layer));
                    let selected = unit.filter(|u| u.layer == m.layer);
                    view! { <LayerView maps=m name=name selected=selected on_unit=on_unit /> }
                }).collect::<Vec<_>>()
            }}
        </div>
        <Kernels state=state />
    }
}

#[component]
fn Gallery(
    state: ReadSignal<CnnSession>,
    on_look: Callback<(DigitSource, (i32, i32))>,
    on_error: Callback<String>,
) -> impl IntoView {
    let gallery = Memo::new(move |_| state.with(|s| s.lab.gallery.clone()));
    view! {
        <div class="gallery" data-testid="gallery">
            {move || gallery.get().into_iter().map(|d| {
                let index = d.index;
                let chosen = move || state.with(|s| !s.lab.drawn && s.spec.digit == index);
                view! {
                    <button class="thumb" class:chosen=chosen title=format!("test digit {index}: a {}", d.label)
                        data-testid=format!("digit-{index}")
                        on:click=move |_| on_look.run((DigitSource::Test { index }, state.with_untracked(|s| s.spec.shift)))>
                        <Thumb pixels=d.pixels />
                    </button>
                }
            }).collect::<Vec<_>>()}
        </div>
        <label class="field">"Test digit # "
            <input type="number" min="0" max="1999" class="short" data-testid="digit-index"
                prop:value=move || state.with(|s| s.spec.digit.to_string())
                on:change=move |ev| { if let Ok(index) = event_target_value(&ev).trim().parse::<usize>() {
                    if index < contract::cnn::TEST_DIGITS {
                        on_look.run((DigitSource::Test { index }, state.with_untracked(|s| s.spec.shift)));
                    } else {
                        on_error.run(format!("digit = {index}: the test split has {} digits (0–{})", contract::cnn::TEST_DIGITS, contract::cnn::TEST_DIGITS - 1));
                    }
                } } />
            " of 2,000"
        </label>
    }
}

#[component]
fn DrawPad(
    state: ReadSignal<CnnSession>,
    on_look: Callback<(DigitSource, (i32, i32))>,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let drawing = RwSignal::new(false);
    let clear = move || {
        if let Some(ctx) = canvas.get().and_then(|c| context(&c)) {
            ctx.set_fill_style_str("#ffffff");
            ctx.fill_rect(0.0, 0.0, PAD as f64, PAD as f64);
        }
    };
    Effect::new(move |_| {
        if canvas.get().is_some() {
            clear();
        }
    });
    // Pointer position in pad pixels (the canvas is shown at twice its resolution).
    let at = move |ev: &web_sys::MouseEvent| {
        let c = canvas.get()?;
        let scale = PAD as f64 / c.client_width().max(1) as f64;
        Some((ev.offset_x() as f64 * scale, ev.offset_y() as f64 * scale))
    };
    let stroke_to = move |ev: &web_sys::MouseEvent, start: bool| {
        let (Some(ctx), Some((x, y))) = (canvas.get().and_then(|c| context(&c)), at(ev)) else {
            return;
        };
        ctx.set_stroke_style_str("#000000");
        ctx.set_line_width(9.0);
        ctx.set_line_cap("round");
        ctx.set_line_join("round");
        if start {
            ctx.begin_path();
            ctx.move_to(x, y);
        }
        ctx.line_to(x, y);
        ctx.stroke();
    };
    let send = move || {
        let Some(ctx) = canvas.get().and_then(|c| context(&c)) else {
            return;
        };
        let Ok(image) = ctx.get_image_data(0.0, 0.0, PAD as f64, PAD as f64) else {
            return;
        };
        let rgba = image.data();
        let ink: Vec<u8> = rgba.chunks(4).map(|p| 255 - p[0]).collect();
        on_look.run((
            DigitSource::Drawn { size: PAD, ink },
            state.with_untracked(|s| s.spec.shift),
        ));
    };
    view! {
        <div class="draw">
            <canvas node_ref=canvas width=PAD height=PAD class="draw-pad" data-testid="draw-pad"
                aria-label="Draw a digit here with the mouse or a finger"
                on:pointerdown=move |ev| {
                    if let Some(t) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
                        let _ = t.set_pointer_capture(ev.pointer_id());
                    }
                    drawing.set(true);
                    stroke_to(&ev, true);
                }
                on:pointermove=move |ev| if drawing.get_untracked() { stroke_to(&ev, false) }
                on:pointerup=move |_| { if drawing.get_untracked() { drawing.set(false); send() } }
                on:pointercancel=move |_| drawing.set(false) />
            <div class="draw-actions">
                <button class="secondary-blue" data-testid="draw-clear" on:click=move |_| clear()>"Clear"</button>
                <p class="hint">"Draw large and centred or not: the engine scales your digit to 20×20 pixels and centres it, as MNIST's were."</p>
            </div>
        </div>
    }
}

#[component]
fn Prediction(view: CnnView) -> impl IntoView {
    let best = view
        .probabilities
        .iter()
        .enumerate()
        .fold((0, -1.0f32), |b, (i, &p)| if p > b.1 { (i, p) } else { b });
    let label = view.label;
    let undefined = view.probabilities.iter().any(|p| !p.is_finite());
    let verdict = match label {
        // A diverged model's outputs are not numbers: it has no answer to give.
        _ if undefined => {
            "It cannot say: its outputs are not numbers (training diverged; lower η and press Reset).".to_string()
        }
        Some(l) if l == best.0 => format!("It says {} ({:.1}%) — right.", best.0, best.1 * 100.0),
        Some(l) => format!(
            "It says {} ({:.1}%) — wrong: this is a {l}.",
            best.0,
            best.1 * 100.0
        ),
        None => format!("It says {} ({:.1}%).", best.0, best.1 * 100.0),
    };
    let source = match &view.digit {
        DigitSource::Test { index } => format!(
            "test digit #{index}, labelled {}",
            label.map_or("?".into(), |l| l.to_string())
        ),
        DigitSource::Drawn { .. } => "your drawing, centred and scaled".to_string(),
    };
    let bars = view
        .probabilities
        .iter()
        .enumerate()
        .map(|(class, &p)| {
            view! {
                <div class="prob-row" class:best=class == best.0 class:truth=Some(class) == label>
                    <span class="prob-class">{class}</span>
                    // Not a number draws no bar (an invalid width would keep the last one).
                    <span class="prob-bar"><span style:width=format!("{:.1}%", if p.is_finite() { p * 100.0 } else { 0.0 })></span></span>
                    <span class="prob-value">{if p.is_finite() { format!("{:.1}%", p * 100.0) } else { "—".to_string() }}</span>
                </div>
            }
        })
        .collect::<Vec<_>>();
    view! {
        <div class="prediction-body">
            <figure class="input-figure">
                <Thumb pixels=view.input.clone() scale=4 />
                <figcaption>{source}</figcaption>
            </figure>
            <div class="probabilities" data-testid="probabilities" data-predicted=best.0.to_string()>
                <p class="verdict" data-testid="verdict">{verdict}</p>
                {bars}
                <p class="hint">"class probabilities (softmax of the 10 outputs)"</p>
            </div>
        </div>
    }
}

/// One layer's maps, tiled on one canvas; a click picks a unit.
#[component]
fn LayerView(
    maps: LayerMaps,
    name: String,
    selected: Option<Unit>,
    on_unit: Callback<Unit>,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let (columns, _, width, height) = tiling(maps.channels, maps.h, maps.w);
    // Big enough to click a unit, small enough to fit: at most ~900 px wide, 2–8× enlarged.
    let scale = (900 / width.max(1)).clamp(2, 8) as f64;
    let m = maps.clone();
    Effect::new(move |_| {
        let Some(c) = canvas.get() else { return };
        let span = magnitude(m.maps.min, m.maps.max);
        let mut pixels = vec![245u8; width * height * 4];
        let plane = m.h * m.w;
        for ch in 0..m.channels {
            let (tx, ty) = ((ch % columns) * (m.w + 1), (ch / columns) * (m.h + 1));
            for y in 0..m.h {
                for x in 0..m.w {
                    let v = m.maps.value(ch * plane + y * m.w + x) / span;
                    let at = ((ty + y) * width + tx + x) * 4;
                    pixels[at..at + 4].copy_from_slice(&diverging(v));
                }
            }
        }
        paint(&c, width, height, &pixels);
    });
    let layer = maps.layer;
    let (channels, h, w) = (maps.channels, maps.h, maps.w);
    let click = move |ev: web_sys::MouseEvent| {
        let (px, py) = (ev.offset_x() as f64 / scale, ev.offset_y() as f64 / scale);
        if px < 0.0 || py < 0.0 {
            return;
        }
        if let Some((channel, y, x)) = unit_at(channels, h, w, px as usize, py as usize) {
            on_unit.run(Unit {
                layer,
                channel,
                y,
                x,
            });
        }
    };
    let marker = selected.map(|u| {
        let (tx, ty) = (
            (u.channel % columns) * (w + 1),
            (u.channel / columns) * (h + 1),
        );
        format!(
            "left:{}px;top:{}px;width:{}px;height:{}px",
            (tx + u.x) as f64 * scale - 2.0,
            (ty + u.y) as f64 * scale - 2.0,
            scale + 4.0,
            scale + 4.0
        )
    });
    let total = maps.total_channels;
    let shape = match (h * w == 1, channels < total) {
        (true, false) => format!("{channels} units"),
        (true, true) => format!("the first {channels} of {total} units"),
        (false, false) => format!("{channels} channels of {h}×{w}"),
        // A wide model's view is cut to what a reply carries (CnnLimits::MAX_VIEW_MAP_VALUES).
        (false, true) => format!("the first {channels} of {total} channels of {h}×{w}"),
    };
    view! {
        <div class="layer-maps" data-testid=format!("layer-maps-{layer}")>
            <div class="layer-head">
                <strong>{format!("layer {} · {name}", layer + 1)}</strong>
                <span class="hint">{format!("{shape} · values {} … {}", format::value(maps.maps.min as f64, 2), format::value(maps.maps.max as f64, 2))}</span>
            </div>
            <div class="layer-canvas">
                <canvas node_ref=canvas class="pixelated clickable" data-testid=format!("maps-canvas-{layer}")
                    style=format!("width:{}px;height:{}px", width as f64 * scale, height as f64 * scale)
                    on:click=click />
                {marker.map(|style| view! { <div class="unit-marker" style=style></div> })}
            </div>
        </div>
    }
}

#[component]
fn Kernels(state: ReadSignal<CnnSession>) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let kernels = move || state.with(|s| s.lab.view.as_ref().and_then(|v| v.kernels.clone()));
    Effect::new(move |_| {
        let (Some(c), Some(k)) = (canvas.get(), kernels()) else {
            return;
        };
        let tiles = k.outputs * k.inputs;
        let (columns, _, width, height) = tiling(tiles, k.size, k.size);
        let span = magnitude(k.values.min, k.values.max);
        let mut pixels = vec![245u8; width * height * 4];
        let area = k.size * k.size;
        for t in 0..tiles {
            let (tx, ty) = ((t % columns) * (k.size + 1), (t / columns) * (k.size + 1));
            for i in 0..area {
                let v = k.values.value(t * area + i) / span;
                let at = ((ty + i / k.size) * width + tx + i % k.size) * 4;
                pixels[at..at + 4].copy_from_slice(&diverging(v));
            }
        }
        paint(&c, width, height, &pixels);
    });
    move || {
        kernels().map(|k| {
            let (_, _, width, height) = tiling(k.outputs * k.inputs, k.size, k.size);
            let scale = (480 / width.max(1)).clamp(4, 24);
            view! {
                <h3>"The first layer's kernels"</h3>
                <div class="kernels">
                    <canvas node_ref=canvas class="pixelated" data-testid="kernels"
                        style=format!("width:{}px;height:{}px", width * scale, height * scale) />
                    <p class="caption">{format!(
                        "{} kernels of {}×{} weights (red positive, blue negative, up to ±{:.2}). Each slides over the digit; "
                        , k.outputs, k.size, k.size, magnitude(k.values.min, k.values.max))}
                        "its map above is bright where the digit looks like the kernel (a dot product: the notes' cosine-similarity view)."
                    </p>
                </div>
            }
        })
    }
}

#[component]
fn ReceptivePanel(state: ReadSignal<CnnSession>) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let field = move || state.with(|s| s.lab.receptive.clone());
    let input = move || state.with(|s| s.lab.view.as_ref().map(|v| v.input.clone()));
    Effect::new(move |_| {
        let (Some(c), Some(pixels)) = (canvas.get(), input()) else {
            return;
        };
        draw_field(&c, &pixels, field().as_ref());
    });
    let text = move || {
        let (field, name) = state.with(|s| {
            (
                s.lab.receptive.clone(),
                s.lab.receptive.as_ref().map(|f| layer_name(s, f.layer)),
            )
        });
        match field {
            None => "Click a unit in a feature map below: its theoretical receptive field (the pixels it can see) is outlined in blue, \
                     its effective receptive field (|∂unit/∂pixel|, how much each pixel moves it) shaded orange.".to_string(),
            Some(f) => {
                let (y0, y1, x0, x1) = f.theoretical;
                let mut t = format!(
                    "Layer {} ({}), channel {}, unit ({}, {}): value {:.3}. Theoretical receptive field {}×{} pixels",
                    f.layer + 1, name.unwrap_or_default(), f.channel, f.y, f.x, f.value, f.theoretical_size, f.theoretical_size
                );
                if ((y1 - y0) as u64, (x1 - x0) as u64) != (f.theoretical_size, f.theoretical_size) {
                    t += &format!(" ({}×{} of it inside the image)", y1 - y0, x1 - x0);
                }
                t += ". ";
                match f.effective_box {
                    Some((a, b, c, d)) => t += &format!("Effective field: gradient on pixels within {}×{} (≥ 1% of its largest value).", b - a, d - c),
                    None => t += "Effective field: empty — this unit is 0 for this digit (its ReLU is off), so no gradient reaches the input. Pick a red unit.",
                }
                t
            }
        }
    };
    view! {
        <div class="receptive" data-testid="receptive">
            <canvas node_ref=canvas width=(28.0 * FIELD_SCALE) as u32 height=(28.0 * FIELD_SCALE) as u32 data-testid="receptive-canvas" />
            <div>
                <p class="legend">
                    <span class="swatch box-theory"></span>" theoretical  "
                    <span class="swatch box-effective"></span>" effective (gradient magnitude)"
                </p>
                <p class="caption" data-testid="receptive-text">{text}</p>
            </div>
        </div>
    }
}

fn draw_field(
    canvas: &web_sys::HtmlCanvasElement,
    pixels: &[u8],
    field: Option<&ReceptiveFieldView>,
) {
    let Some(ctx) = context(canvas) else { return };
    let side = 28usize;
    if pixels.len() != side * side {
        return;
    }
    let s = FIELD_SCALE;
    // Under a field the digit is drawn faint, so the shading reads as gradient, not ink.
    let strength = if field.is_some() { 0.35 } else { 1.0 };
    for (i, &p) in pixels.iter().enumerate() {
        let [r, g, b, _] = raster::ink(strength * p as f32 / 255.0);
        ctx.set_fill_style_str(&format!("rgb({r},{g},{b})"));
        ctx.fill_rect((i % side) as f64 * s, (i / side) as f64 * s, s, s);
    }
    let Some(f) = field else { return };
    for (i, &g) in f.effective.bytes.iter().enumerate() {
        if g > 0 {
            let alpha = 0.15 + 0.75 * g as f64 / 255.0;
            ctx.set_fill_style_str(&format!("rgba(224,122,45,{alpha:.3})"));
            ctx.fill_rect((i % side) as f64 * s, (i / side) as f64 * s, s, s);
        }
    }
    let (y0, y1, x0, x1) = f.theoretical;
    ctx.set_stroke_style_str(palette::ACCENT);
    ctx.set_line_width(3.0);
    ctx.stroke_rect(
        x0 as f64 * s + 1.5,
        y0 as f64 * s + 1.5,
        (x1 - x0) as f64 * s - 3.0,
        (y1 - y0) as f64 * s - 3.0,
    );
    if let Some((a, b, c, d)) = f.effective_box {
        ctx.set_stroke_style_str("#b8561a");
        ctx.set_line_width(1.5);
        ctx.stroke_rect(
            c as f64 * s,
            a as f64 * s,
            (d - c) as f64 * s,
            (b - a) as f64 * s,
        );
    }
}
