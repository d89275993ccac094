//! The Recurrent lab's state, tested natively: replies applied and requests taken, as the page's
//! play loop sees them.

use super::*;
use contract::cnn::view::Quantised;
use contract::training::Progress;
use contract::{FromEngine, ToEngine};

fn progress(step: usize, evaluations: &[usize]) -> Progress<RnnEvaluation> {
    Progress {
        step,
        total_steps: 600,
        train: vec![],
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
            kind: contract::rnn::protocol::TraceKind::State,
            units: 1,
            values: Quantised::from_values(&[0.0]),
        }],
    }
}

fn reply(run: u64, reply: RnnReply) -> FromEngine {
    crate::labs::session::testing::reply::<RnnProtocol>(run, &reply)
}

fn read(request: ToEngine) -> RnnRequest {
    crate::labs::session::testing::read::<RnnProtocol>(request)
}

#[test]
fn a_link_replays_to_its_step_then_waits_and_a_chosen_sequence_goes_first() {
    let spec = RnnLab { at: Some(300), ..RnnLab::default() };
    let mut s = RnnSession::for_link(spec, vec![]);
    s.restart();
    assert!(!s.wants_request(), "nothing before the start");
    s.apply(&reply(1, RnnReply::Started { progress: progress(0, &[0]), clipping: vec![], compared: vec![], inside: inside(0) }));
    assert_eq!(
        read(s.take_request()),
        RnnRequest::Train(Slice::Replay { until: 300 }.train_for())
    );
    s.apply(&reply(1, RnnReply::Trained { progress: progress(150, &[25, 50]), clipping: vec![], compared: vec![], inside: inside(0) }));
    s.follow_sequence(7);
    assert_eq!(read(s.take_request()), RnnRequest::Inside { example: 7 });
    s.apply(&reply(1, RnnReply::Inside(inside(7))));
    s.apply(&reply(1, RnnReply::Trained { progress: progress(300, &[300]), clipping: vec![], compared: vec![], inside: inside(7) }));
    assert!(!s.wants_request(), "the link's step is reached");
    let steps: Vec<usize> = s.lab.history.evaluations.iter().map(|e| e.step).collect();
    assert_eq!(steps, [0, 25, 50, 300]);
    // A new run keeps following sequence 7.
    s.restart();
    assert_eq!(s.lab.run.asked(), [RnnAsk::Inside(7)]);
    assert!(s.lab.history.evaluations.is_empty());
}

fn score(text: &str, log_prob: f32) -> SentenceScore {
    SentenceScore { text: text.into(), words: vec![], log_prob, step: 0 }
}

#[test]
fn the_language_model_scores_both_sentences_when_idle_and_again_after_training() {
    let spec = RnnLab { task: RnnTask::Language, ..RnnLab::default() };
    let mut s = RnnSession::for_link(spec, vec![]);
    s.restart();
    s.apply(&reply(1, RnnReply::Started { progress: progress(0, &[0]), clipping: vec![], compared: vec![], inside: inside(0) }));
    assert_eq!(read(s.take_request()), RnnRequest::Score { text: "the man pulled a cart".into() });
    s.apply(&reply(1, RnnReply::Scored(score("the man pulled a cart.", -30.0))));
    assert_eq!(read(s.take_request()), RnnRequest::Score { text: "the man pooled a cart".into() });
    s.apply(&reply(1, RnnReply::Scored(score("the man pooled a cart.", -31.0))));
    assert!(!s.wants_request(), "scored: nothing more to ask");
    assert_eq!(s.lab.lm.scores[1].as_ref().map(|x| x.log_prob), Some(-31.0));
    // While training, no scoring; once paused, the new network is scored.
    s.playing = true;
    assert!(matches!(read(s.take_request()), RnnRequest::Train { .. }));
    s.apply(&reply(1, RnnReply::Trained { progress: progress(25, &[25]), clipping: vec![], compared: vec![], inside: inside(0) }));
    assert!(matches!(read(s.take_request()), RnnRequest::Train { .. }));
    s.playing = false;
    s.apply(&reply(1, RnnReply::Trained { progress: progress(50, &[50]), clipping: vec![], compared: vec![], inside: inside(0) }));
    assert!(matches!(read(s.take_request()), RnnRequest::Score { .. }));
    s.apply(&reply(1, RnnReply::Scored(score("the man pulled a cart.", -20.0))));
    assert!(matches!(read(s.take_request()), RnnRequest::Score { .. }));
    s.apply(&reply(1, RnnReply::Scored(score("the man pooled a cart.", -25.0))));
    assert_eq!(s.lab.lm.scores[0].as_ref().map(|x| x.log_prob), Some(-20.0));
    // A question asked while training goes before the next slice.
    s.playing = true;
    s.ask_model(RnnRequest::FillIn { text: "the man a cart".into() });
    assert_eq!(read(s.take_request()), RnnRequest::FillIn { text: "the man a cart".into() });
}
