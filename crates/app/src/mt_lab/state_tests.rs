//! The Translation lab's state, tested natively: replies applied and requests taken, as the page's
//! play loop sees them.

use super::*;
use contract::mt::protocol::ModelProgress;
use contract::training::Progress;
use contract::{FromEngine, ToEngine};

fn progress(step: usize, evaluated: bool) -> MtNews {
    MtNews {
        models: MtModel::ALL
            .iter()
            .map(|&model| ModelProgress {
                model,
                progress: Progress {
                step,
                total_steps: 600,
                train_ms: 0.0,
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
                },
            })
            .collect(),
        examples_per_second: Some(100.0),
        held_out: 144,
        samples: vec![],
    }
}

fn reply(reply: MtReply) -> FromEngine {
    crate::labs::session::testing::reply::<MtProtocol>(1, &reply)
}

fn read(request: ToEngine) -> MtRequest {
    crate::labs::session::testing::read::<MtProtocol>(request)
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
        news: progress(0, true),
    }));
    // Hidden, the page only replays; shown, it asks what it shows.
    assert_eq!(
        read(s.take_request()),
        MtRequest::Train(Slice::Replay { until: 300 }.train_for())
    );
    s.apply(&reply(MtReply::Trained {
        news: progress(0, false),
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
    assert_eq!(s.lab.run.replay_to, Some(300), "the replay goes on");
    assert!(matches!(
        read(s.take_request()),
        MtRequest::Translate { sentence: None, .. }
    ));
    assert_eq!(
        read(s.take_request()),
        MtRequest::Train(Slice::Replay { until: 300 }.train_for())
    );
    // Mid-replay evaluations do not interrupt it; the end of the replay translates.
    s.apply(&reply(MtReply::Trained {
        news: progress(150, true),
    }));
    assert!(s.lab.run.asked().is_empty());
    s.apply(&reply(MtReply::Trained {
        news: progress(300, true),
    }));
    assert_eq!(s.lab.run.asked(), [MtAsk::Translate]);
    assert_eq!(s.lab.models[0].history.evaluations.len(), 3);
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
        news: progress(0, true),
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
    assert!(s.lab.run.asked().is_empty(), "a refused held-out sentence is not asked again and again");
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
