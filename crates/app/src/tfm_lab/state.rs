//! What the Transformer lab page knows beyond its run (`labs::session`): the training history,
//! every evaluation (and the contrast run's), the latest look inside the model, and what the
//! student asked to look at or sample. Replies are applied by one function, so the page's
//! behaviour is tested natively.

use crate::labs::session::{LabState, Session};
use contract::link::UrlNote;
use contract::tfm::protocol::{
    ContrastProgress, TfmEvaluation, TfmProgress, TfmProtocol, TfmReply, TfmRequest, TfmView,
};
use contract::tfm::{TfmLab, TfmTask};
use contract::training::TrainPoint;
use contract::ToEngine;

/// Training time per request: the page follows the run smoothly and a pause is quick.
pub const TRAIN_SLICE_MS: f64 = 300.0;
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

#[derive(Clone, Debug, PartialEq, Default)]
pub struct TfmState {
    pub step: usize,
    pub total_steps: usize,
    pub train: Vec<TrainPoint>,
    pub evaluations: Vec<TfmEvaluation>,
    pub contrast: Option<ContrastProgress>,
    pub examples_per_second: Option<f32>,
    pub stopped: Option<String>,
    pub view: Option<TfmView>,
    /// What the student chose to look at, and whether the engine has heard it yet.
    pub focus: Focus,
    pub focus_pending: bool,
    /// A focus was sent and not yet answered (if refused, the view's focus is restored).
    pub focus_in_flight: bool,
    /// The query row picked in the attention view.
    pub picked_query: Option<usize>,
    pub sampling: Sampling,
    pub sample_pending: bool,
    /// A link's `at=`: train to this step, in slices the page follows.
    pub replay_to: Option<usize>,
}

impl LabState for TfmState {
    type Protocol = TfmProtocol;

    fn step(&self) -> usize {
        self.step
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
        s.lab = TfmState {
            total_steps: s.spec.steps,
            replay_to: s.spec.at.filter(|&at| at > 0),
            focus_pending: focus != Focus::default(),
            focus,
            sampling,
            ..TfmState::default()
        };
    }

    fn on_refused(s: &mut TfmSession) {
        s.lab.sample_pending = false;
        s.lab.focus_pending = false;
        if std::mem::take(&mut s.lab.focus_in_flight) {
            // A typed input the engine could not read: look at what is shown again (the
            // typed text stays in its box), and let a replay go on.
            if let Some(v) = &s.lab.view {
                s.lab.focus = Focus {
                    input: v.input.clone(),
                    typed_for: v.input.as_ref().map(|_| (s.spec.task, s.spec.length)),
                    example: v.example,
                    layer: v.layer,
                    head: v.head,
                };
            }
            return;
        }
        s.lab.replay_to = None;
    }

    fn on_reply(s: &mut TfmSession, reply: TfmReply) {
        match reply {
            TfmReply::Started { progress, view } | TfmReply::Trained { progress, view } => {
                s.lab.absorb(progress);
                s.lab.show(view);
                if s.finished() {
                    s.playing = false;
                }
                if s.lab.replay_to.is_some_and(|to| s.lab.step >= to) {
                    s.lab.replay_to = None;
                }
            }
            TfmReply::Focused { view } => {
                s.lab.focus_in_flight = false;
                s.lab.show(view);
            }
            TfmReply::Sampled { text, .. } => s.lab.sampling.text = Some(text),
        }
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

    fn absorb(&mut self, p: TfmProgress) {
        self.step = p.step;
        self.total_steps = p.total_steps;
        self.train.extend(p.train);
        self.evaluations.extend(p.evaluations);
        if let Some(run) = p.contrast {
            match &mut self.contrast {
                Some(known) => {
                    known.evaluations.extend(run.evaluations);
                    known.stopped = run.stopped;
                }
                None => self.contrast = Some(run),
            }
        }
        if p.examples_per_second.is_some() {
            self.examples_per_second = p.examples_per_second;
        }
        self.stopped = p.stopped;
    }

    /// Mean loss and accuracy of the last `n` training steps.
    pub fn recent_train(&self, n: usize) -> Option<(f32, f32)> {
        let recent = &self.train[self.train.len().saturating_sub(n)..];
        (!recent.is_empty()).then(|| {
            let k = recent.len() as f32;
            (
                recent.iter().map(|p| p.loss).sum::<f32>() / k,
                recent.iter().map(|p| p.accuracy).sum::<f32>() / k,
            )
        })
    }
}

impl TfmSession {
    pub fn for_link(spec: TfmLab, notes: Vec<UrlNote>) -> TfmSession {
        let state = TfmState {
            total_steps: spec.steps,
            ..TfmState::default()
        };
        Session::new(spec, notes, state)
    }

    pub fn finished(&self) -> bool {
        self.started && (self.lab.step >= self.lab.total_steps || self.lab.stopped.is_some())
    }

    /// The step a link is being replayed to, while it is.
    pub fn replaying(&self) -> Option<usize> {
        self.lab
            .replay_to
            .filter(|&to| self.started && self.lab.step < to)
    }

    /// Looks at something else from now on (sent before the next training slice).
    pub fn focus_on(&mut self, edit: impl FnOnce(&mut Focus)) {
        edit(&mut self.lab.focus);
        self.lab.focus_pending = true;
        self.lab.picked_query = None;
        self.error = None;
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
            self.lab.sample_pending = true;
        }
    }

    /// Should the play loop send a request now?
    pub fn wants_request(&self) -> bool {
        let training = (self.playing || self.replaying().is_some()) && !self.finished();
        (training || self.lab.focus_pending || self.lab.sample_pending)
            && self.started
            && !self.waiting
            && !self.engine_failed
    }

    /// The next request: what to look at first, then a sample, then training (to the link's
    /// step while replaying).
    pub fn take_request(&mut self) -> ToEngine {
        if self.lab.focus_pending {
            self.lab.focus_pending = false;
            self.lab.focus_in_flight = true;
            let f = self.lab.focus.clone();
            return self.request(&TfmRequest::Focus {
                input: f.input,
                example: f.example,
                layer: f.layer,
                head: f.head,
            });
        }
        if self.lab.sample_pending {
            self.lab.sample_pending = false;
            let s = self.lab.sampling.clone();
            return self.request(&TfmRequest::Sample {
                prompt: s.prompt,
                length: SAMPLE_CHARS,
                temperature: s.temperature,
                seed: s.seed,
            });
        }
        let until = if self.playing {
            None
        } else {
            self.lab.replay_to
        };
        self.request(&TfmRequest::Train {
            budget_ms: TRAIN_SLICE_MS,
            until,
        })
    }

    pub fn toggle_play(&mut self) {
        self.playing = !self.playing && !self.finished();
        if self.playing {
            self.lab.replay_to = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use contract::{Body, FromEngine};

    fn progress(step: usize, evaluations: &[usize]) -> TfmProgress {
        TfmProgress {
            step,
            total_steps: 800,
            train: vec![],
            evaluations: evaluations
                .iter()
                .map(|&step| TfmEvaluation {
                    step,
                    loss: 1.0,
                    token_accuracy: 0.5,
                    exact: Some(0.1),
                    entropy: 0.5,
                    grad_query: 0.1,
                    grad_key: 0.1,
                })
                .collect(),
            examples_per_second: Some(1000.0),
            train_ms: 10.0,
            stopped: None,
            contrast: None,
        }
    }

    fn view(example: usize) -> TfmView {
        TfmView {
            step: 0,
            input: None,
            example,
            tokens: vec![],
            answer_from: 0,
            predicted: vec![],
            expected: None,
            causal: true,
            layers: 2,
            heads: 4,
            attention: vec![],
            layer: 0,
            head: 0,
            walkthrough: vec![],
            positions: None,
            permutation_gap: None,
        }
    }

    fn reply(run: u64, reply: TfmReply) -> FromEngine {
        FromEngine::Reply {
            from: "tfm".into(),
            run,
            body: Body::of(&reply),
        }
    }

    fn read(request: ToEngine) -> TfmRequest {
        let contract::Ask::Request(body) = request.ask else {
            panic!("{request:?}")
        };
        body.read().expect("a request of this lab")
    }

    #[test]
    fn a_link_replays_to_its_step_and_a_chosen_focus_goes_first_and_survives_a_restart() {
        let spec = TfmLab {
            at: Some(300),
            ..TfmLab::default()
        };
        let mut s = TfmSession::for_link(spec, vec![]);
        s.restart();
        assert!(!s.wants_request(), "nothing before the start");
        s.apply(&reply(
            1,
            TfmReply::Started {
                progress: progress(0, &[0]),
                view: view(0),
            },
        ));
        assert_eq!(
            read(s.take_request()),
            TfmRequest::Train {
                budget_ms: TRAIN_SLICE_MS,
                until: Some(300)
            }
        );
        s.apply(&reply(
            1,
            TfmReply::Trained {
                progress: progress(150, &[25, 50]),
                view: view(0),
            },
        ));
        s.type_input(Some("123456".into()));
        s.focus_on(|f| f.head = 3);
        assert_eq!(
            read(s.take_request()),
            TfmRequest::Focus {
                input: Some("123456".into()),
                example: 0,
                layer: 0,
                head: 3
            }
        );
        s.apply(&reply(1, TfmReply::Focused { view: view(0) }));
        s.apply(&reply(
            1,
            TfmReply::Trained {
                progress: progress(300, &[300]),
                view: view(0),
            },
        ));
        assert!(!s.wants_request(), "the link's step is reached");
        let steps: Vec<usize> = s.lab.evaluations.iter().map(|e| e.step).collect();
        assert_eq!(steps, [0, 25, 50, 300]);
        // A new run with one head keeps the typed input, not the head it no longer has.
        s.spec.heads = 1;
        s.spec.width = 32;
        s.restart();
        assert_eq!(s.lab.focus.input.as_deref(), Some("123456"));
        assert_eq!(s.lab.focus.head, 0);
        assert!(s.lab.focus_pending);
        assert!(s.lab.evaluations.is_empty());
        // Another task drops the input typed for this one.
        s.spec.task = TfmTask::Count;
        s.restart();
        assert_eq!(s.lab.focus.input, None);
    }

    #[test]
    fn a_refused_input_restores_the_view_s_focus_and_the_replay_goes_on() {
        let spec = TfmLab {
            at: Some(300),
            ..TfmLab::default()
        };
        let mut s = TfmSession::for_link(spec, vec![]);
        s.restart();
        s.apply(&reply(
            1,
            TfmReply::Started {
                progress: progress(0, &[0]),
                view: view(4),
            },
        ));
        s.lab.picked_query = Some(12);
        s.type_input(Some("12a".into()));
        assert!(matches!(read(s.take_request()), TfmRequest::Focus { .. }));
        s.apply(&FromEngine::Error {
            from: "tfm".into(),
            run: 1,
            message: "“a” is not a digit".into(),
        });
        assert_eq!(s.lab.focus.input, None);
        assert_eq!(s.lab.focus.example, 4);
        assert_eq!(s.lab.replay_to, Some(300), "the replay goes on");
        assert!(matches!(
            read(s.take_request()),
            TfmRequest::Train { until: Some(300), .. }
        ));
        // A shorter view forgets a query it does not have.
        s.lab.picked_query = Some(12);
        s.apply(&reply(1, TfmReply::Focused { view: view(4) }));
        assert_eq!(s.lab.picked_query, None);
    }
}
