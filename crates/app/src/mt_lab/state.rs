//! What the Translation lab page knows beyond its run (`labs::session`): each model's training
//! history and evaluations, the latest translation of the sentence shown, and the BLEU
//! breakdown asked for. Replies are applied by one function, so the page's behaviour is
//! tested natively.

use crate::labs::session::{LabState, Session};
use contract::link::UrlNote;
use contract::mt::protocol::{
    BleuView, ModelProgress, MtProgress, MtProtocol, MtReply, MtRequest, Sample, TranslationView,
};
use contract::mt::MtLab;
use contract::ToEngine;

/// Training time per request: the page follows the run smoothly and a pause is quick.
pub const TRAIN_SLICE_MS: f64 = 300.0;

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

#[derive(Clone, Debug, PartialEq, Default)]
pub struct MtState {
    pub step: usize,
    pub total_steps: usize,
    /// In `MtModel::ALL`'s order.
    pub models: Vec<ModelProgress>,
    pub examples_per_second: Option<f32>,
    pub held_out: usize,
    pub samples: Vec<Sample>,
    /// The held-out example translated when no sentence is typed.
    pub example: usize,
    pub translation: Option<TranslationView>,
    /// The translation shown is out of date: ask again when the engine is free.
    pub translate_pending: bool,
    /// A translation was asked and not yet answered (if refused, the typed sentence goes).
    pub translate_in_flight: bool,
    pub bleu_pair: BleuPair,
    pub bleu: Option<BleuView>,
    pub bleu_pending: bool,
    pub bleu_in_flight: bool,
    /// Training was playing when the translation or BLEU now in flight was asked: a refusal
    /// of that request (an unknown word, a candidate too long) names why and plays on.
    pub playing_when_asked: bool,
    /// A link's `at=`: train to this step, in slices the page follows.
    pub replay_to: Option<usize>,
    /// The page is shown: only then does it ask for translations and BLEU (the engine is
    /// shared by every lab, and translating with three models is not free).
    pub shown: bool,
}

impl LabState for MtState {
    type Protocol = MtProtocol;

    fn step(&self) -> usize {
        self.step
    }

    fn on_restart(s: &mut MtSession) {
        // What the student looks at stays: the example, the BLEU pair.
        s.lab = MtState {
            total_steps: s.spec.steps,
            replay_to: s.spec.at.filter(|&at| at > 0),
            example: s.lab.example,
            shown: s.lab.shown,
            bleu_pair: s.lab.bleu_pair.clone(),
            bleu: s.lab.bleu.clone(),
            // The BLEU breakdown needs no model: asked once, kept across runs.
            bleu_pending: s.lab.bleu_pending || s.lab.bleu.is_none(),
            translate_pending: true,
            ..MtState::default()
        };
    }

    fn on_refused(s: &mut MtSession) {
        // The error line says why; a refused look at a sentence or a BLEU pair changes nothing
        // else: training plays on and a replay goes on.
        if std::mem::take(&mut s.lab.bleu_in_flight) {
            s.playing = s.lab.playing_when_asked;
            return;
        }
        if std::mem::take(&mut s.lab.translate_in_flight) {
            s.playing = s.lab.playing_when_asked;
            // A sentence the models cannot read (the error says which word) leaves the link
            // and the held-out example is shown again (asked once: a held-out sentence that
            // was refused is not asked again).
            if s.spec.sentence.take().is_some() {
                s.lab.translate_pending = true;
            }
            return;
        }
        s.lab.replay_to = None;
    }

    fn on_reply(s: &mut MtSession, reply: MtReply) {
        match reply {
            MtReply::Started { progress } | MtReply::Trained { progress } => {
                let evaluated = progress.models.iter().any(|m| !m.evaluations.is_empty());
                s.lab.absorb(progress);
                if s.finished() {
                    s.playing = false;
                }
                if s.lab.replay_to.is_some_and(|to| s.lab.step >= to) {
                    s.lab.replay_to = None;
                }
                // The translation follows the models at every evaluation, and at the end of
                // a replay.
                let caught_up = s.lab.replay_to.is_none() && !s.playing;
                if evaluated && (s.replaying().is_none() || caught_up) {
                    s.lab.translate_pending = true;
                }
            }
            MtReply::Translated { translation } => {
                s.lab.translate_in_flight = false;
                s.lab.translation = Some(translation);
            }
            MtReply::Bleu { breakdown } => {
                s.lab.bleu_in_flight = false;
                s.lab.bleu = Some(breakdown);
            }
        }
    }
}

impl MtState {
    fn absorb(&mut self, p: MtProgress) {
        self.step = p.step;
        self.total_steps = p.total_steps;
        if self.models.len() != p.models.len() {
            self.models = p.models;
        } else {
            for (known, new) in self.models.iter_mut().zip(p.models) {
                known.train.extend(new.train);
                known.evaluations.extend(new.evaluations);
                if new.examples_per_second.is_some() {
                    known.examples_per_second = new.examples_per_second;
                }
                known.stopped = new.stopped;
            }
        }
        if p.examples_per_second.is_some() {
            self.examples_per_second = p.examples_per_second;
        }
        self.held_out = p.held_out;
        self.samples = p.samples;
    }
}

impl MtSession {
    pub fn for_link(spec: MtLab, notes: Vec<UrlNote>) -> MtSession {
        let state = MtState {
            total_steps: spec.steps,
            ..MtState::default()
        };
        Session::new(spec, notes, state)
    }

    pub fn finished(&self) -> bool {
        self.started
            && (self.lab.step >= self.lab.total_steps
                || (!self.lab.models.is_empty() && self.lab.models.iter().all(|m| m.stopped.is_some())))
    }

    /// The step a link is being replayed to, while it is.
    pub fn replaying(&self) -> Option<usize> {
        self.lab
            .replay_to
            .filter(|&to| self.started && self.lab.step < to)
    }

    /// Translates a typed sentence from now on (none: the held-out examples again).
    pub fn type_sentence(&mut self, sentence: Option<String>) {
        self.spec.sentence = sentence;
        self.lab.translate_pending = true;
        self.error = None;
    }

    /// Another held-out example (the typed sentence is dropped).
    pub fn show_example(&mut self, example: usize) {
        self.spec.sentence = None;
        self.lab.example = example;
        self.lab.translate_pending = true;
        self.error = None;
    }

    pub fn set_beam(&mut self, beam: usize) {
        self.spec.beam = beam;
        self.lab.translate_pending = true;
    }

    /// Takes BLEU apart for this pair as soon as the engine is free.
    pub fn explain(&mut self, pair: BleuPair) {
        self.lab.bleu_pair = pair;
        self.lab.bleu_pending = true;
        self.error = None;
    }

    /// Should the play loop send a request now?
    pub fn wants_request(&self) -> bool {
        let training = (self.playing || self.replaying().is_some()) && !self.finished();
        let looking = self.lab.shown && (self.lab.translate_pending || self.lab.bleu_pending);
        (training || looking)
            && self.started
            && !self.waiting
            && !self.engine_failed
    }

    /// The next request: BLEU and the translation first (both quick), then training.
    pub fn take_request(&mut self) -> ToEngine {
        self.lab.playing_when_asked = self.playing;
        if self.lab.bleu_pending && self.lab.shown {
            self.lab.bleu_pending = false;
            self.lab.bleu_in_flight = true;
            let pair = self.lab.bleu_pair.clone();
            return self.request(&MtRequest::Bleu {
                candidate: pair.candidate,
                reference: pair.reference,
            });
        }
        if self.lab.translate_pending && self.lab.shown {
            self.lab.translate_pending = false;
            self.lab.translate_in_flight = true;
            return self.request(&MtRequest::Translate {
                sentence: self.spec.sentence.clone(),
                example: self.lab.example,
                beam: self.spec.beam,
            });
        }
        let until = if self.playing {
            None
        } else {
            self.lab.replay_to
        };
        self.request(&MtRequest::Train {
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
    use contract::mt::protocol::MtEvaluation;
    use contract::mt::MtModel;
    use contract::{Body, FromEngine};

    fn progress(step: usize, evaluated: bool) -> MtProgress {
        MtProgress {
            step,
            total_steps: 600,
            models: MtModel::ALL
                .iter()
                .map(|&model| ModelProgress {
                    model,
                    train: vec![],
                    evaluations: if evaluated {
                        vec![MtEvaluation {
                            step,
                            loss: 1.0,
                            bleu: 0.5,
                            bleu_by_length: vec![0.5; 9],
                            exact: 0.1,
                        }]
                    } else {
                        vec![]
                    },
                    examples_per_second: Some(100.0),
                    stopped: None,
                })
                .collect(),
            examples_per_second: Some(100.0),
            held_out: 144,
            samples: vec![],
        }
    }

    fn reply(reply: MtReply) -> FromEngine {
        FromEngine::Reply {
            from: "mt".into(),
            run: 1,
            body: Body::of(&reply),
        }
    }

    fn read(request: ToEngine) -> MtRequest {
        let contract::Ask::Request(body) = request.ask else {
            panic!("{request:?}")
        };
        body.read().expect("a request of this lab")
    }

    #[test]
    fn a_link_replays_then_translates_and_a_refused_sentence_leaves_the_link() {
        let spec = MtLab {
            at: Some(300),
            sentence: Some("the cat eats a pizza".into()),
            ..MtLab::default()
        };
        let mut s = MtSession::for_link(spec, vec![]);
        s.restart();
        s.apply(&reply(MtReply::Started {
            progress: progress(0, true),
        }));
        // Hidden, the page only replays; shown, it asks what it shows.
        assert_eq!(
            read(s.take_request()),
            MtRequest::Train {
                budget_ms: TRAIN_SLICE_MS,
                until: Some(300)
            }
        );
        s.apply(&reply(MtReply::Trained {
            progress: progress(0, false),
        }));
        s.lab.shown = true;
        // The notes' BLEU example first, then the typed sentence, then the replay.
        assert!(matches!(read(s.take_request()), MtRequest::Bleu { .. }));
        s.apply(&reply(MtReply::Bleu {
            breakdown: BleuView {
                candidate: vec![],
                reference: vec![],
                orders: vec![],
                geometric_mean: 0.0,
                candidate_len: 0,
                reference_len: 0,
                brevity_penalty: 0.0,
                score: 0.0,
            },
        }));
        assert_eq!(
            read(s.take_request()),
            MtRequest::Translate {
                sentence: Some("the cat eats a pizza".into()),
                example: 0,
                beam: 3
            }
        );
        s.apply(&FromEngine::Error {
            from: "mt".into(),
            run: 1,
            message: "“pizza” is not in the vocabulary".into(),
        });
        assert_eq!(s.spec.sentence, None, "the unreadable sentence leaves the link");
        assert_eq!(s.lab.replay_to, Some(300), "the replay goes on");
        assert!(matches!(
            read(s.take_request()),
            MtRequest::Translate { sentence: None, .. }
        ));
        assert_eq!(
            read(s.take_request()),
            MtRequest::Train {
                budget_ms: TRAIN_SLICE_MS,
                until: Some(300)
            }
        );
        // Mid-replay evaluations do not interrupt it; the end of the replay translates.
        s.apply(&reply(MtReply::Trained {
            progress: progress(150, true),
        }));
        assert!(!s.lab.translate_pending);
        s.apply(&reply(MtReply::Trained {
            progress: progress(300, true),
        }));
        assert!(s.lab.translate_pending);
        assert_eq!(s.lab.models[0].evaluations.len(), 3);
        assert!(s.wants_request());
        assert!(matches!(read(s.take_request()), MtRequest::Translate { .. }));
        assert!(!s.wants_request(), "the link's step is reached");
    }

    #[test]
    fn a_refused_bleu_pair_or_sentence_leaves_training_playing() {
        let mut s = MtSession::for_link(MtLab::default(), vec![]);
        s.lab.shown = true;
        s.restart();
        s.apply(&reply(MtReply::Started {
            progress: progress(0, true),
        }));
        let refuse = |s: &mut MtSession| {
            s.apply(&FromEngine::Error {
                from: "mt".into(),
                run: 1,
                message: "refused".into(),
            })
        };
        s.toggle_play();
        assert!(matches!(read(s.take_request()), MtRequest::Bleu { .. }));
        refuse(&mut s);
        assert!(s.playing, "a BLEU pair over a limit does not pause training");
        assert!(matches!(read(s.take_request()), MtRequest::Translate { sentence: None, .. }));
        refuse(&mut s);
        assert!(s.playing);
        assert!(!s.lab.translate_pending, "a refused held-out sentence is not asked again and again");
        s.type_sentence(Some("the cat eats a pizza".into()));
        assert!(matches!(read(s.take_request()), MtRequest::Translate { sentence: Some(_), .. }));
        refuse(&mut s);
        assert!(s.playing);
        assert_eq!(s.spec.sentence, None);
        assert!(matches!(read(s.take_request()), MtRequest::Translate { sentence: None, .. }));
        // A refused training request stops play, as in every lab.
        s.apply(&reply(MtReply::Translated {
            translation: TranslationView {
                step: 0,
                sentence: None,
                example: 0,
                source: vec![],
                reference: None,
                beam_width: 3,
                models: vec![],
            },
        }));
        assert!(matches!(read(s.take_request()), MtRequest::Train { .. }));
        refuse(&mut s);
        assert!(!s.playing);
    }
}
