//! The notes' walk through one head, for the sequence in view: X, Q, K, V, QKᵀ, /√d_k, the
//! mask, softmax, ·V, the heads concatenated, ·W_o, the residual, LayerNorm — each the matrix
//! the engine computed from the trained weights, with its shape and what it means.

use super::state::TfmSession;
use crate::widgets::heatmap::{Grid, Heatmap, Scale};
use contract::tfm::protocol::{Stage, StageKind, TfmView};
use leptos::prelude::*;

/// A stage as a grid; cells hidden by the mask are not numbers (drawn grey).
pub fn grid(view: &TfmView, stage: &Stage) -> Grid {
    let hidden = |i: usize, j: usize| stage.masked && view.causal && j > i;
    Grid {
        rows: stage.rows,
        columns: stage.cols,
        values: (0..stage.rows * stage.cols)
            .map(|k| {
                let (i, j) = (k / stage.cols, k % stage.cols);
                if hidden(i, j) {
                    f32::NAN
                } else {
                    stage.values.value(k)
                }
            })
            .collect(),
    }
}

/// Weights live in [0, 1]; everything else is signed, zero white.
pub fn scale(stage: &Stage) -> Scale {
    if stage.kind == StageKind::Weights {
        Scale::Linear { low: 0.0, high: 1.0 }
    } else {
        Scale::Signed {
            magnitude: crate::widgets::raster::magnitude(stage.values.min, stage.values.max),
        }
    }
}

#[component]
pub fn Walkthrough(state: RwSignal<TfmSession>) -> impl IntoView {
    let view_memo = Memo::new(move |_| state.with(|s| s.lab.view.clone()));
    let which = move || {
        view_memo.with(|v| {
            v.as_ref().map_or(String::new(), |v| {
                format!(
                    "Layer {} · head {} on “{}”",
                    v.layer + 1,
                    v.head + 1,
                    v.tokens.join(" ")
                )
            })
        })
    };
    let stages = move || {
        view_memo.with(|v| {
            let Some(v) = v else { return Vec::new() };
            v.walkthrough
                .iter()
                .enumerate()
                .map(|(k, stage)| {
                    let g = grid(v, stage);
                    let sc = scale(stage);
                    let shape = format!("{} × {}", stage.rows, stage.cols);
                    let caption_shape = shape.clone();
                    let columns = if stage.cols_are_tokens {
                        "columns: tokens (keys)"
                    } else {
                        "columns: dimensions"
                    };
                    view! {
                        <figure class="stage" data-testid=format!("tfm-stage-{k}") data-shape=shape
                            class:wide={!stage.cols_are_tokens && stage.cols > 16}>
                            <figcaption>
                                <strong>{format!("{}. {}", k + 1, stage.name)}</strong>
                                <span class="shape">{caption_shape}</span>
                            </figcaption>
                            <div class="stage-body">
                                <ol class="row-tokens" class:dense={stage.rows > 24} aria-hidden="true">
                                    {v.tokens.iter().map(|t| view! { <li>{t.clone()}</li> }).collect::<Vec<_>>()}
                                </ol>
                                <Heatmap grid=g scale=sc bar_label="value" aria="stage" testid="tfm-stage-map" />
                            </div>
                            <p class="hint">{format!("{} · rows: tokens (queries), {columns}", stage.explain)}</p>
                        </figure>
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <p class="hint">
            "The notes' “I am a good boy”, computed: every matrix below is what the engine computes for the sequence in view, "
            "with this run's trained weights, for the head chosen in section 2 (click another head there). "
            "Zero is white, negative blue, positive red; grey is masked."
        </p>
        <p data-testid="tfm-walkthrough-title"><strong>{which}</strong></p>
        <div class="walkthrough" data-testid="tfm-walkthrough">{stages}</div>
    }
}
