//! What the Recurrent lab page knows beyond its run (`labs::session`, `labs::training`): the
//! gradient norms, every evaluation with its gradients through time, the compared runs, the
//! look inside the cell and the language model's questions. Replies are applied by one
//! function, so the page's behaviour is tested natively.

use crate::labs::session::{LabState, Session};
use crate::labs::training::{History, Slice, Trains, TrainingRun};
use contract::link::UrlNote;
use contract::rnn::protocol::{
    ClipPoint, ComparedRun, Completion, InsideView, RnnEvaluation, RnnProtocol, RnnReply,
    RnnRequest, SampledText, SentenceScore,
};
use contract::rnn::{RnnLab, RnnTask};


pub type RnnSession = Session<RnnState>;

/// What the student asks ahead of training.
#[derive(Clone, Debug, PartialEq)]
pub enum RnnAsk {
    /// A held-out sequence through the cell.
    Inside(usize),
    /// One of the two sentences compared (read from the box when sent).
    Score(usize),
    /// A sample or a missing word, as asked.
    Question(RnnRequest),
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct RnnState {
    pub run: TrainingRun<RnnAsk>,
    pub history: History<RnnEvaluation>,
    pub clipping: Vec<ClipPoint>,
    /// The compared runs, each with every evaluation so far.
    pub compared: Vec<ComparedRun>,
    pub inside: Option<InsideView>,
    /// The time step picked in the inside view (0-based).
    pub picked_time: Option<usize>,
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
            stale: true,
        }
    }
}

/// Characters drawn per sample.
pub const SAMPLE_CHARS: usize = 240;

impl LabState for RnnState {
    type Protocol = RnnProtocol;

    fn step(&self) -> usize {
        self.run.step
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
        let mut run = TrainingRun::new(s.spec.steps, s.spec.at);
        // The sequence followed stays followed in the new run.
        if let Some(example) = example {
            run.ask(RnnAsk::Inside(example));
        }
        s.lab = RnnState {
            run,
            lm,
            ..RnnState::default()
        };
    }

    fn on_refused(s: &mut RnnSession) {
        s.refused_ask();
    }

    fn on_reply(s: &mut RnnSession, reply: RnnReply) {
        match reply {
            RnnReply::Started {
                progress,
                clipping,
                compared,
                inside,
            }
            | RnnReply::Trained {
                progress,
                clipping,
                compared,
                inside,
            } => {
                s.lab.run.absorb(progress, &mut s.lab.history);
                s.lab.clipping.extend(clipping);
                for news in compared {
                    match s.lab.compared.iter().position(|c| c.kind == news.kind) {
                        Some(i) => {
                            let known = s.lab.compared.remove(i);
                            s.lab.compared.insert(i, known.followed_by(news));
                        }
                        None => s.lab.compared.push(news),
                    }
                }
                s.lab.inside = Some(inside);
                s.lab.lm.stale = true;
                s.progressed();
            }
            RnnReply::Inside(inside) => s.lab.inside = Some(inside),
            RnnReply::Scored(score) => {
                if let Some(&RnnAsk::Score(i)) = s.lab.run.in_flight() {
                    s.lab.lm.scores[i.min(1)] = Some(score);
                }
            }
            RnnReply::Sampled(sample) => s.lab.lm.sample = Some(sample),
            RnnReply::FilledIn { completions } => s.lab.lm.completions = Some(completions),
        }
    }
}

impl Trains for RnnState {
    type Ask = RnnAsk;

    crate::labs::training::run_field!();

    fn ask_request(s: &mut RnnSession, ask: &RnnAsk) -> RnnRequest {
        match ask {
            RnnAsk::Inside(example) => RnnRequest::Inside { example: *example },
            RnnAsk::Score(i) => RnnRequest::Score {
                text: s.lab.lm.sentences[(*i).min(1)].clone(),
            },
            RnnAsk::Question(request) => request.clone(),
        }
    }

    fn train_request(_: &RnnSession, slice: Slice) -> RnnRequest {
        RnnRequest::Train(slice.train_for())
    }

    /// The language model's sentences are scored again once training pauses.
    fn due(s: &RnnSession) -> bool {
        s.spec.task == RnnTask::Language && s.lab.lm.stale && !s.playing && s.replaying().is_none()
    }

    fn queue_due(s: &mut RnnSession) {
        s.score_sentences();
    }
}

impl RnnSession {
    pub fn for_link(spec: RnnLab, notes: Vec<UrlNote>) -> RnnSession {
        let state = RnnState {
            run: TrainingRun::new(spec.steps, None),
            ..RnnState::default()
        };
        Session::new(spec, notes, state)
    }

    /// Follows a held-out sequence through the cell (the last one chosen is asked).
    pub fn follow_sequence(&mut self, example: usize) {
        self.lab.run.forget(|a| matches!(a, RnnAsk::Inside(_)));
        self.lab.run.ask(RnnAsk::Inside(example));
        self.lab.picked_time = None;
    }

    /// Compares the two sentences (again) as soon as the engine is free.
    pub fn score_sentences(&mut self) {
        self.lab.run.forget(|a| matches!(a, RnnAsk::Score(_)));
        self.lab.run.ask(RnnAsk::Score(0));
        self.lab.run.ask(RnnAsk::Score(1));
        self.lab.lm.stale = false;
    }

    /// A sample or a missing word, asked of the language model.
    pub fn ask_model(&mut self, question: RnnRequest) {
        self.lab.run.ask(RnnAsk::Question(question));
    }
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
