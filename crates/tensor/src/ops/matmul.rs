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
        let mut ga = a.tracks_grad().then(|| vec![0.0f32; a.numel()]);
        let mut gb = b.tracks_grad().then(|| vec![0.0f32; b.numel()]);
        if self.plan.forks_over_batches() && self.plan.one_to_one() {
            // Each batch's gradient is its own slice: computed whole on one thread, added
            // into zeros as the loop below does.
            if let Some(ga) = ga.as_mut() {
                ga.par_chunks_mut(m * k)
                    .enumerate()
                    .for_each(|(batch, into)| {
                        let mut scratch = vec![0.0f32; m * k];
                        gemm(
                            GemmShape { m, k: n, n: k },
                            &grad[batch * m * n..(batch + 1) * m * n],
                            Layout::AsIs,
                            &db[batch * k * n..(batch + 1) * k * n],
                            Layout::Transposed,
                            &mut scratch,
                        );
                        accumulate(into, &scratch);
                    });
            }
            if let Some(gb) = gb.as_mut() {
                gb.par_chunks_mut(k * n)
                    .enumerate()
                    .for_each(|(batch, into)| {
                        let mut scratch = vec![0.0f32; k * n];
                        gemm(
                            GemmShape { m: k, k: m, n },
                            &da[batch * m * k..(batch + 1) * m * k],
                            Layout::Transposed,
                            &grad[batch * m * n..(batch + 1) * m * n],
                            Layout::AsIs,
                            &mut scratch,
                        );
                        accumulate(into, &scratch);
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
            let g = &grad[batch * m * n..(batch + 1) * m * n];
            let a_mat = &da[ia * m * k..(ia + 1) * m * k];
            let b_mat = &db[ib * k * n..(ib + 1) * k * n];
            if let Some(ga) = ga.as_mut() {
                // ∂A[m×k] = ∂C[m×n] · Bᵀ
                gemm(
                    GemmShape { m, k: n, n: k },
                    g,
                    Layout::AsIs,
                    b_mat,
                    Layout::Transposed,
                    &mut scratch_a,
                );
                accumulate(&mut ga[ia * m * k..(ia + 1) * m * k], &scratch_a);
            }
            if let Some(gb) = gb.as_mut() {
                // ∂B[k×n] = Aᵀ · ∂C
                gemm(
                    GemmShape { m: k, k: m, n },
                    a_mat,
                    Layout::Transposed,
                    g,
                    Layout::AsIs,
                    &mut scratch_b,
                );
                accumulate(&mut gb[ib * k * n..(ib + 1) * k * n], &scratch_b);
            }
        }
        vec![ga, gb]
    }
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
                    &da[ia * m * k..(ia + 1) * m * k],
                    Layout::AsIs,
                    &db[ib * k * n..(ib + 1) * k * n],
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
