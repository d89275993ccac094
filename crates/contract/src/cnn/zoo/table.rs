//! A network's rows from its named layers: each row's figures are [`Layer::cost`]'s, its
//! label the notes' way of writing the layer ("fc 4096", "conv 7×7/2 p3 ×64 + BN").

use super::{Model, Network, Note, Row, ZooError};
use crate::cnn::arch::{Conv, Cost, FeatureShape, Layer, PerChannel, PoolKind, Window};

/// Rows for a chain of layers, plus a note listing the sizes rounded down, if any.
pub(super) fn sequential(
    model: Model,
    input: FeatureShape,
    layers: &[(String, Layer)],
) -> Result<Network, ZooError> {
    let mut rows = Vec::with_capacity(layers.len());
    let mut rounded = Vec::new();
    let mut shape = input;
    for (name, layer) in layers {
        let cost = layer.cost(shape).map_err(|error| ZooError::Layer {
            model,
            layer: Some(name.clone()),
            error,
        })?;
        if let Some(formula) = rounded_down(layer, shape) {
            rounded.push(format!("{name}: {formula}"));
        }
        rows.push(row(name.clone(), layer, shape, cost));
        shape = cost.output;
    }
    let mut notes = Vec::new();
    if !rounded.is_empty() {
        notes.push(Note::remark(
            None,
            format!(
                "Output sizes rounded down, as the published network does: {}.",
                rounded.join("; ")
            ),
        ));
    }
    Ok(Network {
        model,
        name: model.title().to_string(),
        input,
        rows,
        notes,
    })
}

/// "(224 + 2·3 − 7)/2 + 1 = 112.5 → 112", when the layer's window rounded its size down.
fn rounded_down(layer: &Layer, input: FeatureShape) -> Option<String> {
    let (Some(window), FeatureShape::Map { h, .. }) = (layer.window(), input) else {
        return None;
    };
    if !window.rounds_down(h) {
        return None;
    }
    let floor = window.output(h).ok()?;
    let exact = format!("{:.2}", window.quotient(h));
    Some(format!(
        "{} = {} → {floor}",
        window.formula(h),
        exact.trim_end_matches('0')
    ))
}

pub(super) fn row(name: String, layer: &Layer, input: FeatureShape, cost: Cost) -> Row {
    Row {
        name,
        place: super::Place::Chain,
        layer: label(layer),
        input,
        output: cost.output,
        params: cost.params,
        weights: cost.weights,
        mult_adds: cost.mult_adds,
    }
}

/// The layer as the notes write it.
fn label(layer: &Layer) -> String {
    let window = |w: Window| format!("{0}×{0}/{1} p{2}", w.size, w.stride, w.padding);
    let pool_name = |pool| match pool {
        PoolKind::Max => "max",
        PoolKind::Avg => "avg",
    };
    match *layer {
        Layer::Conv(conv) => conv_label(conv),
        Layer::Pool { pool, window: w } => format!("{} pool {}", pool_name(pool), window(w)),
        Layer::GlobalPool(pool) => format!("global {} pool", pool_name(pool)),
        Layer::BatchNorm => "batch norm".into(),
        Layer::Relu => "ReLU".into(),
        Layer::Dense { units } => format!("fc {units}"),
        Layer::Residual(block) => {
            let stride = block.stride;
            let shortcut = if stride == 1 {
                "identity shortcut".to_string()
            } else {
                format!("1×1/{stride} shortcut + BN")
            };
            let channels = block.channels;
            format!("3×3/{stride} ×{channels} + BN, 3×3/1 ×{channels} + BN; {shortcut}")
        }
    }
}

/// "conv 11×11/4 p0 ×96", "conv 7×7/2 p3 ×64 + BN".
fn conv_label(conv: Conv) -> String {
    let Conv {
        channels,
        kernel,
        dilation,
        stride,
        padding,
        per_channel,
        ..
    } = conv;
    let dilated = if dilation > 1 {
        format!(" d{dilation}")
    } else {
        String::new()
    };
    let bn = match per_channel {
        PerChannel::Bias => "",
        PerChannel::BiasAndBatchNorm | PerChannel::FoldedBatchNorm => " + BN",
    };
    format!("conv {kernel}×{kernel}/{stride} p{padding}{dilated} ×{channels}{bn}")
}

pub(super) fn named(layers: Vec<(&str, Layer)>) -> Vec<(String, Layer)> {
    layers
        .into_iter()
        .map(|(name, layer)| (name.to_string(), layer))
        .collect()
}

pub(super) fn max_pool(window: Window) -> Layer {
    Layer::Pool {
        pool: PoolKind::Max,
        window,
    }
}

pub(super) fn find<'a>(net: &'a Network, name: &'static str) -> Result<(usize, &'a Row), ZooError> {
    net.row(name).ok_or_else(|| ZooError::NoRow {
        network: net.name.clone(),
        row: name,
    })
}

/// `part` as a whole percentage of `whole`.
pub(super) fn percent(part: u64, whole: u64) -> u64 {
    (part as f64 / whole.max(1) as f64 * 100.0).round() as u64
}
