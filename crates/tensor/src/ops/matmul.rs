//! Matrix product with broadcast batch dimensions: [..., m, k] · [..., k, n] → [..., m, n].
//! Backward: ∂A = ∂C·Bᵀ and ∂B = Aᵀ·∂C, both through the same GEMM with transposed strides.

use crate::autograd::Backward;
use crate::kernels::gemm::{gemm, GemmShape, Layout};
use crate::shape::{broadcast_shapes, numel, BroadcastIndex, Result, ShapeError};
use crate::tensor::Tensor;

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

struct MatmulBackward {
    plan: BatchPlan,
}

impl Backward for MatmulBackward {
    fn name(&self) -> &'static str {
        "matmul"
    }

    fn backward(&self, grad: &[f32], _out: &Tensor, inputs: &[Tensor]) -> Vec<Option<Vec<f32>>> {
        let (a, b) = (&inputs[0], &inputs[1]);
        let GemmShape { m, k, n } = self.plan.shape;
        let (da, db) = (a.data(), b.data());
        let mut ga = a.tracks_grad().then(|| vec![0.0f32; a.numel()]);
        let mut gb = b.tracks_grad().then(|| vec![0.0f32; b.numel()]);
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
            let (da, db) = (self.data(), other.data());
            for (batch, (&ia, &ib)) in plan.a_batches.iter().zip(&plan.b_batches).enumerate() {
                gemm(
                    plan.shape,
                    &da[ia * m * k..(ia + 1) * m * k],
                    Layout::AsIs,
                    &db[ib * k * n..(ib + 1) * k * n],
                    Layout::AsIs,
                    &mut out[batch * m * n..(batch + 1) * m * n],
                );
            }
        }
        Ok(Tensor::from_op(
            out,
            out_shape,
            &[self, other],
            MatmulBackward { plan },
        ))
    }
}
