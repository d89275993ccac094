//! The registry's page for a lab whose run starts with the engine (a start is cheap: the
//! Optimizer, Network and Recurrent labs): it starts when the engine does, follows the address
//! bar to another experiment, and pauses when the student leaves.

use super::session::{LabState, Session};
use super::training::Trains;
use super::{open_experiment, opening_spec, restart, Page};
use contract::link::{Link, UrlNote};
use contract::{FromEngine, Protocol};
use leptos::prelude::*;

type Spec<L> = <<L as LabState>::Protocol as Protocol>::Spec;
/// A lab's page component, given its run, whether it is shown, and the engine's restart.
type View<L> = fn(RwSignal<Session<L>>, Signal<bool>, Callback<()>) -> AnyView;

pub struct EngineRoom<L: LabState> {
    state: RwSignal<Session<L>>,
    title: &'static str,
    fragment: &'static str,
    view: View<L>,
}

impl<L: Trains + 'static> EngineRoom<L>
where
    Session<L>: Send + Sync,
    Spec<L>: Link + Default,
{
    /// The page, on the opening link's experiment if the link names it (`fragment`), else on
    /// the lab's default.
    pub fn boxed(
        title: &'static str,
        fragment: &'static str,
        opening: &str,
        session: fn(Spec<L>, Vec<UrlNote>) -> Session<L>,
        view: View<L>,
    ) -> Box<dyn Page> {
        let (spec, notes) = opening_spec::<Spec<L>>(fragment, opening);
        Box::new(EngineRoom {
            state: RwSignal::new(session(spec, notes)),
            title,
            fragment,
            view,
        })
    }
}

impl<L: Trains + 'static> Page for EngineRoom<L>
where
    Session<L>: Send + Sync,
    Spec<L>: Link,
{
    fn title(&self) -> &'static str {
        self.title
    }

    fn fragment(&self) -> &'static str {
        self.fragment
    }

    fn deliver(&self, message: &FromEngine) {
        self.state.update(|s| s.apply(message));
    }

    /// The run starts with the engine (the worker queues requests until its pool is up).
    fn engine_started(&self) {
        restart(self.state);
    }

    /// A different experiment in the address bar starts that run; the bare lab link keeps
    /// the current one.
    fn open(&self, link: Option<&str>, opening: bool) {
        open_experiment(self.state, link, opening);
    }

    fn leave(&self) {
        self.state.update(|s| s.playing = false);
    }

    fn view(&self, active: Signal<bool>, restart: Callback<()>) -> AnyView {
        super::follow_training(self.state, active);
        (self.view)(self.state, active, restart)
    }
}
