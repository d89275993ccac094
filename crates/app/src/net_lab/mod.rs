//! The Network lab: TensorFlow Playground's experiment — a small fully connected network
//! learning a 2-D data set — with every neuron's output drawn over the plane, any optimizer of
//! the shared machinery, and the whole experiment in the link (replayed exactly with `at=`).
//! All computing happens in the engine; this page asks for epochs and draws what comes back.

mod colors;
mod contrast;
mod custom_data;
mod explain;
mod histograms;
mod jacobian;
mod network;
mod output;
pub mod state;

use crate::labs::{self, Page};
use crate::widgets::transport::Transport;
use contract::net::limits::NetLimits;
use contract::net::{Activation, Dataset, NetLab, Regularization, NET_OPTIMIZERS};
use contract::training::OptimizerName;
use crate::page::Headed;
use leptos::prelude::*;
use state::NetSession;

/// Epochs per request while playing, offered as "speed".
const SPEEDS: [usize; 4] = [1, 5, 20, 100];
const FRAGMENT: &str = contract::lab_fragment!(contract::net::SLUG);
/// TensorFlow Playground's menus of η and of the regularisation rate.
const LEARNING_RATES: [f32; 11] = [
    0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0,
];
const REG_RATES: [f32; 10] = [0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0];

/// The Network lab in the registry.
pub fn page(opening: &str) -> Box<dyn Page> {
    labs::EngineRoom::boxed("Networks", FRAGMENT, opening, NetSession::for_link, lab_page)
}

/// A new experiment: what is trained restarts the run from epoch 0; what is only drawn (test
/// points, discretized output) changes the page and the link, not the run.
fn change(state: RwSignal<NetSession>, spec: NetLab) {
    if let Err(message) = spec.check() {
        state.update(|s| s.error = Some(message.to_string()));
        return;
    }
    let same_run = state.with_untracked(|s| s.spec.training_part() == spec.training_part());
    let mut spec = spec;
    if !same_run {
        // Hand-set weights belong to the run they were set in.
        spec.edits.clear();
    }
    state.update(|s| {
        s.spec = spec;
        if !same_run {
            s.playing = false;
        }
    });
    if !same_run {
        labs::restart(state);
    }
}

/// A click on the output map: with the student's own points and a class chosen, a new point
/// there; otherwise the nearest training point is followed through backpropagation.
fn click_plane(state: RwSignal<NetSession>, actions: Actions, x1: f32, x2: f32) {
    let (custom, class) = state.with_untracked(|s| (s.spec.dataset == Dataset::Custom, s.lab.add_class));
    if let (true, Some(positive)) = (custom, class) {
        let full = state.with_untracked(|s| s.spec.points.len() >= NetLimits::MAX_CUSTOM_POINTS);
        match contract::net::custom::CustomPoint::at(x1, x2, positive) {
            Some(_) if full => state.update(|s| {
                s.error = Some(format!(
                    "points: a link carries at most {} points; remove one first",
                    NetLimits::MAX_CUSTOM_POINTS
                ))
            }),
            Some(point) => actions.edit(state.read_only(), |s| s.points.push(point)),
            None => {}
        }
        return;
    }
    let index = state.with_untracked(|s| {
        let data = s.lab.data.as_ref()?;
        output::nearest(&data.train, x1, x2)
    });
    if let Some(index) = index {
        state.update(|s| s.explain(index));
    }
}

/// A weight set by hand, queued for the engine (checked first: a weight of this network, a
/// finite value within the limit, room in the link).
fn set_weight(state: RwSignal<NetSession>, (layer, from, to, value): (usize, usize, usize, f32)) {
    state.update(|s| {
        let edit = s.lab.weight_edit(layer, from, to, value);
        let count = s.spec.edits.len() + s.unsent_weights() + 1;
        let checked = NetLimits::check_edit(&edit, &s.spec.layer_sizes()).and_then(|()| {
            contract::limits::check_range("edited weights", count, 0, NetLimits::MAX_EDITS)
        });
        match checked {
            Ok(()) => s.set_weight(layer, from, to, value),
            Err(message) => s.error = Some(message.to_string()),
        }
    });
}

fn step_once(state: RwSignal<NetSession>) {
    state.update(NetSession::step_once);
}

/// What the controls may do: every change of the experiment goes through one callback.
#[derive(Clone, Copy)]
pub struct Actions {
    change: Callback<NetLab>,
}

impl Actions {
    /// Applies `edit` to a copy of the experiment and asks for it.
    pub fn edit(&self, state: ReadSignal<NetSession>, edit: impl FnOnce(&mut NetLab)) {
        let mut spec = state.with_untracked(|s| s.spec.clone());
        edit(&mut spec);
        self.change.run(spec);
    }

    /// A checkbox for one of the experiment's flags (`class` places it).
    pub fn check(
        self,
        state: ReadSignal<NetSession>,
        class: &'static str,
        testid: &'static str,
        label: &'static str,
        get: fn(&NetLab) -> bool,
        set: fn(&mut NetLab, bool),
    ) -> impl IntoView {
        let checked = move || state.with(|s| get(&s.spec));
        crate::labs::controls::check_box(class, testid, "", label, checked, move |on| {
            self.edit(state, move |s| set(s, on))
        })
    }
}

/// The epoch as TensorFlow Playground writes it: six digits in groups.
pub fn epoch_text(epoch: usize) -> String {
    let digits = format!("{epoch:06}");
    let split = digits.len() - 3;
    format!("{},{}", &digits[..split], &digits[split..])
}

/// What this part shows, under its title.
const LEDE: &str = concat!(
    "A small network learns to separate two classes of points (or to fit a surface), as in ",
    "TensorFlow Playground. Each neuron's square shows its output over the whole plane: the first ",
    "layer draws lines, the next ones combine them into curves. Choose the data, the input features ",
    "and the layers, press play (space), and watch the output take the data's shape.",
);

/// The lab's page, inside the room that runs it.
fn lab_page(state: RwSignal<NetSession>, _: Signal<bool>, restart: Callback<()>) -> AnyView {
    let actions = Actions {
        change: Callback::new(move |spec| change(state, spec)),
    };
    let read = state.read_only();
    view! {
        <Headed id="net-title" title="Neural networks on the plane" class="panel lab net-lab" level=1 lede=LEDE>
            <labs::notices::Notices state=state restart=restart error_testid="net-error" notes_testid="net-url-notes" />
            <Toolbar state=read actions=actions
                on_play=Callback::new(move |_| state.update(NetSession::toggle_play))
                on_step=Callback::new(move |_| step_once(state))
                on_reset=Callback::new(move |_| {
                    state.update(|s| {
                        s.playing = false;
                        s.spec.edits.clear();
                    });
                    labs::restart(state)
                })
                on_speed=Callback::new(move |n| state.update(|s| s.lab.speed = n)) />
            <DataControls state=read actions=actions />
            <custom_data::CustomData state=state actions=actions />
            <div class="net-grid">
                <div class="network-column">
                    <network::Network state=read actions=actions
                        on_edit=Callback::new(move |edit| set_weight(state, edit)) />
                </div>
                <output::Output state=read actions=actions
                    on_plane=Callback::new(move |(x1, x2)| click_plane(state, actions, x1, x2)) />
            </div>
            <explain::Explain state=read
                on_pick=Callback::new(move |point| state.update(|s| s.explain(point)))
                on_stage=Callback::new(move |stage| state.update(|s| { s.lab.stage = stage; s.lab.edge = 0; }))
                on_edge=Callback::new(move |edge| state.update(|s| s.lab.edge = edge)) />
            <jacobian::Jacobians state=read
                on_layer=Callback::new(move |layer| state.update(|s| s.choose_jacobian_layer(layer))) />
            <histograms::Histograms state=read actions=actions
                on_layer=Callback::new(move |layer| state.update(|s| s.lab.histogram_layer = layer)) />
            <crate::page::ShareBar label="Share this network" testid="net-share" link_testid="net-share-link"
                hint="Link copied — it trains the same network to this epoch, with the same numbers: " make=labs::share(state) />
        </Headed>
    }
    .into_any()
}

#[component]
fn Toolbar(
    state: ReadSignal<NetSession>,
    actions: Actions,
    on_play: Callback<()>,
    on_step: Callback<()>,
    on_reset: Callback<()>,
    on_speed: Callback<usize>,
) -> impl IntoView {
    let playing = move || state.with(|s| s.playing);
    let can_play = move || state.with(|s| s.started && !s.finished());
    let run = Memo::new(move |_| state.with(|s| s.spec.run));
    let reg = Memo::new(move |_| state.with(|s| (s.spec.regularization, s.spec.reg_rate)));
    let activation = Memo::new(move |_| state.with(|s| s.spec.activation));
    let lr_options = move || {
        let lr = run.get().lr;
        let mut values = LEARNING_RATES.to_vec();
        if !values.contains(&lr) {
            values.push(lr);
            values.sort_by(f32::total_cmp);
        }
        values
            .into_iter()
            .map(|v| view! { <option value=v.to_string() selected=v == lr>{v.to_string()}</option> })
            .collect::<Vec<_>>()
    };
    let rate_options = move || {
        let rate = reg.get().1;
        let mut values = REG_RATES.to_vec();
        if !values.contains(&rate) {
            values.push(rate);
            values.sort_by(f32::total_cmp);
        }
        values
            .into_iter()
            .map(|v| view! { <option value=v.to_string() selected=v == rate>{v.to_string()}</option> })
            .collect::<Vec<_>>()
    };
    view! {
        <div class="net-toolbar">
            <Transport playing=Signal::derive(playing) can_play=Signal::derive(can_play) play_label="▶ Play"
                on_play=on_play on_step=on_step on_reset=on_reset prefix="net-" />
            <span class="epoch">
                    <span class="hint">"Epoch "</span>
                    <span data-testid="net-epoch">{move || epoch_text(state.with(|s| s.lab.epoch()))}</span>
                    {move || state.with(NetSession::replaying).map(|to| view! {
                        <span class="hint" data-testid="net-replay">{format!(" · replaying the link to epoch {to}")}</span>
                    })}
                    {move || state.with(|s| s.lab.stopped().map(str::to_string)).map(|why| view! {
                        <span class="stopped" data-testid="net-stopped">{format!(" · stopped: {why}")}</span>
                    })}
            </span>
            <div class="toolbar-fields">
                <label class="field">"Learning rate η "
                    <select data-testid="net-lr" on:change=move |ev| {
                        if let Ok(lr) = event_target_value(&ev).parse::<f32>() { actions.edit(state, |s| s.run.lr = lr) }
                    }>{lr_options}</select>
                </label>
                <label class="field">"Optimizer "
                    <select data-testid="net-opt" on:change=move |ev| {
                        if let Some(o) = OptimizerName::from_slug(&event_target_value(&ev)) { actions.edit(state, |s| s.run = NetLab::default_run(o)) }
                    }>
                        {NET_OPTIMIZERS.iter().map(|&o| view! {
                            <option value=o.slug() selected=move || run.get().optimizer == o>{labs::optimizer_label(o)}</option>
                        }).collect::<Vec<_>>()}
                    </select>
                </label>
                <label class="field">"Activation "
                    <select data-testid="net-activation" on:change=move |ev| {
                        if let Some(a) = Activation::from_slug(&event_target_value(&ev)) { actions.edit(state, |s| s.activation = a) }
                    }>
                        {Activation::ALL.iter().map(|&a| view! {
                            <option value=a.slug() selected=move || activation.get() == a>{a.title()}</option>
                        }).collect::<Vec<_>>()}
                    </select>
                </label>
                <label class="field">"Regularization "
                    <select data-testid="net-reg" on:change=move |ev| {
                        if let Some(r) = Regularization::from_slug(&event_target_value(&ev)) { actions.edit(state, |s| s.regularization = r) }
                    }>
                        {Regularization::ALL.iter().map(|&r| view! {
                            <option value=r.slug() selected=move || reg.get().0 == r>{reg_label(r)}</option>
                        }).collect::<Vec<_>>()}
                    </select>
                </label>
                {actions.check(state, "field checkbox toolbar-check", "net-bn", " Batch norm", |s| s.batch_norm, |s, on| s.batch_norm = on)}
                <label class="field">"Rate λ "
                    <select data-testid="net-rate" disabled=move || reg.get().0 == Regularization::None on:change=move |ev| {
                        if let Ok(rate) = event_target_value(&ev).parse::<f32>() { actions.edit(state, |s| s.reg_rate = rate) }
                    }>{rate_options}</select>
                </label>
                <label class="field">"Speed "
                    <select data-testid="net-speed" on:change=move |ev| {
                        if let Ok(n) = event_target_value(&ev).parse() { on_speed.run(n) }
                    }>
                        {SPEEDS.iter().map(|&n| view! {
                            <option value=n.to_string() selected=move || state.with(|s| s.lab.speed == n)>
                                {format!("{n} epoch{} per frame", if n == 1 { "" } else { "s" })}
                            </option>
                        }).collect::<Vec<_>>()}
                    </select>
                </label>
            </div>
        </div>
    }
}

fn reg_label(r: Regularization) -> &'static str {
    match r {
        Regularization::None => "None",
        Regularization::L1 => "L1  λ·Σ|w|",
        Regularization::L2 => "L2  λ·½Σw²",
    }
}

/// Chooses a data set. The student's own points start, if there are none yet, from the
/// training points on screen (as many as a link carries), ready to be edited.
fn choose_dataset(state: ReadSignal<NetSession>, actions: Actions, dataset: Dataset) {
    let seed: Vec<contract::net::custom::CustomPoint> = state.with_untracked(|s| {
        if dataset != Dataset::Custom || !s.spec.points.is_empty() {
            return Vec::new();
        }
        s.lab.data.as_ref().map_or_else(Vec::new, |d| {
            d.train
                .iter()
                .filter_map(|p| contract::net::custom::CustomPoint::at(p.0, p.1, p.2 > 0.0))
                .take(NetLimits::MAX_CUSTOM_POINTS)
                .collect()
        })
    });
    actions.edit(state, move |s| {
        s.dataset = dataset;
        if !seed.is_empty() {
            s.points = seed;
        }
    });
}

#[component]
fn DataControls(state: ReadSignal<NetSession>, actions: Actions) -> impl IntoView {
    let spec = Memo::new(move |_| {
        state.with(|s| (s.spec.dataset, s.spec.train_percent, s.spec.noise, s.spec.batch))
    });
    let counts = move || {
        state.with(|s| {
            s.lab
                .data
                .as_ref()
                .map(|d| format!("{} training and {} test points", d.train.len(), d.test.len()))
                .unwrap_or_default()
        })
    };
    // `generated`: the setting belongs to the generated sets (noise), so it is off for the
    // student's own points, which are as given.
    let slider = move |label: &'static str,
                       testid: &'static str,
                       generated: bool,
                       (min, max, step): (usize, usize, usize),
                       get: fn(&(Dataset, usize, usize, usize)) -> usize,
                       set: fn(&mut NetLab, usize),
                       unit: &'static str| {
        view! {
            <label class="field slider">
                <span>{label}" "<strong data-testid=format!("{testid}-value")>{move || format!("{}{unit}", get(&spec.get()))}</strong></span>
                <input type="range" data-testid=testid min=min max=max step=step
                    prop:value=move || get(&spec.get()).to_string()
                    disabled=move || generated && spec.get().0 == Dataset::Custom
                    on:change=move |ev| {
                        if let Ok(v) = event_target_value(&ev).parse::<usize>() { actions.edit(state, |s| set(s, v)) }
                    } />
            </label>
        }
    };
    view! {
        <div class="data-row">
            <h2>"Data"</h2>
            <div class="datasets" role="group" aria-label="data set">
                {Dataset::ALL.iter().map(|&d| view! {
                    <button class="dataset" data-testid=format!("dataset-{}", d.slug())
                        aria-pressed=move || (spec.get().0 == d).to_string()
                        class:chosen=move || spec.get().0 == d
                        on:click=move |_| choose_dataset(state, actions, d)>
                        {d.title()}
                    </button>
                }).collect::<Vec<_>>()}
            </div>
            {slider("Training data", "net-train", false, (NetLimits::TRAIN_PERCENT.0, NetLimits::TRAIN_PERCENT.1, 10), |s| s.1, |s, v| s.train_percent = v, "%")}
            {slider("Noise", "net-noise", true, (0, NetLimits::MAX_NOISE, 5), |s| s.2, |s, v| s.noise = v, "")}
            {slider("Batch size", "net-batch", false, (1, NetLimits::MAX_BATCH, 1), |s| s.3, |s, v| s.batch = v, "")}
            <button class="secondary-blue" data-testid="net-regenerate" title="draw a new data set and new initial weights (a new seed)"
                on:click=move |_| actions.edit(state, |s| s.seed = s.seed.wrapping_add(1))>"Regenerate"</button>
            <span class="hint">{counts}</span>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epochs_read_as_in_tensorflow_playground() {
        assert_eq!(epoch_text(0), "000,000");
        assert_eq!(epoch_text(1234), "001,234");
        assert_eq!(epoch_text(10_000), "010,000");
    }
}
