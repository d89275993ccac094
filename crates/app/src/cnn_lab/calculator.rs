//! The architecture calculator: the course notes' networks (AlexNet, VGG-16, the inception
//! module naive and with 1×1 bottlenecks, ResNet-18/34) layer by layer, as `contract::cnn::zoo`
//! computes them: output size, parameters and multiply-adds of every layer, a bar for each
//! layer's share of the parameters or of the multiplications, and the notes' figures that the
//! table corrects.
//!
//! Nothing here computes a network: the page formats `contract::cnn::zoo`'s tables. Links inside the
//! page (a row's marker to its note and back) scroll rather than set the URL's fragment, which
//! chooses the lab.

use contract::cnn::zoo::{approx, Model, Network, NoteKind, Place, Row};
use leptos::prelude::*;

/// What the share bars measure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Measure {
    Params,
    MultAdds,
}

impl Measure {
    fn slug(self) -> &'static str {
        match self {
            Measure::Params => "params",
            Measure::MultAdds => "mults",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Measure::Params => "parameters",
            Measure::MultAdds => "multiplications",
        }
    }

    fn of(self, row: &Row) -> u64 {
        match self {
            Measure::Params => row.params,
            Measure::MultAdds => row.mult_adds,
        }
    }

    fn total(self, net: &Network) -> u64 {
        match self {
            Measure::Params => net.total_params(),
            Measure::MultAdds => net.total_mult_adds(),
        }
    }
}

/// What a click on a marker (or a note's row link) scrolled to, outlined until the next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    Note(usize),
    Row(usize),
}

impl Target {
    fn id(self) -> String {
        match self {
            Target::Note(i) => format!("calc-note-{i}"),
            Target::Row(i) => format!("calc-row-{i}"),
        }
    }
}

use crate::format::thousands as grouped;

/// `part` as a percentage of `whole` (0 when there is no whole).
fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64 * 100.0
    }
}

/// "60.5%", "<0.1%", or nothing for a layer that has none.
fn share_label(part: u64, whole: u64) -> String {
    let percent = share(part, whole);
    if part == 0 {
        String::new()
    } else if percent < 0.05 {
        "<0.1%".into()
    } else {
        format!("{percent:.1}%")
    }
}

/// The name on the picker (the zoo's titles are longer).
fn short_title(model: Model) -> &'static str {
    match model {
        Model::InceptionNaive => "Inception, naive",
        Model::InceptionBottleneck => "Inception, 1×1 bottlenecks",
        other => other.title(),
    }
}

/// Scrolls to `target` and outlines it.
fn reveal(focus: RwSignal<Option<Target>>, target: Target) {
    focus.set(Some(target));
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(&target.id()));
    if let Some(element) = element {
        element.scroll_into_view();
    }
}

#[component]
pub fn Calculator() -> impl IntoView {
    let model = RwSignal::new(Model::AlexNet);
    let measure = RwSignal::new(Measure::Params);
    let focus = RwSignal::new(None::<Target>);
    let network = Memo::new(move |_| model.get().build());

    let picker = Model::ALL
        .into_iter()
        .map(|m| {
            let on = move || model.get() == m;
            view! {
                <button type="button" class="calc-choice" class:calc-on=on
                    aria-pressed=move || on().to_string()
                    data-testid=format!("calc-model-{}", m.slug()) data-model=m.slug()
                    on:click=move |_| { model.set(m); focus.set(None); }>
                    {short_title(m)}
                </button>
            }
        })
        .collect::<Vec<_>>();
    view! {
        <section class="calc" aria-label="Architecture calculator" data-testid="calculator">
            <p class="lede">
                "The notes' networks, layer by layer: how big each output is, how many parameters each "
                "layer learns and how many multiplications one image costs it. Every figure is computed "
                "from the layer list with the formulas below the table."
            </p>
            <div class="calc-controls">
                <div class="calc-segmented calc-models" role="group" aria-label="Network" data-testid="calc-model">
                    {picker}
                </div>
            </div>
            {move || {
                matches!(model.get(), Model::InceptionNaive | Model::InceptionBottleneck)
                    .then(|| view! { <InceptionCompare current=model.get() /> })
            }}
            {move || network.with(|built| match built {
                Ok(net) => network_view(net, measure, focus).into_any(),
                Err(message) => view! {
                    <div class="notice error" role="alert" data-testid="calc-error">
                        {format!("This network could not be computed: {message}")}
                    </div>
                }
                .into_any(),
            })}
            <Arithmetic />
        </section>
    }
}

/// Facts, notes, the table and the largest layers of one network.
fn network_view(
    net: &Network,
    measure: RwSignal<Measure>,
    focus: RwSignal<Option<Target>>,
) -> impl IntoView {
    let total_params = net.total_params();
    let total_weights = net.total_weights();
    let total_mults = net.total_mult_adds();
    let output = net
        .rows
        .last()
        .map_or_else(|| net.input.to_string(), |r| r.output.to_string());
    let kinds: Vec<NoteKind> = net.notes.iter().map(|n| n.kind).collect();
    let kind_of = |i: usize| kinds.get(i).copied().unwrap_or(NoteKind::Remark);

    // A note tied to no row but correcting a figure is about the totals: marked there.
    let total_refs: Vec<(usize, NoteKind)> = net
        .notes
        .iter()
        .enumerate()
        .filter(|(i, n)| n.row.is_none() && kind_of(*i) == NoteKind::Correction)
        .map(|(i, _)| (i, NoteKind::Correction))
        .collect();

    let rows = net
        .rows
        .iter()
        .enumerate()
        .map(|(r, row)| {
            let refs: Vec<(usize, NoteKind)> = net
                .notes
                .iter()
                .enumerate()
                .filter(|(_, n)| n.row == Some(r))
                .map(|(i, _)| (i, kind_of(i)))
                .collect();
            let flagged = !refs.is_empty();
            // What a layer reads, where it is not the row above (an inception branch's start);
            // the concatenation reads every branch, not the module's input.
            let previous = r.checked_sub(1).and_then(|p| net.rows.get(p));
            let reads = previous.is_none_or(|p| p.output != row.input)
                && row.place != Place::Concatenation;
            let (params, mults) = (row.params, row.mult_adds);
            let part = move || match measure.get() {
                Measure::Params => (params, total_params),
                Measure::MultAdds => (mults, total_mults),
            };
            let params_cell = if params == 0 {
                view! { <span class="calc-zero">"—"</span> }.into_any()
            } else {
                view! {
                    <span class="calc-exact">{grouped(params)}</span>
                    <span class="calc-approx">{approx(params)}</span>
                }
                .into_any()
            };
            let mults_title = if mults == 0 {
                "no multiplications counted".to_string()
            } else {
                format!("{} multiply-adds", grouped(mults))
            };
            let mults_text = if mults == 0 {
                "—".to_string()
            } else {
                approx(mults)
            };
            view! {
                <tr id=Target::Row(r).id() class:calc-flagged=flagged
                    class:calc-focus=move || focus.get() == Some(Target::Row(r))
                    data-row=row.name.clone()>
                    <th scope="row" class="calc-name">
                        {name_view(row)}
                        {markers(refs, focus)}
                    </th>
                    <td class="calc-layer">
                        {row.layer.clone()}
                        {reads.then(|| view! { <span class="calc-input">{format!("reads {}", row.input)}</span> })}
                    </td>
                    <td class="calc-num calc-shape">{row.output.to_string()}</td>
                    <td class="calc-num calc-params" title=format!("{} of them weights", grouped(row.weights))>
                        {params_cell}
                    </td>
                    <td class="calc-num calc-mults" class:calc-zero={mults == 0} title=mults_title>{mults_text}</td>
                    <td class="calc-share">
                        <ShareBar part=Signal::derive(part) measure=measure />
                    </td>
                </tr>
            }
        })
        .collect::<Vec<_>>();

    // Where the parameters are, and where the computation is.
    let largest = |m: Measure| {
        net.rows
            .iter()
            .max_by_key(|r| m.of(r))
            .filter(|r| m.of(r) > 0)
            .map(|r| (r.name.clone(), share_label(m.of(r), m.total(net))))
    };
    let largest_line = match (largest(Measure::Params), largest(Measure::MultAdds)) {
        (Some((p_name, p_share)), Some((m_name, m_share))) => Some(view! {
            <p class="calc-largest" data-testid="calc-largest">
                "Most parameters: "<strong>{p_name}</strong>{format!(" ({p_share} of them). ")}
                "Most multiplications: "<strong>{m_name}</strong>{format!(" ({m_share} of them).")}
            </p>
        }),
        _ => None,
    };

    view! {
        <dl class="facts calc-facts" data-testid="calc-facts">
            <div><dt>"Input"</dt><dd>{net.input.to_string()}</dd></div>
            <div><dt>"Parameters"</dt><dd>{approx(total_params)}</dd></div>
            <div><dt>"Multiply-adds"</dt><dd>{approx(total_mults)}</dd></div>
            <div><dt>"FLOPs"</dt><dd>{format!("≈ {}", approx(2 * total_mults))}</dd></div>
        </dl>
        <NotesBox net=net.clone() kinds=kinds.clone() focus=focus />
        {bar_toggle(measure)}
        {largest_line}
        <div class="calc-scroll">
            <table class=move || format!("calc-table calc-measure-{}", measure.get().slug()) data-testid="calc-table"
                data-model=net.model.slug()>
                <thead>
                    <tr>
                        <th scope="col">"layer"</th>
                        <th scope="col">"what it does"</th>
                        <th scope="col" class="calc-num">"output H×W×C"</th>
                        <th scope="col" class="calc-num">"parameters"</th>
                        <th scope="col" class="calc-num" title="multiply-adds for one image">"multiplications"</th>
                        <th scope="col" class="calc-share">{move || format!("share of {}", measure.get().label())}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
                <tfoot>
                    <tr class="calc-total" data-testid="calc-total">
                        <th scope="row" class="calc-name">"Total"{markers(total_refs, focus)}</th>
                        <td class="calc-layer">{format!("{} rows", net.rows.len())}<span class="calc-input">{format!("reads {}", net.input)}</span></td>
                        <td class="calc-num calc-shape">{output}</td>
                        <td class="calc-num calc-params" data-testid="calc-total-params">
                            <span class="calc-exact">{grouped(total_params)}</span>
                            <span class="calc-approx">{approx(total_params)}</span>
                            <span class="calc-sub">"weights only:"</span>
                            <span class="calc-weights" data-testid="calc-total-weights">
                                <span class="calc-exact">{grouped(total_weights)}</span>
                                <span class="calc-approx">{approx(total_weights)}</span>
                            </span>
                        </td>
                        <td class="calc-num calc-mults" data-testid="calc-total-mults" title=format!("{} multiply-adds", grouped(total_mults))>
                            {approx(total_mults)}
                            <span class="calc-sub">{format!("≈ {} FLOPs", approx(2 * total_mults))}</span>
                        </td>
                        <td class="calc-share calc-share-total">"100%"</td>
                    </tr>
                </tfoot>
            </table>
        </div>
    }
}

/// A row's name; an inception branch's ("3×3 branch: 1×1 reduce") with the branch on a line
/// of its own.
fn name_view(row: &Row) -> impl IntoView {
    match row.group_and_layer() {
        (Some(group), layer) => view! {
            <span class="calc-group">{group}</span>
            {layer.to_string()}
        }
        .into_any(),
        (None, name) => name.to_string().into_any(),
    }
}

/// "Bar shows: parameters / multiplications".
fn bar_toggle(measure: RwSignal<Measure>) -> impl IntoView {
    let buttons = [Measure::Params, Measure::MultAdds]
        .into_iter()
        .map(|m| {
            let on = move || measure.get() == m;
            view! {
                <button type="button" class=format!("calc-choice calc-measure-{}", m.slug()) class:calc-on=on
                    aria-pressed=move || on().to_string()
                    data-testid=format!("calc-bar-{}", m.slug())
                    on:click=move |_| measure.set(m)>
                    {m.label()}
                </button>
            }
        })
        .collect::<Vec<_>>();

    view! {
        <div class="calc-controls calc-bar-toggle">
            <span class="calc-control-label">"Bar shows"</span>
            <div class="calc-segmented" role="group" aria-label="The bar shows each layer's share of" data-testid="calc-bar">
                {buttons}
            </div>
        </div>
    }
}

/// Buttons after a row's name that scroll to the notes about it.
fn markers(refs: Vec<(usize, NoteKind)>, focus: RwSignal<Option<Target>>) -> impl IntoView {
    refs.into_iter()
        .map(|(i, kind)| {
            let word = if kind == NoteKind::Correction {
                "correction"
            } else {
                "note"
            };
            view! {
                <button type="button" class=format!("calc-marker calc-marker-{}", kind.slug())
                    aria-label=format!("Go to {word} {}", i + 1)
                    on:click=move |_| reveal(focus, Target::Note(i))>
                    {format!("{word} {}", i + 1)}
                </button>
            }
        })
        .collect::<Vec<_>>()
}

/// A layer's share of the total, as a bar and a percentage.
#[component]
fn ShareBar(part: Signal<(u64, u64)>, measure: RwSignal<Measure>) -> impl IntoView {
    let width = move || {
        let (part, whole) = part.get();
        format!("{:.2}%", share(part, whole))
    };
    view! {
        <div class="calc-bar" role="img"
            aria-label=move || {
                let (p, w) = part.get();
                format!("{} of the {}", share_label(p, w), measure.get().label())
            }>
            <span class="calc-track"><span class="calc-fill" style:width=width></span></span>
            <span class="calc-percent">{move || { let (p, w) = part.get(); share_label(p, w) }}</span>
        </div>
    }
}

/// The network's notes, corrections first in its heading.
#[component]
fn NotesBox(net: Network, kinds: Vec<NoteKind>, focus: RwSignal<Option<Target>>) -> impl IntoView {
    let differs = kinds.contains(&NoteKind::Correction);
    let heading = if differs {
        "Where the notes differ"
    } else if kinds.contains(&NoteKind::Agrees) {
        "Checked against the notes"
    } else {
        "About these figures"
    };
    let items = net
        .notes
        .iter()
        .enumerate()
        .map(|(i, note)| {
            let kind = kinds.get(i).copied().unwrap_or(NoteKind::Remark);
            let row = note
                .row
                .and_then(|r| net.rows.get(r).map(|row| (r, row.name.clone())));
            view! {
                <li id=Target::Note(i).id() class=format!("calc-note calc-note-{}", kind.slug())
                    class:calc-focus=move || focus.get() == Some(Target::Note(i))
                    data-kind=kind.slug()>
                    <span class="calc-note-number" aria-hidden="true">{(i + 1).to_string()}</span>
                    <div class="calc-note-body">
                        <span class=format!("calc-kind calc-kind-{}", kind.slug())>{kind.label()}</span>
                        " "
                        {note.text.clone()}
                        {row.map(|(r, name)| view! {
                            " "
                            <button type="button" class="calc-link" on:click=move |_| reveal(focus, Target::Row(r))>
                                {format!("see row {name} ↓")}
                            </button>
                        })}
                    </div>
                </li>
            }
        })
        .collect::<Vec<_>>();
    (!net.notes.is_empty()).then(|| {
        view! {
            <aside class="calc-notes" class:calc-notes-differ=differs data-testid="calc-notes"
                aria-labelledby="calc-notes-title">
                <h3 id="calc-notes-title">{heading}</h3>
                <ol class="calc-note-list">{items}</ol>
            </aside>
        }
    })
}

/// The inception module both ways, side by side.
#[component]
fn InceptionCompare(current: Model) -> impl IntoView {
    let (naive, bottleneck) = match (
        Model::InceptionNaive.build(),
        Model::InceptionBottleneck.build(),
    ) {
        (Ok(naive), Ok(bottleneck)) => (naive, bottleneck),
        // The table below shows the error of the one on screen.
        _ => return None,
    };
    let (a, b) = (naive.total_mult_adds(), bottleneck.total_mult_adds());
    let most = a.max(b).max(1);
    let ratio = a as f64 / b.max(1) as f64;
    let line = |net: &Network, label: &'static str| {
        let mults = net.total_mult_adds();
        let depth = net
            .rows
            .last()
            .map_or_else(String::new, |r| format!(", output {}", r.output));
        view! {
            <div class="calc-compare-row" class:calc-on={net.model == current}>
                <span class="calc-compare-label">{label}</span>
                <span class="calc-track">
                    <span class="calc-fill" style:width=format!("{:.2}%", share(mults, most))></span>
                </span>
                <span class="calc-compare-value">
                    {format!("{} multiply-adds", approx(mults))}
                    <span class="calc-sub">{format!("{} parameters{depth}", approx(net.total_params()))}</span>
                </span>
            </div>
        }
    };
    Some(view! {
        <div class="calc-compare" data-testid="calc-compare">
            {line(&naive, "naive")}
            {line(&bottleneck, "with 1×1 bottlenecks")}
            <p class="calc-compare-ratio" data-testid="calc-compare-ratio">
                {format!(
                    "1×1 convolutions that shrink the depth before the 3×3 and 5×5 ones (and after the pool) \
                     cut the multiplications {ratio:.1}×: {} → {}.",
                    approx(a),
                    approx(b)
                )}
            </p>
        </div>
    })
}

/// The formulas every figure comes from, with AlexNet's conv1 worked through.
#[component]
fn Arithmetic() -> impl IntoView {
    // AlexNet's conv1: 227×227×3 in, 96 kernels of 11×11, stride 4, no padding.
    let (n, f, s, p, c_in, c_out) = (227, 11, 4, 0, 3, 96);
    let example = contract::cnn::arch::Window::exact(f, s, p)
        .output(n)
        .ok()
        .map(|out| {
            let (out, f, c_in, c_out) = (out as u64, f as u64, c_in as u64, c_out as u64);
            let params = f * f * c_in * c_out + c_out;
            let mults = out * out * c_out * f * f * c_in;
            format!(
                "AlexNet's conv1: ({n} + 2·{p} − {f})/{s} + 1 = {out}; {f}·{f}·{c_in}·{c_out} + {c_out} \
                 = {} parameters; {out}·{out}·{c_out}·{f}·{f}·{c_in} = {} multiply-adds ({}).",
                grouped(params),
                grouped(mults),
                approx(mults),
            )
        });
    view! {
        <div class="caption calc-caption" data-testid="calc-caption">
            <p>
                <strong>"Output size"</strong>" of a convolution or pooling window over an n×n input: "
                <code>"(n + 2p − f)/s + 1"</code>" (window f×f, padding p, stride s). "
                <strong>"Parameters"</strong>" of a convolution: "<code>"k·k·C_in·C_out + C_out"</code>
                " (a k×k×C_in kernel per output channel, plus its bias; ResNet's convolutions have no bias "
                "but a batch norm with γ and β, 2·C_out). "
                <strong>"Multiplications"</strong>": "<code>"H_out·W_out·C_out·k·k·C_in"</code>
                " — every output value is a dot product over a k×k×C_in window. A fully connected layer "
                "from N_in to N_out units has N_in·N_out weights (+ N_out biases) and does N_in·N_out "
                "multiply-adds; pooling learns nothing and its cost is not counted."
            </p>
            {example.map(|e| view! { <p>{e}</p> })}
            <p>
                "Multiplications here are multiply-adds for one image: "<strong>"FLOPs ≈ 2 × multiply-adds"</strong>
                " (each is one multiplication and one addition). "
                "Parameters count weights, biases and batch norm's γ, β; the totals row also gives the "
                "weights alone, as the notes count them."
            </p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_are_labelled() {
        assert_eq!(share_label(0, 10), "");
        assert_eq!(share_label(1, 100_000), "<0.1%");
        assert_eq!(share_label(605, 1000), "60.5%");
        assert_eq!(share(1, 0), 0.0);
    }
}
