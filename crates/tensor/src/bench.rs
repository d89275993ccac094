//! Benchmark workloads shared by the native benchmark (`examples/bench.rs`), the engine's
//! in-browser benchmark and the tests: matrix products in every transposition, and one training
//! step of a small MNIST CNN (the workload ../shared/perf/peers.md measures TF.js on).
//! Timing is the caller's: it passes a clock, so the same code times natively and in a worker.

use crate::kernels::gemm::{gemm, gemm_with, GemmShape, Kernel, Layout};
use crate::ops::conv::Conv2dOptions;
use crate::ops::pool::Pool2dOptions;
use crate::rng::Rng;
use crate::{Result, Tensor};

/// The small CNN of the peers' table: conv5x5x8 same + relu + maxpool2 → conv5x5x16 same +
/// relu + maxpool2 → dense10 on 28×28×1 inputs, trained by plain SGD.
pub struct SmallCnn {
    pub params: Vec<Tensor>,
}

/// Multiply-adds ×2 of one forward + backward of [`SmallCnn`] per example (matmul/conv only,
/// as peers.md counts): forward F, backward ≈ 2F.
pub const SMALL_CNN_FLOPS_PER_EXAMPLE: f64 =
    3.0 * 2.0 * (784.0 * 8.0 * 25.0 + 196.0 * 16.0 * 200.0 + 784.0 * 10.0);

impl SmallCnn {
    /// He-uniform initial weights from `seed`.
    pub fn new(seed: u64) -> Self {
        let mut rng = Rng::new(seed);
        let mut p = |shape: &[usize], fan_in: usize| {
            let bound = (6.0 / fan_in as f32).sqrt();
            Tensor::uniform(shape, -bound, bound, &mut rng).requires_grad()
        };
        let params = vec![
            p(&[8, 1, 5, 5], 25),
            p(&[8], 25),
            p(&[16, 8, 5, 5], 200),
            p(&[16], 200),
            p(&[16 * 7 * 7, 10], 784),
            p(&[10], 784),
        ];
        SmallCnn { params }
    }

    pub fn loss(&self, images: &Tensor, labels: &[usize]) -> Result<Tensor> {
        self.logits(images)?.cross_entropy(labels, None)
    }

    /// Class scores [N, 10] for images [N, 1, 28, 28].
    pub fn logits(&self, images: &Tensor) -> Result<Tensor> {
        let same = Conv2dOptions {
            padding: (2, 2),
            ..Conv2dOptions::default()
        };
        let p = &self.params;
        let h = images.conv2d(&p[0], Some(&p[1]), same)?.relu();
        let h = h.max_pool2d(Pool2dOptions::square(2))?;
        let h = h.conv2d(&p[2], Some(&p[3]), same)?.relu();
        let h = h.max_pool2d(Pool2dOptions::square(2))?;
        let batch = images.shape().first().copied().unwrap_or(0);
        h.reshape(&[batch, 16 * 7 * 7])?.matmul(&p[4])?.add(&p[5])
    }

    /// One step of plain SGD; returns the loss and every parameter's gradient.
    pub fn step(&self, images: &Tensor, labels: &[usize], lr: f32) -> Result<(f32, Vec<Vec<f32>>)> {
        let loss = self.loss(images, labels)?;
        let mut grads = loss.backward()?;
        let mut all = Vec::with_capacity(self.params.len());
        for p in &self.params {
            let g = grads.take(p).unwrap_or_else(|| vec![0.0; p.numel()]);
            p.update(|w| w.iter_mut().zip(&g).for_each(|(w, g)| *w -= lr * g));
            all.push(g);
        }
        Ok((loss.item()?, all))
    }
}

/// The peers' MLP (`../shared/perf/peerbench/www/bench.js`): 784 → 256 → 256 → 10 with ReLU,
/// Xavier-uniform weights and zero biases, softmax cross-entropy, plain SGD.
pub struct Mlp {
    pub params: Vec<Tensor>,
}

/// The MLP's layer widths.
pub const MLP_DIMS: [usize; 4] = [784, 256, 256, 10];

impl Mlp {
    pub fn new(seed: u64) -> Self {
        let mut rng = Rng::new(seed);
        let mut params = Vec::new();
        for w in MLP_DIMS.windows(2) {
            let bound = (6.0 / (w[0] + w[1]) as f32).sqrt();
            params.push(Tensor::uniform(&[w[0], w[1]], -bound, bound, &mut rng).requires_grad());
            params.push(Tensor::zeros(&[w[1]]).requires_grad());
        }
        Mlp { params }
    }

    pub fn loss(&self, x: &Tensor, labels: &[usize]) -> Result<Tensor> {
        let p = &self.params;
        let h = x.matmul(&p[0])?.add(&p[1])?.relu();
        let h = h.matmul(&p[2])?.add(&p[3])?.relu();
        h.matmul(&p[4])?.add(&p[5])?.cross_entropy(labels, None)
    }

    /// One step of plain SGD; returns the loss.
    pub fn step(&self, x: &Tensor, labels: &[usize], lr: f32) -> Result<f32> {
        sgd_step(&self.loss(x, labels)?, &self.params, lr)
    }
}

/// One step of plain SGD: backpropagates `loss`, moves every parameter by −lr·gradient (a
/// parameter the loss does not reach stays put); returns the loss.
pub fn sgd_step(loss: &Tensor, params: &[Tensor], lr: f32) -> Result<f32> {
    let mut grads = loss.backward()?;
    for p in params {
        if let Some(g) = grads.take(p) {
            p.update(|w| w.iter_mut().zip(&g).for_each(|(w, g)| *w -= lr * g));
        }
    }
    loss.item()
}

/// Examples per second of training steps of `batch` examples each (median step time after a
/// warm-up, over about `budget_ms`), or the error a step returned.
pub fn examples_per_second<T>(
    batch: usize,
    clock: &dyn Fn() -> f64,
    budget_ms: f64,
    step: &mut dyn FnMut() -> Result<T>,
) -> Result<f64> {
    let mut failure = None;
    let ms = median_ms(clock, budget_ms, 3, &mut || {
        if let Err(e) = step() {
            failure = Some(e);
        }
    });
    match failure {
        Some(e) => Err(e),
        None => Ok(batch as f64 / (ms / 1e3)),
    }
}

/// Examples per second of [`Mlp`] training steps on batches of `batch`.
pub fn mlp_examples_per_second(
    batch: usize,
    clock: &dyn Fn() -> f64,
    budget_ms: f64,
) -> Result<f64> {
    let model = Mlp::new(61);
    let mut rng = Rng::new(63);
    let x = Tensor::uniform(&[batch, MLP_DIMS[0]], 0.0, 1.0, &mut rng);
    let labels = random_labels(batch, 10, &mut rng);
    examples_per_second(batch, clock, budget_ms, &mut || {
        model.step(&x, &labels, 0.01)
    })
}

/// A deterministic batch of 28×28 "images" in [0, 1) and labels.
pub fn random_batch(size: usize, seed: u64) -> (Tensor, Vec<usize>) {
    let mut rng = Rng::new(seed);
    let images = Tensor::uniform(&[size, 1, 28, 28], 0.0, 1.0, &mut rng);
    let labels = random_labels(size, 10, &mut rng);
    (images, labels)
}

/// `count` labels of `classes` (at least one) classes, uniform up to a negligible modulo bias.
pub fn random_labels(count: usize, classes: usize, rng: &mut Rng) -> Vec<usize> {
    (0..count)
        .map(|_| (rng.next_u64() % classes as u64) as usize)
        .collect()
}

/// Median milliseconds per call of `work`, after one warm-up call, over at least `min_reps`
/// calls and about `budget_ms` of time.
pub fn median_ms(
    clock: &dyn Fn() -> f64,
    budget_ms: f64,
    min_reps: usize,
    work: &mut dyn FnMut(),
) -> f64 {
    let start = clock();
    work();
    let estimate = (clock() - start).max(1e-3);
    let reps = ((budget_ms / estimate).ceil() as usize).clamp(min_reps, 200);
    let mut samples: Vec<f64> = (0..reps)
        .map(|_| {
            let t = clock();
            work();
            clock() - t
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// GFLOP/s of an N×N·N×N product with the given operand layouts.
pub fn matmul_gflops(
    n: usize,
    la: Layout,
    lb: Layout,
    clock: &dyn Fn() -> f64,
    budget_ms: f64,
) -> f64 {
    square_product_gflops(n, clock, budget_ms, &mut |shape, a, b, c| {
        gemm(shape, a, la, b, lb, c)
    })
}

/// GFLOP/s of the same N×N·N×N product (A·B) by `matrixmultiply` alone in row blocks, as the
/// engine ran it before its own blocked kernel: the reference [`matmul_gflops`] is raced
/// against in the same page (on the pool unless inside `parallel::sequential`).
pub fn matrixmultiply_gflops(n: usize, clock: &dyn Fn() -> f64, budget_ms: f64) -> f64 {
    let parallel = crate::parallel::allowed();
    square_product_gflops(n, clock, budget_ms, &mut |shape, a, b, c| {
        gemm_with(
            Kernel::Matrixmultiply,
            shape,
            a,
            Layout::AsIs,
            b,
            Layout::AsIs,
            c,
            parallel,
        )
    })
}

type Product<'a> = dyn FnMut(GemmShape, &[f32], &[f32], &mut [f32]) + 'a;

fn square_product_gflops(
    n: usize,
    clock: &dyn Fn() -> f64,
    budget_ms: f64,
    product: &mut Product,
) -> f64 {
    let mut rng = Rng::new(n as u64);
    let a = rng.uniform_vec(n * n, -1.0, 1.0);
    let b = rng.uniform_vec(n * n, -1.0, 1.0);
    let mut c = vec![0.0f32; n * n];
    let shape = GemmShape { m: n, k: n, n };
    let ms = median_ms(clock, budget_ms, 3, &mut || product(shape, &a, &b, &mut c));
    2.0 * (n as f64).powi(3) / (ms * 1e6)
}

/// Examples per second of [`SmallCnn`] training steps on batches of `batch`.
pub fn cnn_examples_per_second(
    batch: usize,
    clock: &dyn Fn() -> f64,
    budget_ms: f64,
) -> Result<f64> {
    let model = SmallCnn::new(1);
    let (images, labels) = random_batch(batch, 2);
    examples_per_second(batch, clock, budget_ms, &mut || {
        model.step(&images, &labels, 0.01)
    })
}
