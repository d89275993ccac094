//! The Recurrent lab's proofs: the gradient-through-time view equals finite differences, an
//! LSTM recalls across a span where the RNN does not, clipping keeps norms under the
//! threshold, the inside view has every gate, replies stay within their budget, and slicing
//! never changes a number.

use contract::training::OptimizerName;
use contract::training::TrainFor;
use super::*;
use crate::session::{Answer, Assets, Context, Session};
use crate::training::stopped_clock;
use contract::rnn::protocol::{RnnReply, RnnRequest};
use contract::rnn::CellChoice;
use nn::layers::State;

fn trained(spec: &RnnLab, steps: usize) -> RnnSession {
    let mut session = RnnSession::new(spec).expect("a valid spec");
    training::train_until(&mut session, f64::INFINITY, &stopped_clock, Some(steps));
    session
}

/// The last state of the one-layer network over `rows`, with h_k moved by `delta` (one value
/// per row and unit), run by hand.
fn last_state_with(session: &RnnSession, rows: &[&[usize]], k: usize, delta: &[f32]) -> State {
    let cell = &session.model.layers[0].forward;
    let xs = session.model.one_hot(rows).expect("inputs");
    let mut state = cell.zero_state(rows.len());
    for (t, x) in xs.iter().enumerate() {
        state = cell.step(x, &state).expect("a step");
        if t == k {
            let moved: Vec<f32> = state.h.to_vec().iter().zip(delta).map(|(h, d)| h + d).collect();
            state = State {
                h: Tensor::from_vec(moved, state.h.shape()).expect("same shape"),
                m: state.m,
            };
        }
    }
    state
}

/// The mean probe loss with h_k of the last layer moved by `delta`.
fn probe_loss_with(session: &RnnSession, k: usize, delta: &[f32]) -> f64 {
    let probe = &session.test[..RnnLimits::PROBE_SEQUENCES];
    let rows: Vec<&[usize]> = probe.iter().map(|s| s.tokens.as_slice()).collect();
    let answers: Vec<usize> = probe.iter().map(|s| s.answer).collect();
    let state = last_state_with(session, &rows, k, delta);
    let logits = session.model.head.forward(&state.h).expect("head");
    logits.cross_entropy(&answers, None).expect("loss").item().expect("scalar") as f64
}

#[test]
fn the_gradients_through_time_are_the_finite_differences_of_the_loss_and_the_last_state() {
    for cell in [CellChoice::Rnn, CellChoice::Gru, CellChoice::Lstm] {
        let spec = RnnLab { cell, span: 5, hidden: 3, ..RnnLab::default() };
        let session = trained(&spec, 20);
        let (through_time, jacobian) = session.gradients_through_time().expect("gradients");
        let length = spec.length();
        assert_eq!((through_time.len(), jacobian.len()), (length, length));
        let size = RnnLimits::PROBE_SEQUENCES * spec.hidden;
        let eps = 1e-2f32;
        for (k, &by_autograd) in through_time.iter().enumerate() {
            let mut squares = 0.0f64;
            for i in 0..size {
                let mut delta = vec![0.0; size];
                delta[i] = eps;
                let up = probe_loss_with(&session, k, &delta);
                delta[i] = -eps;
                let down = probe_loss_with(&session, k, &delta);
                squares += ((up - down) / (2.0 * eps as f64)).powi(2);
            }
            let by_differences = squares.sqrt() as f32;
            assert!(
                (by_autograd - by_differences).abs() <= 2e-3 + 0.02 * by_differences,
                "{cell:?} k = {k}: autograd {by_autograd}, differences {by_differences}"
            );
        }
        // ∂h_T/∂h_T is the identity: its norm is √units.
        assert!((jacobian[length - 1] - (spec.hidden as f32).sqrt()).abs() < 1e-5);
        // ‖∂h_T/∂h_k‖_F at every k, for the first probe sequence: each unit of h_k moved both
        // ways, every unit of h_T read.
        let first = [session.test[0].tokens.as_slice()];
        for (k, &by_autograd) in jacobian.iter().enumerate() {
            let mut squares = 0.0f64;
            for j in 0..spec.hidden {
                let mut delta = vec![0.0; spec.hidden];
                delta[j] = eps;
                let up = last_state_with(&session, &first, k, &delta).h.to_vec();
                delta[j] = -eps;
                let down = last_state_with(&session, &first, k, &delta).h.to_vec();
                squares += up.iter().zip(&down).map(|(u, d)| ((u - d) as f64 / (2.0 * eps as f64)).powi(2)).sum::<f64>();
            }
            let by_differences = squares.sqrt() as f32;
            assert!(
                (by_autograd - by_differences).abs() <= 2e-3 + 0.02 * by_differences,
                "{cell:?} ‖∂h_T/∂h_k‖ at k = {k}: autograd {by_autograd}, differences {by_differences}"
            );
        }
    }
}

#[test]
fn truncation_stops_the_gradient_where_it_says() {
    let spec = RnnLab { span: 10, truncate: 4, hidden: 4, ..RnnLab::default() };
    let session = trained(&spec, 5);
    let (through_time, jacobian) = session.gradients_through_time().expect("gradients");
    let length = spec.length();
    for k in 0..length {
        let reached = k + 4 >= length;
        assert_eq!(through_time[k] > 0.0, reached, "k = {k}: {}", through_time[k]);
        assert_eq!(jacobian[k] > 0.0, reached, "k = {k}: {}", jacobian[k]);
    }
}

#[test]
fn an_lstm_recalls_across_a_span_where_the_rnn_does_not() {
    let accuracy = |cell| {
        let spec = RnnLab { cell, span: 40, steps: 500, ..RnnLab::default() };
        trained(&spec, 500).evaluate().accuracy
    };
    let (rnn, lstm) = (accuracy(CellChoice::Rnn), accuracy(CellChoice::Lstm));
    println!("recall after 40 distractors, 500 steps (chance 0.25): RNN {rnn:.3}, LSTM {lstm:.3}");
    assert!(rnn <= 0.5, "the RNN should fail: {rnn}");
    assert!(lstm >= 0.95, "the LSTM should recall: {lstm}");
}

#[test]
fn clipping_keeps_every_norm_under_the_threshold() {
    let spec = RnnLab { cell: CellChoice::RnnRelu, gain: 3.0, clip_at: 0.5, span: 10, ..RnnLab::default() };
    let mut session = trained(&spec, 30);
    let clipping = session.take_clipping();
    assert_eq!(clipping.len(), 30);
    assert!(clipping.iter().all(|c| c.after <= 0.5 * (1.0 + 1e-5)));
    assert!(clipping.iter().any(|c| c.before > 0.5), "the gain made it explode");
    let value = RnnLab { clip: ClipRule::Value, ..spec };
    let mut session = trained(&value, 5);
    assert!(session.take_clipping().iter().all(|c| c.after <= c.before));
}

#[test]
fn the_inside_view_has_every_gate_the_memory_and_the_state() {
    for (cell, names) in [
        (CellChoice::Rnn, vec!["state h"]),
        (CellChoice::GruSimplified, vec!["update gate Γu", "state h"]),
        (CellChoice::Gru, vec!["update gate Γu", "relevance gate Γr", "state h"]),
        (
            CellChoice::Lstm,
            vec!["forget gate Γf", "update gate Γu", "output gate Γo", "memory cell m", "state h"],
        ),
    ] {
        let spec = RnnLab { cell, task: RnnTask::Agreement, span: 8, ..RnnLab::default() };
        let mut session = trained(&spec, 2);
        session.look_inside(3).expect("a held-out sequence");
        let inside = session.inside();
        let titles: Vec<&str> = inside.traces.iter().map(|t| t.kind.title()).collect();
        assert_eq!(titles, names);
        assert_eq!(inside.tokens.len(), 10);
        assert!(inside.traces.iter().all(|t| t.values.bytes.len() == 10 * spec.hidden));
        assert_eq!(inside.classes, ["was", "were"]);
        assert!((inside.probabilities.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        assert!(session.look_inside(RnnLimits::TEST_SEQUENCES).is_err());
    }
}

#[test]
fn slices_never_change_a_number_and_replies_stay_within_budget() {
    use contract::rnn::protocol::RnnProtocol;
    use contract::FromEngine;
    let spec = RnnLab { steps: 60, ..RnnLab::default() };
    let whole = trained(&spec, 60);
    let assets = Assets::default();
    let cx = Context::stopped(&assets);
    let (mut sliced, _) = RnnSession::start(spec.clone(), &cx).expect("starts");
    for until in [7, 30, 31, 60] {
        sliced
            .handle(RnnRequest::Train(TrainFor::new(2000.0, Some(until))), &mut Answer::new(&cx, &mut |_| {}))
            .expect("trains");
    }
    assert_eq!(sliced.evaluate(), whole.evaluate());
    // The largest model within the limits answers within the byte budget.
    let big = RnnLab {
        hidden: 128,
        span: 100,
        batch: 4,
        layers: 1,
        cell: CellChoice::Lstm,
        steps: 30,
        ..RnnLab::default()
    };
    let (mut session, started) = RnnSession::start(big, &cx).expect("starts");
    let mut replies = vec![started];
    session
        .handle(RnnRequest::Train(TrainFor::new(2000.0, Some(25))), &mut Answer::new(&cx, &mut |r| replies.push(r)))
        .expect("trains");
    for reply in &replies {
        let text = FromEngine::reply::<RnnProtocol>(1, reply).to_json();
        assert!(text.len() <= RnnLimits::REPLY_BYTES, "{} bytes", text.len());
        let FromEngine::Reply { body, .. } = FromEngine::from_json(&text).expect("an envelope") else {
            panic!("a reply")
        };
        assert_eq!(&body.read::<RnnReply>().expect("readable"), reply);
    }
}

#[test]
fn compared_runs_are_the_other_cells_trained_to_the_same_step() {
    let spec = RnnLab { span: 6, hidden: 8, compare: true, steps: 60, ..RnnLab::default() };
    let assets = Assets::default();
    let cx = Context::stopped(&assets);
    let (mut session, started) = RnnSession::start(spec.clone(), &cx).expect("starts");
    let RnnReply::Started { compared, .. } = started else { panic!("a start") };
    let cells: Vec<CellChoice> = compared.iter().map(|c| c.kind).collect();
    assert_eq!(cells, [CellChoice::Rnn, CellChoice::Gru]);
    assert!(compared.iter().all(|c| c.evaluations.len() == 1), "untrained evaluations");
    let mut replies = Vec::new();
    session
        .handle(RnnRequest::Train(TrainFor::new(2000.0, Some(50))), &mut Answer::new(&cx, &mut |r| replies.push(r)))
        .expect("trains");
    let Some(RnnReply::Trained { progress, compared, .. }) = replies.pop() else { panic!("a frame") };
    for compared in &compared {
        let steps: Vec<usize> = compared.evaluations.iter().map(|e| e.step).collect();
        assert_eq!(steps, [25, 50], "{:?}", compared.kind);
        let alone = trained(&RnnLab { cell: compared.kind, compare: false, ..spec.clone() }, 50);
        assert_eq!(compared.evaluations.last(), Some(&alone.evaluate()), "{:?}", compared.kind);
    }
    assert_eq!(progress.step, 50);
}

#[test]
fn addition_sequences_are_two_numbers_and_their_sum_digit_by_digit() {
    let mut rng = Rng::new(5);
    for _ in 0..200 {
        let s = super::addition(6, &mut rng);
        assert_eq!((s.tokens.len(), s.per_step.len()), (7, 7));
        let number = |digits: Vec<usize>| digits.iter().rev().fold(0u64, |n, &d| 10 * n + d as u64);
        let a = number(s.tokens[..6].iter().map(|t| t / 10).collect());
        let b = number(s.tokens[..6].iter().map(|t| t % 10).collect());
        assert_eq!(number(s.per_step.clone()), a + b, "{s:?}");
        assert_eq!((s.tokens[6], s.answer), (0, s.per_step[6]), "the carry's step");
    }
    // Trained, the network writes every digit: per-digit accuracy on held-out sums.
    let spec = RnnLab { task: RnnTask::Addition, span: 4, steps: 300, ..RnnLab::default() };
    let spec = RnnLab { run: contract::training::Run { lr: 0.01, ..spec.run }, ..spec };
    let accuracy = trained(&spec, 300).evaluate().accuracy;
    assert!(accuracy >= 0.95, "{accuracy}");
}

/// Every update rule the lab offers trains its cell: a few steps, none stopped by a loss that
/// is not a number.
#[test]
fn every_offered_update_rule_trains() {
    for optimizer in contract::rnn::RNN_OPTIMIZERS {
        let spec = RnnLab { run: RnnLab::default_run(optimizer), span: 5, hidden: 4, ..RnnLab::default() };
        let mut session = trained(&spec, 4);
        let log = training::Trainable::log(&mut session);
        assert_eq!((log.step, &log.stopped), (4, &None), "{optimizer:?}");
    }
    // Nesterov's gradient is taken at the look-ahead point, so its losses are not Momentum's.
    let last_loss = |optimizer| {
        let spec = RnnLab { run: RnnLab::default_run(optimizer), span: 5, hidden: 4, ..RnnLab::default() };
        trained(&spec, 4).progress(None, false).train.last().map(|p| p.loss)
    };
    assert_ne!(last_loss(OptimizerName::Nesterov), last_loss(OptimizerName::Momentum));
}
