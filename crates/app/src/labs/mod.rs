//! The labs, as the shell sees them: one registry entry per page ([`Page`]), and what every lab
//! page does the same way — its run's session ([`session`]), sending a request, sharing a link.
//! The shell, the navigation and the address bar's routing loop over the registry; nothing
//! outside a lab's folder names it.

pub mod controls;
pub mod form;
pub mod notices;
pub mod progress;
mod room;
pub mod session;
mod skeleton;
pub mod training;

pub use room::EngineRoom;
pub use skeleton::LabPage;

use crate::engine_client;
use contract::link::{Link, UrlNote};
use contract::registry::Participant;
use contract::training::OptimizerName;
use contract::{FromEngine, Protocol};
use leptos::prelude::*;
use session::{LabState, Session};

/// One page of the app, as the shell drives it.
pub trait Page {
    /// The nav link's label.
    fn title(&self) -> &'static str;
    /// The fragment that names the page (`lab=optim`, `engine`): the nav link goes there, and
    /// a fragment that equals it, or starts with it and `&`, opens this page.
    fn fragment(&self) -> &'static str;
    /// Every message from the engine (each page takes what is addressed to it).
    fn deliver(&self, message: &FromEngine);
    /// The worker is about to be (re)started.
    fn engine_starting(&self) {}
    /// The worker has been (re)started: a lab with a run asks for it again.
    fn engine_started(&self) {}
    /// The address bar now names this page: `link` is a whole experiment, `None` when it only
    /// names the page; `opening` when the app opens on it.
    fn open(&self, _link: Option<&str>, _opening: bool) {}
    /// Another page is shown: stop playing.
    fn leave(&self) {}
    fn view(&self, active: Signal<bool>, restart: Callback<()>) -> AnyView;
}

impl dyn Page {
    /// Does this fragment open this page?
    pub fn owns(&self, fragment: &str) -> bool {
        owns(self.fragment(), fragment)
    }
}

/// Does `fragment` (with or without '#') open the page named by `own` (`lab=cnn`): is it
/// `own`, or `own` followed by more parts?
pub fn owns(own: &str, fragment: &str) -> bool {
    let fragment = fragment.trim_start_matches('#');
    fragment == own
        || fragment
            .strip_prefix(own)
            .is_some_and(|rest| rest.starts_with('&'))
}

/// The page a fragment opens: the first that owns it, else the landing page.
pub fn page_of(pages: &[Box<dyn Page>], fragment: &str) -> usize {
    let fragment = fragment.trim_start_matches('#');
    pages.iter().position(|p| p.owns(fragment)).unwrap_or(0)
}

/// Sends one request of a lab; a worker that cannot take it is a failed engine for that lab.
pub fn send<L: LabState + 'static>(state: RwSignal<Session<L>>, request: contract::ToEngine)
where
    Session<L>: Send + Sync,
{
    if let Err(message) = engine_client::send(&request) {
        state.update(|s| s.apply(&FromEngine::Failed { message }));
    }
}

/// (Re)starts a lab's run from its current spec: the start is sent, and a link's `at=` is left
/// to the lab (it replays once, then later restarts begin at step 0).
pub fn restart<L: LabState + 'static>(state: RwSignal<Session<L>>)
where
    Session<L>: Send + Sync,
    <L::Protocol as Protocol>::Spec: Link,
{
    let mut request = None;
    state.update(|s| request = Some(s.restart()));
    if let Some(request) = request {
        send(state, request);
    }
    state.update(|s| s.spec.set_at(None));
}

/// The experiment a lab page starts with: the opening link's, if it names the page `own`
/// (with what the link could not use), else the lab's default.
pub fn opening_spec<S: Link + Default>(own: &str, opening: &str) -> (S, Vec<UrlNote>) {
    if owns(own, opening) {
        S::decode(opening)
    } else {
        (S::default(), vec![])
    }
}

/// A new experiment from the lab's controls: `edit` a copy of the spec; if the lab's limits
/// refuse it ([`Participant::check`], the engine's own check) the lab's error line says why and
/// nothing changes; otherwise the run restarts from step 0 (a link's `at=` no longer applies).
pub fn change<L: LabState + 'static>(
    state: RwSignal<Session<L>>,
    edit: impl FnOnce(&mut <L::Protocol as Protocol>::Spec),
) where
    L::Protocol: Participant,
    Session<L>: Send + Sync,
    <L::Protocol as Protocol>::Spec: Link + Clone,
{
    let mut spec = state.with_untracked(|s| s.spec.clone());
    edit(&mut spec);
    spec.set_at(None);
    if let Err(why) = <L::Protocol as Participant>::check(&spec) {
        // The page's error line takes the sentence; the typed error stays with the spec.
        state.update(|s| s.error = Some(why.to_string()));
        return;
    }
    state.update(|s| {
        s.spec = spec;
        s.playing = false;
    });
    restart(state);
}

/// For a lab whose run starts with the engine: a different experiment in the address bar
/// starts that one; the bare lab link (no `lab=`), or the app's opening, keeps the current run.
pub fn open_experiment<L: LabState + 'static>(
    state: RwSignal<Session<L>>,
    link: Option<&str>,
    opening: bool,
) where
    Session<L>: Send + Sync,
    <L::Protocol as Protocol>::Spec: Link,
{
    let Some(link) = link.filter(|l| !opening && l.starts_with("lab=")) else {
        return;
    };
    if link != state.with_untracked(|s| s.spec.encode()) {
        let (spec, notes) = <L::Protocol as Protocol>::Spec::decode(link);
        state.update(|s| {
            s.spec = spec;
            s.notes = notes;
            s.playing = false;
        });
        restart(state);
    }
}

/// When a lab's play loop sends its next request.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    /// At a tick only: the labs that play at a pace (the Network and Optimizer labs' steps
    /// per tick).
    Tick,
    /// Also as soon as a reply leaves the engine free: the labs whose training requests are
    /// time-budgeted slices (between a 300 ms slice and a tick up to 30 ms later the engine
    /// sat idle).
    Eager,
}

/// The play loop of a lab that steps: every `tick` (and at once when `pace` is eager), if the
/// session `wants` more, its next request (`take`) goes to the engine — one request with the
/// engine at a time, since `wants` is false while the session waits for an answer.
pub fn play_loop<L: LabState + 'static>(
    state: RwSignal<Session<L>>,
    (tick, pace): (std::time::Duration, Pace),
    wants: fn(&Session<L>) -> bool,
    take: fn(&mut Session<L>) -> contract::ToEngine,
) where
    Session<L>: Send + Sync,
{
    let send_if_wanted = move || {
        // Asked at the moment of sending: the tick may have sent a request since a memo changed.
        if state.with_untracked(wants) {
            let mut request = None;
            state.update(|s| request = Some(take(s)));
            if let Some(request) = request {
                send(state, request);
            }
        }
    };
    set_interval(send_if_wanted, tick);
    if pace == Pace::Eager {
        // A memo, so that the state's other changes (a sent request among them) do not wake this.
        let due = Memo::new(move |_| state.with(wants));
        Effect::new(move |_| {
            if due.get() {
                send_if_wanted();
            }
        });
    }
}

/// What every training lab's page sets going when it is built: its play loop (at the lab's
/// [`Trains::PACE`](training::Trains::PACE)), the transport's keys (→ steps only where the lab
/// has a Step button), and the address bar following the experiment.
pub fn follow_training<L: training::Trains + 'static>(
    state: RwSignal<Session<L>>,
    active: Signal<bool>,
) where
    Session<L>: Send + Sync,
    <L::Protocol as Protocol>::Spec: Link,
{
    play_loop(
        state,
        (L::TICK, L::PACE),
        Session::wants_request,
        Session::take_request,
    );
    transport_keys(
        active,
        move || state.update(Session::toggle_play),
        move || {
            if L::STEP_KEY {
                state.update(Session::step_once)
            }
        },
    );
    let link = Memo::new(move |_| state.with(|s| s.spec.encode()));
    crate::page::follow_in_address_bar(link, active);
}

/// A lab's ready-made experiments, as links (test ids `{prefix}preset-{i}`).
#[component]
pub fn Presets(
    prefix: &'static str,
    presets: &'static [(&'static str, &'static str)],
) -> impl IntoView {
    view! {
        <nav class="presets" aria-label="Ready-made experiments">
            <span class="hint">"Try: "</span>
            {presets.iter().enumerate().map(|(i, (title, link))| view! {
                <a class="preset" data-testid=format!("{prefix}-preset-{i}") href=format!("#{link}")>{*title}</a>
            }).collect::<Vec<_>>()}
        </nav>
    }
}

/// The transport's keys while the page is shown and no field has the focus: space plays or
/// pauses, → takes one step.
pub fn transport_keys(
    active: Signal<bool>,
    play: impl Fn() + Send + Sync + 'static,
    step: impl Fn() + Send + Sync + 'static,
) {
    let _keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if crate::page::typing_in_field(&ev) || !active.get_untracked() {
            return;
        }
        match ev.key().as_str() {
            " " => {
                ev.prevent_default();
                play();
            }
            "ArrowRight" => step(),
            _ => {}
        }
    });
}

/// The optimizers' names where a model is trained on mini-batches (the Network and CNN labs).
pub fn optimizer_label(o: OptimizerName) -> &'static str {
    match o {
        OptimizerName::Sgd => "SGD (mini-batch)",
        OptimizerName::Momentum => "Momentum",
        OptimizerName::Nesterov => "Nesterov",
        OptimizerName::Adagrad => "AdaGrad",
        OptimizerName::Rmsprop => "RMSProp",
        OptimizerName::Adam => "Adam",
        OptimizerName::Gd => "GD (full batch)",
        OptimizerName::Minibatch => "Mini-batch GD",
    }
}

/// Share for a lab page: the link that reproduces what is on screen, at the step the run has
/// reached (copied to the clipboard).
pub fn share<L: LabState + 'static>(state: RwSignal<Session<L>>) -> Callback<(), String>
where
    Session<L>: Send + Sync,
    <L::Protocol as Protocol>::Spec: Link + Clone,
{
    Callback::new(move |_| {
        let (mut spec, step) = state.with_untracked(|s| (s.spec.clone(), s.lab.step()));
        spec.set_at((step > 0).then_some(step));
        crate::page::share(&spec.encode())
    })
}
