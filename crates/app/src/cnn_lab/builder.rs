//! The architecture builder: the layer list with, for every layer, its output shape, parameters,
//! multiply-adds and receptive field, recomputed on every edit by `contract::cnn::arch` (the same
//! arithmetic the engine builds the model from). An impossible layer is flagged in its row.

use contract::cnn::arch::{ConvSpec, LayerSpec, PoolKind};
use contract::cnn::limits::CnnLimits;
use contract::cnn::Preset;
use leptos::prelude::*;

use crate::format::thousands as count;

/// An edit of the layer list (the builder's buttons and fields all make one).
type LayersEdit = Box<dyn FnOnce(&mut Vec<LayerSpec>)>;

/// The fields of one layer as shown: (label, value, min, max).
fn fields(layer: &LayerSpec) -> Vec<(&'static str, usize, usize, usize)> {
    let mut layer = *layer;
    layer
        .knobs()
        .into_iter()
        .map(|k| (k.name, *k.value, k.min, k.max))
        .collect()
}

fn set_field(layer: &mut LayerSpec, field: &str, value: usize) {
    if let Some(knob) = layer.knobs().into_iter().find(|k| k.name == field) {
        *knob.value = value;
    }
}

/// What "add" offers.
const NEW_LAYERS: [(&str, LayerSpec); 7] = [
    (
        "conv",
        LayerSpec::Conv(ConvSpec {
            padding: 1,
            ..ConvSpec::new(8, 3)
        }),
    ),
    (
        "max pool",
        LayerSpec::Pool {
            pool: PoolKind::Max,
            size: 2,
            stride: 2,
        },
    ),
    (
        "avg pool",
        LayerSpec::Pool {
            pool: PoolKind::Avg,
            size: 2,
            stride: 2,
        },
    ),
    ("batch norm", LayerSpec::BatchNorm),
    ("ReLU", LayerSpec::Relu),
    (
        "residual",
        LayerSpec::Residual {
            channels: 8,
            stride: 1,
        },
    ),
    ("dense", LayerSpec::Dense { units: 64 }),
];

#[component]
pub fn Builder(
    layers: Signal<Vec<LayerSpec>>,
    on_change: Callback<Vec<LayerSpec>>,
) -> impl IntoView {
    // Memos: the rows (and their inputs) are rebuilt when the layers change, not on every
    // engine message (a field being typed in would lose its text and focus).
    let layer_list = Memo::new(move |_| layers.get());
    let layers = move || layer_list.get();
    let edit = move |f: LayersEdit| {
        let mut l = layer_list.get_untracked();
        f(&mut l);
        on_change.run(l);
    };
    let table = Memo::new(move |_| {
        layer_list
            .with(|l| contract::cnn::arch::table(contract::cnn::INPUT, l, contract::cnn::CLASSES))
    });
    let rows = move || {
        let t = table.get();
        let list = layers();
        let last = list.len();
        t.rows
            .into_iter()
            .enumerate()
            .map(|(i, row)| {
                let layer = list.get(i).copied();
                let rf = row
                    .receptive_field
                    .map_or("whole image".to_string(), |r| format!("{0}×{0}", r.size));
                let editors = layer
                    .map(|l| {
                        fields(&l)
                            .into_iter()
                            .map(|(name, value, min, max)| {
                                view! {
                                    <label class="arch-field">
                                        <span>{name}</span>
                                        <input type="number" min=min max=max value=value.to_string()
                                            data-testid=format!("layer-{i}-{name}")
                                            on:change=move |ev| {
                                                if let Ok(v) = event_target_value(&ev).trim().parse::<usize>() {
                                                    edit(Box::new(move |l| if let Some(layer) = l.get_mut(i) { set_field(layer, name, v) }));
                                                }
                                            } />
                                    </label>
                                }
                            })
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default();
                let name = layer.map_or("output (dense → 10 classes)", |l| l.kind_name());
                let error = row.error.map(|e| e.to_string());
                let flagged = error.is_some();
                view! {
                    <tr class:arch-flagged=flagged class:arch-head=layer.is_none() data-testid=format!("arch-row-{i}")>
                        <td class="num">{if layer.is_some() { (i + 1).to_string() } else { String::new() }}</td>
                        <td class="arch-kind">{name}<div class="arch-fields">{editors}</div>
                            {error.map(|e| view! { <div class="arch-error" role="alert" data-testid="arch-error">"⚠ "{e}</div> })}
                        </td>
                        <td class="num" data-testid=format!("arch-shape-{i}")>{row.output.map_or("—".to_string(), |s| s.to_string())}</td>
                        <td class="num">{if row.output.is_some() { count(row.params) } else { "—".into() }}</td>
                        <td class="num">{if row.output.is_some() { count(row.mult_adds) } else { "—".into() }}</td>
                        <td class="num" data-testid=format!("arch-rf-{i}")>{if row.output.is_some() { rf } else { "—".into() }}</td>
                        <td class="arch-actions">
                            {layer.map(|_| view! {
                                <button class="icon" title="move up" aria-label=format!("move layer {} up", i + 1) disabled={i == 0}
                                    on:click=move |_| edit(Box::new(move |l| l.swap(i - 1, i)))>"↑"</button>
                                <button class="icon" title="move down" aria-label=format!("move layer {} down", i + 1) disabled={i + 1 >= last}
                                    on:click=move |_| edit(Box::new(move |l| l.swap(i, i + 1)))>"↓"</button>
                                <button class="icon" title="remove" aria-label=format!("remove layer {}", i + 1) data-testid=format!("remove-{i}")
                                    on:click=move |_| edit(Box::new(move |l| { l.remove(i); }))>"✕"</button>
                            })}
                        </td>
                    </tr>
                }
            })
            .collect::<Vec<_>>()
    };
    let totals = move || {
        let t = table.get();
        match t.first_error() {
            Some(_) => "—".to_string(),
            None => format!(
                "{} parameters · {} multiply-adds per digit (≈ {:.1} MFLOPs forward)",
                count(t.total_params()),
                count(t.total_mult_adds()),
                2.0 * t.total_mult_adds() as f64 / 1e6
            ),
        }
    };
    view! {
        <div class="arch-presets">
            "Start from "
            {Preset::ALL.into_iter().map(|p| view! {
                <button class="secondary-blue" class:chosen=move || layer_list.with(|l| Preset::of(l) == Some(p))
                    data-testid=format!("preset-{}", p.name().split_whitespace().last().unwrap_or("net"))
                    on:click=move |_| on_change.run(p.layers())>{p.name()}</button>
            }).collect::<Vec<_>>()}
        </div>
        <div class="table-scroll">
        <table class="arch" data-testid="arch-table">
            <thead>
                <tr>
                    <th>"#"</th><th>"layer"</th><th class="num">"output h×w×c"</th><th class="num">"parameters"</th>
                    <th class="num">"multiply-adds"</th><th class="num" title="theoretical receptive field of one unit, in input pixels">"receptive field"</th><th></th>
                </tr>
            </thead>
            <tbody>
                <tr class="arch-input"><td></td><td>"input: one MNIST digit"</td><td class="num">"28×28×1"</td><td class="num">"—"</td><td class="num">"—"</td><td class="num">"1×1"</td><td></td></tr>
                {rows}
            </tbody>
        </table>
        </div>
        <p class="arch-total" data-testid="arch-total">{totals}</p>
        <div class="arch-add">
            "Add "
            {NEW_LAYERS.into_iter().map(|(label, layer)| view! {
                <button class="secondary-blue" data-testid=format!("add-{}", label.replace(' ', "-"))
                    disabled=move || layer_list.with(|l| l.len() >= CnnLimits::MAX_LAYERS)
                    on:click=move |_| edit(Box::new(move |l| l.push(layer)))>{format!("+ {label}")}</button>
            }).collect::<Vec<_>>()}
        </div>
        <p class="caption">
            "Output size per axis: (n + 2p − f)/s + 1 with f = d(k − 1) + 1 for a dilated kernel; it must be a whole number ≥ 1. "
            "A convolution has k·k·C_in·C_out + C_out parameters and does H_out·W_out·C_out·k·k·C_in multiply-adds. "
            "Receptive field: r ← r + (f − 1)·j, then j ← j·s, from r = j = 1 at the input. Every model ends with a dense layer to the 10 classes. "
            "A change restarts training."
        </p>
    }
}
