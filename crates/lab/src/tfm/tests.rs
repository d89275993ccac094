//! The Transformer lab's proofs: positions are what lets a model reverse (without them the
//! encoder cannot, and its attention is the same for a permuted input); the walkthrough ends
//! exactly where the block's attention sublayer does; the causal mask leaves the upper
//! triangle empty; the contrast run is its own link; slicing never changes a number; replies
//! stay within their budget; bad input is refused with its reason.

use contract::training::OptimizerName;
use contract::training::TrainFor;
use super::*;
use crate::session::{Answer, Assets, Context, Session};
use crate::training::stopped_clock;
use contract::limits::Violation;
use contract::tfm::protocol::{StageKind, TfmProtocol, TfmReply, TfmRequest};
use contract::tfm::{NormPlacement, Positions};
use contract::FromEngine;

fn trained(spec: &TfmLab, steps: usize) -> TfmSession {
    let mut session = TfmSession::new(spec).expect("a valid spec");
    training::train_until(&mut session, f64::INFINITY, &stopped_clock, Some(steps));
    session
}

#[test]
fn an_encoder_reverses_with_positions_and_cannot_without() {
    let with = TfmLab {
        architecture: Architecture::Encoder,
        steps: 300,
        ..TfmLab::default()
    };
    let session = trained(&with, 300);
    let e = session.evaluate();
    assert!(e.exact.unwrap_or(0.0) >= 0.95, "with positions: {e:?}");
    let gap = session.view().expect("a view").permutation_gap;
    assert!(gap.unwrap_or(0.0) > 0.1, "positions tell orders apart: {gap:?}");
    let without = trained(
        &TfmLab {
            positions: Positions::None,
            ..with
        },
        300,
    );
    let e = without.evaluate();
    // Chance for 6 digits is 10⁻⁶; a bag of tokens can at best guess from what occurs.
    assert!(e.exact.unwrap_or(1.0) <= 0.01, "without positions: {e:?}");
    let gap = without.view().expect("a view").permutation_gap;
    assert!(
        gap.is_some_and(|g| g < 1e-5),
        "the same attention, permuted: {gap:?}"
    );
}

#[test]
fn the_walkthrough_ends_where_the_attention_sublayer_does() {
    for norm in [NormPlacement::Post, NormPlacement::Pre, NormPlacement::None] {
        for architecture in [Architecture::Decoder, Architecture::Encoder] {
            let spec = TfmLab {
                norm,
                architecture,
                ..TfmLab::default()
            };
            let mut session = trained(&spec, 30);
            session
                .set_focus(Focus {
                    input: Some("123456".into()),
                    example: 0,
                    layer: 1,
                    head: 2,
                })
                .expect("a focus");
            let view = session.view().expect("a view");
            let len = spec.sequence_length();
            let (d, dk) = (spec.width, spec.head_width());
            let shapes: Vec<(String, usize, usize)> = view
                .walkthrough
                .iter()
                .map(|s| (s.name.clone(), s.rows, s.cols))
                .collect();
            assert_eq!(shapes[1], ("Q = X·W_q (head 3)".into(), len, dk));
            assert!(shapes.contains(&("Q·Kᵀ / √d_k".into(), len, len)));
            assert!(shapes.contains(&("Concat(heads)".into(), len, d)));
            assert_eq!(
                view.walkthrough.iter().any(|s| s.kind == StageKind::Masked),
                architecture == Architecture::Decoder
            );
            // The last stage is what the block's attention sublayer computes.
            let tokens: Vec<usize> = view
                .tokens
                .iter()
                .map(|t| session.names.iter().position(|n| n == t).expect("a token"))
                .collect();
            let want = view::attention_sublayer(&session, &tokens, 1);
            let last = view.walkthrough.last().expect("stages");
            let span = (last.values.max - last.values.min).max(1e-6);
            for (i, w) in want.iter().enumerate() {
                assert!(
                    (last.values.value(i) - w).abs() <= span / 255.0,
                    "{norm:?} {architecture:?} [{i}]"
                );
            }
            // Softmax rows sum to 1 and the mask's cells are exactly 0 — in every head.
            for head in &view.attention {
                for i in 0..len {
                    let row: Vec<f32> = (0..len).map(|j| head.weights.value(i * len + j)).collect();
                    assert!((row.iter().sum::<f32>() - 1.0).abs() < len as f32 / 255.0);
                    if view.causal {
                        assert!(row[i + 1..].iter().all(|&w| w == 0.0), "row {i} looks ahead");
                    }
                }
            }
        }
    }
}

#[test]
fn slices_contrast_and_replies_keep_their_promises() {
    let assets = Assets::default();
    let cx = Context::stopped(&assets);
    let spec = TfmLab {
        steps: 50,
        contrast: true,
        ..TfmLab::default()
    };
    let whole = trained(&spec, 50);
    let (mut sliced, _) = TfmSession::start(spec.clone(), &cx).expect("starts");
    let mut replies = Vec::new();
    for until in [7, 25, 26, 50] {
        sliced
            .handle(
                TfmRequest::Train(TrainFor::new(2000.0, Some(until))),
                &mut Answer::new(&cx, &mut |r| replies.push(r)),
            )
            .expect("trains");
    }
    assert_eq!(sliced.evaluate(), whole.evaluate());
    // The contrast run is the same model with the scaling flipped, trained to the same step.
    let twin = trained(
        &TfmLab {
            scaled: false,
            contrast: false,
            ..spec.clone()
        },
        50,
    );
    let Some(TfmReply::Trained { contrast, .. }) = replies.last() else {
        panic!("a frame")
    };
    let contrast = contrast.as_ref().expect("the contrast run");
    assert!(!contrast.kind);
    assert_eq!(contrast.evaluations.last(), Some(&twin.evaluate()));
    // The largest model within the limits answers within the byte budget, through the codec.
    let big = TfmLab {
        length: 24,
        layers: 4,
        heads: 8,
        width: 64,
        ff: 64,
        batch: 2,
        steps: 40,
        ..TfmLab::default()
    };
    let (mut session, started) = TfmSession::start(big, &cx).expect("starts");
    let mut replies = vec![started];
    session
        .handle(
            TfmRequest::Train(TrainFor::new(2000.0, Some(25))),
            &mut Answer::new(&cx, &mut |r| replies.push(r)),
        )
        .expect("trains");
    for reply in &replies {
        let text = FromEngine::reply::<TfmProtocol>(1, reply).to_json();
        assert!(text.len() <= TfmLimits::REPLY_BYTES, "{} bytes", text.len());
        let FromEngine::Reply { body, .. } = FromEngine::from_json(&text).expect("an envelope")
        else {
            panic!("a reply")
        };
        assert_eq!(&body.read::<TfmReply>().expect("readable"), reply);
    }
}

#[test]
fn bad_input_is_refused_with_its_reason_and_the_view_kept() {
    let mut session = trained(&TfmLab::default(), 1);
    let bad = |input: &str| Focus {
        input: Some(input.into()),
        ..Focus::default()
    };
    assert!(matches!(
        session.set_focus(bad("12a456")),
        Err(TfmSessionError::Input(InputError::NotADigit { c: 'a', .. }))
    ));
    assert_eq!(
        session.set_focus(Focus {
            layer: 2,
            ..Focus::default()
        }),
        Err(TfmSessionError::NoSuchHead {
            layer: 2,
            head: 0,
            layers: 2,
            heads: 4
        })
    );
    assert_eq!(session.focus, Focus::default(), "nothing changed");
    assert_eq!(
        session.sample("the", 10, 1.0, 1),
        Err(TfmSessionError::NotLanguageModel)
    );
    let lm = trained(
        &TfmLab {
            task: TfmTask::Language,
            length: 16,
            ..TfmLab::default()
        },
        5,
    );
    let a = lm.sample("the man", 30, 1.0, 9).expect("text");
    assert_eq!(a.chars().count(), 30);
    assert_eq!(lm.sample("the man", 30, 1.0, 9), Ok(a), "the same seed, the same text");
    assert_eq!(
        lm.sample("the 9 men", 5, 1.0, 1),
        Err(TfmSessionError::PromptUnreadable("9".into()))
    );
    assert!(matches!(
        lm.sample("the", 5, 0.0, 1),
        Err(TfmSessionError::Limit(Violation { field, .. })) if field == "temperature"
    ));
}

/// Every update rule the lab offers trains the Transformer: a few steps, none stopped by a loss
/// that is not a number.
#[test]
fn every_offered_update_rule_trains() {
    for optimizer in contract::tfm::TFM_OPTIMIZERS {
        let spec = TfmLab { run: TfmLab::default_run(optimizer), layers: 1, width: 16, ff: 32, heads: 2, ..TfmLab::default() };
        let mut session = trained(&spec, 4);
        let log = training::Trainable::log(&mut session);
        assert_eq!((log.step, &log.stopped), (4, &None), "{optimizer:?}");
    }
    // Nesterov's gradient is taken at the look-ahead point, so its losses are not Momentum's.
    let last_loss = |optimizer| {
        let spec = TfmLab { run: TfmLab::default_run(optimizer), layers: 1, width: 16, ff: 32, heads: 2, ..TfmLab::default() };
        trained(&spec, 4).progress(None, false).train.last().map(|p| p.loss)
    };
    assert_ne!(last_loss(OptimizerName::Nesterov), last_loss(OptimizerName::Momentum));
}
