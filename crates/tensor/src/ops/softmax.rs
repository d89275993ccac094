//! Softmax and log-softmax over the last axis, numerically stable (the row maximum is
//! subtracted first). A row of -inf logits except some finite ones gives exact zeros where the
//! logits are -inf: that is how a causal mask removes future positions. A row that is -inf
//! everywhere (fully padded) gives all zeros from `softmax` (and -inf from `log_softmax`).
//! Other axes: permute so the axis is last (a composite, see `softmax_axis`).

use crate::autograd::Backward;
use crate::shape::{Result, ShapeError};
use crate::tensor::Tensor;

fn last_axis(op: &'static str, x: &Tensor) -> Result<usize> {
    match x.shape().last() {
        Some(&n) if n > 0 => Ok(n),
        _ => Err(ShapeError::new(
            op,
            format!("needs a non-empty last axis, got shape {:?}", x.shape()),
        )),
    }
}

/// Per row: (max, log Σ exp(x - max)).
fn row_stats(row: &[f32]) -> (f32, f32) {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let sum: f32 = row.iter().map(|&v| (v - max).exp()).sum();
    (max, sum.ln())
}

/// ∂x of an op over the last axis, from its output y: `row(dx, y, g)` fills one row of ∂x from
/// that row of y and of the gradient g.
fn dx_by_rows(
    width: usize,
    out: &Tensor,
    grad: &[f32],
    row: impl Fn(&mut [f32], &[f32], &[f32]),
) -> Vec<f32> {
    let y = out.data();
    let mut dx = vec![0.0; y.len()];
    for ((dx_row, y_row), g_row) in dx
        .chunks_mut(width)
        .zip(y.chunks(width))
        .zip(grad.chunks(width))
    {
        row(dx_row, y_row, g_row);
    }
    dx
}

struct SoftmaxBackward {
    width: usize,
}

impl Backward for SoftmaxBackward {
    fn backward(&self, grad: &[f32], out: &Tensor, _inputs: &[Tensor]) -> Vec<Option<Vec<f32>>> {
        // dx = y ⊙ (g − Σ g⊙y), row by row.
        let dx = dx_by_rows(self.width, out, grad, |dx, y, g| {
            let dot: f32 = y.iter().zip(g).map(|(a, b)| a * b).sum();
            for ((d, &yv), &gv) in dx.iter_mut().zip(y).zip(g) {
                *d = yv * (gv - dot);
            }
        });
        vec![Some(dx)]
    }
}

struct LogSoftmaxBackward {
    width: usize,
}

impl Backward for LogSoftmaxBackward {
    fn backward(&self, grad: &[f32], out: &Tensor, _inputs: &[Tensor]) -> Vec<Option<Vec<f32>>> {
        // dx = g − softmax ⊙ Σ g, with softmax = exp(out).
        let dx = dx_by_rows(self.width, out, grad, |dx, y, g| {
            let total: f32 = g.iter().sum();
            for ((d, &ly), &gv) in dx.iter_mut().zip(y).zip(g) {
                *d = gv - ly.exp() * total;
            }
        });
        vec![Some(dx)]
    }
}

impl Tensor {
    /// Softmax over the last axis.
    pub fn softmax(&self) -> Result<Tensor> {
        let width = last_axis("softmax", self)?;
        let mut out = self.to_vec();
        for row in out.chunks_mut(width) {
            let (max, _) = row_stats(row);
            if max == f32::NEG_INFINITY {
                // Every position masked (a fully padded row): attend to nothing. Zeros here
                // also make the backward exactly zero instead of NaN.
                row.fill(0.0);
                continue;
            }
            row.iter_mut().for_each(|v| *v = (*v - max).exp());
            let sum: f32 = row.iter().sum();
            row.iter_mut().for_each(|v| *v /= sum);
        }
        Ok(Tensor::from_op(
            "softmax",
            out,
            self.shape().to_vec(),
            &[self],
            SoftmaxBackward { width },
        ))
    }

    /// log(softmax(x)) over the last axis, computed as x − max − log Σ exp(x − max).
    pub fn log_softmax(&self) -> Result<Tensor> {
        let width = last_axis("log_softmax", self)?;
        let mut out = self.to_vec();
        for row in out.chunks_mut(width) {
            let (max, log_sum) = row_stats(row);
            row.iter_mut().for_each(|v| *v = *v - max - log_sum);
        }
        Ok(Tensor::from_op(
            "log_softmax",
            out,
            self.shape().to_vec(),
            &[self],
            LogSoftmaxBackward { width },
        ))
    }

    /// Softmax over any axis (composite: moves the axis last and back).
    pub fn softmax_axis(&self, axis: usize) -> Result<Tensor> {
        let last = self
            .rank()
            .checked_sub(1)
            .ok_or_else(|| ShapeError::new("softmax", "needs at least one axis"))?;
        if axis == last {
            return self.softmax();
        }
        self.transpose(axis, last)?.softmax()?.transpose(axis, last)
    }
}
