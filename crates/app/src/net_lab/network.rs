//! The network as TensorFlow Playground draws it: the input features in the first column
//! (click one to use it or not), each hidden layer in a column of its own with buttons to add
//! and remove neurons and layers, every neuron as a small map of its output over the input
//! plane, and every weight as a line whose colour is its sign and whose width is its size
//! (point at one to read it). The geometry is plain arithmetic, tested natively.

use super::colors;
use super::state::NetSession;
use super::Actions;
use contract::net::limits::NetLimits;
use contract::net::protocol::Map;
use contract::net::{Feature, NetLab};
use leptos::html::Canvas;
use leptos::prelude::*;

/// Column pitch, node size, row pitch and the header above the nodes (CSS pixels).
pub const COLUMN: f64 = 84.0;
pub const NODE: f64 = 40.0;
pub const ROW: f64 = 50.0;
pub const TOP: f64 = 64.0;
pub const LEFT: f64 = 52.0;

/// The centre of the node in `column` (0: features) and `row`.
pub fn centre(column: usize, row: usize) -> (f64, f64) {
    (
        LEFT + column as f64 * COLUMN + NODE / 2.0,
        TOP + row as f64 * ROW + NODE / 2.0,
    )
}

/// The diagram's size for a network with these hidden layers.
pub fn size(hidden: &[usize]) -> (f64, f64) {
    let rows = hidden
        .iter()
        .copied()
        .chain([Feature::ALL.len()])
        .max()
        .unwrap_or(1);
    (
        LEFT + (hidden.len() + 2) as f64 * COLUMN,
        TOP + rows as f64 * ROW + 8.0,
    )
}

/// A weight's line: its ends, colour and width (1 to 8 px as |w| grows to 4).
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub from: (f64, f64),
    pub to: (f64, f64),
    pub weight: f32,
    pub what: String,
    /// Which weight: its layer (from 1), and the neurons it joins (0-based).
    pub layer: usize,
    pub input: usize,
    pub output: usize,
}

/// Every weight of the network as a line, with what it joins in words.
pub fn links(spec: &NetLab, layers: &[contract::net::protocol::LayerWeights]) -> Vec<Link> {
    let feature_row = |i: usize| {
        spec.features
            .get(i)
            .and_then(|f| Feature::ALL.iter().position(|a| a == f))
            .unwrap_or(i)
    };
    let name = |layer: usize, i: usize| {
        if layer == 0 {
            spec.features
                .get(i)
                .map_or("?".to_string(), |f| f.label().to_string())
        } else if layer == spec.hidden.len() + 1 {
            "the output".to_string()
        } else {
            format!("neuron {} of layer {layer}", i + 1)
        }
    };
    let mut out = Vec::new();
    for (l, w) in layers.iter().enumerate() {
        for i in 0..w.inputs {
            for j in 0..w.outputs {
                let from_row = if l == 0 { feature_row(i) } else { i };
                let weight = w.weights.get(i * w.outputs + j).copied().unwrap_or(f32::NAN);
                out.push(Link {
                    from: centre(l, from_row),
                    to: centre(l + 1, j),
                    weight,
                    what: format!("{} → {}", name(l, i), name(l + 1, j)),
                    layer: l + 1,
                    input: i,
                    output: j,
                });
            }
        }
    }
    out
}

/// The link within `reach` pixels of (x, y), nearest first.
pub fn nearest_link(links: &[Link], x: f64, y: f64, reach: f64) -> Option<usize> {
    let distance = |l: &Link| {
        let (dx, dy) = (l.to.0 - l.from.0, l.to.1 - l.from.1);
        let t = (((x - l.from.0) * dx + (y - l.from.1) * dy) / (dx * dx + dy * dy).max(1e-9)).clamp(0.0, 1.0);
        ((l.from.0 + t * dx - x).powi(2) + (l.from.1 + t * dy - y).powi(2)).sqrt()
    };
    links
        .iter()
        .enumerate()
        .map(|(i, l)| (i, distance(l)))
        .filter(|(_, d)| *d <= reach)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

pub fn width(weight: f32) -> f64 {
    if weight.is_finite() {
        (1.0 + weight.abs() as f64 * 1.75).min(8.0)
    } else {
        1.0
    }
}

/// Which neuron a map belongs to.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Neuron {
    /// Hidden layer (0-based) and neuron.
    Hidden(usize, usize),
    Output,
}

/// A neuron's map on a canvas, repainted whenever a new frame arrives.
#[component]
fn NodeMap(
    state: ReadSignal<NetSession>,
    version: Memo<(u64, u64)>,
    neuron: Neuron,
    testid: String,
    title: String,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        // `get`, not `track`: a memo read only by `track` is never recomputed, so never changes.
        let _ = version.get();
        let Some(canvas) = canvas.get() else {
            return;
        };
        state.with_untracked(|s| {
            let frame = s.lab.frame.as_ref();
            let map = match neuron {
                Neuron::Hidden(layer, i) => frame.and_then(|f| f.hidden_maps.get(layer)?.get(i)),
                Neuron::Output => frame.map(|f| &f.output_map),
            };
            if let Some(map) = map {
                colors::paint(&canvas, map, false);
            }
        });
    });
    view! {
        <canvas node_ref=canvas class="node-map" data-testid=testid width="1" height="1" aria-label=title.clone()></canvas>
        <span class="node-title" title=title></span>
    }
}

#[component]
pub fn Network(
    state: ReadSignal<NetSession>,
    actions: Actions,
    /// A weight set by hand: (layer, from, to, value).
    on_edit: Callback<(usize, usize, usize, f32)>,
) -> impl IntoView {
    let shape = Memo::new(move |_| state.with(|s| (s.spec.features.clone(), s.spec.hidden.clone())));
    let version = Memo::new(move |_| state.with(|s| (s.run, s.lab.frames)));
    let edit = move |f: Box<dyn FnOnce(&mut NetLab)>| actions.edit(state, f);
    move || {
        let (features, hidden) = shape.get();
        let (w, h) = size(&hidden);
        let output_column = hidden.len() + 1;
        let feature_nodes = Feature::ALL
            .iter()
            .enumerate()
            .map(|(row, &feature)| {
                let on = features.contains(&feature);
                let (x, y) = centre(0, row);
                let toggle = move |_| {
                    edit(Box::new(move |spec: &mut NetLab| {
                        if spec.features.contains(&feature) {
                            if spec.features.len() > 1 {
                                spec.features.retain(|f| *f != feature);
                            }
                        } else {
                            spec.features.push(feature);
                            spec.features.sort_by_key(|f| Feature::ALL.iter().position(|a| a == f));
                        }
                    }))
                };
                let map = Map::of_feature(feature, NetLimits::NEURON_GRID, contract::net::DOMAIN);
                let canvas = NodeRef::<Canvas>::new();
                Effect::new(move |_| {
                    if let Some(canvas) = canvas.get() {
                        colors::paint(&canvas, &map, false);
                    }
                });
                view! {
                    <button class="node feature" class:off=!on aria-pressed=on.to_string()
                        data-testid=format!("feature-{}", feature.slug())
                        title=format!("{} — click to {} this input", feature.label(), if on { "stop using" } else { "use" })
                        style=format!("left:{}px;top:{}px", x - NODE / 2.0, y - NODE / 2.0)
                        on:click=toggle>
                        <canvas node_ref=canvas class="node-map" width="1" height="1"></canvas>
                        <span class="node-label">{feature.label()}</span>
                    </button>
                }
            })
            .collect::<Vec<_>>();
        let hidden_nodes = hidden
            .iter()
            .enumerate()
            .flat_map(|(layer, &count)| {
                (0..count).map(move |i| {
                    let (x, y) = centre(layer + 1, i);
                    view! {
                        <div class="node" style=format!("left:{}px;top:{}px", x - NODE / 2.0, y - NODE / 2.0)>
                            <NodeMap state=state version=version neuron=Neuron::Hidden(layer, i) testid=format!("neuron-{}-{}", layer + 1, i + 1)
                                title=format!("neuron {} of hidden layer {}: its output over the input plane", i + 1, layer + 1) />
                        </div>
                    }
                })
            })
            .collect::<Vec<_>>();
        let layer_headers = hidden
            .iter()
            .enumerate()
            .map(|(layer, &count)| {
                let (x, _) = centre(layer + 1, 0);
                let change = move |delta: isize| {
                    edit(Box::new(move |spec: &mut NetLab| {
                        let n = spec.hidden[layer] as isize + delta;
                        if (1..=NetLimits::MAX_NEURONS as isize).contains(&n) {
                            spec.hidden[layer] = n as usize;
                        }
                    }))
                };
                view! {
                    <div class="layer-head" style=format!("left:{}px", x - 40.0)>
                        <button class="tiny" data-testid=format!("add-neuron-{}", layer + 1) title="add a neuron"
                            disabled={count >= NetLimits::MAX_NEURONS} on:click=move |_| change(1)>"+"</button>
                        <button class="tiny" data-testid=format!("remove-neuron-{}", layer + 1) title="remove a neuron"
                            disabled={count <= 1} on:click=move |_| change(-1)>"−"</button>
                        <span>{format!("{count} neuron{}", if count == 1 { "" } else { "s" })}</span>
                    </div>
                }
            })
            .collect::<Vec<_>>();
        let (ox, oy) = centre(output_column, 0);
        // The lines are made once per network shape; a new frame only changes their colour,
        // width and title (rebuilding hundreds of SVG elements per frame cost the page its
        // frame rate).
        let weights = Memo::new(move |_| {
            let _ = version.get();
            state.with_untracked(|s| {
                let layers = s.lab.frame.as_ref().map(|f| f.layers.clone()).unwrap_or_default();
                links(&s.spec, &layers).into_iter().map(|l| l.weight).collect::<Vec<f32>>()
            })
        });
        let skeleton = state.with_untracked(|s| {
            let mut spec = s.spec.clone();
            spec.features = features.clone();
            spec.hidden = hidden.clone();
            let sizes = spec.layer_sizes();
            let zeros: Vec<contract::net::protocol::LayerWeights> = sizes
                .windows(2)
                .map(|w| contract::net::protocol::LayerWeights {
                    inputs: w[0],
                    outputs: w[1],
                    weights: vec![f32::NAN; w[0] * w[1]],
                    biases: vec![],
                    gamma: vec![],
                    beta: vec![],
                })
                .collect();
            links(&spec, &zeros)
        });
        // One canvas for every line (hundreds of SVG lines restyled per frame cost the page
        // its frame rate); pointing at a line names it and its value below the diagram.
        let canvas = NodeRef::<Canvas>::new();
        let segments = skeleton.clone();
        let link_count = skeleton.len();
        Effect::new(move |_| {
            let Some(canvas) = canvas.get() else { return };
            let scale = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()).max(1.0);
            canvas.set_width((w * scale) as u32);
            canvas.set_height((h * scale) as u32);
            let Some(ctx) = crate::widgets::raster::context(&canvas) else { return };
            let _ = ctx.scale(scale, scale);
            ctx.set_global_alpha(0.75);
            weights.with(|weights| {
                for (link, &weight) in segments.iter().zip(weights) {
                    ctx.begin_path();
                    ctx.set_stroke_style_str(if weight < 0.0 { colors::NEGATIVE_CSS } else { colors::POSITIVE_CSS });
                    ctx.set_line_width(width(weight));
                    ctx.move_to(link.from.0, link.from.1);
                    ctx.line_to(link.to.0, link.to.1);
                    ctx.stroke();
                }
            });
        });
        let pointed = RwSignal::new(None::<usize>);
        let hit = skeleton.clone();
        let point_at = move |ev: web_sys::MouseEvent| {
            pointed.set(nearest_link(&hit, ev.offset_x() as f64, ev.offset_y() as f64, 5.0));
        };
        let names = skeleton.clone();
        let readout = move || {
            let k = pointed.get()?;
            let what = names.get(k)?.what.clone();
            let weight = weights.with(|w| w.get(k).copied())?;
            Some(format!("w = {weight:.3}: {what} — click to set it"))
        };
        // A click on a line opens its editor below the diagram.
        let editing = RwSignal::new(None::<usize>);
        let hit_click = skeleton.clone();
        let click = move |ev: web_sys::MouseEvent| {
            if let Some(k) = nearest_link(&hit_click, ev.offset_x() as f64, ev.offset_y() as f64, 5.0) {
                editing.set(Some(k));
            }
        };
        let typed = RwSignal::new(String::new());
        let editor = move || {
            let k = editing.get()?;
            let link = skeleton.get(k)?.clone();
            // The value when the editor opened: later frames must not overwrite what is typed.
            let now = weights.with_untracked(|w| w.get(k).copied()).unwrap_or(f32::NAN);
            typed.set(format!("{now:.3}"));
            let set = move |_| {
                if let Ok(value) = typed.get_untracked().trim().parse::<f32>() {
                    on_edit.run((link.layer, link.input, link.output, value));
                    editing.set(None);
                }
            };
            Some(view! {
                <div class="weight-editor" data-testid="weight-editor">
                    <span>{format!("Set the weight {}: ", link.what)}</span>
                    <input type="number" step="any" data-testid="weight-value" prop:value=move || typed.get()
                        on:input=move |ev| typed.set(event_target_value(&ev)) />
                    <button class="secondary-blue" data-testid="weight-set" on:click=set>"Set"</button>
                    <button class="secondary-blue" on:click=move |_| editing.set(None)>"Cancel"</button>
                    <span class="hint">" The link keeps it: a shared link sets it at this epoch again."</span>
                </div>
            })
        };
        let layers_count = hidden.len();
        view! {
            <div class="network-head">
                <button class="tiny" data-testid="add-layer" title="add a hidden layer"
                    disabled={layers_count >= NetLimits::MAX_HIDDEN_LAYERS}
                    on:click=move |_| edit(Box::new(|spec: &mut NetLab| if spec.hidden.len() < NetLimits::MAX_HIDDEN_LAYERS { spec.hidden.push(2) }))>"+"</button>
                <button class="tiny" data-testid="remove-layer" title="remove the last hidden layer"
                    disabled={layers_count == 0}
                    on:click=move |_| edit(Box::new(|spec: &mut NetLab| { spec.hidden.pop(); }))>"−"</button>
                <span data-testid="layer-count">{format!("{layers_count} hidden layer{}", if layers_count == 1 { "" } else { "s" })}</span>
            </div>
            <div class="network" data-testid="network" style=format!("width:{w}px;height:{h}px")>
                <canvas node_ref=canvas class="links" data-testid="links" data-links=link_count.to_string() style=format!("width:{w}px;height:{h}px")
                    role="img" aria-label="the network's weights: blue positive, orange negative, wider is larger"
                    on:mousemove=point_at on:mouseleave=move |_| pointed.set(None) on:click=click></canvas>
                <div class="column-title" style=format!("left:{}px", LEFT - 10.0)>"Features"</div>
                {layer_headers}
                <div class="column-title" style=format!("left:{}px", ox - NODE / 2.0 - 10.0)>"Output"</div>
                {feature_nodes}
                {hidden_nodes}
                <div class="node output-node" style=format!("left:{}px;top:{}px", ox - NODE / 2.0, oy - NODE / 2.0)>
                    <NodeMap state=state version=version neuron=Neuron::Output testid="output-node".to_string()
                        title="the output neuron: the network's answer over the input plane".to_string() />
                </div>
            </div>
            <p class="hint link-readout" data-testid="link-readout">
                {move || readout().unwrap_or_else(|| "Point at a line to read its weight; click it to set it.".to_string())}
            </p>
            {editor}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use contract::net::protocol::LayerWeights;

    #[test]
    fn links_join_the_right_nodes() {
        let spec = NetLab {
            features: vec![Feature::X2, Feature::SinX1],
            hidden: vec![3],
            ..NetLab::default()
        };
        let layers = vec![
            LayerWeights {
                inputs: 2,
                outputs: 3,
                weights: vec![0.1, 0.2, 0.3, -0.4, 0.5, 0.6],
                biases: vec![0.0; 3],
                gamma: vec![],
                beta: vec![],
            },
            LayerWeights {
                inputs: 3,
                outputs: 1,
                weights: vec![1.0, -2.0, 3.0],
                biases: vec![0.0],
                gamma: vec![],
                beta: vec![],
            },
        ];
        let links = links(&spec, &layers);
        assert_eq!(links.len(), 9);
        // sin x₁ is the sixth feature: row 5 of the first column.
        assert_eq!(links[3].from, centre(0, 5));
        assert_eq!(links[3].to, centre(1, 0));
        assert_eq!(links[3].weight, -0.4);
        assert_eq!(links[3].what, "sin x₁ → neuron 1 of layer 1");
        assert_eq!(links[7].what, "neuron 2 of layer 1 → the output");
        assert_eq!(size(&[8, 8]), (LEFT + 4.0 * COLUMN, TOP + 8.0 * ROW + 8.0));
        assert!(width(100.0) == 8.0 && width(0.0) == 1.0 && width(f32::NAN) == 1.0);
        // Pointing halfway along sin x₁ → neuron 1 finds it; far from every line, nothing.
        let (a, b) = (centre(0, 5), centre(1, 0));
        let mid = ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
        assert_eq!(nearest_link(&links, mid.0 + 1.0, mid.1, 5.0), Some(3));
        assert_eq!(nearest_link(&links, 0.0, 0.0, 5.0), None);
    }
}
