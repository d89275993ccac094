//! The CNN lab: build a CNN, train it on real MNIST digits in the engine worker, and look
//! inside it — feature maps, kernels, receptive fields, what a shift does — plus the
//! architecture calculator for the notes' networks. The page only asks and draws.

mod builder;
mod calculator;
mod curves;
mod evaluation;
mod inside;
mod shift;
pub mod state;
mod training;

use crate::labs::{self, Page};
use contract::cnn::link::encode;
use contract::cnn::view::DigitSource;
use contract::cnn::CnnLab;
use contract::link::Link;
use contract::FromEngine;
use crate::page::Headed;
use leptos::prelude::*;
use state::{CnnSession, Unit};

const FRAGMENT: &str = contract::lab_fragment!(contract::cnn::SLUG);

/// The CNN lab in the registry.
pub fn page(opening: &str) -> Box<dyn Page> {
    let (spec, notes) = if labs::owns(FRAGMENT, opening) {
        CnnLab::decode(opening)
    } else {
        (CnnLab::default(), vec![])
    };
    Box::new(CnnLabRoom {
        state: RwSignal::new(CnnSession::for_link(spec, notes)),
    })
}

struct CnnLabRoom {
    state: RwSignal<CnnSession>,
}

impl CnnLabRoom {
    /// Starts the first run (a CNN link trains on opening, unless it asks for a step to show:
    /// `at=`, then it stops there). Later visits keep the run.
    fn first_visit(&self, play: bool) {
        let state = self.state;
        if state.with_untracked(|s| s.run == 0) {
            let replay = state.with_untracked(|s| s.spec.at.is_some());
            start_run(state);
            state.update(|s| s.playing = play && !replay);
        }
    }
}

impl Page for CnnLabRoom {
    fn title(&self) -> &'static str {
        "CNN"
    }

    fn fragment(&self) -> &'static str {
        FRAGMENT
    }

    fn deliver(&self, message: &FromEngine) {
        self.state.update(|s| s.apply(message));
    }

    /// The lab starts once it has been shown; a restarted engine brings its run back.
    fn engine_started(&self) {
        if self.state.with_untracked(|s| s.run > 0) {
            start_run(self.state);
        }
    }

    fn open(&self, link: Option<&str>, opening: bool) {
        let state = self.state;
        match link {
            _ if opening => self.first_visit(true),
            None => self.first_visit(false),
            Some(link) if link != state.with_untracked(|s| encode(&s.spec)) => {
                let (spec, notes) = CnnLab::decode(link);
                state.update(|s| {
                    s.spec = spec;
                    s.notes = notes;
                });
                let replay = state.with_untracked(|s| s.spec.at.is_some());
                start_run(state);
                state.update(|s| s.playing = !replay);
            }
            Some(_) => {}
        }
    }

    fn leave(&self) {
        self.state.update(|s| s.playing = false);
    }

    fn view(&self, active: Signal<bool>, restart: Callback<()>) -> AnyView {
        view! { <CnnLabPage state=self.state restart=restart active=active /> }.into_any()
    }
}

/// (Re)starts the run from the current spec (training to `spec.at` if the link had one, in
/// slices the page shows as they come).
fn start_run(state: RwSignal<CnnSession>) {
    if let Err(why) = state.with_untracked(|s| s.spec.trainable()) {
        // The builder flags the layer; the engine is not asked to build what cannot work.
        state.update(|s| {
            s.restart();
            s.waiting = false;
            s.playing = false;
            s.lab.blocked = Some(why.to_string());
        });
        return;
    }
    labs::restart(state);
}

/// Changes what is trained: the run starts again from step 0.
fn change(state: RwSignal<CnnSession>, edit: impl FnOnce(&mut CnnLab)) {
    let mut spec = state.with_untracked(|s| s.spec.clone());
    edit(&mut spec);
    if let Err(message) = spec.check() {
        state.update(|s| s.error = Some(message.to_string()));
        return;
    }
    state.update(|s| {
        s.spec = spec;
        s.playing = false;
    });
    start_run(state);
}

/// Changes what is looked at (digit, shift): training goes on undisturbed.
fn look(state: RwSignal<CnnSession>, digit: DigitSource, shift: (i32, i32)) {
    state.update(|s| {
        if let DigitSource::Test { index } = digit {
            s.spec.digit = index;
            s.lab.drawn = false;
        } else {
            s.lab.drawn = true;
        }
        s.spec.shift = shift;
        s.lab.receptive = None;
        s.lab.unit = None;
        // Sent by the play loop as soon as the engine is free (at once if it is).
        s.look(digit, shift);
    });
}

fn pick_unit(state: RwSignal<CnnSession>, unit: Unit) {
    state.update(|s| s.pick(unit));
}

/// What this part shows, under its title.
const LEDE: &str = concat!(
    "Build a CNN, train it on 8,000 real handwritten digits right here, and look inside: what each ",
    "kernel responds to, which pixels a unit can see, and why a shifted digit is still the same digit. Space trains or pauses.",
);

#[component]
pub fn CnnLabPage(
    state: RwSignal<CnnSession>,
    restart: Callback<()>,
    active: Signal<bool>,
) -> impl IntoView {
    // Training goes only while the page is shown (a look asked goes anyway).
    Effect::new(move |_| {
        let shown = active.get();
        state.update(|s| s.lab.shown = shown);
    });
    labs::follow_training(state, active);
    view! {
        <Headed id="cnn-title" title="Convolutional networks" class="panel lab cnn-lab" level=1 lede=LEDE>
            <labs::notices::Notices state=state restart=restart error_testid="cnn-error" notes_testid="cnn-url-notes" />
            <h2>"1 · Architecture"</h2>
            <builder::Builder layers=Signal::derive(move || state.with(|s| s.spec.layers.clone())) on_change=Callback::new(move |layers| change(state, |spec| spec.layers = layers)) />
            <h2>"2 · Training"</h2>
            <training::Training state=state
                on_one_thread=Callback::new(move |on| state.update(|s| s.lab.one_thread = on))
                on_change=Callback::new(move |spec: CnnLab| change(state, |s| *s = spec))
                on_reset=Callback::new(move |_| start_run(state)) />
            <h2>"3 · Inside the network"</h2>
            <inside::Inside state=state.read_only()
                on_error=Callback::new(move |message| state.update(|s| s.error = Some(message)))
                on_look=Callback::new(move |(digit, shift)| look(state, digit, shift))
                on_unit=Callback::new(move |unit| pick_unit(state, unit)) />
            <h2>"4 · Moving the digit: equivariance and invariance"</h2>
            <shift::ShiftView state=state.read_only() on_look=Callback::new(move |(digit, shift)| look(state, digit, shift)) />
            <h2>"5 · Mistakes on the test digits"</h2>
            <evaluation::EvaluationView state=state.read_only() on_look=Callback::new(move |index| {
                let shift = state.with_untracked(|s| s.spec.shift);
                look(state, DigitSource::Test { index }, shift)
            }) />
            <crate::page::ShareBar label="Share this experiment" testid="cnn-share" link_testid="cnn-share-link"
                hint="Link copied — it trains the same network to this step, with the same numbers: " make=labs::share(state) />
            <h2>"6 · The notes' networks, computed"</h2>
            <calculator::Calculator />
        </Headed>
    }
}
