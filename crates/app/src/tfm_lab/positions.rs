//! The positional encodings: the table the model adds to its token embeddings (position ×
//! dimension), a few dimensions as curves over positions, how alike two positions' vectors are,
//! and for the encoder whether the model can tell a sequence from its permutation.

use super::state::TfmSession;
use crate::widgets::heatmap::{Grid, Heatmap, Scale};
use crate::widgets::line_chart::{Frame, LineChart, Series, YAxis};
use contract::tfm::protocol::PositionsView;
use contract::tfm::{Architecture, Positions};
use leptos::prelude::*;

const COLOURS: [&str; 4] = ["#2c7fb8", "#e07a2d", "#2ca25f", "#756bb1"];

/// The table as a grid: positions down, dimensions across.
pub fn table(p: &PositionsView) -> Grid {
    Grid {
        rows: p.len,
        columns: p.dim,
        values: (0..p.len * p.dim).map(|k| p.table.value(k)).collect(),
    }
}

pub fn similarity(p: &PositionsView) -> Grid {
    Grid {
        rows: p.len,
        columns: p.len,
        values: (0..p.len * p.len).map(|k| p.similarity.value(k)).collect(),
    }
}

/// Dimensions drawn as curves: the first pair (fastest), a pair further along (slower), and
/// the one the student picked.
pub fn shown_dimensions(dim: usize, picked: usize) -> Vec<usize> {
    let mut d = vec![0, 1, (dim / 4) & !1, picked];
    d.retain(|&x| x < dim);
    let mut seen = Vec::new();
    d.retain(|x| {
        let new = !seen.contains(x);
        seen.push(*x);
        new
    });
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_curves_take_the_fast_pair_a_slower_one_and_the_picked_dimension_once() {
        assert_eq!(shown_dimensions(32, 16), vec![0, 1, 8, 16]);
        assert_eq!(shown_dimensions(32, 1), vec![0, 1, 8]);
        assert_eq!(shown_dimensions(4, 99), vec![0, 1]);
    }
}

#[component]
pub fn PositionsPanel(state: ReadSignal<TfmSession>) -> impl IntoView {
    let positions = Memo::new(move |_| state.with(|s| s.lab.view.as_ref().and_then(|v| v.positions.clone())));
    let kind = move || state.with(|s| s.spec.positions);
    let (picked, set_picked) = signal(usize::MAX);
    let picked_or_half = move || {
        let dim = positions.with(|p| p.as_ref().map_or(0, |p| p.dim));
        let p = picked.get();
        if p < dim { p } else { (dim / 2) & !1 }
    };
    let curves = move || {
        let picked = picked_or_half();
        positions.with(|p| {
            let Some(p) = p else { return Vec::new() };
            shown_dimensions(p.dim, picked)
                .into_iter()
                .enumerate()
                .map(|(c, d)| Series {
                    label: format!("dimension {d} ({})", if d % 2 == 0 { "sin" } else { "cos" }),
                    colour: COLOURS[c % COLOURS.len()],
                    points: (0..p.len).map(|pos| (pos as f64, p.table.value(pos * p.dim + d) as f64)).collect(),
                    width: 2.0,
                    dots: true,
                })
                .collect()
        })
    };
    let frame = Signal::derive(move || {
        Frame::new("position", "position", "value added", YAxis::LogWhenPositive)
    });
    let gap = move || {
        state.with(|s| {
            let v = s.lab.view.as_ref()?;
            let gap = v.permutation_gap?;
            Some(if gap < 1e-4 {
                format!(
                    "Reversing the input's tokens changes no attention weight beyond reordering it (largest difference {gap:.1e}, rounding): without positions the encoder sees a bag of tokens, so “I am a good boy” and “Am a I boy good” look the same to it."
                )
            } else {
                format!(
                    "Reversing the input's tokens changes the attention by up to {gap:.2} (beyond reordering it): the positions let the model tell the orders apart."
                )
            })
        })
    };
    view! {
        <p class="hint">
            "Attention itself ignores order: permute the tokens and every weight is permuted with them. The model learns order only from what is added to each token's embedding. "
            "The paper's encoding: PE(pos, 2i) = sin(pos / 10000^(2i/d_model)), PE(pos, 2i+1) = cos(pos / 10000^(2i/d_model)) — "
            "a pair of dimensions shares one frequency, fast in the first pairs and slow in the last. "
            "(The notes write the cosine's exponent as (2i+1)/d_model; the lab follows the paper, where both members of a pair share 2i/d_model.)"
        </p>
        <p data-testid="tfm-positions-kind"><strong>{move || match kind() {
            Positions::Sinusoidal => "This run: the fixed sinusoids.".to_string(),
            Positions::Learned => "This run: a learned table (one trained vector per position), as it stands now.".into(),
            Positions::None => "This run has no positions: the model sees a bag of tokens.".into(),
        }}</strong></p>
        {move || positions.get().map(|p| {
            let t = table(&p);
            let sim = similarity(&p);
            let magnitude = crate::widgets::raster::magnitude(p.table.min, p.table.max);
            view! {
                <div class="curves positions">
                    <figure data-testid="tfm-pe-table">
                        <figcaption><strong>{format!("The encoding: {} positions × {} dimensions", p.len, p.dim)}</strong></figcaption>
                        <Heatmap grid=t scale=Scale::Signed { magnitude } bar_label="value" aria="positional encodings" testid="tfm-pe-map" />
                        <p class="hint">"rows: positions (0 at the top) · columns: dimensions"</p>
                    </figure>
                    <div>
                        <LineChart series=Signal::derive(curves) frame=frame title="A few dimensions over the positions" caption=true legend=true
                            testid="tfm-pe-curves" class="curve" readout_testid="tfm-pe-readout" hint="Point at the chart to read the values." />
                        <label class="field">{format!("Also draw dimension (0–{}) ", p.dim - 1)}
                            <input type="number" min="0" max={(p.dim - 1).to_string()} data-testid="tfm-pe-dimension"
                                prop:value=move || picked_or_half().to_string()
                                on:change=move |ev| { if let Ok(d) = event_target_value(&ev).trim().parse::<usize>() { set_picked.set(d) } } />
                        </label>
                    </div>
                    <figure data-testid="tfm-pe-similarity">
                        <figcaption><strong>"How alike two positions are (cosine similarity)"</strong></figcaption>
                        <Heatmap grid=sim scale=Scale::Signed { magnitude: 1.0 } bar_label="cos" aria="position similarity" testid="tfm-pe-similarity-map" />
                        <p class="hint">"rows and columns: positions · the diagonal is 1; nearby positions are alike, far ones less"</p>
                    </figure>
                </div>
            }
        })}
        <Show when=move || state.with(|s| s.spec.architecture == Architecture::Encoder)>
            <p class="verdict" data-testid="tfm-permutation">{gap}</p>
        </Show>
    }
}
