//! Backpropagation, one point at a time: the chosen training point goes forward through the
//! network layer by layer, its loss is taken, the chain rule carries the gradient back layer by
//! layer, and the step θ ← θ − η ∂J/∂θ follows — every number the engine's (its autograd,
//! checked against the chain rule worked by hand). Next and previous walk the stages.

use super::state::{stages, NetSession};
use crate::format;
use contract::net::protocol::{Backprop, LayerTrace};
use contract::net::{Activation, NetLab};
use crate::page::Headed;
use leptos::prelude::*;

fn num(v: f32) -> String {
    format::value(v as f64, 4)
}

/// A number inside a product: negatives in parentheses.
fn factor(v: f32) -> String {
    if v < 0.0 {
        format!("({})", num(v))
    } else {
        num(v)
    }
}

/// How closely the chain rule by hand matched autograd, in words.
fn agreement(difference: f32) -> String {
    if difference == 0.0 {
        "exactly the same numbers".into()
    } else if difference.is_finite() {
        format!("the same to within {difference:.1e}")
    } else {
        "numbers that are not finite: the network has diverged".into()
    }
}

/// What a stage is called, for a network of `layers` weight layers.
pub fn stage_title(stage: usize, layers: usize) -> String {
    let name = |l: usize| {
        if l == layers {
            "the output".to_string()
        } else {
            format!("hidden layer {l}")
        }
    };
    match stage {
        0 => "The point and its input features".into(),
        s if s <= layers => format!("Forward through {}", name(s)),
        s if s == layers + 1 => "The loss".into(),
        s if s < stages(layers) - 1 => format!("Backward through {}", name(2 * layers + 2 - s)),
        _ => "The update θ ← θ − η ∂J/∂θ".into(),
    }
}

fn phi(spec: &NetLab, output: bool) -> &'static str {
    let activation = match (output, spec.dataset.is_regression()) {
        (false, _) => spec.activation,
        (true, false) => Activation::Tanh,
        (true, true) => Activation::Linear,
    };
    match activation {
        Activation::Relu => "ReLU",
        Activation::Tanh => "tanh",
        Activation::Sigmoid => "σ",
        Activation::Linear => "the identity",
    }
}

/// Names of a layer's inputs: the features for the first, a⁽ˡ⁻¹⁾ᵢ after.
fn input_names(spec: &NetLab, layer: usize, count: usize) -> Vec<String> {
    if layer == 1 {
        spec.features.iter().map(|f| f.label().to_string()).collect()
    } else {
        (1..=count).map(|i| format!("a{i}")).collect()
    }
}

/// A matrix with named rows (the layer's inputs) and one column per neuron.
fn matrix(rows: &[String], columns: usize, cell: impl Fn(usize, usize) -> String, testid: &'static str) -> impl IntoView {
    view! {
        <table class="bp-matrix" data-testid=testid>
            <thead><tr><th></th>{(1..=columns).map(|j| view! { <th>{format!("neuron {j}")}</th> }).collect::<Vec<_>>()}</tr></thead>
            <tbody>
                {rows.iter().enumerate().map(|(i, name)| view! {
                    <tr><th>{name.clone()}</th>{(0..columns).map(|j| view! { <td class="num">{cell(i, j)}</td> }).collect::<Vec<_>>()}</tr>
                }).collect::<Vec<_>>()}
            </tbody>
        </table>
    }
}

fn forward(spec: &NetLab, bp: &Backprop, l: usize) -> AnyView {
    let layers = bp.layers.len();
    let t: &LayerTrace = &bp.layers[l - 1];
    let w = &t.weights;
    let previous: Vec<f32> = if l == 1 { bp.inputs.clone() } else { bp.layers[l - 2].a.clone() };
    let names = input_names(spec, l, w.inputs);
    // z₁ written out: the sum the table's first row computes.
    let terms: Vec<String> = (0..w.inputs)
        .map(|i| format!("{}·{}", factor(w.weights[i * w.outputs]), factor(previous[i])))
        .collect();
    let first = format!("z₁ = {} + {} = {}", terms.join(" + "), num(w.biases[0]), num(t.z[0]));
    let rows = (0..w.outputs)
        .map(|j| view! { <tr><th>{format!("neuron {}", j + 1)}</th><td class="num">{num(t.z[j])}</td><td class="num">{num(t.a[j])}</td></tr> })
        .collect::<Vec<_>>();
    view! {
        <p class="formula">"z = Wᵀ a" <sub>"prev"</sub> " + b,   a = φ(z), with φ = " {phi(spec, l == layers)}</p>
        <p class="formula worked" data-testid="bp-worked">{first}</p>
        <div class="bp-tables">
            <table class="bp-vector" data-testid="bp-forward">
                <thead><tr><th></th><th>"z"</th><th>"a = φ(z)"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <div>
                <p class="hint">"W (one column per neuron) and b"</p>
                {matrix(&names.iter().cloned().chain(["b".to_string()]).collect::<Vec<_>>(), w.outputs, |i, j| {
                    if i < w.inputs { num(w.weights[i * w.outputs + j]) } else { num(w.biases[j]) }
                }, "bp-weights")}
            </div>
        </div>
    }
    .into_any()
}

/// The chain rule along one edge (weight) of layer `l`, i → j: its gradient and what it
/// passes back. Every number is the engine's; the products are written out.
fn edge(spec: &NetLab, bp: &Backprop, l: usize, k: usize, on_edge: Callback<usize>) -> AnyView {
    let t = &bp.layers[l - 1];
    let w = &t.weights;
    let count = w.inputs * w.outputs;
    let k = k.min(count.saturating_sub(1));
    let (i, j) = (k / w.outputs, k % w.outputs);
    let previous = if l == 1 { &bp.inputs } else { &bp.layers[l - 2].a };
    let names = input_names(spec, l, w.inputs);
    let text = format!(
        "Edge {} of {}: {} → neuron {}. ∂J/∂w = {} · ∂J/∂z{} = {}·{} = {}; back along it goes w · ∂J/∂z{} = {}·{} (summed over the layer's neurons into ∂J/∂{}).",
        k + 1,
        count,
        names.get(i).cloned().unwrap_or_default(),
        j + 1,
        names.get(i).cloned().unwrap_or_default(),
        j + 1,
        factor(previous.get(i).copied().unwrap_or(f32::NAN)),
        factor(t.dz[j]),
        num(t.dw[k]),
        j + 1,
        factor(w.weights[k]),
        factor(t.dz[j]),
        names.get(i).cloned().unwrap_or_default(),
    );
    view! {
        <div class="bp-edge">
            <button class="secondary-blue" data-testid="bp-edge-prev" disabled={k == 0} on:click=move |_| on_edge.run(k.saturating_sub(1))>"◀ edge"</button>
            <button class="secondary-blue" data-testid="bp-edge-next" disabled={k + 1 >= count} on:click=move |_| on_edge.run(k + 1)>"edge ▶"</button>
            <span data-testid="bp-edge">{text}</span>
        </div>
    }
    .into_any()
}

fn backward(spec: &NetLab, bp: &Backprop, l: usize, k: usize, on_edge: Callback<usize>) -> AnyView {
    let t = &bp.layers[l - 1];
    let w = &t.weights;
    let names = input_names(spec, l, w.inputs);
    let one_edge = edge(spec, bp, l, k, on_edge);
    let rows = (0..w.outputs)
        .map(|j| view! {
            <tr><th>{format!("neuron {}", j + 1)}</th>
                <td class="num">{num(t.da[j])}</td><td class="num">{num(t.slope[j])}</td><td class="num">{num(t.dz[j])}</td></tr>
        })
        .collect::<Vec<_>>();
    let passes = if l > 1 {
        "and passes ∂J/∂a_prev = W ∂J/∂z back to the layer before."
    } else {
        "The inputs are data, not parameters: the chain ends here."
    };
    view! {
        <p class="formula">"∂J/∂z = ∂J/∂a ⊙ φ′(z),   ∂J/∂W = a" <sub>"prev"</sub> " (∂J/∂z)ᵀ,   ∂J/∂b = ∂J/∂z"</p>
        <p class="hint">{format!(
            "∂J/∂a came from {}; this layer's φ is {} ",
            if l == bp.layers.len() { "the loss (ŷ − y)" } else { "the layer after" },
            phi(spec, l == bp.layers.len())
        )}{passes}</p>
        {one_edge}
        <div class="bp-tables">
            <table class="bp-vector" data-testid="bp-backward">
                <thead><tr><th></th><th>"∂J/∂a"</th><th>"φ′(z)"</th><th>"∂J/∂z"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <div>
                <p class="hint">"∂J/∂W and ∂J/∂b"</p>
                {matrix(&names.iter().cloned().chain(["b".to_string()]).collect::<Vec<_>>(), w.outputs, |i, j| {
                    if i < w.inputs { num(t.dw[i * w.outputs + j]) } else { num(t.db[j]) }
                }, "bp-gradients")}
            </div>
        </div>
    }
    .into_any()
}

fn update(spec: &NetLab, bp: &Backprop) -> AnyView {
    let lr = bp.lr;
    let tables = bp
        .layers
        .iter()
        .enumerate()
        .map(|(k, t)| {
            let w = &t.weights;
            let names = input_names(spec, k + 1, w.inputs);
            let title = if k + 1 == bp.layers.len() { "the output".to_string() } else { format!("hidden layer {}", k + 1) };
            view! {
                <div>
                    <p class="hint">{title}</p>
                    {matrix(&names.iter().cloned().chain(["b".to_string()]).collect::<Vec<_>>(), w.outputs, move |i, j| {
                        let (old, g) = if i < w.inputs {
                            (w.weights[i * w.outputs + j], t.dw[i * w.outputs + j])
                        } else {
                            (w.biases[j], t.db[j])
                        };
                        format!("{} → {}", num(old), num(old - lr * g))
                    }, "bp-update")}
                </div>
            }
        })
        .collect::<Vec<_>>();
    view! {
        <p class="formula">{format!("θ ← θ − η ∂J/∂θ with η = {}", num(lr))}</p>
        <p class="hint">{format!(
            "Plain gradient descent on this point alone. Training averages ∂J/∂θ over a batch of {} points{}.",
            spec.batch,
            if spec.run.optimizer == contract::training::OptimizerName::Sgd { "" } else { ", and its optimizer shapes the step from the gradients' history" }
        )}</p>
        <div class="bp-tables">{tables}</div>
    }
    .into_any()
}

/// What this part shows, under its title.
const LEDE: &str = concat!(
    "Click a point on the output map (or choose one here) to follow it through the network: forward ",
    "layer by layer, its loss, the chain rule carrying ∂J back layer by layer, and the step each ",
    "weight takes. It follows the network as it trains (pause to see each epoch).",
);

#[component]
pub fn Explain(
    state: ReadSignal<NetSession>,
    on_pick: Callback<usize>,
    on_stage: Callback<usize>,
    /// The edge followed in a backward stage (its weight's index in the layer).
    on_edge: Callback<usize>,
) -> impl IntoView {
    let chosen = move || state.with(|s| s.lab.explain_point);
    // Rebuilt when the walk-through or its stage changes, not on every message the page gets.
    let current =
        Memo::new(move |_| state.with(|s| (s.lab.explained.clone(), s.lab.stage, s.lab.edge)));
    let body = move || {
        let _ = current.get();
        state.with_untracked(|s| {
            let bp = s.lab.explained.as_ref()?;
            let layers = bp.layers.len();
            let stage = s.lab.stage.min(stages(layers) - 1);
            let content = match stage {
                0 => {
                    let rows = s.spec.features.iter().zip(&bp.inputs).map(|(f, v)| view! {
                        <tr><th>{f.label()}</th><td class="num">{num(*v)}</td></tr>
                    }).collect::<Vec<_>>();
                    view! {
                        <p class="formula">{format!("x = ({}, {}), label y = {}", num(bp.sample.0), num(bp.sample.1), num(bp.sample.2))}</p>
                        <table class="bp-vector" data-testid="bp-inputs"><thead><tr><th>"feature"</th><th>"value"</th></tr></thead><tbody>{rows}</tbody></table>
                    }.into_any()
                }
                s_ if s_ <= layers => forward(&s.spec, bp, s_),
                s_ if s_ == layers + 1 => {
                    let y_hat = bp.layers[layers - 1].a[0];
                    view! {
                        <p class="formula" data-testid="bp-loss">{format!("J = ½(ŷ − y)² = ½({} − {})² = {}", num(y_hat), num(bp.sample.2), num(bp.loss))}</p>
                        <p class="formula">{format!("∂J/∂ŷ = ŷ − y = {}: where the backward pass starts", num(y_hat - bp.sample.2))}</p>
                    }.into_any()
                }
                s_ if s_ < stages(layers) - 1 => backward(&s.spec, bp, 2 * layers + 2 - s_, s.lab.edge, on_edge),
                _ => update(&s.spec, bp),
            };
            Some(view! {
                <div class="bp-stage">
                    <h3 data-testid="bp-stage-title">{format!("Stage {} of {}: {}", stage + 1, stages(layers), stage_title(stage, layers))}</h3>
                    {content}
                    <p class="hint" data-testid="bp-agreement">{format!(
                        "Point {} at epoch {}. Every gradient here is the engine's autograd; the chain rule worked by hand gives {}.",
                        bp.point + 1, bp.epoch, agreement(bp.agreement)
                    )}</p>
                </div>
            })
        })
    };
    let plain = Memo::new(move |_| state.with(|s| !s.spec.batch_norm));
    let stage_count = move || state.with(|s| s.lab.explained.as_ref().map_or(0, |b| stages(b.layers.len())));
    let stage = move || state.with(|s| s.lab.stage);
    let points = move || state.with(|s| s.lab.data.as_ref().map_or(0, |d| d.train.len()));
    view! {
        <Headed id="bp-title" title="Backpropagation, one point at a time" class="backprop" lede=LEDE>
            <div class="controls-row">
                <button class="secondary-blue" data-testid="bp-prev-point" disabled=move || chosen().is_none_or(|p| p == 0)
                    on:click=move |_| if let Some(p) = chosen() { on_pick.run(p.saturating_sub(1)) }>"◀ Previous point"</button>
                <span data-testid="bp-point">{move || chosen().map_or("no point chosen".to_string(), |p| format!("training point {} of {}", p + 1, points()))}</span>
                <button class="secondary-blue" data-testid="bp-next-point" disabled=move || points() == 0
                    on:click=move |_| on_pick.run(chosen().map_or(0, |p| (p + 1).min(points().saturating_sub(1))))>"Next point ▶"</button>
                <span class="spacer"></span>
                <button class="secondary-blue" data-testid="bp-prev" disabled=move || stage() == 0 || stage_count() == 0
                    on:click=move |_| on_stage.run(stage().saturating_sub(1))>"◀ Back"</button>
                <button class="secondary-blue" data-testid="bp-next" disabled={move || stage() + 1 >= stage_count()}
                    on:click=move |_| on_stage.run(stage() + 1)>"Next stage ▶"</button>
            </div>
            <Show when=move || state.with(|s| s.spec.batch_norm)>
                <p class="notice info" data-testid="bp-needs-plain">
                    "The walk-through follows networks without batch normalisation (its chain rule runs through "
                    "the batch's mean and spread, the whole batch at once). Switch Batch norm off to follow a point."
                </p>
            </Show>
            {move || plain.get().then(body)}
        </Headed>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_walk_forward_then_back() {
        let titles: Vec<String> = (0..stages(3)).map(|s| stage_title(s, 3)).collect();
        assert_eq!(
            titles,
            [
                "The point and its input features",
                "Forward through hidden layer 1",
                "Forward through hidden layer 2",
                "Forward through the output",
                "The loss",
                "Backward through the output",
                "Backward through hidden layer 2",
                "Backward through hidden layer 1",
                "The update θ ← θ − η ∂J/∂θ",
            ]
        );
    }
}
