//! What the Recurrent lab page knows beyond its run (`labs::session`): the training history,
//! the gradient norms, every evaluation with its gradients through time, and the look inside
//! the cell. Replies are applied by one function, so the page's behaviour is tested natively.

use crate::labs::session::{LabState, Session};
use contract::link::UrlNote;
use contract::rnn::protocol::{
    ClipPoint, ComparedProgress, Completion, InsideView, RnnEvaluation, RnnProgress, RnnProtocol,
    RnnReply, RnnRequest, SampledText, SentenceScore,
};
use contract::rnn::{RnnLab, RnnTask};
use contract::training::TrainPoint;
use contract::ToEngine;

/// Training time per request: the page follows the run smoothly and a pause is quick.
pub const TRAIN_SLICE_MS: f64 = 300.0;

pub type RnnSession = Session<RnnState>;

#[derive(Clone, Debug, PartialEq, Default)]
pub struct RnnState {
    pub step: usize,
    pub total_steps: usize,
    pub train: Vec<TrainPoint>,
    pub clipping: Vec<ClipPoint>,
    pub evaluations: Vec<RnnEvaluation>,
    /// The compared runs, each with every evaluation so far.
    pub compared: Vec<ComparedProgress>,
    pub examples_per_second: Option<f32>,
    pub stopped: Option<String>,
    pub inside: Option<InsideView>,
    /// A held-out sequence chosen but not yet sent.
    pub pending_inside: Option<usize>,
    /// The time step picked in the inside view (0-based).
    pub picked_time: Option<usize>,
    /// A link's `at=`: train to this step, in slices the page follows.
    pub replay_to: Option<usize>,
    /// The language model's questions (sentences to compare, a sample, a missing word).
    pub lm: LanguageState,
}

/// What the student asks the language model, and its last answers.
#[derive(Clone, Debug, PartialEq)]
pub struct LanguageState {
    /// The two sentences compared (the notes' pair to start with).
    pub sentences: [String; 2],
    pub scores: [Option<SentenceScore>; 2],
    pub prompt: String,
    pub temperature: f32,
    pub sample: Option<SampledText>,
    pub fill_text: String,
    pub completions: Option<Vec<Completion>>,
    /// Questions not yet sent, in order; which sentence each score in flight is for.
    pub queue: Vec<RnnRequest>,
    pub scoring: Vec<usize>,
    /// Training moved on since the sentences were scored: score them again when idle.
    pub stale: bool,
}

impl Default for LanguageState {
    fn default() -> Self {
        LanguageState {
            sentences: ["the man pulled a cart".into(), "the man pooled a cart".into()],
            scores: [None, None],
            prompt: "the ".into(),
            temperature: 0.7,
            sample: None,
            fill_text: "the man a cart".into(),
            completions: None,
            queue: Vec::new(),
            scoring: Vec::new(),
            stale: true,
        }
    }
}

/// Characters drawn per sample.
pub const SAMPLE_CHARS: usize = 240;

impl LabState for RnnState {
    type Protocol = RnnProtocol;

    fn step(&self) -> usize {
        self.step
    }

    fn on_restart(s: &mut RnnSession) {
        let example = s.lab.inside.as_ref().map(|i| i.example).filter(|&e| e > 0);
        // What the student typed stays; the answers belonged to the old run.
        let lm = LanguageState {
            sentences: s.lab.lm.sentences.clone(),
            prompt: s.lab.lm.prompt.clone(),
            temperature: s.lab.lm.temperature,
            fill_text: s.lab.lm.fill_text.clone(),
            ..LanguageState::default()
        };
        s.lab = RnnState {
            total_steps: s.spec.steps,
            replay_to: s.spec.at.filter(|&at| at > 0),
            // The sequence followed stays followed in the new run.
            pending_inside: example,
            lm,
            ..RnnState::default()
        };
    }

    fn on_refused(s: &mut RnnSession) {
        s.lab.replay_to = None;
        s.lab.pending_inside = None;
        s.lab.lm.queue.clear();
        s.lab.lm.scoring.clear();
        s.lab.lm.stale = false;
    }

    fn on_reply(s: &mut RnnSession, reply: RnnReply) {
        match reply {
            RnnReply::Started { progress, inside } | RnnReply::Trained { progress, inside } => {
                s.lab.absorb(progress);
                s.lab.inside = Some(inside);
                s.lab.lm.stale = true;
                if s.finished() {
                    s.playing = false;
                }
                if s.lab.replay_to.is_some_and(|to| s.lab.step >= to) {
                    s.lab.replay_to = None;
                }
            }
            RnnReply::Inside(inside) => s.lab.inside = Some(inside),
            RnnReply::Scored(score) => {
                if let Some(i) = (!s.lab.lm.scoring.is_empty()).then(|| s.lab.lm.scoring.remove(0)) {
                    s.lab.lm.scores[i.min(1)] = Some(score);
                }
            }
            RnnReply::Sampled(sample) => s.lab.lm.sample = Some(sample),
            RnnReply::FilledIn { completions } => s.lab.lm.completions = Some(completions),
        }
    }
}

impl RnnState {
    fn absorb(&mut self, p: RnnProgress) {
        self.step = p.step;
        self.total_steps = p.total_steps;
        self.train.extend(p.train);
        self.clipping.extend(p.clipping);
        self.evaluations.extend(p.evaluations);
        for run in p.compared {
            match self.compared.iter_mut().find(|c| c.cell == run.cell) {
                Some(known) => {
                    known.evaluations.extend(run.evaluations);
                    known.stopped = run.stopped;
                }
                None => self.compared.push(run),
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

impl RnnSession {
    pub fn for_link(spec: RnnLab, notes: Vec<UrlNote>) -> RnnSession {
        let state = RnnState {
            total_steps: spec.steps,
            ..RnnState::default()
        };
        Session::new(spec, notes, state)
    }

    pub fn finished(&self) -> bool {
        self.started && (self.lab.step >= self.lab.total_steps || self.lab.stopped.is_some())
    }

    /// The step a link is being replayed to, while it is.
    pub fn replaying(&self) -> Option<usize> {
        self.lab.replay_to.filter(|&to| self.started && self.lab.step < to)
    }

    /// Is the language model idle and its scores out of date? (Not while training on.)
    fn rescore_due(&self) -> bool {
        self.spec.task == RnnTask::Language
            && self.lab.lm.stale
            && !self.playing
            && self.replaying().is_none()
    }

    /// Compares the two sentences (again) as soon as the engine is free.
    pub fn score_sentences(&mut self) {
        let lm = &mut self.lab.lm;
        lm.queue.retain(|r| !matches!(r, RnnRequest::Score { .. }));
        for text in lm.sentences.clone() {
            lm.queue.push(RnnRequest::Score { text });
        }
        lm.stale = false;
    }

    /// Should the play loop send a request now?
    pub fn wants_request(&self) -> bool {
        let training = (self.playing || self.replaying().is_some()) && !self.finished();
        (training
            || self.lab.pending_inside.is_some()
            || !self.lab.lm.queue.is_empty()
            || self.rescore_due())
            && self.started
            && !self.waiting
            && !self.engine_failed
    }

    /// The next request: a chosen sequence first, then training (to the link's step while
    /// replaying).
    pub fn take_request(&mut self) -> ToEngine {
        if let Some(example) = self.lab.pending_inside.take() {
            return self.request(&RnnRequest::Inside { example });
        }
        if self.rescore_due() {
            self.score_sentences();
        }
        if !self.lab.lm.queue.is_empty() {
            let question = self.lab.lm.queue.remove(0);
            if matches!(question, RnnRequest::Score { .. }) {
                let which = usize::from(
                    self.lab.lm.queue.iter().any(|r| matches!(r, RnnRequest::Score { .. })),
                );
                self.lab.lm.scoring.push(1 - which);
            }
            return self.request(&question);
        }
        let until = if self.playing { None } else { self.lab.replay_to };
        self.request(&RnnRequest::Train {
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
    use contract::cnn::view::Quantised;
    use contract::{Body, FromEngine};

    fn progress(step: usize, evaluations: &[usize]) -> RnnProgress {
        RnnProgress {
            step,
            total_steps: 600,
            train: vec![],
            clipping: vec![],
            evaluations: evaluations
                .iter()
                .map(|&step| RnnEvaluation {
                    step,
                    loss: 1.0,
                    accuracy: 0.5,
                    through_time: vec![1.0; 21],
                    jacobian: vec![1.0; 21],
                })
                .collect(),
            examples_per_second: Some(1000.0),
            train_ms: 10.0,
            stopped: None,
            compared: vec![],
        }
    }

    fn inside(example: usize) -> InsideView {
        InsideView {
            example,
            step: 0,
            tokens: vec![],
            classes: vec![],
            answer: 0,
            probabilities: vec![],
            traces: vec![contract::rnn::protocol::Trace {
                name: "state h".into(),
                units: 1,
                values: Quantised::from_values(&[0.0]),
            }],
        }
    }

    fn reply(run: u64, reply: RnnReply) -> FromEngine {
        FromEngine::Reply {
            from: "rnn".into(),
            run,
            body: Body::of(&reply),
        }
    }

    fn read(request: ToEngine) -> RnnRequest {
        let contract::Ask::Request(body) = request.ask else {
            panic!("{request:?}")
        };
        body.read().expect("a request of this lab")
    }

    #[test]
    fn a_link_replays_to_its_step_then_waits_and_a_chosen_sequence_goes_first() {
        let spec = RnnLab { at: Some(300), ..RnnLab::default() };
        let mut s = RnnSession::for_link(spec, vec![]);
        s.restart();
        assert!(!s.wants_request(), "nothing before the start");
        s.apply(&reply(1, RnnReply::Started { progress: progress(0, &[0]), inside: inside(0) }));
        assert_eq!(
            read(s.take_request()),
            RnnRequest::Train { budget_ms: TRAIN_SLICE_MS, until: Some(300) }
        );
        s.apply(&reply(1, RnnReply::Trained { progress: progress(150, &[25, 50]), inside: inside(0) }));
        s.lab.pending_inside = Some(7);
        assert_eq!(read(s.take_request()), RnnRequest::Inside { example: 7 });
        s.apply(&reply(1, RnnReply::Inside(inside(7))));
        s.apply(&reply(1, RnnReply::Trained { progress: progress(300, &[300]), inside: inside(7) }));
        assert!(!s.wants_request(), "the link's step is reached");
        let steps: Vec<usize> = s.lab.evaluations.iter().map(|e| e.step).collect();
        assert_eq!(steps, [0, 25, 50, 300]);
        // A new run keeps following sequence 7.
        s.restart();
        assert_eq!(s.lab.pending_inside, Some(7));
        assert!(s.lab.evaluations.is_empty());
    }

    fn score(text: &str, log_prob: f32) -> SentenceScore {
        SentenceScore { text: text.into(), words: vec![], log_prob, step: 0 }
    }

    #[test]
    fn the_language_model_scores_both_sentences_when_idle_and_again_after_training() {
        let spec = RnnLab { task: RnnTask::Language, ..RnnLab::default() };
        let mut s = RnnSession::for_link(spec, vec![]);
        s.restart();
        s.apply(&reply(1, RnnReply::Started { progress: progress(0, &[0]), inside: inside(0) }));
        assert_eq!(read(s.take_request()), RnnRequest::Score { text: "the man pulled a cart".into() });
        s.apply(&reply(1, RnnReply::Scored(score("the man pulled a cart.", -30.0))));
        assert_eq!(read(s.take_request()), RnnRequest::Score { text: "the man pooled a cart".into() });
        s.apply(&reply(1, RnnReply::Scored(score("the man pooled a cart.", -31.0))));
        assert!(!s.wants_request(), "scored: nothing more to ask");
        assert_eq!(s.lab.lm.scores[1].as_ref().map(|x| x.log_prob), Some(-31.0));
        // While training, no scoring; once paused, the new network is scored.
        s.playing = true;
        assert!(matches!(read(s.take_request()), RnnRequest::Train { .. }));
        s.apply(&reply(1, RnnReply::Trained { progress: progress(25, &[25]), inside: inside(0) }));
        assert!(matches!(read(s.take_request()), RnnRequest::Train { .. }));
        s.playing = false;
        s.apply(&reply(1, RnnReply::Trained { progress: progress(50, &[50]), inside: inside(0) }));
        assert!(matches!(read(s.take_request()), RnnRequest::Score { .. }));
        // A question asked goes before training.
        s.waiting = false;
        s.lab.lm.queue.push(RnnRequest::FillIn { text: "the man a cart".into() });
        s.lab.lm.queue.rotate_right(1);
        assert_eq!(read(s.take_request()), RnnRequest::FillIn { text: "the man a cart".into() });
    }
}
