//! Every head's attention for one sequence: a grid of layers × heads (masked cells grey), the
//! chosen head large with its tokens on both axes and the mask beside it, and for a clicked
//! query its weights over the tokens as bars. The sequence is a held-out example or typed.

use super::state::TfmSession;
use crate::widgets::contour::ramp;
use crate::widgets::matrix::{Cell, ColourBar, Matrix, MatrixView};
use crate::widgets::raster;
use contract::tfm::protocol::{HeadAttention, TfmView};
use contract::tfm::TfmTask;
use leptos::html::Canvas;
use leptos::prelude::*;

/// Masked cells: not part of the computation (−∞ before the softmax, exactly 0 after).
const MASKED_PIXEL: [u8; 4] = [205, 205, 205, 255];

/// Is key `j` hidden from query `i`?
pub fn masked(view: &TfmView, i: usize, j: usize) -> bool {
    view.causal && j > i
}

/// A head's weights as pixels on the viridis-like ramp from 0 to 1, masked cells grey.
pub fn pixels(view: &TfmView, head: &HeadAttention) -> Vec<u8> {
    let len = view.tokens.len();
    (0..len * len)
        .flat_map(|k| {
            if masked(view, k / len, k % len) {
                MASKED_PIXEL
            } else {
                let (r, g, b) = ramp(head.weights.value(k));
                [r, g, b, 255]
            }
        })
        .collect()
}

/// For every query, the key it weighs most ("3,0,1,…"): what a reader (or a test) checks for
/// a pattern such as reversal's anti-diagonal.
pub fn strongest_keys(view: &TfmView, head: &HeadAttention) -> String {
    let len = view.tokens.len();
    (0..len)
        .map(|i| {
            (0..len)
                .filter(|&j| !masked(view, i, j))
                .max_by(|&a, &b| {
                    head.weights
                        .value(i * len + a)
                        .total_cmp(&head.weights.value(i * len + b))
                })
                .map_or(String::new(), |j| j.to_string())
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The chosen head as a labelled matrix: queries down, keys across; the picked query's row
/// marked; masked cells hatched.
pub fn matrix(view: &TfmView, head: &HeadAttention, picked: Option<usize>) -> Matrix {
    let len = view.tokens.len();
    let label = |i: usize| format!("{} {}", i + 1, view.tokens[i]);
    Matrix {
        corner: "query ↓ · key →".into(),
        row_labels: (0..len)
            .map(|i| {
                if picked == Some(i) {
                    format!("▶ {}", label(i))
                } else {
                    label(i)
                }
            })
            .collect(),
        column_labels: view.tokens.clone(),
        cells: (0..len)
            .map(|i| {
                (0..len)
                    .map(|j| {
                        let w = head.weights.value(i * len + j);
                        if masked(view, i, j) {
                            Cell {
                                masked: true,
                                title: format!(
                                    "“{}” cannot see “{}”: masked (−∞ before the softmax, weight 0)",
                                    view.tokens[i], view.tokens[j]
                                ),
                                ..Cell::default()
                            }
                        } else {
                            let title = format!(
                                "query {} “{}” → key {} “{}”: weight {w:.3}",
                                i + 1,
                                view.tokens[i],
                                j + 1,
                                view.tokens[j]
                            );
                            Cell {
                                margin: picked.is_some_and(|p| p != i),
                                ..Cell::attention_weight(w, title)
                            }
                        }
                    })
                    .collect()
            })
            .collect(),
        bars: vec![ColourBar::attention()],
    }
}

/// The mask itself: white where a query may look, hatched where it may not.
pub fn mask_matrix(view: &TfmView) -> Matrix {
    let len = view.tokens.len();
    Matrix {
        corner: "mask".into(),
        row_labels: view.tokens.clone(),
        column_labels: view.tokens.clone(),
        cells: (0..len)
            .map(|i| {
                (0..len)
                    .map(|j| Cell {
                        masked: masked(view, i, j),
                        text: if masked(view, i, j) { "−∞".into() } else { "0".into() },
                        margin: true,
                        ..Cell::default()
                    })
                    .collect()
            })
            .collect(),
        bars: vec![],
    }
}

#[component]
fn Thumbnail(
    view: Memo<Option<TfmView>>,
    layer: usize,
    head: usize,
    chosen: Signal<bool>,
    on_pick: Callback<()>,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let strongest = move || {
        view.with(|v| {
            v.as_ref()
                .and_then(|v| {
                    let h = v.attention.iter().find(|h| h.layer == layer && h.head == head)?;
                    Some(strongest_keys(v, h))
                })
                .unwrap_or_default()
        })
    };
    Effect::new(move |_| {
        view.with(|v| {
            let Some(v) = v else { return };
            let Some(h) = v.attention.iter().find(|h| h.layer == layer && h.head == head) else {
                return;
            };
            let len = v.tokens.len();
            if let Some(canvas) = canvas.get() {
                let _ = raster::paint(&canvas, len, len, &pixels(v, h));
            }
        })
    });
    view! {
        <button class="attention-thumb" class:chosen=chosen on:click=move |_| on_pick.run(())
            data-testid=format!("tfm-head-{layer}-{head}") data-strongest=strongest title=format!("Layer {} head {}: look at it below", layer + 1, head + 1)>
            <canvas node_ref=canvas width="1" height="1"
                aria-label=format!("attention of layer {} head {}", layer + 1, head + 1)></canvas>
            <span>{format!("head {}", head + 1)}</span>
        </button>
    }
}

#[component]
pub fn Attention(state: RwSignal<TfmSession>) -> impl IntoView {
    let view_memo = Memo::new(move |_| state.with(|s| s.lab.view.clone()));
    let focus = Memo::new(move |_| state.with(|s| s.lab.focus.clone()));
    let picked = Memo::new(move |_| state.with(|s| s.lab.picked_query));
    let shape = Memo::new(move |_| view_memo.with(|v| v.as_ref().map_or((0, 0), |v| (v.layers, v.heads))));
    let chosen = Memo::new(move |_| {
        view_memo.with(|v| {
            v.as_ref().and_then(|v| {
                v.attention.iter().find(|h| h.layer == v.layer && h.head == v.head).map(|h| (v.clone(), h.clone()))
            })
        })
    });
    let (typed, set_typed) = signal(String::new());
    let apply = move || {
        let text = typed.get_untracked().trim().to_string();
        state.update(|s| s.type_input((!text.is_empty()).then_some(text)));
    };
    let example = move |delta: i64| {
        state.update(|s| {
            s.type_input(None);
            s.focus_on(|f| f.example = (f.example as i64 + delta).max(0) as usize);
        });
        set_typed.set(String::new());
    };
    let answer = move || {
        view_memo.with(|v| {
            let v = v.as_ref()?;
            let lm = v.expected.is_none();
            let written = v.predicted.join(" ");
            Some(if lm {
                format!("After each character the model expects: {written}")
            } else {
                let right = v.expected.as_ref().map(|e| e.join(" ")).unwrap_or_default();
                let verdict = if v.expected.as_ref() == Some(&v.predicted) { "✓ right" } else { "✗ the right answer is " };
                format!(
                    "The model answers {written}  {verdict}{}",
                    if verdict.starts_with('✓') { String::new() } else { right }
                )
            })
        })
    };
    let grid = move || {
        let (layers, heads) = shape.get();
        (0..layers)
            .map(|layer| {
                let thumbs = (0..heads)
                    .map(|head| {
                        let is_chosen = Signal::derive(move || focus.with(|f| f.layer == layer && f.head == head));
                        view! {
                            <Thumbnail view=view_memo layer=layer head=head chosen=is_chosen
                                on_pick=Callback::new(move |_| state.update(|s| s.focus_on(|f| { f.layer = layer; f.head = head; }))) />
                        }
                    })
                    .collect::<Vec<_>>();
                view! { <div class="attention-row"><span class="attention-layer">{format!("layer {}", layer + 1)}</span>{thumbs}</div> }
            })
            .collect::<Vec<_>>()
    };
    let bars = move || {
        let (v, h) = chosen.get()?;
        let len = v.tokens.len();
        let i = picked.get().filter(|&i| i < len)?;
        let weights: Vec<f32> = (0..len).map(|j| h.weights.value(i * len + j)).collect();
        let mut order: Vec<usize> = (0..len).filter(|&j| !masked(&v, i, j)).collect();
        order.sort_by(|&a, &b| weights[b].total_cmp(&weights[a]));
        // The three largest, if they take anything worth naming.
        let top: Vec<usize> = order.into_iter().take(3).filter(|&j| weights[j] >= 0.01).collect();
        let rows = (0..len)
            .map(|j| {
                let hidden = masked(&v, i, j);
                view! {
                    <div class="attention-bar" class:top=top.contains(&j) class:masked=hidden>
                        <span class="bar-token">{format!("{} {}", j + 1, v.tokens[j])}</span>
                        <span class="bar-fill" style=format!("width: {:.1}%", weights[j] * 100.0)></span>
                        <span class="bar-value">{if hidden { "masked".to_string() } else { format!("{:.3}", weights[j]) }}</span>
                    </div>
                }
            })
            .collect::<Vec<_>>();
        Some(view! {
            <div class="attention-bars" data-testid="tfm-query-bars">
                <p class="hint">{format!("Query {} “{}” takes from (its three largest weights highlighted):", i + 1, v.tokens[i])}</p>
                {rows}
            </div>
        })
    };
    let placeholder = move || state.with(|s| match s.spec.task {
        TfmTask::Language => "some text, like: the man pulled a cart.".to_string(),
        TfmTask::Addition => "e.g. 1234+5678".into(),
        TfmTask::ModularAddition => "e.g. 17+9".into(),
        TfmTask::Count => format!("{} letters from a–d", s.spec.length),
        _ => format!("{} digits", s.spec.length),
    });
    view! {
        <div class="lab-controls">
            <div class="stepper">
                <span class="hint">"Sequence"</span>
                <button data-testid="tfm-example-prev" title="The previous held-out example" on:click=move |_| example(-1)>"◀"</button>
                <span data-testid="tfm-example">{move || focus.with(|f| match &f.input {
                    Some(text) => format!("typed: {text}"),
                    // The engine wraps the choice to its held-out set; show the one shown.
                    None => format!(
                        "held-out example {}",
                        view_memo.with(|v| v.as_ref().map_or(f.example, |v| v.example)) + 1
                    ),
                })}</span>
                <button data-testid="tfm-example-next" title="The next held-out example" on:click=move |_| example(1)>"▶"</button>
            </div>
            <label class="field">"or type your own "
                <input type="text" data-testid="tfm-input" placeholder=placeholder prop:value=typed
                    on:input=move |ev| set_typed.set(event_target_value(&ev))
                    on:keydown=move |ev| if ev.key() == "Enter" { apply() } />
            </label>
            <button data-testid="tfm-input-apply" on:click=move |_| apply()>"Look"</button>
        </div>
        <p class="answer" data-testid="tfm-answer">{answer}</p>
        <p class="hint">"Each small square is one head: row = the query (the token asking), column = the key (the token asked), colour = its weight; grey cells are masked. Click one to look at it below."</p>
        <div class="attention-grid" data-testid="tfm-attention-grid">{grid}</div>
        <div class="attention-chosen">
            {move || chosen.get().map(|(v, h)| view! {
                <div>
                    <h3>{format!("Layer {} · head {}", h.layer + 1, h.head + 1)}</h3>
                    <MatrixView matrix=matrix(&v, &h, picked.get()) testid="tfm-attention-matrix" class="attention-matrix"
                        on_cell=Callback::new(move |(i, _): (usize, usize)| state.update(|s| s.lab.picked_query = Some(i))) />
                    <p class="hint">"Click a row to see what that query takes from each token."</p>
                </div>
                {bars}
                {v.causal.then(|| view! {
                    <div>
                        <h3>"The causal mask"</h3>
                        <MatrixView matrix=mask_matrix(&v) testid="tfm-mask-matrix" class="attention-matrix mask" />
                        <p class="hint">"Added to QKᵀ/√d_k before the softmax: −∞ above the diagonal, so position i sees only positions ≤ i and a word cannot look ahead (the notes' “Main ek achcha baccha hoon”)."</p>
                    </div>
                })}
            })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use contract::cnn::view::Quantised;

    fn view(causal: bool) -> TfmView {
        TfmView {
            tokens: vec!["1".into(), "2".into(), "=".into()],
            answer_from: 3,
            causal,
            layers: 1,
            heads: 1,
            ..crate::tfm_lab::state::tests::view(0)
        }
    }

    #[test]
    fn the_causal_matrix_hatches_the_upper_triangle_and_greys_it_in_the_thumbnail() {
        let head = HeadAttention {
            layer: 0,
            head: 0,
            weights: Quantised::from_values(&[1.0, 0.0, 0.0, 0.5, 0.5, 0.0, 0.2, 0.3, 0.5]),
        };
        let m = matrix(&view(true), &head, Some(1));
        let hidden: Vec<(usize, usize)> = (0..3)
            .flat_map(|i| (0..3).map(move |j| (i, j)))
            .filter(|&(i, j)| m.cells[i][j].masked)
            .collect();
        assert_eq!(hidden, [(0, 1), (0, 2), (1, 2)]);
        assert_eq!(m.row_labels[1], "▶ 2 2");
        assert_eq!(m.cells[1][0].text, "50");
        let p = pixels(&view(true), &head);
        assert_eq!(&p[4..8], &MASKED_PIXEL);
        assert_ne!(&p[..4], &MASKED_PIXEL);
        let open = matrix(&view(false), &head, None);
        assert!(open.cells.iter().flatten().all(|c| !c.masked));
        assert_eq!(mask_matrix(&view(true)).cells[0][2].text, "−∞");
        // Row 2 ties (0.5, 0.5): the later key is named.
        assert_eq!(strongest_keys(&view(true), &head), "0,1,2");
    }
}
