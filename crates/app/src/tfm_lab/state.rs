//! What the Transformer lab page knows beyond its run (`labs::session`, `labs::training`):
//! every evaluation (and the contrast run's), the latest look inside the model, and what the
//! student asked to look at or sample. Replies are applied by one function, so the page's
//! behaviour is tested natively.

use crate::labs::session::{LabState, Session};
use crate::labs::training::{History, Slice, Trains, TrainingRun};
use contract::link::UrlNote;
use contract::tfm::protocol::{ContrastRun, TfmEvaluation, TfmProtocol, TfmReply, TfmRequest, TfmView};
use contract::tfm::{TfmLab, TfmTask};

/// Characters drawn per sample.
pub const SAMPLE_CHARS: usize = 200;

pub type TfmSession = Session<TfmState>;

/// What the page looks at: a typed input or a held-out example, and the head walked through.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Focus {
    pub input: Option<String>,
    /// The task and length the input was typed for: another task or length drops it.
    pub typed_for: Option<(TfmTask, usize)>,
    pub example: usize,
    pub layer: usize,
    pub head: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Sampling {
    pub prompt: String,
    pub temperature: f32,
    pub seed: u64,
    pub text: Option<String>,
}

impl Default for Sampling {
    fn default() -> Self {
        Sampling {
            prompt: "the man ".into(),
            temperature: 0.7,
            seed: 1,
            text: None,
        }
    }
}

/// What the student asks ahead of training (read from the state when sent).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TfmAsk {
    /// The focus chosen: a typed input or an example, the head walked through.
    Focus,
    /// A sample from the language model.
    Sample,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct TfmState {
    pub run: TrainingRun<TfmAsk>,
    pub history: History<TfmEvaluation>,
    /// The contrast run's evaluations so far.
    pub contrast: Option<ContrastRun>,
    pub view: Option<TfmView>,
    /// What the student chose to look at.
    pub focus: Focus,
    /// The query row picked in the attention view.
    pub picked_query: Option<usize>,
    pub sampling: Sampling,
}

impl LabState for TfmState {
    type Protocol = TfmProtocol;

    fn step(&self) -> usize {
        self.run.step
    }

    fn on_restart(s: &mut TfmSession) {
        // What the student chose and typed stays; a head the new model lacks does not, nor
        // an input typed for another task or length.
        let mut focus = s.lab.focus.clone();
        if focus.layer >= s.spec.layers || focus.head >= s.spec.heads {
            focus.layer = 0;
            focus.head = 0;
        }
        if focus.typed_for != Some((s.spec.task, s.spec.length)) {
            focus.input = None;
            focus.typed_for = None;
        }
        let sampling = Sampling {
            text: None,
            ..s.lab.sampling.clone()
        };
        let mut run = TrainingRun::new(s.spec.steps, s.spec.at);
        if focus != Focus::default() {
            run.ask(TfmAsk::Focus);
        }
        s.lab = TfmState {
            run,
            focus,
            sampling,
            ..TfmState::default()
        };
    }

    fn on_refused(s: &mut TfmSession) {
        if s.refused_ask() == Some(TfmAsk::Focus) {
            // A typed input the engine could not read: look at what is shown again (the
            // typed text stays in its box).
            if let Some(v) = &s.lab.view {
                s.lab.focus = Focus {
                    input: v.input.clone(),
                    typed_for: v.input.as_ref().map(|_| (s.spec.task, s.spec.length)),
                    example: v.example,
                    layer: v.layer,
                    head: v.head,
                };
            }
        }
    }

    fn on_reply(s: &mut TfmSession, reply: TfmReply) {
        match reply {
            TfmReply::Started {
                progress,
                contrast,
                view,
            }
            | TfmReply::Trained {
                progress,
                contrast,
                view,
            } => {
                s.lab.run.absorb(progress, &mut s.lab.history);
                if let Some(news) = contrast {
                    s.lab.contrast = Some(match s.lab.contrast.take() {
                        Some(known) => known.followed_by(news),
                        None => news,
                    });
                }
                s.lab.show(view);
                s.progressed();
            }
            TfmReply::Focused { view } => s.lab.show(view),
            TfmReply::Sampled { text, .. } => s.lab.sampling.text = Some(text),
        }
    }
}

impl Trains for TfmState {
    type Ask = TfmAsk;

    crate::labs::training::run_field!();

    fn ask_request(s: &mut TfmSession, ask: &TfmAsk) -> TfmRequest {
        match ask {
            TfmAsk::Focus => {
                let f = s.lab.focus.clone();
                TfmRequest::Focus {
                    input: f.input,
                    example: f.example,
                    layer: f.layer,
                    head: f.head,
                }
            }
            TfmAsk::Sample => {
                let sampling = s.lab.sampling.clone();
                TfmRequest::Sample {
                    prompt: sampling.prompt,
                    length: SAMPLE_CHARS,
                    temperature: sampling.temperature,
                    seed: sampling.seed,
                }
            }
        }
    }

    fn train_request(_: &TfmSession, slice: Slice) -> TfmRequest {
        TfmRequest::Train(slice.train_for())
    }
}

impl TfmState {
    /// A new view; a query picked in a sequence of another length is forgotten.
    fn show(&mut self, view: TfmView) {
        if self.picked_query.is_some_and(|q| q >= view.tokens.len()) {
            self.picked_query = None;
        }
        self.view = Some(view);
    }
}

impl TfmSession {
    pub fn for_link(spec: TfmLab, notes: Vec<UrlNote>) -> TfmSession {
        let state = TfmState {
            run: TrainingRun::new(spec.steps, None),
            ..TfmState::default()
        };
        Session::new(spec, notes, state)
    }

    /// Looks at something else from now on (sent before the next training slice).
    pub fn focus_on(&mut self, edit: impl FnOnce(&mut Focus)) {
        edit(&mut self.lab.focus);
        self.lab.picked_query = None;
        self.ask(TfmAsk::Focus);
    }

    /// Looks at a typed input (none: back to the held-out examples).
    pub fn type_input(&mut self, input: Option<String>) {
        let typed_for = input.as_ref().map(|_| (self.spec.task, self.spec.length));
        self.focus_on(|f| {
            f.input = input;
            f.typed_for = typed_for;
        });
    }

    /// Draws a sample (the language model) as soon as the engine is free.
    pub fn ask_sample(&mut self) {
        if self.spec.task == TfmTask::Language {
            self.lab.run.ask(TfmAsk::Sample);
        }
    }
}

#[cfg(test)]
#[path = "state_tests.rs"]
pub(super) mod tests;
