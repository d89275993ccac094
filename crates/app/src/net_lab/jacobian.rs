//! The notes' matrix calculus on the live network: a layer's Jacobian ∂a/∂a_prev in numerator
//! layout (one row per output, one column per input), the engine's from vector–Jacobian
//! products beside the same by central differences and their difference, the notes' case its
//! shape is, and the notes' two identities checked at the point.

use super::state::NetSession;
use crate::format;
use contract::net::protocol::JacobianView;
use contract::net::NetLab;
use crate::page::Headed;
use leptos::prelude::*;

/// Which of the notes' cases a derivative of an m-vector by an n-vector is.
pub fn case(m: usize, n: usize) -> String {
    match (m, n) {
        (1, 1) => "a scalar by a scalar: 1 × 1".into(),
        (1, n) => format!("the notes' case ②, a scalar by a vector: a row, 1 × {n}"),
        (m, 1) => format!("the notes' case ①, a vector by a scalar: a column, {m} × 1"),
        (m, n) => format!("the notes' case ③, a vector by a vector: the Jacobian, {m} × {n}"),
    }
}

fn layer_name(spec: &NetLab, layer: usize) -> String {
    if layer == spec.hidden.len() + 1 {
        "the output".into()
    } else {
        format!("hidden layer {layer}")
    }
}

fn input_names(spec: &NetLab, layer: usize, n: usize) -> Vec<String> {
    if layer == 1 {
        spec.features.iter().map(|f| f.label().to_string()).collect()
    } else {
        (1..=n).map(|j| format!("∂a{j}′")).collect()
    }
}

/// A Jacobian as a table: one row per output ∂aᵢ, one column per input (owned values, so the
/// view outlives the state it was read from).
fn table(j: &JacobianView, columns: &[String], values: &[f32], testid: &'static str) -> impl IntoView {
    let (m, n) = (j.outputs, j.inputs);
    let header = columns.iter().map(|c| view! { <th>{c.clone()}</th> }).collect::<Vec<_>>();
    let rows = (0..m)
        .map(|i| {
            let cells = (0..n)
                .map(|k| {
                    let text = format::value(values.get(i * n + k).copied().unwrap_or(f32::NAN) as f64, 4);
                    view! { <td class="num">{text}</td> }
                })
                .collect::<Vec<_>>();
            view! { <tr><th>{format!("∂a{}", i + 1)}</th>{cells}</tr> }
        })
        .collect::<Vec<_>>();
    view! {
        <table class="bp-matrix" data-testid=testid>
            <thead><tr><th></th>{header}</tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// What this part shows, under its title.
const LEDE: &str = concat!(
    "A layer maps its input a_prev (n values) to its output a = φ(Wᵀa_prev + b) (m values). Its ",
    "Jacobian ∂a/∂a_prev has one row per output and one column per input: m × n, the notes' ",
    "numerator layout. Computed at the followed training point (click one on the output map), ",
    "or the first.",
);

#[component]
pub fn Jacobians(state: ReadSignal<NetSession>, on_layer: Callback<usize>) -> impl IntoView {
    let layers = Memo::new(move |_| state.with(|s| s.spec.hidden.len() + 1));
    let chosen = move || state.with(|s| s.lab.jacobian_layer.clamp(1, s.spec.hidden.len() + 1));
    // Rebuilt when the Jacobian changes, not on every message the page gets.
    let current = Memo::new(move |_| state.with(|s| s.lab.jacobian.clone()));
    let body = move || {
        let _ = current.get();
        state.with_untracked(|s| {
            let j = s.lab.jacobian.as_ref()?;
            let columns = input_names(&s.spec, j.layer, j.inputs);
            let worst = j
                .by_autograd
                .iter()
                .zip(&j.by_differences)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0f32, f32::max);
            let identities = j.identities.iter().map(|c| view! {
                <li>
                    <p class="formula">{c.identity.clone()}</p>
                    <p class="hint">{c.meaning.clone()}</p>
                    <p class="hint" data-testid="identity-check">{format!(
                        "Both sides at this point ({} values each): {}.",
                        c.left.len(),
                        if c.difference == 0.0 {
                            "exactly equal".to_string()
                        } else {
                            format!("the largest difference is {}", format::value(c.difference as f64, 1))
                        }
                    )}</p>
                </li>
            }).collect::<Vec<_>>();
            Some(view! {
                <p data-testid="jacobian-case">{format!(
                    "∂a/∂a_prev of {} at training point {} (epoch {}): {}",
                    layer_name(&s.spec, j.layer), j.point + 1, j.epoch, case(j.outputs, j.inputs)
                )}</p>
                <div class="bp-tables">
                    <div><p class="hint">"By autograd: row i is one vector–Jacobian product, eᵢᵀ ∂a/∂a_prev"</p>
                        {table(j, &columns, &j.by_autograd, "jacobian-autograd")}</div>
                    <div><p class="hint">"By central differences, (a(x + h eⱼ) − a(x − h eⱼ)) / 2h, h = 0.001"</p>
                        {table(j, &columns, &j.by_differences, "jacobian-differences")}</div>
                </div>
                <p class="hint" data-testid="jacobian-difference">{format!(
                    "The two differ by at most {} (the differences' own error, of order h²).",
                    format::value(worst as f64, 1)
                )}</p>
                <h3>"The notes' identities, on this network"</h3>
                <ul class="identities">{identities}</ul>
            })
        })
    };
    view! {
        <Headed id="jac-title" title="Jacobians in numerator layout" class="jacobians" lede=LEDE>
            <label class="field inline">"Layer "
                <select data-testid="jacobian-layer" on:change=move |ev| {
                    if let Ok(l) = event_target_value(&ev).parse() { on_layer.run(l) }
                }>
                    {move || (1..=layers.get()).map(|l| view! {
                        <option value=l.to_string() selected=move || chosen() == l>
                            {state.with_untracked(|s| layer_name(&s.spec, l))}
                        </option>
                    }).collect::<Vec<_>>()}
                </select>
            </label>
            {body}
        </Headed>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_name_the_notes_cases() {
        assert_eq!(case(4, 2), "the notes' case ③, a vector by a vector: the Jacobian, 4 × 2");
        assert_eq!(case(1, 2), "the notes' case ②, a scalar by a vector: a row, 1 × 2");
        assert_eq!(case(3, 1), "the notes' case ①, a vector by a scalar: a column, 3 × 1");
        assert_eq!(case(1, 1), "a scalar by a scalar: 1 × 1");
    }
}
