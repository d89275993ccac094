//! Matrix product with broadcast batch dimensions: [..., m, k] · [..., k, n] → [..., m, n].
//! Backward: ∂A = ∂C·Bᵀ and ∂B = Aᵀ·∂C, both through the same GEMM with transposed strides.

use crate::autograd::Backward;
use crate::kernels::gemm::{gemm, GemmShape, Layout, GEMM_PARALLEL_MIN_WORK};
use crate::shape::{broadcast_shapes, numel, BroadcastIndex, Result, ShapeError};
use crate::tensor::Tensor;
use rayon::prelude::*;

/// Where each output batch reads its A and B matrices, and the matrix shape.
struct BatchPlan {
    shape: GemmShape,
    a_batches: Vec<usize>,
    b_batches: Vec<usize>,
}

fn plan(a: &[usize], b: &[usize]) -> Result<(BatchPlan, Vec<usize>)> {
    if a.len() < 2 || b.len() < 2 {
        return Err(ShapeError::new(
            "matmul",
            format!("needs two matrices (rank ≥ 2), got {a:?} and {b:?}"),
        ));
    }
    let (ab, am) = a.split_at(a.len() - 2);
    let (bb, bm) = b.split_at(b.len() - 2);
    if am[1] != bm[0] {
        return Err(ShapeError::new(
            "matmul",
            format!("{a:?} · {b:?}: inner sizes differ ({} vs {})", am[1], bm[0]),
        ));
    }
    let batch = broadcast_shapes("matmul", ab, bb)?;
    let shape = GemmShape {
        m: am[0],
        k: am[1],
        n: bm[1],
    };
    let mut out = batch.clone();
    out.extend_from_slice(&[shape.m, shape.n]);
    let plan = BatchPlan {
        shape,
        a_batches: BroadcastIndex::new(ab, &batch).indices(),
        b_batches: BroadcastIndex::new(bb, &batch).indices(),
    };
    Ok((plan, out))
}

impl BatchPlan {
    /// Many small products (attention's batch × heads) fork over the batch: each product runs
    /// whole on one thread, as in the sequential loop, so the bits do not change. A product
    /// large enough to fork by itself is left to the GEMM.
    fn forks_over_batches(&self) -> bool {
        let GemmShape { m, k, n } = self.shape;
        let one = m.saturating_mul(k).saturating_mul(n);
        let batches = self.a_batches.len();
        crate::parallel::allowed()
            && batches > 1
            && one > 0
            && one < GEMM_PARALLEL_MIN_WORK
            && one.saturating_mul(batches) >= GEMM_PARALLEL_MIN_WORK
    }

    /// Does every batch read its own matrix of both operands (nothing broadcast, so no two
    /// batches add into one gradient)?
    fn one_to_one(&self) -> bool {
        let own = |b: &[usize]| b.iter().enumerate().all(|(i, &j)| i == j);
        own(&self.a_batches) && own(&self.b_batches)
    }
}

struct MatmulBackward {
    plan: BatchPlan,
}

impl Backward for MatmulBackward {
    fn backward(&self, grad: &[f32], _out: &Tensor, inputs: &[Tensor]) -> Vec<Option<Vec<f32>>> {
        let (a, b) = (&inputs[0], &inputs[1]);
        let GemmShape { m, k, n } = self.plan.shape;
        let (da_ref, db_ref) = (a.data(), b.data());
        let (da, db): (&[f32], &[f32]) = (&da_ref, &db_ref);
        // One batch's ∂A[m×k] = ∂C[m×n] · Bᵀ and ∂B[k×n] = Aᵀ · ∂C, written into `into`.
        let grad_a = |g: &[f32], b_mat: &[f32], into: &mut [f32]| {
            let shape = GemmShape { m, k: n, n: k };
            gemm(shape, g, Layout::AsIs, b_mat, Layout::Transposed, into);
        };
        let grad_b = |a_mat: &[f32], g: &[f32], into: &mut [f32]| {
            let shape = GemmShape { m: k, k: m, n };
            gemm(shape, a_mat, Layout::Transposed, g, Layout::AsIs, into);
        };
        let mut ga = a.tracks_grad().then(|| vec![0.0f32; a.numel()]);
        let mut gb = b.tracks_grad().then(|| vec![0.0f32; b.numel()]);
        if self.plan.forks_over_batches() && self.plan.one_to_one() {
            if let Some(ga) = ga.as_mut() {
                add_per_batch_on_pool(ga, m * k, |batch, into| {
                    grad_a(matrix(grad, batch, m * n), matrix(db, batch, k * n), into);
                });
            }
            if let Some(gb) = gb.as_mut() {
                add_per_batch_on_pool(gb, k * n, |batch, into| {
                    grad_b(matrix(da, batch, m * k), matrix(grad, batch, m * n), into);
                });
            }
            return vec![ga, gb];
        }
        let mut scratch_a = vec![0.0f32; m * k];
        let mut scratch_b = vec![0.0f32; k * n];
        // Batches in increasing order: a broadcast operand's gradient sums them deterministically.
        for (batch, (&ia, &ib)) in self
            .plan
            .a_batches
            .iter()
            .zip(&self.plan.b_batches)
            .enumerate()
        {
            let g = matrix(grad, batch, m * n);
            if let Some(ga) = ga.as_mut() {
                grad_a(g, matrix(db, ib, k * n), &mut scratch_a);
                accumulate(&mut ga[ia * m * k..(ia + 1) * m * k], &scratch_a);
            }
            if let Some(gb) = gb.as_mut() {
                grad_b(matrix(da, ia, m * k), g, &mut scratch_b);
                accumulate(&mut gb[ib * k * n..(ib + 1) * k * n], &scratch_b);
            }
        }
        vec![ga, gb]
    }
}

/// Matrix `index` of consecutive matrices of `size` values each.
fn matrix(data: &[f32], index: usize, size: usize) -> &[f32] {
    &data[index * size..(index + 1) * size]
}

/// Adds to each `len`-value slice of `grad` (a batch's own gradient, nothing broadcast) what
/// `product(batch, into)` writes, on the pool: each batch computed whole on one thread into
/// zeros and then added, as the sequential loop does, so the bits are the same.
fn add_per_batch_on_pool(grad: &mut [f32], len: usize, product: impl Fn(usize, &mut [f32]) + Sync) {
    grad.par_chunks_mut(len)
        .enumerate()
        .for_each(|(batch, into)| {
            let mut scratch = vec![0.0f32; len];
            product(batch, &mut scratch);
            accumulate(into, &scratch);
        });
}

fn accumulate(into: &mut [f32], values: &[f32]) {
    into.iter_mut().zip(values).for_each(|(s, v)| *s += v);
}

impl Tensor {
    /// Matrix product over the last two axes, broadcasting the leading (batch) axes.
    pub fn matmul(&self, other: &Tensor) -> Result<Tensor> {
        let (plan, out_shape) = plan(self.shape(), other.shape())?;
        let GemmShape { m, k, n } = plan.shape;
        let mut out = vec![0.0f32; numel(&out_shape)];
        {
            let (da_ref, db_ref) = (self.data(), other.data());
            let (da, db): (&[f32], &[f32]) = (&da_ref, &db_ref);
            let product = |batch: usize, c: &mut [f32]| {
                let (ia, ib) = (plan.a_batches[batch], plan.b_batches[batch]);
                gemm(
                    plan.shape,
                    matrix(da, ia, m * k),
                    Layout::AsIs,
                    matrix(db, ib, k * n),
                    Layout::AsIs,
                    c,
                );
            };
            if m * n == 0 {
                // Nothing to write (and no chunks to cut).
            } else if plan.forks_over_batches() {
                out.par_chunks_mut(m * n)
                    .enumerate()
                    .for_each(|(batch, c)| product(batch, c));
            } else {
                out.chunks_mut(m * n)
                    .enumerate()
                    .for_each(|(batch, c)| product(batch, c));
            }
        }
        Ok(Tensor::from_op(
            "matmul",
            out,
            out_shape,
            &[self, other],
            MatmulBackward { plan },
        ))
    }
}
