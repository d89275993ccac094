//! A lab's settings form: every box edits a copy of the lab's experiment and hands it to
//! [`super::change`] (checked against the lab's limits, then the run restarts), after the
//! lab's own rule for what an edit carries along (a decay over the whole run keeps spanning
//! it). The boxes every lab draws alike — a whole number in a range, a real number, a
//! checkbox — are written here once.

use super::session::{LabState, Session};
use contract::link::Link;
use contract::registry::Participant;
use contract::training::{LrSchedule, OptimizerName};
use contract::Protocol;
use leptos::prelude::*;

/// What an edit carries along: the spec before the edit, and the spec after it to adjust.
pub type Settle<S> = fn(&S, &mut S);

/// A lab's settings form over its session's spec (`Copy`, for the boxes' closures).
pub struct Form<S: Send + Sync + 'static> {
    spec: Memo<S>,
    on_change: Callback<S>,
    settle: Settle<S>,
}

impl<S: Send + Sync + 'static> Clone for Form<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S: Send + Sync + 'static> Copy for Form<S> {}

impl<S> Form<S>
where
    S: Clone + PartialEq + Send + Sync + 'static,
{
    /// The form of a lab's session: edits go through [`super::change`].
    pub fn of<L>(state: RwSignal<Session<L>>, settle: Settle<S>) -> Self
    where
        L: LabState<Protocol: Protocol<Spec = S> + Participant> + 'static,
        Session<L>: Send + Sync,
        S: Link,
    {
        Form {
            spec: Memo::new(move |_| state.with(|s| s.spec.clone())),
            on_change: Callback::new(move |spec: S| super::change(state, move |s| *s = spec)),
            settle,
        }
    }

    /// The spec as the page shows it (tracked).
    pub fn get(self) -> S {
        self.spec.get()
    }

    /// Edits a copy of the spec, settles it and hands it on.
    pub fn edit(self, f: impl FnOnce(&mut S)) {
        let before = self.spec.get_untracked();
        let mut after = before.clone();
        f(&mut after);
        (self.settle)(&before, &mut after);
        self.on_change.run(after);
    }

    /// A whole-number box bounded by `(lo, hi)`; text that is not a whole number is ignored.
    pub fn whole(
        self,
        label: &'static str,
        testid: &'static str,
        title: &'static str,
        (lo, hi): (usize, usize),
        get: fn(&S) -> usize,
        set: fn(&mut S, usize),
    ) -> impl IntoView {
        self.number(label, testid, title, Some((lo, hi)), get, set)
    }

    /// A real-number box; text that is not a number is ignored.
    pub fn real(
        self,
        label: &'static str,
        testid: &'static str,
        title: &'static str,
        get: fn(&S) -> f32,
        set: fn(&mut S, f32),
    ) -> impl IntoView {
        self.number(label, testid, title, None, get, set)
    }

    /// A number box, bounded (whole numbers) or not (any step).
    fn number<T>(
        self,
        label: &'static str,
        testid: &'static str,
        title: &'static str,
        bounds: Option<(usize, usize)>,
        get: fn(&S) -> T,
        set: fn(&mut S, T),
    ) -> impl IntoView
    where
        T: std::str::FromStr + ToString + 'static,
    {
        let (min, max) = bounds
            .map(|(lo, hi)| (lo.to_string(), hi.to_string()))
            .unzip();
        let step = bounds.is_none().then_some("any");
        view! {
            <label class="field" title=super::controls::titled(title)>{label}
                <input type="number" min=min max=max step=step data-testid=testid
                    prop:value=move || get(&self.get()).to_string()
                    on:change=move |ev| { if let Some(v) = parsed::<T>(&ev) { self.edit(|s| set(s, v)) } } />
            </label>
        }
    }

    /// A real-number box that may be left empty (`None`: the setting is off).
    pub fn optional_real(
        self,
        label: &'static str,
        testid: &'static str,
        title: &'static str,
        get: fn(&S) -> Option<f32>,
        set: fn(&mut S, Option<f32>),
    ) -> impl IntoView {
        view! {
            <label class="field" title=super::controls::titled(title)>{label}
                <input type="number" step="any" data-testid=testid placeholder="none"
                    prop:value=move || get(&self.get()).map(|v| v.to_string()).unwrap_or_default()
                    on:change=move |ev| { let v = parsed::<f32>(&ev); self.edit(|s| set(s, v)) } />
            </label>
        }
    }

    /// A checkbox in the toolbar row.
    pub fn check(
        self,
        label: &'static str,
        testid: &'static str,
        title: &'static str,
        get: fn(&S) -> bool,
        set: fn(&mut S, bool),
    ) -> impl IntoView {
        super::controls::check_box(
            "field checkbox toolbar-check",
            testid,
            title,
            label,
            move || get(&self.get()),
            move |on| self.edit(|s| set(s, on)),
        )
    }

    /// The optimizer menu over the rules the lab offers; a new rule brings its own defaults.
    pub fn optimizer(
        self,
        testid: &'static str,
        offered: &'static [OptimizerName],
        get: fn(&S) -> OptimizerName,
        set: fn(&mut S, OptimizerName),
    ) -> impl IntoView {
        view! {
            <label class="field">"Optimizer "
                <select data-testid=testid on:change=move |ev| {
                    if let Some(o) = OptimizerName::from_slug(&event_target_value(&ev)) { self.edit(|s| set(s, o)) }
                }>
                    {offered.iter().map(|&o| view! {
                        <option value=o.slug() selected=move || get(&self.get()) == o>{super::optimizer_label(o)}</option>
                    }).collect::<Vec<_>>()}
                </select>
            </label>
        }
    }

    /// The notes' linear decay over the run's `steps`, or a constant η.
    pub fn decay(
        self,
        testid: &'static str,
        schedule: fn(&mut S) -> &mut LrSchedule,
        steps: fn(&S) -> usize,
    ) -> impl IntoView {
        let on = Signal::derive(move || *schedule(&mut self.get()) != LrSchedule::Constant);
        let on_change = Callback::new(move |on| {
            self.edit(|s| *schedule(s) = super::controls::decay_over(on, steps(s)))
        });
        view! { <super::controls::DecayBox testid=testid on=on on_change=on_change /> }
    }

    /// The run's seed.
    pub fn seed(
        self,
        testid: &'static str,
        get: fn(&S) -> u64,
        set: fn(&mut S, u64),
    ) -> impl IntoView {
        let seed = Signal::derive(move || get(&self.get()));
        let on_change = Callback::new(move |n| self.edit(|s| set(s, n)));
        view! { <super::controls::SeedField testid=testid seed=seed on_change=on_change /> }
    }
}

/// A box's text as a number, if it is one (surrounding spaces allowed).
pub fn parsed<T: std::str::FromStr>(ev: &leptos::ev::Event) -> Option<T> {
    event_target_value(ev).trim().parse().ok()
}
