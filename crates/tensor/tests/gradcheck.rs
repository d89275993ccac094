//! Every differentiable op against central finite differences, on random shapes including
//! broadcasting and transposed (permuted) inputs.
//!
//! Method: for inputs x, a fixed random cotangent R of the output's shape, and
//! L(x) = Σ R ⊙ f(x), compare the autograd gradient of L with (L(x+εeᵢ) − L(x−εeᵢ)) / 2ε.
//! Tolerances: ε = 1e-2 in f32. The central difference's truncation error is ε²/6·|f'''| ≈ 2e-5
//! for the smooth ops here with inputs of order 1; the rounding error of L (|L| ≲ 10, f32 relative
//! precision 6e-8, accumulated over ≲ 100 terms) divided by 2ε is ≲ 3e-4. So |analytic − numeric|
//! ≤ 2e-3 + 1e-2·|numeric| holds with a wide margin for a correct backward, while a wrong one
//! (a missing factor, a transposed index, a dropped broadcast sum) misses by O(1).
//! Inputs avoid kinks (relu/abs/max ties) by construction, where finite differences are meaningless.
#![allow(clippy::unwrap_used)] // clippy does not see wasm_bindgen_test functions as tests

use tensor::rng::Rng;
use tensor::{no_grad, Tensor};

// The same checks run in headless Chromium (wasm-pack), where the simd128 kernels are used.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_dedicated_worker);

const EPS: f32 = 1e-2;
const ATOL: f32 = 2e-3;
const RTOL: f32 = 1e-2;

fn rand(shape: &[usize], seed: u64) -> Tensor {
    Tensor::uniform(shape, -1.0, 1.0, &mut Rng::new(seed))
}

/// Values in [lo, hi) for ops with a restricted domain.
fn rand_in(shape: &[usize], lo: f32, hi: f32, seed: u64) -> Tensor {
    Tensor::uniform(shape, lo, hi, &mut Rng::new(seed))
}

fn weighted_loss(out: &Tensor, weights: &[f32]) -> f64 {
    out.data()
        .iter()
        .zip(weights)
        .map(|(&o, &w)| o as f64 * w as f64)
        .sum()
}

fn check(name: &str, inputs: Vec<Tensor>, f: impl Fn(&[Tensor]) -> Tensor) {
    let leaves: Vec<Tensor> = inputs.into_iter().map(Tensor::requires_grad).collect();
    let out = f(&leaves);
    let weights = Rng::new(99).uniform_vec(out.numel(), -1.0, 1.0);
    let grads = out
        .backward_with(weights.clone())
        .expect("cotangent matches");
    for (which, leaf) in leaves.iter().enumerate() {
        let analytic = grads
            .get(leaf)
            .unwrap_or_else(|| panic!("{name}: no gradient for input {which}"));
        for i in 0..leaf.numel() {
            let at = |delta: f32| {
                let moved: Vec<Tensor> = leaves
                    .iter()
                    .enumerate()
                    .map(|(j, t)| {
                        let mut v = t.to_vec();
                        if j == which {
                            v[i] += delta;
                        }
                        Tensor::from_vec(v, t.shape()).expect("same shape")
                    })
                    .collect();
                no_grad(|| weighted_loss(&f(&moved), &weights))
            };
            let numeric = ((at(EPS) - at(-EPS)) / (2.0 * EPS as f64)) as f32;
            let a = analytic[i];
            assert!(
                (a - numeric).abs() <= ATOL + RTOL * numeric.abs(),
                "{name}: input {which} {:?}, element {i}: autograd {a} vs finite difference {numeric}",
                leaf.shape()
            );
        }
    }
}

#[test]
fn arithmetic_with_broadcasting() {
    let pairs: [(&[usize], &[usize]); 4] = [
        (&[2, 3], &[2, 3]),
        (&[2, 3], &[3]),
        (&[4, 1, 3], &[2, 1]),
        (&[2, 3], &[]),
    ];
    for (i, (sa, sb)) in pairs.iter().enumerate() {
        let (a, b) = (rand(sa, i as u64), rand(sb, 10 + i as u64));
        check("add", vec![a.clone(), b.clone()], |x| {
            x[0].add(&x[1]).unwrap()
        });
        check("sub", vec![a.clone(), b.clone()], |x| {
            x[0].sub(&x[1]).unwrap()
        });
        check("mul", vec![a.clone(), b.clone()], |x| {
            x[0].mul(&x[1]).unwrap()
        });
        let b_away_from_zero = rand_in(sb, 0.5, 1.5, 20 + i as u64);
        check("div", vec![a, b_away_from_zero], |x| {
            x[0].div(&x[1]).unwrap()
        });
    }
}

#[test]
fn unary_ops() {
    let x = rand(&[3, 4], 1);
    check("neg", vec![x.clone()], |x| x[0].neg());
    check("exp", vec![x.clone()], |x| x[0].exp());
    check("tanh", vec![x.clone()], |x| x[0].tanh());
    check("sigmoid", vec![x.clone()], |x| x[0].sigmoid());
    check("gelu", vec![x.clone()], |x| x[0].gelu());
    check("scale", vec![x.clone()], |x| x[0].scale(-3.0));
    check("shift", vec![x.clone()], |x| x[0].shift(0.5));
    check("square", vec![x.clone()], |x| x[0].square());
    let positive = rand_in(&[3, 4], 0.3, 2.0, 2);
    check("log", vec![positive.clone()], |x| x[0].log());
    check("sqrt", vec![positive.clone()], |x| x[0].sqrt());
    check("powf", vec![positive], |x| x[0].powf(1.7));
    // Away from the kink at 0: magnitudes in [0.2, 1).
    let signs = Tensor::from_vec(
        (0..12)
            .map(|i| if i % 3 == 0 { -1.0 } else { 1.0 })
            .collect(),
        &[3, 4],
    )
    .unwrap();
    let off_kink = rand_in(&[3, 4], 0.2, 1.0, 3).mul(&signs).unwrap();
    check("abs", vec![off_kink.clone()], |x| x[0].abs());
    check("relu", vec![off_kink], |x| x[0].relu());
}

#[test]
fn reductions() {
    let x = rand(&[2, 3, 4], 4);
    check("sum axis 1", vec![x.clone()], |x| {
        x[0].sum_axes(&[1], false).unwrap()
    });
    check("sum axes 0,2 keepdim", vec![x.clone()], |x| {
        x[0].sum_axes(&[0, 2], true).unwrap()
    });
    check("mean axis 2", vec![x.clone()], |x| {
        x[0].mean_axes(&[2], false).unwrap()
    });
    check("sum_all", vec![x.clone()], |x| x[0].sum_all());
    check("mean_all", vec![x.clone()], |x| x[0].mean_all());
    // Distinct values (a permutation scaled): no ties, so max is differentiable.
    let distinct: Vec<f32> = (0..24).map(|i| ((i * 7) % 24) as f32 * 0.1).collect();
    let d = Tensor::from_vec(distinct, &[2, 3, 4]).unwrap();
    check("max axis 2", vec![d.clone()], |x| {
        x[0].max_axes(&[2], false).unwrap()
    });
    check("max axes 0,1 keepdim", vec![d], |x| {
        x[0].max_axes(&[0, 1], true).unwrap()
    });
}

#[test]
fn matmul_plain_batched_broadcast_and_transposed() {
    check("matmul", vec![rand(&[3, 4], 5), rand(&[4, 2], 6)], |x| {
        x[0].matmul(&x[1]).unwrap()
    });
    check(
        "batched",
        vec![rand(&[2, 3, 4], 7), rand(&[2, 4, 5], 8)],
        |x| x[0].matmul(&x[1]).unwrap(),
    );
    check(
        "broadcast batch",
        vec![rand(&[2, 1, 3, 4], 9), rand(&[3, 4, 2], 10)],
        |x| x[0].matmul(&x[1]).unwrap(),
    );
    // A non-contiguous operand: the transpose of a stored [4, 3] matrix.
    check(
        "transposed operand",
        vec![rand(&[4, 3], 11), rand(&[4, 2], 12)],
        |x| x[0].transpose(0, 1).unwrap().matmul(&x[1]).unwrap(),
    );
}

#[test]
fn layout_ops() {
    let x = rand(&[2, 3, 4], 13);
    check("reshape", vec![x.clone()], |x| {
        x[0].reshape(&[6, 4])
            .unwrap()
            .mul(&x[0].reshape(&[6, 4]).unwrap())
            .unwrap()
    });
    check("permute", vec![x.clone()], |x| {
        x[0].permute(&[2, 0, 1])
            .unwrap()
            .matmul(&Tensor::ones(&[3, 2]))
            .unwrap()
    });
    check("narrow", vec![x.clone()], |x| x[0].narrow(2, 1, 2).unwrap());
    check("index_select with repeats", vec![rand(&[5, 3], 14)], |x| {
        x[0].index_select(&[4, 0, 4, 2]).unwrap()
    });
    check("broadcast_to", vec![rand(&[3, 1], 15)], |x| {
        x[0].broadcast_to(&[2, 3, 4]).unwrap()
    });
    check("concat", vec![rand(&[2, 3], 16), rand(&[2, 1], 17)], |x| {
        Tensor::concat(&[&x[0], &x[1]], 1).unwrap()
    });
    check("stack", vec![rand(&[2, 3], 18), rand(&[2, 3], 19)], |x| {
        Tensor::stack(&[&x[0], &x[1]], 0).unwrap()
    });
    check("split", vec![rand(&[5, 2], 20)], |x| {
        let parts = x[0].split(0, &[2, 3]).unwrap();
        parts[1]
            .sum_axes(&[0], false)
            .unwrap()
            .mul(&parts[0].narrow(0, 0, 1).unwrap())
            .unwrap()
    });
    check("masked_fill", vec![x.clone()], |x| {
        let mask = Tensor::from_vec((0..4).map(|i| (i % 2) as f32).collect(), &[4]).unwrap();
        x[0].masked_fill(&mask, 5.0).unwrap()
    });
    check(
        "where broadcast",
        vec![rand(&[2, 3], 23), rand(&[3], 24)],
        |x| {
            let cond = Tensor::from_vec(vec![0.0, 1.0, 0.0, 1.0, 1.0, 0.0], &[2, 3]).unwrap();
            Tensor::where_(&cond, &x[0], &x[1]).unwrap()
        },
    );
    check("where", vec![rand(&[2, 3], 21), rand(&[2, 3], 22)], |x| {
        let cond = Tensor::from_vec(vec![1.0, 0.0, 0.0, 1.0, 1.0, 0.0], &[2, 3]).unwrap();
        Tensor::where_(&cond, &x[0], &x[1]).unwrap()
    });
}

#[test]
fn softmax_family_and_losses() {
    let x = rand(&[3, 5], 23);
    check("softmax", vec![x.clone()], |x| x[0].softmax().unwrap());
    check("log_softmax", vec![x.clone()], |x| {
        x[0].log_softmax().unwrap()
    });
    check("softmax axis 0", vec![x.clone()], |x| {
        x[0].softmax_axis(0).unwrap()
    });
    check("cross_entropy", vec![x.clone()], |x| {
        x[0].cross_entropy(&[1, 4, 0], None).unwrap()
    });
    check("cross_entropy ignore", vec![x.clone()], |x| {
        x[0].cross_entropy(&[1, 9, 0], Some(9)).unwrap()
    });
    let targets = rand_in(&[3, 5], 0.0, 1.0, 24);
    check("bce", vec![x.clone(), targets.clone()], |x| {
        x[0].binary_cross_entropy_with_logits(&x[1]).unwrap()
    });
    check("mse", vec![x, targets], |x| x[0].mse(&x[1]).unwrap());
}

#[test]
fn a_value_used_twice_gets_both_gradients() {
    // L = Σ x·x + x  ⇒  ∂L/∂x = 2x + 1
    let x = Tensor::from_vec(vec![1.0, -2.0, 0.5], &[3])
        .unwrap()
        .requires_grad();
    let loss = x.mul(&x).unwrap().add(&x).unwrap().sum_all();
    let grads = loss.backward().unwrap();
    assert_eq!(grads.get(&x).unwrap(), &[3.0, -3.0, 2.0]);
}

#[test]
fn a_ten_thousand_step_chain_does_not_overflow_the_stack() {
    let x = Tensor::scalar(0.5).requires_grad();
    let mut h = x.clone();
    for _ in 0..10_000 {
        h = h.scale(0.9999).shift(0.0001);
    }
    let grads = h.backward().unwrap();
    let expected = 0.9999f64.powi(10_000) as f32;
    assert!((grads.get(&x).unwrap()[0] - expected).abs() < 1e-3 * expected);
}

#[test]
fn retained_intermediates_vjp_no_grad_and_detach() {
    let x = Tensor::from_vec(vec![1.0, 2.0, 3.0], &[3])
        .unwrap()
        .requires_grad();
    let h = x.scale(2.0);
    h.retain_grad();
    let y = h.square();
    // Vector-Jacobian product with a one-hot cotangent: the gradient of output unit 1 alone.
    let grads = y.backward_with(vec![0.0, 1.0, 0.0]).unwrap();
    assert_eq!(grads.get(&h).unwrap(), &[0.0, 8.0, 0.0]); // ∂y1/∂h1 = 2·h1 = 8
    assert_eq!(grads.get(&x).unwrap(), &[0.0, 16.0, 0.0]);
    assert!(y.backward().is_err(), "a non-scalar needs backward_with");

    let z = no_grad(|| x.scale(3.0));
    assert!(!z.tracks_grad() && z.op_name().is_none());
    let d = x.detach().mul(&x).unwrap().sum_all();
    assert_eq!(d.backward().unwrap().get(&x).unwrap(), &[1.0, 2.0, 3.0]); // only the tracked side
}

#[test]
fn a_causal_mask_gives_exact_zeros_after_softmax() {
    let scores = rand(&[4, 4], 25);
    let future = Tensor::from_vec(
        (0..16)
            .map(|i| f32::from(u8::from(i % 4 > i / 4)))
            .collect(),
        &[4, 4],
    )
    .unwrap();
    let attn = scores
        .masked_fill(&future, f32::NEG_INFINITY)
        .unwrap()
        .softmax()
        .unwrap();
    let a = attn.to_vec();
    for row in 0..4 {
        for col in 0..4 {
            if col > row {
                assert_eq!(a[row * 4 + col], 0.0, "row {row} col {col}");
            }
        }
        let total: f32 = a[row * 4..row * 4 + 4].iter().sum();
        assert!((total - 1.0).abs() < 1e-6);
    }
}

#[test]
fn non_finite_values_neither_hide_nor_leak() {
    // relu lets NaN through (a diverging run must show); where never reads the branch not taken.
    let x = Tensor::from_vec(vec![f32::NAN, -1.0, 2.0], &[3]).unwrap();
    let r = x.relu().to_vec();
    assert!(r[0].is_nan() && r[1] == 0.0 && r[2] == 2.0);
    let cond = Tensor::from_vec(vec![1.0, 0.0, 1.0], &[3]).unwrap();
    let picked = Tensor::where_(
        &cond,
        &Tensor::ones(&[3]),
        &Tensor::full(&[3], f32::INFINITY),
    )
    .unwrap();
    assert_eq!(picked.to_vec(), vec![1.0, f32::INFINITY, 1.0]);
    // A fully masked softmax row attends to nothing, and its gradient is 0, not NaN.
    let scores = Tensor::from_vec(
        vec![f32::NEG_INFINITY, f32::NEG_INFINITY, 0.5, 1.0],
        &[2, 2],
    )
    .unwrap()
    .requires_grad();
    let attn = scores.softmax().unwrap();
    assert_eq!(&attn.to_vec()[..2], &[0.0, 0.0]);
    let g = attn.backward_with(vec![1.0, 2.0, 3.0, 4.0]).unwrap();
    assert!(g.get(&scores).unwrap().iter().all(|v| v.is_finite()));
}

#[test]
fn absurd_sizes_are_errors_not_wraparounds() {
    // big · big wraps to 0 in a usize product (2^32 · 2^32 natively, 2^16 · 2^16 on wasm32):
    // the element count saturates instead.
    let big = 1usize << (usize::BITS / 2);
    assert!(Tensor::from_vec(vec![], &[big, big]).is_err());
    assert!(rand(&[2, 3], 1).narrow(1, usize::MAX, 2).is_err());
    assert!(Tensor::one_hot(&[0], usize::MAX).is_err());
    use tensor::ops::conv::Conv2dOptions;
    let huge_pad = Conv2dOptions {
        padding: (usize::MAX / 2, 0),
        ..Conv2dOptions::default()
    };
    assert!(rand(&[1, 1, 4, 4], 2)
        .conv2d(&rand(&[1, 1, 3, 3], 3), None, huge_pad)
        .is_err());
    assert!(rand(&[1, 1, 4, 4], 2)
        .conv2d(
            &Tensor::zeros(&[0, 1, 3, 3]),
            None,
            Conv2dOptions::default()
        )
        .is_err());
    assert!(
        rand(&[3], 4).mse(&rand(&[3, 1], 5)).is_err(),
        "[3] vs [3, 1] must not broadcast to [3, 3]"
    );
}

/// An image with no pixels, padded, has windows of padding only: its unfolded rows are zeros
/// (they are written by the images' own tasks, so an empty image must still get its rows).
#[test]
fn a_padded_empty_image_convolves_to_its_bias() {
    use tensor::ops::conv::Conv2dOptions;
    let padded = Conv2dOptions {
        padding: (2, 2),
        ..Conv2dOptions::default()
    };
    for shape in [[2, 1, 0, 4], [2, 1, 4, 0]] {
        let x = Tensor::zeros(&shape);
        let bias = Tensor::from_vec(vec![0.5], &[1]).unwrap();
        let y = x
            .conv2d(&rand(&[1, 1, 3, 3], 3), Some(&bias), padded)
            .unwrap();
        assert!(y.numel() > 0, "{shape:?}: {:?}", y.shape());
        assert!(y.to_vec().iter().all(|&v| v == 0.5), "{shape:?}");
    }
}

#[test]
fn shape_errors_name_the_op_and_shapes() {
    let err = rand(&[2, 3], 1).matmul(&rand(&[4, 2], 2)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "matmul: [2, 3] · [4, 2]: inner sizes differ (3 vs 4)"
    );
    let err = rand(&[2, 3], 1).add(&rand(&[2, 4], 2)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "add: shapes [2, 3] and [2, 4] do not broadcast (axis 1: 3 vs 4)"
    );
    let err = rand(&[2, 3], 1).index_select(&[0, 7]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "index_select: index 7 is out of range for 2 rows"
    );
}

#[test]
fn conv2d_with_stride_padding_dilation_and_bias() {
    use tensor::ops::conv::Conv2dOptions;
    let cases = [
        Conv2dOptions::default(),
        Conv2dOptions {
            stride: (2, 1),
            padding: (1, 2),
            dilation: (1, 1),
        },
        Conv2dOptions {
            stride: (1, 2),
            padding: (2, 1),
            dilation: (2, 1),
        },
        // Dilation along the width takes conv's tap-by-tap path (no contiguous runs).
        Conv2dOptions {
            stride: (1, 1),
            padding: (1, 2),
            dilation: (1, 2),
        },
    ];
    for (i, opt) in cases.into_iter().enumerate() {
        let x = rand(&[2, 3, 6, 5], 30 + i as u64);
        let w = rand(&[4, 3, 3, 2], 40 + i as u64);
        let b = rand(&[4], 50 + i as u64);
        check("conv2d", vec![x, w, b], |t| {
            t[0].conv2d(&t[1], Some(&t[2]), opt).unwrap()
        });
    }
}

#[test]
fn pooling() {
    use tensor::ops::pool::Pool2dOptions;
    // Distinct values so every window has a unique maximum.
    let distinct: Vec<f32> = (0..2 * 2 * 5 * 6)
        .map(|i| ((i * 37) % 120) as f32 * 0.02 - 1.0)
        .collect();
    let x = Tensor::from_vec(distinct, &[2, 2, 5, 6]).unwrap();
    check("max_pool2d", vec![x.clone()], |t| {
        t[0].max_pool2d(Pool2dOptions::square(2)).unwrap()
    });
    let overlapping = Pool2dOptions {
        kernel: (3, 3),
        stride: (2, 2),
        padding: (1, 1),
    };
    check("max_pool2d padded", vec![x.clone()], |t| {
        t[0].max_pool2d(overlapping).unwrap()
    });
    check("avg_pool2d", vec![x.clone()], |t| {
        t[0].avg_pool2d(Pool2dOptions::square(2)).unwrap()
    });
    check("avg_pool2d padded", vec![x], |t| {
        t[0].avg_pool2d(overlapping).unwrap()
    });
}

#[test]
fn layer_norm_composite() {
    // (x − mean) / sqrt(var + ε) over the last axis: composites need no backward of their own.
    let layer_norm = |x: &Tensor| {
        let mean = x.mean_axes(&[1], true).unwrap();
        let centred = x.sub(&mean).unwrap();
        let var = centred.square().mean_axes(&[1], true).unwrap();
        centred.div(&var.shift(1e-5).sqrt()).unwrap()
    };
    check("layer_norm", vec![rand(&[3, 6], 60)], |t| layer_norm(&t[0]));
}

#[test]
fn batch_norm_in_training_and_evaluation() {
    // Training: μ and σ² depend on x, so every input's gradient runs through them.
    check(
        "batch_norm (batch statistics, NCHW)",
        vec![rand(&[3, 2, 2, 3], 70), rand(&[2], 71), rand(&[2], 72)],
        |t| t[0].batch_norm(&t[1], &t[2], None, 1e-3).unwrap().0,
    );
    check(
        "batch_norm (batch statistics, [N, C])",
        vec![rand(&[5, 3], 73), rand(&[3], 74), rand(&[3], 75)],
        |t| t[0].batch_norm(&t[1], &t[2], None, 1e-3).unwrap().0,
    );
    // Evaluation: the running statistics are constants.
    let (mean, var) = (vec![0.1, -0.2], vec![0.5, 2.0]);
    check(
        "batch_norm (running statistics)",
        vec![rand(&[2, 2, 3, 1], 76), rand(&[2], 77), rand(&[2], 78)],
        move |t| {
            t[0].batch_norm(&t[1], &t[2], Some((&mean, &var)), 1e-5)
                .unwrap()
                .0
        },
    );
    // The returned statistics are the batch's mean and biased variance.
    let x = Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0, 10.0, 20.0, 30.0, 40.0], &[2, 2, 2]).unwrap();
    let err = x.batch_norm(&Tensor::ones(&[2]), &Tensor::zeros(&[2]), None, 0.0);
    assert!(err.is_err(), "3-D input is refused");
    let x = x.reshape(&[2, 2, 2, 1]).unwrap();
    let (_, stats) = x
        .batch_norm(&Tensor::ones(&[2]), &Tensor::zeros(&[2]), None, 0.0)
        .unwrap();
    let stats = stats.unwrap();
    // Channel 0 holds 1, 2, 10, 20; channel 1 holds 3, 4, 30, 40.
    assert_eq!(stats.mean, vec![8.25, 19.25]);
    // Channel 0: deviations −7.25, −6.25, 1.75, 11.75; their squares sum to 232.75.
    assert_eq!(stats.var, vec![58.1875, 260.6875]);
}
