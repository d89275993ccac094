//! Kernels against their oracles. The same tests run natively (`cargo test`) and in headless
//! Chromium (`wasm-pack test`), where the simd128 paths and the wasm thread pool are the ones
//! under test: native builds do not run simd128 code.

use tensor::kernels::gemm::{
    gemm, gemm_scalar, gemm_scalar_in_blocks, gemm_with, matmul, matmul_scalar, par_matmul,
    GemmShape, Kernel, Layout, GEMM_ROW_BLOCK, KC,
};
use tensor::kernels::reduce::{
    dot, dot_chunk, dot_chunk_scalar, par_dot, par_sum, sum, sum_chunk, sum_chunk_scalar,
    REDUCE_CHUNK,
};
use tensor::rng::Rng;

mod common;

#[cfg(target_arch = "wasm32")]
use common::ensure_pool;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_dedicated_worker);

/// Deterministic values in [-1, 1).
fn values(len: usize, seed: u32) -> Vec<f32> {
    Rng::new(seed as u64).uniform_vec(len, -1.0, 1.0)
}

/// Lengths that hit an empty input, a pure tail, exact SIMD blocks, and chunk boundaries ± 1.
const LENGTHS: [usize; 9] = [
    0,
    1,
    7,
    8,
    9,
    1000,
    REDUCE_CHUNK - 1,
    REDUCE_CHUNK + 1,
    5 * REDUCE_CHUNK + 13,
];

#[test]
fn simd_sum_and_dot_are_bit_identical_to_scalar() {
    // In the browser this must compare the simd128 path, not the scalar one with itself.
    assert_eq!(tensor::kernels::SIMD128, cfg!(target_arch = "wasm32"));
    for (i, &len) in LENGTHS.iter().enumerate() {
        let x = values(len.min(REDUCE_CHUNK), i as u32);
        let y = values(len.min(REDUCE_CHUNK), 100 + i as u32);
        assert_eq!(
            sum_chunk(&x).to_bits(),
            sum_chunk_scalar(&x).to_bits(),
            "sum, len {len}"
        );
        assert_eq!(
            dot_chunk(&x, &y).to_bits(),
            dot_chunk_scalar(&x, &y).to_bits(),
            "dot, len {len}"
        );
    }
}

#[test]
fn sum_and_dot_agree_with_f64_reference() {
    for (i, &len) in LENGTHS.iter().enumerate() {
        let x = values(len, i as u32);
        let y = values(len, 50 + i as u32);
        let sum_ref: f64 = x.iter().map(|&v| v as f64).sum();
        let dot_ref: f64 = x.iter().zip(&y).map(|(&a, &b)| a as f64 * b as f64).sum();
        let abs_sum: f64 = x.iter().map(|&v| (v as f64).abs()).sum();
        // Summation error bound: each element passes through at most log2(8) + len/8 + chunks
        // additions; len·eps·Σ|x| is a loose but honest bound (eps = 2^-24 for f32).
        let bound = (len as f64 + 8.0) * f32::EPSILON as f64 * (abs_sum + 1.0);
        assert!((sum(&x) as f64 - sum_ref).abs() <= bound, "sum, len {len}");
        assert!(
            (dot(&x, &y) as f64 - dot_ref).abs() <= bound,
            "dot, len {len}"
        );
    }
}

fn check_parallel_reductions() {
    let x = values(37 * REDUCE_CHUNK + 5, 7);
    let y = values(37 * REDUCE_CHUNK + 5, 8);
    assert_eq!(par_sum(&x).to_bits(), sum(&x).to_bits());
    assert_eq!(par_dot(&x, &y).to_bits(), dot(&x, &y).to_bits());
}

/// m crosses the row-block boundary; k and n are not multiples of the 8×8 microkernel.
const GEMM_SHAPES: [GemmShape; 6] = [
    GemmShape { m: 1, k: 1, n: 1 },
    GemmShape { m: 3, k: 5, n: 7 },
    GemmShape { m: 17, k: 33, n: 9 },
    GemmShape {
        m: GEMM_ROW_BLOCK + 3,
        k: 70,
        n: 45,
    },
    GemmShape {
        m: 2 * GEMM_ROW_BLOCK,
        k: 128,
        n: 128,
    },
    GemmShape { m: 200, k: 0, n: 5 },
];

/// Shapes for the blocked kernel: k across its blocks' boundaries, m past whole 4-row tiles
/// and 96-row packs, n past whole 8-column panels, skinny products that read A in place (n ≤
/// 16), and few rows over many blocks of k (a filter gradient, whose blocks split between
/// threads).
const BLOCKED_SHAPES: [GemmShape; 10] = [
    GemmShape { m: 1, k: 1, n: 1 },
    GemmShape { m: 7, k: 3, n: 9 },
    GemmShape {
        m: 13,
        k: KC + 1,
        n: 17,
    },
    GemmShape {
        m: 101,
        k: 2 * KC + 5,
        n: 40,
    },
    GemmShape {
        m: 200,
        k: 25,
        n: 8,
    },
    GemmShape {
        m: 130,
        k: 200,
        n: 16,
    },
    GemmShape {
        m: 25,
        k: 9 * KC + 77,
        n: 8,
    },
    GemmShape {
        m: 64,
        k: 784,
        n: 10,
    },
    GemmShape {
        m: 97,
        k: KC,
        n: 130,
    },
    // One tile of rows over four blocks of k: its blocks split between two or more threads.
    GemmShape {
        m: 4,
        k: 3 * KC + 1,
        n: 9,
    },
];

/// Calls `check(shape, a, b)` for every shape in `shapes`, with values in [-1, 1) seeded by
/// `seed` and the shape's index.
fn for_every_shape(shapes: &[GemmShape], seed: u32, check: impl Fn(GemmShape, &[f32], &[f32])) {
    for (i, &shape) in shapes.iter().enumerate() {
        let a = values(shape.m * shape.k, seed * i as u32);
        let b = values(shape.k * shape.n, seed * i as u32 + 1);
        check(shape, &a, &b);
    }
}

/// Calls `check(shape, a, la, b, lb)` as [`for_every_shape`] does, in all four transpositions.
fn for_every_product(
    shapes: &[GemmShape],
    seed: u32,
    check: impl Fn(GemmShape, &[f32], Layout, &[f32], Layout),
) {
    let layouts = [Layout::AsIs, Layout::Transposed];
    for_every_shape(shapes, seed, |shape, a, b| {
        for la in layouts {
            for lb in layouts {
                check(shape, a, la, b, lb);
            }
        }
    });
}

/// C for a product of `shape`, filled with NaN: a value the kernel fails to write shows.
fn unwritten(shape: GemmShape) -> Vec<f32> {
    vec![f32::NAN; shape.m * shape.n]
}

/// Inputs in [-1, 1): each output sums k products of magnitude < 1, and two kernels that add
/// them in different orders may differ by about k·eps.
fn assert_within_rounding(shape: GemmShape, got: &[f32], expected: &[f32], what: &str) {
    let tol = (shape.k as f32 + 1.0) * f32::EPSILON * 4.0;
    for (j, (g, e)) in got.iter().zip(expected).enumerate() {
        assert!(
            (g - e).abs() <= tol,
            "{shape:?} {what} element {j}: {g} vs {e}"
        );
    }
}

fn bits(values: &[f32]) -> Vec<u32> {
    values.iter().map(|v| v.to_bits()).collect()
}

/// Every output of the blocked kernel (sequential and on the pool) has the bits of the scalar
/// loop that adds in the same order: its products from +0 per block of KC, then the blocks.
/// In the browser this is the simd128 micro-kernel; natively its plain-f32 model.
fn check_blocked_kernel_against_block_order_oracle() {
    for_every_product(&BLOCKED_SHAPES, 7, |shape, a, la, b, lb| {
        let mut expected = unwritten(shape);
        gemm_scalar_in_blocks(shape, a, la, b, lb, &mut expected);
        for parallel in [false, true] {
            let mut got = unwritten(shape);
            gemm_with(Kernel::Blocked, shape, a, la, b, lb, &mut got, parallel);
            assert!(
                bits(&got) == bits(&expected),
                "{shape:?} {la:?}·{lb:?}, parallel {parallel}"
            );
        }
    });
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn blocked_kernel_adds_in_block_order() {
    check_blocked_kernel_against_block_order_oracle();
}

#[cfg(target_arch = "wasm32")]
#[test]
async fn blocked_kernel_adds_in_block_order() {
    ensure_pool().await;
    check_blocked_kernel_against_block_order_oracle();
}

/// The link promise: in the browser, every product the app computes has the bits
/// `matrixmultiply`'s simd128 kernel gave it before the blocked kernel replaced it.
#[cfg(target_arch = "wasm32")]
#[test]
async fn products_keep_the_bits_matrixmultiply_gave_them() {
    ensure_pool().await;
    let shapes: Vec<GemmShape> = BLOCKED_SHAPES.iter().chain(&GEMM_SHAPES).copied().collect();
    for_every_product(&shapes, 9, |shape, a, la, b, lb| {
        let (mut before, mut now) = (unwritten(shape), unwritten(shape));
        gemm_with(
            Kernel::Matrixmultiply,
            shape,
            a,
            la,
            b,
            lb,
            &mut before,
            false,
        );
        gemm(shape, a, la, b, lb, &mut now);
        assert!(bits(&now) == bits(&before), "{shape:?} {la:?}·{lb:?}");
    });
}

#[test]
fn matmul_agrees_with_scalar_oracle() {
    for_every_shape(&GEMM_SHAPES, 2, |shape, a, b| {
        let (mut expected, mut got) = (unwritten(shape), unwritten(shape));
        matmul_scalar(shape, a, b, &mut expected);
        matmul(shape, a, b, &mut got);
        assert_within_rounding(shape, &got, &expected, "A·B");
    });
}

/// Attention's batched products (batch × heads small matrices) fork over the batch on the
/// pool: forward and both gradients equal the sequential loop's bits.
fn check_batched_matmul_forks_over_batches() {
    let (batches, m, k, n) = (64, 64, 16, 64);
    let run = || {
        let q = tensor::Tensor::from_vec(values(batches * m * k, 21), &[batches, m, k])
            .expect("shape")
            .requires_grad();
        let kt = tensor::Tensor::from_vec(values(batches * k * n, 22), &[batches, k, n])
            .expect("shape")
            .requires_grad();
        let scores = q.matmul(&kt).expect("a product");
        let grads = scores
            .backward_with(values(batches * m * n, 23))
            .expect("gradients");
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<u32>>();
        (
            bits(&scores.to_vec()),
            bits(grads.get(&q).expect("∂q")),
            bits(grads.get(&kt).expect("∂k")),
        )
    };
    let pooled = run();
    assert_eq!(tensor::parallel::sequential(run), pooled);
}

fn check_parallel_matmul() {
    check_batched_matmul_forks_over_batches();
    for_every_shape(&GEMM_SHAPES, 3, |shape, a, b| {
        let (mut seq, mut par) = (unwritten(shape), unwritten(shape));
        matmul(shape, a, b, &mut seq);
        par_matmul(shape, a, b, &mut par);
        assert!(bits(&seq) == bits(&par), "{shape:?}");
    });
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn parallel_reductions_are_bit_identical_to_sequential() {
    check_parallel_reductions();
}

/// Some of these products are large enough to run on the pool (see GEMM_PARALLEL_MIN_WORK).
fn check_every_transposition() {
    for_every_product(&GEMM_SHAPES, 5, |shape, a, la, b, lb| {
        let (mut expected, mut got) = (unwritten(shape), unwritten(shape));
        gemm_scalar(shape, a, la, b, lb, &mut expected);
        gemm(shape, a, la, b, lb, &mut got);
        assert_within_rounding(shape, &got, &expected, &format!("{la:?}·{lb:?}"));
    });
}

/// Reference values of SplitMix64 with seed 1234567 (from the algorithm's published C code).
#[test]
fn rng_gives_the_reference_sequence_on_every_target() {
    let mut rng = Rng::new(1234567);
    let got: Vec<u64> = (0..3).map(|_| rng.next_u64()).collect();
    assert_eq!(
        got,
        [
            6457827717110365317,
            3203168211198807973,
            9817491932198370423
        ]
    );
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn parallel_matmul_is_bit_identical_to_sequential() {
    check_parallel_matmul();
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn every_transposition_agrees_with_scalar_oracle() {
    check_every_transposition();
}

#[cfg(target_arch = "wasm32")]
#[test]
async fn parallel_reductions_are_bit_identical_to_sequential() {
    // Pool first: even asking rayon its thread count would install a one-thread fallback pool.
    let threads = ensure_pool().await;
    assert_eq!(rayon::current_num_threads(), threads);
    check_parallel_reductions();
}

#[cfg(target_arch = "wasm32")]
#[test]
async fn every_transposition_agrees_with_scalar_oracle() {
    ensure_pool().await;
    check_every_transposition();
}

#[cfg(target_arch = "wasm32")]
#[test]
async fn parallel_matmul_is_bit_identical_to_sequential() {
    ensure_pool().await;
    check_parallel_matmul();
}

/// Natively we can build pools of any size: 1, 2 and 8 threads must give the same bits.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn results_do_not_depend_on_thread_count() {
    let shape = GemmShape {
        m: 300,
        k: 96,
        n: 80,
    };
    let a = values(shape.m * shape.k, 11);
    let b = values(shape.k * shape.n, 12);
    let x = values(20 * REDUCE_CHUNK + 3, 13);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        pool.install(|| {
            let mut c = vec![0.0; shape.m * shape.n];
            par_matmul(shape, &a, &b, &mut c);
            let blocked = BLOCKED_SHAPES.map(|shape| {
                let a = values(shape.m * shape.k, 14);
                let b = values(shape.k * shape.n, 15);
                let mut c = vec![0.0; shape.m * shape.n];
                gemm_with(
                    Kernel::Blocked,
                    shape,
                    &a,
                    Layout::AsIs,
                    &b,
                    Layout::AsIs,
                    &mut c,
                    true,
                );
                bits(&c)
            });
            (bits(&c), blocked, par_sum(&x).to_bits())
        })
    };
    let one = run(1);
    assert_eq!(run(2), one);
    assert_eq!(run(8), one);
}
