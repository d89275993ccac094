//! What each model looked at while writing the translation shown in section 3: Bahdanau's α
//! (target words × source words), and every Transformer head's cross-attention, the
//! decoder's masked self-attention (with its mask) and the encoder's self-attention.

use super::state::MtSession;
use crate::widgets::matrix::{Cell, ColourBar, Matrix, MatrixView};
use contract::mt::protocol::{AttentionKind, AttentionMap};
use contract::mt::MtModel;
use leptos::prelude::*;

/// The map as a labelled matrix, masked cells hatched.
pub fn matrix(map: &AttentionMap) -> Matrix {
    let (rows, cols) = (map.rows.len(), map.columns.len());
    let corner = match map.kind {
        AttentionKind::Additive | AttentionKind::Cross => "written ↓ · source word →",
        AttentionKind::DecoderSelf => "written ↓ · read →",
        AttentionKind::EncoderSelf => "query ↓ · key →",
    };
    Matrix {
        corner: corner.into(),
        row_labels: map.rows.clone(),
        column_labels: map.columns.clone(),
        cells: (0..rows)
            .map(|i| {
                (0..cols)
                    .map(|j| {
                        if map.causal && j > i {
                            return Cell {
                                masked: true,
                                text: String::new(),
                                title: format!("“{}” is written before “{}” is read: masked (weight 0)", map.rows[i], map.columns[j]),
                                ..Cell::default()
                            };
                        }
                        let w = map.weights.value(i * cols + j);
                        Cell::attention_weight(w, format!("“{}” → “{}”: weight {w:.3}", map.rows[i], map.columns[j]))
                    })
                    .collect()
            })
            .collect(),
        bars: vec![ColourBar::attention()],
    }
}

/// For every row, the column it weighs most ("3,0,1,…"): what a reader (or a test) checks
/// for an alignment that reorders.
pub fn strongest(map: &AttentionMap) -> String {
    let cols = map.columns.len();
    (0..map.rows.len())
        .map(|i| {
            (0..cols)
                .max_by(|&a, &b| map.weights.value(i * cols + a).total_cmp(&map.weights.value(i * cols + b)))
                .map_or(String::new(), |j| j.to_string())
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[component]
pub fn Alignment(state: ReadSignal<MtSession>) -> impl IntoView {
    let translation = Memo::new(move |_| state.with(|s| s.lab.translation.clone()));
    let (model, set_model) = signal(MtModel::Bahdanau);
    let (kind, set_kind) = signal(AttentionKind::Cross);
    let (layer, set_layer) = signal(0usize);
    let (head, set_head) = signal(0usize);
    let shape = move || state.with(|s| (s.spec.layers, s.spec.heads));
    let maps = move || {
        translation.with(|t| {
            t.as_ref()
                .and_then(|t| t.models.iter().find(|m| m.model == model.get()).map(|m| m.attention.clone()))
                .unwrap_or_default()
        })
    };
    let chosen = Memo::new(move |_| {
        let maps = maps();
        // A layer or head the model no longer has (fewer after a restart) reads as the last.
        let (layers, heads) = shape();
        let (l, h) = (layer.get().min(layers.saturating_sub(1)), head.get().min(heads.saturating_sub(1)));
        match model.get() {
            MtModel::Transformer => maps
                .into_iter()
                .find(|m| m.kind == kind.get() && m.layer == l && m.head == h),
            _ => maps.into_iter().next(),
        }
    });
    let explain = move || match (model.get(), kind.get()) {
        (MtModel::Fixed, _) => "The fixed-context model looks at nothing: every word it writes comes from the same vector c and its own state. That is its weakness on long sentences.",
        (MtModel::Bahdanau, _) => "α_ij = softmax_j(v_aᵀ tanh(W s_(i−1) + U h_j)): row i is how much the decoder, about to write word i, takes from each source word's encoder state h_j. Each row sums to 1. For SVO → SOV the rows do not run down the diagonal: the object is written before the verb, and “the”/“a” (which Hindi drops) are barely read. h_j comes from a bidirectional encoder and carries its neighbours too, so a row may lean on a word next to the one it translates. Its output layer reads [s_i; c_i] through one linear map: Bahdanau et al. also feed the previous word y_(i−1) and a maxout layer, left out here.",
        (MtModel::Transformer, AttentionKind::Cross) => "Cross-attention: the decoder's queries (one per word written) against the encoder's keys (one per source word). One head often learns an alignment like Bahdanau's; others spread out.",
        (MtModel::Transformer, AttentionKind::DecoderSelf) => "Masked self-attention: each position of the decoder reads the words written before it (<s> first) and never the ones after: the mask hides them (hatched).",
        (MtModel::Transformer, _) => "Encoder self-attention: every source word against every other, no mask.",
    };
    let tabs = MtModel::ALL
        .iter()
        .map(|&m| {
            view! {
                <button class="tab" class:chosen=move || model.get() == m aria-pressed=move || (model.get() == m).to_string()
                    data-testid=format!("mt-align-{}", m.slug())
                    on:click=move |_| set_model.set(m)>{m.short()}</button>
            }
        })
        .collect::<Vec<_>>();
    let transformer_picker = move || {
        (model.get() == MtModel::Transformer).then(|| {
            let (layers, heads) = shape();
            view! {
                <div class="lab-controls">
                    <label class="field">"Attention "
                        <select data-testid="mt-align-kind" on:change=move |ev| {
                            if let Some(k) = AttentionKind::from_slug(&event_target_value(&ev)) { set_kind.set(k) }
                        }>
                            {[AttentionKind::Cross, AttentionKind::DecoderSelf, AttentionKind::EncoderSelf].iter().map(|&k| view! {
                                <option value=k.slug() selected=move || kind.get() == k>{k.title()}</option>
                            }).collect::<Vec<_>>()}
                        </select>
                    </label>
                    <label class="field">"Layer "
                        <select data-testid="mt-align-layer" on:change=move |ev| {
                            if let Ok(l) = event_target_value(&ev).parse::<usize>() { set_layer.set(l) }
                        }>
                            {(0..layers).map(|l| view! { <option value=l.to_string() selected=move || layer.get() == l>{l + 1}</option> }).collect::<Vec<_>>()}
                        </select>
                    </label>
                    <label class="field">"Head "
                        <select data-testid="mt-align-head" on:change=move |ev| {
                            if let Ok(h) = event_target_value(&ev).parse::<usize>() { set_head.set(h) }
                        }>
                            {(0..heads).map(|h| view! { <option value=h.to_string() selected=move || head.get() == h>{h + 1}</option> }).collect::<Vec<_>>()}
                        </select>
                    </label>
                </div>
            }
        })
    };
    view! {
        <div class="tabs" role="group" aria-label="Model">{tabs}</div>
        {transformer_picker}
        <p class="hint">{explain}</p>
        <div class="attention-chosen">
            {move || chosen.get().map(|map| {
                let title = match map.kind {
                    AttentionKind::Additive => "α: written word × source word".to_string(),
                    k => format!("{} · layer {} · head {}", k.title(), map.layer + 1, map.head + 1),
                };
                let strongest_cols = strongest(&map);
                view! {
                    <div data-testid="mt-alignment" data-strongest=strongest_cols data-kind=map.kind.slug()>
                        <h3>{title}</h3>
                        <MatrixView matrix=matrix(&map) testid="mt-alignment-matrix" class="attention-matrix" />
                    </div>
                }
            })}
        </div>
        <p class="hint">{move || translation.with(|t| match t {
            None => "Waiting for the first translation…".to_string(),
            Some(_) => "Computed from the greedy translation in section 3, by the weights as they are now.".to_string(),
        })}</p>
    }
}
