//! Internal covariate shift, made visible: for a chosen hidden layer, the distribution of what
//! its activations receive (z, or γ ẑ + β with batch normalisation) over the training set after
//! every epoch, as a heatmap — epochs along, values up, darker where more points fall — and,
//! with batch normalisation, the γ and β each neuron has learnt.

use super::state::NetSession;
use crate::widgets::raster;
use contract::net::limits::NetLimits;
use contract::net::protocol::EpochHistograms;
use leptos::html::Canvas;
use leptos::prelude::*;

/// Epochs drawn at most (evenly chosen, the last always).
pub const MAX_COLUMNS: usize = 200;

/// The heatmap's pixels (RGBA, `columns` wide, one row per bin with the largest values on
/// top): each epoch's column shaded by the share of the layer's values in each bin.
pub fn pixels(histograms: &[EpochHistograms], layer: usize) -> (usize, Vec<u8>) {
    let bins = NetLimits::HISTOGRAM_BINS;
    let n = histograms.len();
    let columns = n.min(MAX_COLUMNS);
    let chosen: Vec<&EpochHistograms> = (0..columns)
        .map(|c| &histograms[if columns <= 1 { n - 1 } else { c * (n - 1) / (columns - 1) }])
        .collect();
    let mut out = vec![0u8; columns * bins * 4];
    for (c, h) in chosen.iter().enumerate() {
        let Some(counts) = h.layers.get(layer) else {
            continue;
        };
        let total = counts.iter().sum::<u32>().max(1) as f32;
        let peak = counts.iter().copied().max().unwrap_or(0).max(1) as f32 / total;
        for (b, &count) in counts.iter().enumerate() {
            let row = bins - 1 - b;
            let shade = raster::ink((count as f32 / total / peak).sqrt());
            out[(row * columns + c) * 4..][..4].copy_from_slice(&shade);
        }
    }
    (columns, out)
}

#[component]
pub fn Histograms(state: ReadSignal<NetSession>, on_layer: Callback<usize>) -> impl IntoView {
    let layers = Memo::new(move |_| state.with(|s| s.spec.hidden.len()));
    let layer = Memo::new(move |_| state.with(|s| s.lab.histogram_layer.clamp(1, s.spec.hidden.len().max(1))));
    let version = Memo::new(move |_| state.with(|s| (s.run, s.lab.histograms.len())));
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let _ = version.get();
        let l = layer.get();
        if let Some(canvas) = canvas.get() {
            state.with_untracked(|s| {
                let (columns, pixels) = pixels(&s.lab.histograms, l - 1);
                let _ = raster::paint(&canvas, columns, NetLimits::HISTOGRAM_BINS, &pixels);
            });
        }
    });
    let epochs = move || {
        state.with(|s| {
            let first = s.lab.histograms.first().map_or(0, |h| h.epoch);
            let last = s.lab.histograms.last().map_or(0, |h| h.epoch);
            (first, last)
        })
    };
    let norms = Memo::new(move |_| {
        let l = layer.get();
        state.with(|s| {
            let frame = s.lab.frame.as_ref()?;
            let weights = frame.layers.get(l - 1)?;
            (!weights.gamma.is_empty()).then(|| (weights.gamma.clone(), weights.beta.clone()))
        })
    });
    let range = NetLimits::HISTOGRAM_RANGE;
    view! {
        <section class="histograms" aria-labelledby="hist-title">
            <h2 id="hist-title">"What each layer's activations receive, epoch by epoch"</h2>
            <p class="lede">
                "As the layers before it learn, the values a layer receives drift: the notes' internal covariate "
                "shift. Batch normalisation standardises each neuron's input over the mini-batch, q̂ = (q − E[q]) / SE[q], "
                "then learns y = γ q̂ + β. Switch "<strong>"Batch norm"</strong>" on in the toolbar (same seed: same data "
                "and first weights) and compare."
            </p>
            <Show when=move || { layers.get() > 0 } fallback=|| view! { <p class="hint">"This network has no hidden layer."</p> }>
                <label class="field inline">"Hidden layer "
                    <select data-testid="hist-layer" on:change=move |ev| {
                        if let Ok(l) = event_target_value(&ev).parse() { on_layer.run(l) }
                    }>
                        {move || (1..=layers.get()).map(|l| view! {
                            <option value=l.to_string() selected=move || layer.get() == l>{format!("layer {l}")}</option>
                        }).collect::<Vec<_>>()}
                    </select>
                </label>
                <div class="hist-plot">
                    <span class="tick top">{format!("+{range}")}</span>
                    <span class="tick middle">"0"</span>
                    <span class="tick bottom">{format!("−{range}")}</span>
                    <canvas node_ref=canvas data-testid="hist-canvas" width="1" height="1"
                        aria-label="for each epoch (left to right) the share of the layer's values at each level (bottom −5 to top +5); darker is more"></canvas>
                    <span class="tick first">{move || format!("epoch {}", epochs().0)}</span>
                    <span class="tick last">{move || format!("epoch {}", epochs().1)}</span>
                </div>
                <p class="hint">{format!(
                    "Each column is one epoch: how the layer's inputs (every neuron, every training point) spread over −{range} to +{range}; darker is more. Beyond ±{range} they count in the end rows."
                )}</p>
                {move || norms.get().map(|(gamma, beta)| view! {
                    <table class="bp-vector" data-testid="bn-params">
                        <thead><tr><th></th>{(1..=gamma.len()).map(|j| view! { <th>{format!("neuron {j}")}</th> }).collect::<Vec<_>>()}</tr></thead>
                        <tbody>
                            <tr><th>"γ (learnt scale)"</th>{gamma.iter().map(|g| view! { <td class="num">{format!("{g:.3}")}</td> }).collect::<Vec<_>>()}</tr>
                            <tr><th>"β (learnt shift)"</th>{beta.iter().map(|b| view! { <td class="num">{format!("{b:.3}")}</td> }).collect::<Vec<_>>()}</tr>
                        </tbody>
                    </table>
                })}
            </Show>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_follow_epochs_and_rows_put_large_values_on_top() {
        let bins = NetLimits::HISTOGRAM_BINS;
        let mut top = vec![0u32; bins];
        top[bins - 1] = 10;
        let mut bottom = vec![0u32; bins];
        bottom[0] = 10;
        let h = vec![
            EpochHistograms { epoch: 0, layers: vec![top] },
            EpochHistograms { epoch: 1, layers: vec![bottom] },
        ];
        let (columns, px) = pixels(&h, 0);
        assert_eq!(columns, 2);
        let at = |row: usize, column: usize| px[(row * columns + column) * 4];
        assert!(at(0, 0) < 100 && at(bins - 1, 0) == 255, "epoch 0: dark at the top");
        assert!(at(bins - 1, 1) < 100 && at(0, 1) == 255, "epoch 1: dark at the bottom");
        let many: Vec<EpochHistograms> = (0..1000)
            .map(|epoch| EpochHistograms { epoch, layers: vec![vec![1; bins]] })
            .collect();
        assert_eq!(pixels(&many, 0).0, MAX_COLUMNS);
    }
}
