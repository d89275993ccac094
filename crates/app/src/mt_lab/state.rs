//! What the Translation lab page knows beyond its run (`labs::session`, `labs::training`):
//! each model's training history and evaluations, the latest translation of the sentence
//! shown, and the BLEU breakdown asked for. Replies are applied by one function, so the page's
//! behaviour is tested natively.

use crate::labs::session::{LabState, Session};
use crate::labs::training::{History, Slice, Trains, TrainingRun};
use contract::link::UrlNote;
use contract::mt::protocol::{
    BleuView, MtEvaluation, MtNews, MtProtocol, MtReply, MtRequest, Sample, TranslationView,
};
use contract::mt::{MtLab, MtModel};


pub type MtSession = Session<MtState>;

/// A candidate and a reference to take BLEU apart for.
#[derive(Clone, Debug, PartialEq)]
pub struct BleuPair {
    pub candidate: String,
    pub reference: String,
}

impl Default for BleuPair {
    /// The notes' first example.
    fn default() -> Self {
        BleuPair {
            candidate: "The ball is blue".into(),
            reference: "The ball has a blue color".into(),
        }
    }
}

/// What the student asks ahead of training (read from the state when sent).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MtAsk {
    /// BLEU taken apart for the pair in the boxes.
    Bleu,
    /// The typed sentence (or the held-out example) through every model.
    Translate,
}

/// One model's training so far.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelRun {
    pub model: MtModel,
    pub history: History<MtEvaluation>,
    /// This model's own training speed (its share of the steps' time).
    pub examples_per_second: Option<f32>,
    pub stopped: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct MtState {
    /// The three models' run: they step together.
    pub run: TrainingRun<MtAsk>,
    /// In `MtModel::ALL`'s order.
    pub models: Vec<ModelRun>,
    pub held_out: usize,
    pub samples: Vec<Sample>,
    /// The held-out example translated when no sentence is typed.
    pub example: usize,
    pub translation: Option<TranslationView>,
    pub bleu_pair: BleuPair,
    pub bleu: Option<BleuView>,
    /// The page is shown: only then does it ask for translations and BLEU (the engine is
    /// shared by every lab, and translating with three models is not free).
    pub shown: bool,
}

impl LabState for MtState {
    type Protocol = MtProtocol;

    fn step(&self) -> usize {
        self.run.step
    }

    fn on_restart(s: &mut MtSession) {
        let mut run = TrainingRun::new(s.spec.steps, s.spec.at);
        // The BLEU breakdown needs no model: asked once, kept across runs.
        if s.lab.run.asked().contains(&MtAsk::Bleu) || s.lab.bleu.is_none() {
            run.ask(MtAsk::Bleu);
        }
        run.ask(MtAsk::Translate);
        // What the student looks at stays: the example, the BLEU pair.
        s.lab = MtState {
            run,
            example: s.lab.example,
            shown: s.lab.shown,
            bleu_pair: s.lab.bleu_pair.clone(),
            bleu: s.lab.bleu.clone(),
            ..MtState::default()
        };
    }

    fn on_refused(s: &mut MtSession) {
        // A sentence the models cannot read (the error says which word) leaves the link and
        // the held-out example is shown again (a held-out sentence that was refused is not
        // asked again).
        if s.refused_ask() == Some(MtAsk::Translate) && s.spec.sentence.take().is_some() {
            s.lab.run.ask(MtAsk::Translate);
        }
    }

    fn on_reply(s: &mut MtSession, reply: MtReply) {
        match reply {
            MtReply::Started { news } | MtReply::Trained { news } => {
                let evaluated = news.models.iter().any(|m| !m.progress.evaluations.is_empty());
                s.lab.take_news(news);
                s.progressed();
                // The translation follows the models at every evaluation, and at the end of
                // a replay.
                let caught_up = s.lab.run.replay_to.is_none() && !s.playing;
                if evaluated && (s.replaying().is_none() || caught_up) {
                    s.lab.run.ask(MtAsk::Translate);
                }
            }
            MtReply::Translated { translation } => s.lab.translation = Some(translation),
            MtReply::Bleu { breakdown } => s.lab.bleu = Some(breakdown),
        }
    }
}

impl Trains for MtState {
    type Ask = MtAsk;

    crate::labs::training::run_field!();

    fn ask_request(s: &mut MtSession, ask: &MtAsk) -> MtRequest {
        match ask {
            MtAsk::Bleu => MtRequest::Bleu {
                candidate: s.lab.bleu_pair.candidate.clone(),
                reference: s.lab.bleu_pair.reference.clone(),
            },
            MtAsk::Translate => MtRequest::Translate {
                sentence: s.spec.sentence.clone(),
                example: s.lab.example,
                beam: s.spec.beam,
            },
        }
    }

    fn train_request(_: &MtSession, slice: Slice) -> MtRequest {
        MtRequest::Train(slice.train_for())
    }

    fn may_ask(&self) -> bool {
        self.shown
    }
}

impl MtState {
    fn take_news(&mut self, news: MtNews) {
        // The three models step together: the first one's step is the run's.
        let (step, total_steps) = news
            .models
            .first()
            .map_or((self.run.step, self.run.total_steps), |m| {
                (m.progress.step, m.progress.total_steps)
            });
        if self.models.len() != news.models.len() {
            self.models.clear();
        }
        for (i, new) in news.models.into_iter().enumerate() {
            if self.models.len() <= i {
                self.models.push(ModelRun {
                    model: new.model,
                    history: History::default(),
                    examples_per_second: None,
                    stopped: None,
                });
            }
            let known = &mut self.models[i];
            let p = new.progress;
            known.history.train.extend(p.train);
            known.history.evaluations.extend(p.evaluations);
            if p.examples_per_second.is_some() {
                known.examples_per_second = p.examples_per_second;
            }
            known.stopped = p.stopped;
        }
        // The run is over when every model has stopped.
        let every_model_stopped = self.models.iter().all(|m| m.stopped.is_some());
        let stopped = (every_model_stopped && !self.models.is_empty()).then(|| {
            let why: Vec<String> = self.models.iter().filter_map(|m| m.stopped.clone()).collect();
            why.join("; ")
        });
        let train_ms = self.run.train_ms;
        self.run.follow(step, total_steps, news.examples_per_second, train_ms, stopped);
        self.held_out = news.held_out;
        self.samples = news.samples;
    }
}

impl MtSession {
    pub fn for_link(spec: MtLab, notes: Vec<UrlNote>) -> MtSession {
        let state = MtState {
            run: TrainingRun::new(spec.steps, None),
            ..MtState::default()
        };
        Session::new(spec, notes, state)
    }

    /// Translates a typed sentence from now on (none: the held-out examples again).
    pub fn type_sentence(&mut self, sentence: Option<String>) {
        self.spec.sentence = sentence;
        self.ask(MtAsk::Translate);
    }

    /// Another held-out example (the typed sentence is dropped).
    pub fn show_example(&mut self, example: usize) {
        self.spec.sentence = None;
        self.lab.example = example;
        self.ask(MtAsk::Translate);
    }

    pub fn set_beam(&mut self, beam: usize) {
        self.spec.beam = beam;
        self.lab.run.ask(MtAsk::Translate);
    }

    /// Takes BLEU apart for this pair as soon as the engine is free.
    pub fn explain(&mut self, pair: BleuPair) {
        self.lab.bleu_pair = pair;
        self.ask(MtAsk::Bleu);
    }
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
