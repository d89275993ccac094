//! Layers do what the notes say they do (their gradients come from tensor ops, which
//! tensor/tests/gradcheck.rs checks one by one).
#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use nn::layers::{
    sinusoidal_positions, AdditiveAttention, BatchNorm, Bidirectional, BlockShape, Cell, CellKind,
    LayerNorm, MultiHeadAttention, Norming, Parameters, TransformerEncoderBlock,
};
use nn::metrics::{bleu, bleu_breakdown, clipped_precision, corpus_bleu};
use tensor::rng::Rng;
use tensor::taps::capture;
use tensor::Tensor;

fn rand(shape: &[usize], seed: u64) -> Tensor {
    Tensor::uniform(shape, -1.0, 1.0, &mut Rng::new(seed))
}

fn channel_stats(
    y: &[f32],
    channels: usize,
    per_channel: impl Fn(usize) -> Vec<usize>,
) -> Vec<(f32, f32)> {
    (0..channels)
        .map(|c| {
            let v: Vec<f32> = per_channel(c).iter().map(|&i| y[i]).collect();
            let mean = v.iter().sum::<f32>() / v.len() as f32;
            let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f32>() / v.len() as f32;
            (mean, var)
        })
        .collect()
}

#[test]
fn batch_norm_standardises_in_training_and_uses_running_stats_in_evaluation() {
    let bn = BatchNorm::new(3);
    let x = rand(&[8, 3, 4, 4], 1).scale(5.0).shift(2.0);
    let y = bn.forward(&x, true).unwrap();
    let stats = channel_stats(&y.data(), 3, |c| {
        (0..8)
            .flat_map(|n| (0..16).map(move |p| (n * 3 + c) * 16 + p))
            .collect()
    });
    for (mean, var) in stats {
        assert!(
            mean.abs() < 1e-5 && (var - 1.0).abs() < 1e-3,
            "mean {mean}, var {var}"
        );
    }
    let (running_mean, _) = bn.running_stats();
    assert!(
        running_mean.iter().all(|&m| (m - 0.2).abs() < 0.1),
        "0.1 × batch mean ≈ 0.2: {running_mean:?}"
    );
    // Evaluation needs no batch: one example, normalised with the running statistics.
    let one = bn.forward(&x.narrow(0, 0, 1).unwrap(), false).unwrap();
    assert_eq!(one.shape(), &[1, 3, 4, 4]);
    assert!(
        bn.forward(&rand(&[2, 4], 2), true).is_err(),
        "wrong channel count is an error"
    );
}

#[test]
fn layer_norm_standardises_each_example() {
    let y = LayerNorm::new(6)
        .forward(&rand(&[4, 6], 3).scale(3.0))
        .unwrap();
    for row in y.data().chunks(6) {
        let mean = row.iter().sum::<f32>() / 6.0;
        let var = row.iter().map(|x| (x - mean).powi(2)).sum::<f32>() / 6.0;
        assert!(mean.abs() < 1e-5 && (var - 1.0).abs() < 1e-3);
    }
}

#[test]
fn a_closed_update_gate_keeps_the_memory() {
    let mut rng = Rng::new(4);
    for kind in [CellKind::GruSimplified, CellKind::GruFull, CellKind::Lstm] {
        let cell = Cell::new(kind, "cell", 3, 5, &mut rng);
        // Γu → 0 (and for the LSTM Γf → 1): m_t = m_{t−1}.
        for (name, p) in cell.parameters() {
            if name.starts_with("update.") {
                p.update(|v| v.fill(if name.ends_with("bias") { -100.0 } else { 0.0 }));
            }
            if name.starts_with("forget.") {
                p.update(|v| v.fill(if name.ends_with("bias") { 100.0 } else { 0.0 }));
            }
        }
        let start = cell.zero_state(2);
        let start = nn::layers::State {
            h: rand(&[2, 5], 5),
            m: start.m.map(|_| rand(&[2, 5], 6)),
        };
        let (after, taps) = capture(&["cell.update_gate"], || {
            cell.step(&rand(&[2, 3], 7), &start).unwrap()
        });
        let kept = if kind == CellKind::Lstm {
            (after.m.unwrap(), start.m.unwrap())
        } else {
            (after.h, start.h)
        };
        assert!(
            kept.0
                .to_vec()
                .iter()
                .zip(kept.1.to_vec())
                .all(|(a, b)| (a - b).abs() < 1e-6),
            "{kind:?}"
        );
        assert!(
            taps["cell.update_gate"].data().iter().all(|&g| g < 1e-6),
            "{kind:?}: the gate is tapped"
        );
    }
}

#[test]
fn cells_run_over_sequences_and_bidirectionally() {
    let mut rng = Rng::new(8);
    let xs: Vec<Tensor> = (0..4).map(|t| rand(&[2, 3], 10 + t)).collect();
    for kind in [
        CellKind::Rnn,
        CellKind::GruSimplified,
        CellKind::GruFull,
        CellKind::Lstm,
    ] {
        let cell = Cell::new(kind, "c", 3, 6, &mut rng);
        let states = cell.run(&xs, cell.zero_state(2)).unwrap();
        assert_eq!(states.len(), 4);
        assert_eq!(states[3].h.shape(), &[2, 6]);
    }
    let bi = Bidirectional {
        forward: Cell::new(CellKind::Lstm, "f", 3, 4, &mut rng),
        backward: Cell::new(CellKind::Lstm, "b", 3, 4, &mut rng),
    };
    let outs = bi.run(&xs).unwrap();
    assert_eq!(outs[0].shape(), &[2, 8]);
    // Step 0's backward half has read the whole sequence: it is the backward cell's last state.
    let reversed: Vec<Tensor> = xs.iter().rev().cloned().collect();
    let last = bi
        .backward
        .run(&reversed, bi.backward.zero_state(2))
        .unwrap()
        .pop()
        .unwrap()
        .h;
    assert_eq!(outs[0].narrow(1, 4, 4).unwrap().to_vec(), last.to_vec());
}

#[test]
fn causal_attention_sees_only_the_past() {
    let mut rng = Rng::new(9);
    let mha = MultiHeadAttention::new("blk", 8, 2, &mut rng).unwrap();
    let x = rand(&[1, 5, 8], 11);
    let (y, taps) = capture(&["blk.head1.attn"], || {
        mha.forward(&x, &x, true, None).unwrap()
    });
    assert_eq!(y.shape(), &[1, 5, 8]);
    let w = taps["blk.head1.attn"].to_vec();
    for i in 0..5 {
        for j in 0..5 {
            if j > i {
                assert_eq!(w[i * 5 + j], 0.0, "position {i} must not see {j}");
            }
        }
        assert!((w[i * 5..i * 5 + 5].iter().sum::<f32>() - 1.0).abs() < 1e-5);
    }
    // Changing the last input leaves every earlier output unchanged.
    let mut changed = x.to_vec();
    changed[4 * 8..].iter_mut().for_each(|v| *v += 1.0);
    let x2 = Tensor::from_vec(changed, &[1, 5, 8]).unwrap();
    let block = TransformerEncoderBlock::new(
        "enc",
        BlockShape {
            dim: 8,
            heads: 2,
            ff: 16,
            norming: Norming::PreLn,
        },
        &mut rng,
    )
    .unwrap();
    let (a, b) = (
        block.forward(&x, true, None).unwrap(),
        block.forward(&x2, true, None).unwrap(),
    );
    assert_eq!(a.to_vec()[..4 * 8], b.to_vec()[..4 * 8]);
    assert_ne!(a.to_vec()[4 * 8..], b.to_vec()[4 * 8..]);
    assert!(
        MultiHeadAttention::new("x", 10, 3, &mut rng).is_err(),
        "10 is not a multiple of 3 heads"
    );
}

#[test]
fn additive_attention_weights_the_encoder_states() {
    let mut rng = Rng::new(12);
    let att = AdditiveAttention::new("att", 4, 6, 5, &mut rng);
    let (context, alpha) = att
        .forward(&rand(&[2, 4], 13), &rand(&[2, 7, 6], 14))
        .unwrap();
    assert_eq!(
        (context.shape(), alpha.shape()),
        (&[2usize, 6][..], &[2usize, 7][..])
    );
    for row in alpha.data().chunks(7) {
        assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-5 && row.iter().all(|&a| a > 0.0));
    }
}

#[test]
fn sinusoidal_positions_follow_the_formula() {
    let d = 6;
    let pe = sinusoidal_positions(10, d).to_vec();
    for pos in [0usize, 1, 7] {
        for i in 0..d / 2 {
            let angle = pos as f64 / 10000f64.powf(2.0 * i as f64 / d as f64);
            assert!((pe[pos * d + 2 * i] as f64 - angle.sin()).abs() < 1e-6);
            assert!((pe[pos * d + 2 * i + 1] as f64 - angle.cos()).abs() < 1e-6);
        }
    }
}

#[test]
fn bleu_on_the_notes_examples_and_by_hand() {
    let words = |s: &'static str| s.split(' ').collect::<Vec<_>>();
    let (predicted, reference) = (
        words("The ball is blue"),
        words("The ball has a blue color"),
    );
    // The notes: 3 of the 4 predicted words appear in the reference.
    assert_eq!(clipped_precision(&predicted, &[&reference], 1), 0.75);
    // "The ball the ball" overlaps fully unclipped; clipping credits each word once: 2/4.
    assert_eq!(
        clipped_precision(&words("The ball The ball"), &[&reference], 1),
        0.5
    );
    // Identical sentences score 1; p2 = 1/3 ("The ball"); BP = e^(1 − 6/4).
    assert!((bleu(&reference, &[&reference], 4) - 1.0).abs() < 1e-12);
    let expected = (0.75f64 * (1.0 / 3.0)).sqrt() * (1.0 - 6.0 / 4.0f64).exp();
    assert!((bleu(&predicted, &[&reference], 2) - expected).abs() < 1e-12);
    assert_eq!(
        bleu(&predicted, &[&reference], 4),
        0.0,
        "no matching 3-gram"
    );
}

/// One step of each cell with one input and one unit, its weights set by hand, against its
/// formula worked in f64: W's first row reads h_{t−1}, the second x_t.
#[test]
fn each_cell_steps_as_its_formula_says() {
    let sigmoid = |z: f64| 1.0 / (1.0 + (-z).exp());
    // (map, weight on h, weight on x, bias)
    let maps = [
        ("candidate", 0.5, -1.0, 0.2),
        ("update", 0.3, 0.4, -0.1),
        ("relevance", -0.2, 0.6, 0.05),
        ("forget", 0.1, 0.2, 0.3),
        ("output", 0.7, -0.3, 0.0),
    ];
    let (h0, m0, x) = (0.4f64, -0.6f64, 0.9f64);
    let affine = |name: &str, h: f64| {
        let &(_, wh, wx, b) = maps.iter().find(|m| m.0 == name).unwrap();
        wh * h + wx * x + b
    };
    let u = sigmoid(affine("update", h0));
    let expected = [
        (CellKind::Rnn, affine("candidate", h0).tanh(), None),
        (CellKind::RnnRelu, affine("candidate", h0).max(0.0), None),
        (
            CellKind::GruSimplified,
            u * affine("candidate", h0).tanh() + (1.0 - u) * h0,
            None,
        ),
        (
            CellKind::GruFull,
            {
                let r = sigmoid(affine("relevance", h0));
                u * affine("candidate", r * h0).tanh() + (1.0 - u) * h0
            },
            None,
        ),
        (
            CellKind::Lstm,
            {
                let m = u * affine("candidate", h0).tanh() + sigmoid(affine("forget", h0)) * m0;
                sigmoid(affine("output", h0)) * m.tanh()
            },
            Some(u * affine("candidate", h0).tanh() + sigmoid(affine("forget", h0)) * m0),
        ),
    ];
    let mut rng = Rng::new(1);
    for (kind, h, m) in expected {
        let cell = Cell::new(kind, "c", 1, 1, &mut rng);
        for (name, p) in cell.parameters() {
            let &(_, wh, wx, b) = maps.iter().find(|m| name.starts_with(m.0)).unwrap();
            p.update(|v| {
                if name.ends_with("bias") {
                    v[0] = b as f32;
                } else {
                    v.copy_from_slice(&[wh as f32, wx as f32]);
                }
            });
        }
        let state = nn::layers::State {
            h: Tensor::from_vec(vec![h0 as f32], &[1, 1]).unwrap(),
            m: (kind == CellKind::Lstm)
                .then(|| Tensor::from_vec(vec![m0 as f32], &[1, 1]).unwrap()),
        };
        let x = Tensor::from_vec(vec![x as f32], &[1, 1]).unwrap();
        let next = cell.step(&x, &state).unwrap();
        assert!(
            (next.h.to_vec()[0] as f64 - h).abs() < 1e-6,
            "{kind:?}: h {} vs {h}",
            next.h.to_vec()[0]
        );
        if let Some(m) = m {
            assert!(
                (next.m.unwrap().to_vec()[0] as f64 - m).abs() < 1e-6,
                "{kind:?}: m"
            );
        }
    }
}

#[test]
fn the_bleu_breakdown_shows_the_notes_numbers() {
    let words = |s: &'static str| s.split(' ').collect::<Vec<_>>();
    let reference = words("The ball has a blue color");
    let b = bleu_breakdown(&words("The ball is blue"), &[&reference], 4);
    let p: Vec<(usize, usize)> = b.orders.iter().map(|o| (o.credited, o.total)).collect();
    // 1-grams: The, ball, blue of 4; 2-grams: "The ball" of 3; no 3- or 4-gram.
    assert_eq!(p, vec![(3, 4), (1, 3), (0, 2), (0, 1)]);
    assert_eq!(b.geometric_mean, 0.0, "a p_n of 0 makes P 0");
    assert_eq!((b.candidate_len, b.reference_len), (4, 6));
    assert!((b.brevity_penalty - (-0.5f64).exp()).abs() < 1e-15);
    assert_eq!(b.score, 0.0);
    // "the the the ball": "the" occurs 3 times but the reference has it once: 1 + 1 of 4.
    let b = bleu_breakdown(&words("the the the ball"), &[&words("the ball is blue")], 1);
    let the = &b.orders[0].grams[0];
    assert_eq!(
        (
            the.gram.clone(),
            the.in_candidate,
            the.in_reference,
            the.credited
        ),
        (vec!["the"], 3, 1, 1)
    );
    assert_eq!(b.orders[0].precision, 0.5);
    assert_eq!(b.orders[0].grams.len(), 2, "distinct 1-grams: the, ball");
    // Two references: a gram is clipped by the one that has it most.
    let refs = [words("the the cat"), words("the cat sat")];
    let refs: Vec<&[&str]> = refs.iter().map(|r| r.as_slice()).collect();
    let b = bleu_breakdown(&words("the the the cat"), &refs, 1);
    assert_eq!(b.orders[0].grams[0].in_reference, 2);
    assert_eq!(b.orders[0].precision, 0.75);
    // The score is exactly bleu()'s.
    let (c, r) = (words("the ball is blue"), words("the ball is very blue"));
    assert_eq!(bleu_breakdown(&c, &[&r], 2).score, bleu(&c, &[&r], 2));
}

#[test]
fn corpus_bleu_sums_the_counts_before_dividing() {
    let words = |s: &'static str| s.split(' ').collect::<Vec<_>>();
    let (c1, r1) = (words("the cat sat"), words("the cat sat"));
    let (c2, r2) = (words("a dog"), words("the dog ran"));
    let pairs = vec![
        (c1.as_slice(), vec![r1.as_slice()]),
        (c2.as_slice(), vec![r2.as_slice()]),
    ];
    // By hand: p1 = (3 + 1) / (3 + 2), p2 = (2 + 0) / (2 + 1); c = 5, r = 3 + 3.
    let expected = (0.8f64 * 2.0 / 3.0).sqrt() * (1.0f64 - 6.0 / 5.0).exp();
    assert!((corpus_bleu(&pairs, 2) - expected).abs() < 1e-12);
    // The second sentence alone scores 0 (no 2-gram matches); the corpus does not.
    assert_eq!(bleu(&c2, &[&r2], 2), 0.0);
    // One sentence: corpus BLEU is that sentence's BLEU.
    assert_eq!(corpus_bleu(&pairs[..1], 2), bleu(&c1, &[&r1], 2));
    assert_eq!(corpus_bleu::<&str>(&[], 4), 0.0);
}
