//! The Transformer lab's state, tested natively: replies applied and requests taken, as the page's
//! play loop sees them.

use super::*;
use contract::training::{Progress, TrainFor};
use contract::{FromEngine, ToEngine};

fn progress(step: usize, evaluations: &[usize]) -> Progress<TfmEvaluation> {
    Progress {
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
    }
}

/// A view of held-out example `example` with nothing computed yet (the lab's tests start here).
pub(in crate::tfm_lab) fn view(example: usize) -> TfmView {
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
    crate::labs::session::testing::reply::<TfmProtocol>(run, &reply)
}

fn read(request: ToEngine) -> TfmRequest {
    crate::labs::session::testing::read::<TfmProtocol>(request)
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
            contrast: None,
            view: view(0),
        },
    ));
    assert_eq!(
        read(s.take_request()),
        TfmRequest::Train(Slice::Replay { until: 300 }.train_for())
    );
    s.apply(&reply(
        1,
        TfmReply::Trained {
            progress: progress(150, &[25, 50]),
            contrast: None,
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
            contrast: None,
            view: view(0),
        },
    ));
    assert!(!s.wants_request(), "the link's step is reached");
    let steps: Vec<usize> = s.lab.history.evaluations.iter().map(|e| e.step).collect();
    assert_eq!(steps, [0, 25, 50, 300]);
    // A new run with one head keeps the typed input, not the head it no longer has.
    s.spec.heads = 1;
    s.spec.width = 32;
    s.restart();
    assert_eq!(s.lab.focus.input.as_deref(), Some("123456"));
    assert_eq!(s.lab.focus.head, 0);
    assert_eq!(s.lab.run.asked(), [TfmAsk::Focus]);
    assert!(s.lab.history.evaluations.is_empty());
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
            contrast: None,
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
    assert_eq!(s.lab.run.replay_to, Some(300), "the replay goes on");
    assert!(matches!(
        read(s.take_request()),
        TfmRequest::Train(TrainFor { until: Some(300), .. })
    ));
    // A shorter view forgets a query it does not have.
    s.lab.picked_query = Some(12);
    s.apply(&reply(1, TfmReply::Focused { view: view(4) }));
    assert_eq!(s.lab.picked_query, None);
}
