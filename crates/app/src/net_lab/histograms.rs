//! Internal covariate shift, made visible: for a chosen hidden layer, the distribution of what
//! its activations receive (z, or γ ẑ + β with batch normalisation) over the training set after
//! every epoch, as a heatmap — epochs along, values up, darker where more points fall — and,
//! with batch normalisation, the γ and β each neuron has learnt. On request, beside it the
//! same network trained the other way (batch norm off or on) from the same seed.

use super::state::NetSession;
use super::Actions;
use crate::widgets::raster;
use contract::net::limits::NetLimits;
use contract::net::protocol::{EpochHistograms, EpochLoss};
use leptos::html::Canvas;
use crate::page::Headed;
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

/// Which of the two runs a plot shows: the page's, or its contrast run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Which {
    This,
    Contrast,
}

impl Which {
    fn histograms(self, s: &NetSession) -> &[EpochHistograms] {
        match self {
            Which::This => &s.lab.histograms,
            Which::Contrast => s.lab.contrast.as_ref().map_or(&[], |c| &c.0.histograms),
        }
    }

    fn batch_norm(self, s: &NetSession) -> bool {
        s.spec.batch_norm == (self == Which::This)
    }

    fn last_loss(self, s: &NetSession) -> Option<EpochLoss> {
        match self {
            Which::This => s.lab.latest(),
            Which::Contrast => s.lab.contrast.as_ref().and_then(|c| c.0.curve.last().copied()),
        }
    }

    /// The learnt γ and β of hidden layer `layer` (1-based), if the run normalises.
    fn norms(self, s: &NetSession, layer: usize) -> Option<(Vec<f32>, Vec<f32>)> {
        match self {
            Which::This => {
                let weights = s.lab.frame.as_ref()?.layers.get(layer - 1)?;
                (!weights.gamma.is_empty()).then(|| (weights.gamma.clone(), weights.beta.clone()))
            }
            Which::Contrast => {
                let norm = s.lab.contrast.as_ref()?.0.norms.get(layer - 1)?;
                Some((norm.gamma.clone(), norm.beta.clone()))
            }
        }
    }
}

fn with_or_without(batch_norm: bool) -> &'static str {
    if batch_norm {
        "with batch norm"
    } else {
        "without batch norm"
    }
}

/// What this part shows, under its title.
const LEDE: &str = concat!(
    "As the layers before it learn, the values a layer receives drift: the notes' internal covariate ",
    "shift. Batch normalisation standardises each neuron's input over the mini-batch, q̂ = (q − E[q]) / SE[q], ",
    "then learns y = γ q̂ + β. Train the same network the other way beside this one to compare them.",
);

#[component]
pub fn Histograms(state: ReadSignal<NetSession>, actions: Actions, on_layer: Callback<usize>) -> impl IntoView {
    let layers = Memo::new(move |_| state.with(|s| s.spec.hidden.len()));
    let layer = Memo::new(move |_| state.with(|s| s.lab.histogram_layer.clamp(1, s.spec.hidden.len().max(1))));
    let contrast = Memo::new(move |_| state.with(|s| s.spec.contrast));
    let other = move || with_or_without(!state.with(|s| s.spec.batch_norm));
    view! {
        <Headed id="hist-title" title="What each layer's activations receive, epoch by epoch" class="histograms" lede=LEDE>
            <Show when=move || { layers.get() > 0 } fallback=|| view! { <p class="hint">"This network has no hidden layer."</p> }>
                <div class="hist-controls">
                    <label class="field inline">"Hidden layer "
                        <select data-testid="hist-layer" on:change=move |ev| {
                            if let Ok(l) = event_target_value(&ev).parse() { on_layer.run(l) }
                        }>
                            {move || (1..=layers.get()).map(|l| view! {
                                <option value=l.to_string() selected=move || layer.get() == l>{format!("layer {l}")}</option>
                            }).collect::<Vec<_>>()}
                        </select>
                    </label>
                    <label class="field inline">
                        <input type="checkbox" data-testid="bn-contrast" prop:checked=move || contrast.get()
                            on:change=move |ev| { let on = event_target_checked(&ev); actions.edit(state, move |s| s.contrast = on) } />
                        {move || format!("Beside it: the same network {} (same seed: same data, first weights and batches)", other())}
                    </label>
                </div>
                <div class="hist-pair">
                    <Plot state=state which=Which::This layer=layer />
                    <Show when=move || contrast.get()>
                        <Plot state=state which=Which::Contrast layer=layer />
                    </Show>
                </div>
                <p class="hint">{format!(
                    "Each column is one epoch: how the layer's inputs (every neuron, every training point) spread over −{} to +{}; darker is more. Beyond ±{} they count in the end rows.",
                    NetLimits::HISTOGRAM_RANGE, NetLimits::HISTOGRAM_RANGE, NetLimits::HISTOGRAM_RANGE
                )}</p>
            </Show>
        </Headed>
    }
}

/// One run's histograms of the chosen layer as a heatmap, titled by how it normalises, its
/// latest losses beneath, and its learnt γ and β if it has them.
#[component]
fn Plot(state: ReadSignal<NetSession>, which: Which, layer: Memo<usize>) -> impl IntoView {
    let version = Memo::new(move |_| state.with(|s| (s.run, which.histograms(s).len())));
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let _ = version.get();
        let l = layer.get();
        if let Some(canvas) = canvas.get() {
            state.with_untracked(|s| {
                let (columns, pixels) = pixels(which.histograms(s), l - 1);
                let _ = raster::paint(&canvas, columns.max(1), NetLimits::HISTOGRAM_BINS, &pixels_or_blank(columns, pixels));
            });
        }
    });
    let epochs = move || {
        state.with(|s| {
            let h = which.histograms(s);
            (h.first().map_or(0, |h| h.epoch), h.last().map_or(0, |h| h.epoch))
        })
    };
    let title = move || {
        state.with(|s| {
            let how = with_or_without(which.batch_norm(s));
            match which {
                Which::This => format!("This run, {how}"),
                Which::Contrast => format!("The same network {how}"),
            }
        })
    };
    let losses = move || {
        state.with(|s| match which.last_loss(s) {
            Some(l) => format!("epoch {}: training loss {:.3}, test loss {:.3}", l.epoch, l.train, l.test),
            None => "training the comparison to this epoch…".to_string(),
        })
    };
    let stopped = move || {
        state.with(|s| match which {
            Which::This => s.lab.stopped().map(str::to_string),
            Which::Contrast => s.lab.contrast.as_ref().and_then(|c| c.0.stopped.clone()),
        })
    };
    let norms = Memo::new(move |_| {
        let l = layer.get();
        state.with(|s| which.norms(s, l))
    });
    let testid = match which {
        Which::This => "hist",
        Which::Contrast => "hist-contrast",
    };
    let range = NetLimits::HISTOGRAM_RANGE;
    view! {
        <figure class="hist-run" data-testid=testid>
            <figcaption data-testid=format!("{testid}-title")>{title}</figcaption>
            <div class="hist-plot">
                <span class="tick top">{format!("+{range}")}</span>
                <span class="tick middle">"0"</span>
                <span class="tick bottom">{format!("−{range}")}</span>
                <canvas node_ref=canvas data-testid=format!("{testid}-canvas") width="1" height="1"
                    aria-label="for each epoch (left to right) the share of the layer's values at each level (bottom −5 to top +5); darker is more"></canvas>
                <span class="tick first">{move || format!("epoch {}", epochs().0)}</span>
                <span class="tick last">{move || format!("epoch {}", epochs().1)}</span>
            </div>
            <p class="hist-loss" data-testid=format!("{testid}-loss")>{losses}</p>
            {move || stopped().map(|why| view! { <p class="hint warn">{format!("Stopped: {why}")}</p> })}
            {move || norms.get().map(|(gamma, beta)| view! {
                <table class="bp-vector bn-params" data-testid=format!("{testid}-bn-params")>
                    <thead><tr><th>"neuron"</th><th>"γ (learnt scale)"</th><th>"β (learnt shift)"</th></tr></thead>
                    <tbody>
                        {gamma.iter().zip(&beta).enumerate().map(|(j, (g, b))| view! {
                            <tr><th>{j + 1}</th><td class="num">{format!("{g:.3}")}</td><td class="num">{format!("{b:.3}")}</td></tr>
                        }).collect::<Vec<_>>()}
                    </tbody>
                </table>
            })}
        </figure>
    }
}

/// A run with no epochs yet paints one blank column.
fn pixels_or_blank(columns: usize, pixels: Vec<u8>) -> Vec<u8> {
    if columns == 0 {
        vec![255; NetLimits::HISTOGRAM_BINS * 4]
    } else {
        pixels
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
