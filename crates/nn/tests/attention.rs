//! Scaled dot-product attention against an independent float64 implementation
//! (fixtures/attention.py), the masks' promises, the positional encodings against the paper's
//! formula, and the block's ablations (no scaling, no residual, no LayerNorm).
#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use nn::layers::{
    causal_mask, scaled_dot_product_attention, sinusoidal_positions, BlockShape,
    MultiHeadAttention, Norming, TransformerEncoderBlock,
};
use serde_json::Value;
use tensor::rng::Rng;
use tensor::Tensor;

fn numbers(v: &Value) -> Vec<f32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect()
}

/// |ours − reference| ≤ 1e-6 + 1e-5·|reference|: sums of ≤ 5 terms in f32 carry ~1e-7 relative
/// error; a wrong index or formula is off by O(|reference|).
fn assert_close(what: &str, ours: &[f32], reference: &[f32]) {
    assert_eq!(ours.len(), reference.len(), "{what}: length");
    for (i, (a, b)) in ours.iter().zip(reference).enumerate() {
        assert!(
            (a - b).abs() <= 1e-6 + 1e-5 * b.abs(),
            "{what}[{i}]: ours {a}, reference {b}"
        );
    }
}

#[test]
fn scaled_dot_product_attention_matches_the_float64_reference() {
    let all: Value = serde_json::from_str(include_str!("fixtures/attention.json")).unwrap();
    for (name, case) in all["cases"].as_object().unwrap() {
        let size = |k: &str| case["shapes"][k].as_u64().unwrap() as usize;
        let (n, m, d, dv) = (size("n"), size("m"), size("d"), size("dv"));
        let q = Tensor::from_vec(numbers(&case["q"]), &[n, d])
            .unwrap()
            .requires_grad();
        let k = Tensor::from_vec(numbers(&case["k"]), &[m, d])
            .unwrap()
            .requires_grad();
        let v = Tensor::from_vec(numbers(&case["v"]), &[m, dv])
            .unwrap()
            .requires_grad();
        let mask = Tensor::from_vec(numbers(&case["mask"]), &[n, m]).unwrap();
        let scale = case["scale"].as_f64().unwrap() as f32;
        let (out, weights) = scaled_dot_product_attention(&q, &k, &v, Some(&mask), scale).unwrap();
        assert_close(
            &format!("{name} out"),
            &out.to_vec(),
            &numbers(&case["out"]),
        );
        assert_close(
            &format!("{name} weights"),
            &weights.to_vec(),
            &numbers(&case["weights"]),
        );
        let grads = out.backward_with(numbers(&case["cotangent"])).unwrap();
        for (what, t) in [("dq", &q), ("dk", &k), ("dv", &v)] {
            let g = grads.get(t).unwrap();
            assert!(g.iter().all(|x| x.is_finite()), "{name} {what} is finite");
            assert_close(&format!("{name} {what}"), g, &numbers(&case[what]));
        }
    }
}

#[test]
fn the_causal_mask_hides_the_future_rows_sum_to_one_and_a_fully_hidden_row_attends_to_nothing() {
    let (n, d) = (6, 4);
    let mut rng = Rng::new(3);
    let q = Tensor::uniform(&[2, n, d], -2.0, 2.0, &mut rng);
    let k = Tensor::uniform(&[2, n, d], -2.0, 2.0, &mut rng);
    let v = Tensor::uniform(&[2, n, d], -2.0, 2.0, &mut rng);
    let (_, w) = scaled_dot_product_attention(&q, &k, &v, Some(&causal_mask(n, n)), 0.5).unwrap();
    let w = w.to_vec();
    for row in 0..2 * n {
        let i = row % n;
        let cells = &w[row * n..row * n + n];
        assert!(
            cells[i + 1..].iter().all(|&x| x == 0.0),
            "row {i} sees the future"
        );
        assert!((cells.iter().sum::<f32>() - 1.0).abs() < 1e-6);
    }
    // Every key hidden from the first query: zero weights and output, not NaN.
    let mut hide = vec![0.0; n * n];
    hide[..n].fill(1.0);
    let hide = Tensor::from_vec(hide, &[n, n]).unwrap();
    let (out, w) = scaled_dot_product_attention(&q, &k, &v, Some(&hide), 0.5).unwrap();
    assert!(w.to_vec()[..n].iter().all(|&x| x == 0.0));
    assert!(out.to_vec()[..d].iter().all(|&x| x == 0.0));
    assert!(out.to_vec().iter().all(|x| x.is_finite()));
}

#[test]
fn sinusoidal_positions_follow_the_papers_formula() {
    // PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(pos / 10000^(2i/d)): both
    // members of a pair share the exponent 2i/d (the notes write (2i+1)/d for the cosine).
    let (len, d) = (50, 16);
    let pe = sinusoidal_positions(len, d).to_vec();
    for pos in 0..len {
        for i in 0..d / 2 {
            let angle = pos as f64 / 10000f64.powf(2.0 * i as f64 / d as f64);
            assert!((pe[pos * d + 2 * i] as f64 - angle.sin()).abs() < 1e-6);
            assert!((pe[pos * d + 2 * i + 1] as f64 - angle.cos()).abs() < 1e-6);
        }
    }
    // Position 0 is (0, 1, 0, 1, …); the first pair turns once every 2π positions.
    assert_eq!(pe[0], 0.0);
    assert_eq!(pe[1], 1.0);
}

#[test]
fn without_scaling_the_same_weights_give_sharper_attention() {
    let mut rng = Rng::new(5);
    let mha = MultiHeadAttention::new("a", 32, 2, &mut rng).unwrap();
    assert_eq!(mha.score_scale(), 1.0 / 4.0);
    let x = Tensor::uniform(&[1, 8, 32], -2.0, 2.0, &mut Rng::new(6));
    let peak = |m: &MultiHeadAttention| {
        let (_, taps) = tensor::taps::capture(&["a.head0.attn"], || {
            m.forward(&x, &x, false, None).unwrap()
        });
        let w = taps["a.head0.attn"].to_vec();
        w.chunks(8)
            .map(|r| r.iter().fold(0.0f32, |a, &b| a.max(b)))
            .sum::<f32>()
    };
    let scaled = peak(&mha);
    let mha = mha.with_scaling(false);
    assert_eq!(mha.score_scale(), 1.0);
    assert!(
        peak(&mha) > scaled,
        "unscaled scores are 4× larger: a sharper softmax"
    );
}

#[test]
fn a_block_without_residual_or_layer_norm_computes_what_it_says() {
    let mut rng = Rng::new(8);
    let x = Tensor::uniform(&[2, 5, 8], -1.0, 1.0, &mut Rng::new(9));
    let block = TransformerEncoderBlock::new(
        "b",
        BlockShape {
            dim: 8,
            heads: 2,
            ff: 16,
            norming: Norming::None,
        },
        &mut rng,
    )
    .unwrap();
    let with = block.attend(&x, false, None).unwrap();
    let block = block.with_residual(false);
    let without = block.attend(&x, false, None).unwrap();
    // The residual connection adds the input back, and nothing else differs.
    let sum: Vec<f32> = without
        .to_vec()
        .iter()
        .zip(x.to_vec())
        .map(|(a, b)| a + b)
        .collect();
    assert_close("x + attention(x)", &with.to_vec(), &sum);
    // Post-LN normalises every row of the result: mean 0, variance 1 (γ = 1, β = 0 at the start).
    let post = TransformerEncoderBlock::new(
        "p",
        BlockShape {
            dim: 8,
            heads: 2,
            ff: 16,
            norming: Norming::PostLn,
        },
        &mut rng,
    )
    .unwrap();
    let y = post.forward(&x, false, None).unwrap().to_vec();
    for row in y.chunks(8) {
        let mean = row.iter().sum::<f32>() / 8.0;
        let var = row.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / 8.0;
        assert!(
            mean.abs() < 1e-5 && (var - 1.0).abs() < 1e-3,
            "{mean} {var}"
        );
    }
}
