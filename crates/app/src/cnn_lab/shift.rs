//! Move the digit by a few pixels and see, per layer, whether the maps move with it
//! (equivariance, f(g(I)) = g(f(I))) or stay put (invariance, f(g(I)) = f(I)), and how much the
//! prediction changes — the notes' two definitions, as numbers.

use super::inside::Thumb;
use super::state::CnnSession;
use contract::cnn::limits::CnnLimits;
use contract::cnn::view::DigitSource;
use leptos::prelude::*;

fn argmax(p: &[f32]) -> usize {
    p.iter()
        .enumerate()
        .fold(
            (0, f32::NEG_INFINITY),
            |b, (i, &v)| if v > b.1 { (i, v) } else { b },
        )
        .0
}

#[component]
pub fn ShiftView(
    state: ReadSignal<CnnSession>,
    on_look: Callback<(DigitSource, (i32, i32))>,
) -> impl IntoView {
    let digit = move || {
        state.with_untracked(|s| {
            s.lab
                .view
                .as_ref()
                .map(|v| v.digit.clone())
                .unwrap_or(DigitSource::Test {
                    index: s.spec.digit,
                })
        })
    };
    let nudge = move |dx: i32, dy: i32| {
        let (x, y) = state.with_untracked(|s| s.spec.shift);
        let limit = CnnLimits::MAX_SHIFT;
        on_look.run((
            digit(),
            ((x + dx).clamp(-limit, limit), (y + dy).clamp(-limit, limit)),
        ));
    };
    let report = move || {
        state.with(|s| {
            s.lab.view.as_ref().and_then(|v| {
                v.shift
                    .clone()
                    .map(|r| (r, v.probabilities.clone(), v.input.clone()))
            })
        })
    };
    let rows = move || {
        let names: Vec<String> = state.with(|s| s.spec.layers.iter().map(|l| l.label()).collect());
        report().map(|(r, _, _)| {
            r.rows
                .into_iter()
                .map(|row| {
                    let whole = row.map_shift.0.fract() == 0.0 && row.map_shift.1.fract() == 0.0;
                    view! {
                        <tr>
                            <td>{format!("{} · {}", row.layer + 1, names.get(row.layer).cloned().unwrap_or_default())}</td>
                            <td class="num">{if whole { format!("({:+}, {:+})", row.map_shift.0, row.map_shift.1) } else { format!("({:+.2}, {:+.2})", row.map_shift.0, row.map_shift.1) }}</td>
                            <td class="num">{row.equivariance.map_or("— (not a whole pixel here)".to_string(), correlation)}</td>
                            <td class="num">{correlation(row.invariance)}</td>
                        </tr>
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <p class="caption">
            "Equivariance: moving the input moves the maps — f(g(I)) = g(f(I)). Invariance: moving the input changes nothing — "
            "f(g(I)) = f(I). Convolutions are equivariant; pooling and strides trade that for some invariance. Each layer's number is a "
            "correlation: 1 means a perfect match."
        </p>
        <div class="shift-controls">
            <span>"Move the digit by "</span>
            <button class="icon" aria-label="left" data-testid="shift-left" on:click=move |_| nudge(-1, 0)>"←"</button>
            <button class="icon" aria-label="right" data-testid="shift-right" on:click=move |_| nudge(1, 0)>"→"</button>
            <button class="icon" aria-label="up" data-testid="shift-up" on:click=move |_| nudge(0, -1)>"↑"</button>
            <button class="icon" aria-label="down" data-testid="shift-down" on:click=move |_| nudge(0, 1)>"↓"</button>
            <span data-testid="shift-value">{move || { let (x, y) = state.with(|s| s.spec.shift); format!("({x:+}, {y:+}) pixels (right, down)") }}</span>
            <button class="secondary-blue" on:click=move |_| on_look.run((digit(), (0, 0)))>"Back to (0, 0)"</button>
        </div>
        {move || match report() {
            None => view! { <p class="hint">"Move the digit to compare every layer with the unmoved digit."</p> }.into_any(),
            Some((r, moved, input)) => {
                let (a, b) = (argmax(&r.original_probabilities), argmax(&moved));
                view! {
                    <div class="shift-body">
                        <figure class="input-figure"><Thumb pixels=input scale=3 /><figcaption>"moved digit"</figcaption></figure>
                        <div>
                            <p data-testid="shift-summary">{if r.probability_change.is_finite() { format!(
                                "Prediction unmoved: {a} ({:.1}%); moved: {b} ({:.1}%). The class probabilities changed by {:.1}% (half the sum of |p − p′|).",
                                r.original_probabilities.get(a).copied().unwrap_or(0.0) * 100.0,
                                moved.get(b).copied().unwrap_or(0.0) * 100.0,
                                r.probability_change * 100.0
                            ) } else {
                                "The network's outputs are not numbers (training diverged), so the shift changes nothing it can say.".to_string()
                            }}</p>
                        </div>
                    </div>
                    <div class="table-scroll">
                    <table class="results" data-testid="shift-table">
                        <thead><tr><th>"layer"</th><th class="num">"shift in this layer's map"</th>
                            <th class="num" title="correlation of the moved digit's maps with the original maps moved by the same amount">"equivariance"</th>
                            <th class="num" title="correlation of the moved digit's maps with the original maps, unmoved">"invariance"</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                    </div>
                    <p class="hint">
                        "With and without pooling: "
                        <a href=format!("#lab=cnn&v=1&shift={},{}&at=250", r.shift.0, r.shift.1) data-testid="shift-with-pooling">"the LeNet-like net (two max pools)"</a>
                        " · "
                        <a href=format!("#lab=cnn&v=1&layers=c8k5p2,relu,c16k4s2p1,relu&shift={},{}&at=250", r.shift.0, r.shift.1) data-testid="shift-without-pooling">"the same depth with a strided convolution instead of pooling"</a>
                        ", both trained to step 250 with this shift. Without pooling the dense head sees every position separately: "
                        "over the first 100 test digits moved by (2, 0), the class probabilities change by 6% on average with pooling and 12% without "
                        "(8 predictions of 100 flip instead of 4; moved by (3, 1), 37 instead of 20)."
                    </p>
                }.into_any()
            }
        }}
    }
}

/// A correlation as the table writes it; a map that is constant (or a diverged model's) has
/// none.
fn correlation(c: f32) -> String {
    if c.is_finite() {
        format!("{c:.3}")
    } else {
        "— (a map is constant)".to_string()
    }
}
