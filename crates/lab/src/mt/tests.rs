#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use contract::training::OptimizerName;
use super::*;
use crate::training::stopped_clock;
use contract::mt::protocol::{AttentionKind, MtProtocol, MtReply};
use contract::FromEngine;

fn trained(spec: &MtLab, steps: usize) -> MtSession {
    let mut session = MtSession::new(spec).unwrap();
    session.train_until(f64::INFINITY, &stopped_clock, Some(steps));
    assert_eq!(session.step(), steps);
    session
}

/// The notes' claim, measured: one fixed vector cannot hold a long sentence; attention reads
/// every word when it needs it. Seeded, the default link (600 steps).
#[test]
fn attention_beats_the_fixed_context_on_long_held_out_sentences() {
    let spec = MtLab::default();
    let mut session = trained(&spec, spec.steps);
    let progress = session.progress(None);
    let last = |model: MtModel| {
        progress
            .models
            .iter()
            .find(|m| m.model == model)
            .and_then(|m| m.progress.evaluations.last().cloned())
            .unwrap()
    };
    let (fixed, attention) = (last(MtModel::Fixed), last(MtModel::Bahdanau));
    // The longest three lengths (11 to 13 words).
    let long = |e: &MtEvaluation| e.bleu_by_length.iter().rev().take(3).sum::<f32>() / 3.0;
    println!(
        "BLEU on 11–13 words at step 600: fixed context {:.3}, Bahdanau {:.3}; by length {:?} vs {:?}",
        long(&fixed),
        long(&attention),
        fixed.bleu_by_length,
        attention.bleu_by_length
    );
    assert!(long(&attention) >= 0.9, "{attention:?}");
    assert!(
        long(&attention) - long(&fixed) >= 0.4,
        "{fixed:?} vs {attention:?}"
    );
    // The fixed context does better on short sentences than on long ones.
    assert!(fixed.bleu_by_length[0] > long(&fixed) + 0.3, "{fixed:?}");
}

#[test]
fn beam_width_one_is_greedy_and_every_attention_row_sums_to_one() {
    let session = trained(&MtLab::default(), 30);
    for example in [0, 70] {
        let one = session.translate(None, example, 1).unwrap();
        let four = session.translate(None, example, 4).unwrap();
        for (m, wide) in one.models.iter().zip(&four.models) {
            assert_eq!(m.beam[0], m.greedy, "{:?}", m.model);
            assert!(wide.beam.len() <= 4);
            assert!(
                wide.beam[0].log_prob >= m.greedy.log_prob - 1e-4,
                "{:?}",
                m.model
            );
            // The batched greedy of the evaluations writes what decode::greedy writes.
            let pair = &session.test[example];
            let batched = session
                .members
                .iter()
                .find(|x| x.kind == m.model)
                .unwrap()
                .translate_all(std::slice::from_ref(pair));
            let words = session.target_vocab().written(&batched[0]);
            assert_eq!(words, m.greedy.words, "{:?}", m.model);
        }
        let kinds: Vec<(MtModel, Vec<AttentionKind>)> = one
            .models
            .iter()
            .map(|m| (m.model, m.attention.iter().map(|a| a.kind).collect()))
            .collect();
        assert!(
            kinds[0].1.is_empty(),
            "the fixed context attends to nothing"
        );
        assert_eq!(kinds[1].1, [AttentionKind::Additive]);
        assert_eq!(kinds[2].1.len(), 3 * spec_heads() * MtLab::default().layers);
        for m in &one.models {
            for map in &m.attention {
                let (rows, cols) = (map.rows.len(), map.columns.len());
                assert_eq!(map.weights.bytes.len(), rows * cols);
                for r in 0..rows {
                    let row: Vec<f32> =
                        (0..cols).map(|c| map.weights.value(r * cols + c)).collect();
                    let sum: f32 = row.iter().sum();
                    // Quantised to 1/255 of the range per cell.
                    assert!(
                        (sum - 1.0).abs() < cols as f32 * 0.5 / 255.0 + 1e-3,
                        "{:?} row {r}: {sum}",
                        map.kind
                    );
                    if map.causal {
                        assert!(
                            row[r + 1..].iter().all(|&w| w.abs() < 1e-6),
                            "the mask hides the future"
                        );
                    }
                }
            }
        }
    }
}

/// The evaluations' batched greedy (finished rows padded, every row one pass) writes for a
/// whole length's group what decode::greedy writes for each sentence alone.
#[test]
fn batched_greedy_equals_one_sentence_at_a_time() {
    let session = trained(&MtLab::default(), 40);
    for member in &session.members {
        for group in [&member.test[0], &member.test[4], &member.test[8]] {
            let batched = member.translate_all(group);
            for (pair, written) in group.iter().zip(&batched) {
                let max_len = MtLimits::max_output(pair.source.len());
                let alone =
                    nn::decode::greedy(max_len, data::translation::EOS, |p: &[Vec<usize>]| {
                        member.model.next_log_probs(&pair.source, p)
                    })
                    .unwrap();
                assert_eq!(*written, alone.tokens, "{:?}", member.kind);
            }
        }
    }
}

fn spec_heads() -> usize {
    MtLab::default().heads
}

#[test]
fn a_typed_sentence_is_translated_and_an_unknown_word_is_named() {
    let session = trained(&MtLab::default(), 5);
    let view = session
        .translate(Some("The cat eats a mouse."), 0, 3)
        .unwrap();
    assert_eq!(view.source.join(" "), "the cat eats a mouse </s>");
    assert_eq!(view.reference.unwrap().join(" "), "billi chuha khati hai");
    assert_eq!(view.models.len(), 3);
    let unknown = |sentence| match session.translate(Some(sentence), 0, 3) {
        Err(MtSessionError::UnknownWords { unknown, known }) => (unknown, known),
        other => panic!("{other:?}"),
    };
    let (words, known) = unknown("the cat eats a pizza");
    assert_eq!(words, ["pizza"]);
    assert_eq!(known[..3], ["the", "a", "small"]);
    assert_eq!(
        unknown("a dog eats the pizza with ketchup").0,
        ["pizza", "ketchup"]
    );
    assert_eq!(
        session.translate(Some("  ...  "), 0, 3).unwrap_err(),
        MtSessionError::NoWords
    );
    assert_eq!(
        session.translate(None, 0, 9).unwrap_err(),
        MtSessionError::Beam(9)
    );
    let long = "the cat eats a mouse ".repeat(5);
    assert_eq!(
        session.translate(Some(&long), 0, 3).unwrap_err(),
        MtSessionError::TooManyWords(25)
    );
    // Not the grammar's sentence: translated all the same, with no reference to score.
    let view = session.translate(Some("cat cat cat"), 0, 2).unwrap();
    assert_eq!(view.reference, None);
    assert!(view.models.iter().all(|m| m.bleu.is_none()));
}

#[test]
fn the_numbers_do_not_depend_on_how_training_is_sliced() {
    let spec = MtLab {
        steps: 60,
        warmup: 20,
        ..MtLab::default()
    };
    let mut whole = MtSession::new(&spec).unwrap();
    whole.train_until(f64::INFINITY, &stopped_clock, None);
    let mut sliced = MtSession::new(&spec).unwrap();
    while sliced.step() < 60 {
        sliced.train_until(0.0, &stopped_clock, None);
    }
    let (a, b) = (whole.progress(None), sliced.progress(None));
    for (x, y) in a.models.iter().zip(&b.models) {
        let (x, y) = (&x.progress, &y.progress);
        assert_eq!(x.evaluations, y.evaluations);
        let steps: Vec<usize> = x.evaluations.iter().map(|e| e.step).collect();
        assert_eq!(steps, [0, 50, 60], "the untrained model's first, once");
        assert_eq!(x.train.len(), 60);
        assert_eq!(
            x.train.iter().map(|p| p.loss).collect::<Vec<_>>(),
            y.train.iter().map(|p| p.loss).collect::<Vec<_>>()
        );
    }
    assert_eq!(a.samples, b.samples);
}

#[test]
fn the_largest_models_replies_stay_within_the_byte_budget() {
    let spec = MtLab {
        width: 128,
        layers: 3,
        heads: 8,
        longest: 17,
        batch: 4,
        steps: 2,
        warmup: 0,
        ..MtLab::default()
    };
    let mut session = trained(&spec, 2);
    let sentence =
        "the small big old cat with the red black happy dog eats a small old happy mouse";
    let replies = [
        MtReply::Trained {
            news: session.progress(None),
        },
        MtReply::Translated {
            translation: session.translate(Some(sentence), 0, 8).unwrap(),
        },
        MtReply::Bleu {
            breakdown: translate::explain_bleu(&"a b c d ".repeat(10), &"a b c d ".repeat(10))
                .unwrap(),
        },
    ];
    for reply in replies {
        let text = FromEngine::reply::<MtProtocol>(1, &reply).to_json();
        assert!(text.len() <= MtLimits::REPLY_BYTES, "{} bytes", text.len());
        // And it reads back as it went.
        let FromEngine::Reply { body, .. } = FromEngine::from_json(&text).unwrap() else {
            panic!("a reply")
        };
        assert_eq!(body.read::<MtReply>().unwrap(), reply);
    }
    assert_eq!(
        translate::explain_bleu(&"a ".repeat(41), "a").unwrap_err(),
        MtSessionError::TooManyBleuWords {
            what: "candidate",
            words: 41
        }
    );
    assert_eq!(
        translate::explain_bleu("a", &"x".repeat(201)).unwrap_err(),
        MtSessionError::TooManyChars {
            what: "reference",
            chars: 201
        }
    );
}

#[test]
fn bleu_explained_shows_the_notes_numbers() {
    let b = translate::explain_bleu("The ball is blue", "The ball has a blue color").unwrap();
    let p: Vec<(usize, usize)> = b.orders.iter().map(|o| (o.credited, o.total)).collect();
    assert_eq!(p, [(3, 4), (1, 3), (0, 2), (0, 1)]);
    assert_eq!((b.candidate_len, b.reference_len), (4, 6));
    assert!((b.brevity_penalty - (-0.5f64).exp()).abs() < 1e-12);
    assert_eq!(b.score, 0.0);
    let b = translate::explain_bleu("the the the ball", "the ball is blue").unwrap();
    assert_eq!(b.orders[0].grams[0].gram, "the");
    assert_eq!(
        (
            b.orders[0].grams[0].in_candidate,
            b.orders[0].grams[0].credited
        ),
        (3, 1)
    );
    assert_eq!(b.orders[0].precision, 0.5);
}

#[test]
fn the_grammar_and_the_contract_agree_on_the_lengths() {
    assert_eq!(MtLimits::LONGEST, data::svo_sov::LONGEST);
    assert_eq!(contract::mt::SHORTEST, data::svo_sov::SHORTEST);
}

/// Every update rule the lab offers trains all three models: a few steps, none stopped by a loss
/// that is not a number.
#[test]
fn every_offered_update_rule_trains() {
    for optimizer in contract::mt::MT_OPTIMIZERS {
        let spec = MtLab { run: MtLab::default_run(optimizer), longest: 6, width: 16, heads: 2, ..MtLab::default() };
        let news = trained(&spec, 3).progress(None);
        for model in &news.models {
            assert_eq!(model.progress.stopped, None, "{optimizer:?}, {:?}", model.model);
        }
    }
    // Nesterov's gradient is taken at the look-ahead point, so its losses are not Momentum's.
    let last_losses = |optimizer| {
        let spec = MtLab { run: MtLab::default_run(optimizer), longest: 6, width: 16, heads: 2, ..MtLab::default() };
        let news = trained(&spec, 3).progress(None);
        news.models.iter().map(|m| m.progress.train.last().map(|p| p.loss)).collect::<Vec<_>>()
    };
    let (nesterov, momentum) = (last_losses(OptimizerName::Nesterov), last_losses(OptimizerName::Momentum));
    assert!(nesterov.iter().zip(&momentum).all(|(n, m)| n != m), "{nesterov:?} {momentum:?}");
}
