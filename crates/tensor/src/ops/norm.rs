//! Batch normalisation over channels as one primitive, forward and backward side by side.
//! Built from broadcasting ops it spent ~40% of a small ResNet's training step in index
//! arithmetic (`strided_indices`, `sum_to_shape`); here each channel is a few plain loops.
//!
//! x is [N, C] or [N, C, H, W]; each channel's statistics run over the m = N·H·W values that
//! share it. Training normalises with the batch's mean and (biased) variance, evaluation with
//! given running statistics. Backward (the standard derivation, x̂ = (x − μ)·s, s = 1/√(σ² + ε)):
//!   ∂β = Σ dy,  ∂γ = Σ dy·x̂,
//!   training:   ∂x = γ·s/m · (m·dy − Σ dy − x̂·Σ dy·x̂)   (μ and σ² depend on x)
//!   evaluation: ∂x = γ·s · dy                            (running statistics are constants)

use crate::autograd::Backward;
use crate::parallel::{allowed, for_each_chunk_mut, ELEMENT_CHUNK};
use crate::shape::{Result, ShapeError};
use crate::tensor::Tensor;
use rayon::prelude::*;

/// A batch's per-channel mean and biased variance (what a layer folds into running ones).
#[derive(Clone, Debug, PartialEq)]
pub struct BatchStats {
    pub mean: Vec<f32>,
    pub var: Vec<f32>,
}

/// [N, C, S] view of the input: `s` values per (example, channel) plane.
#[derive(Clone, Copy)]
struct Planes {
    n: usize,
    c: usize,
    s: usize,
}

impl Planes {
    /// Calls `f(plane_values)` for every plane of channel `ch`, in example order.
    fn for_channel<'a>(&self, data: &'a [f32], ch: usize, mut f: impl FnMut(&'a [f32])) {
        for n in 0..self.n {
            let start = (n * self.c + ch) * self.s;
            f(&data[start..start + self.s]);
        }
    }

    /// Per-channel values, each computed by `f(ch)`, on the pool when allowed (channels are
    /// independent, each summed in a fixed order: the same bits on any thread count).
    fn per_channel(&self, f: impl Fn(usize) -> (f32, f32) + Sync + Send) -> Vec<(f32, f32)> {
        if allowed() {
            (0..self.c).into_par_iter().map(f).collect()
        } else {
            (0..self.c).map(f).collect()
        }
    }

    /// Fills `out` element by element from `f(channel, index)`, in chunks of whole planes.
    fn fill(&self, out: &mut [f32], f: impl Fn(usize, usize) -> f32 + Sync) {
        let s = self.s.max(1);
        let chunk = (ELEMENT_CHUNK / s).max(1) * s;
        for_each_chunk_mut(out, chunk, |k, part| {
            let first = k * chunk;
            // Plane by plane: the channel is found once per plane, not per value.
            for (q, plane) in part.chunks_mut(s).enumerate() {
                let start = first + q * s;
                let ch = (start / s) % self.c;
                for (j, v) in plane.iter_mut().enumerate() {
                    *v = f(ch, start + j);
                }
            }
        });
    }
}

struct BatchNormBackward {
    planes: Planes,
    /// x̂ of the forward pass.
    normalised: Vec<f32>,
    /// 1/√(σ² + ε) per channel.
    inv_std: Vec<f32>,
    /// Whether μ and σ² came from this batch (and so depend on x).
    batch_stats: bool,
}

impl Backward for BatchNormBackward {
    fn backward(&self, grad: &[f32], _out: &Tensor, inputs: &[Tensor]) -> Vec<Option<Vec<f32>>> {
        let p = self.planes;
        let m = (p.n * p.s) as f32;
        let xhat = &self.normalised;
        // Σ dy and Σ dy·x̂ per channel.
        let sums = p.per_channel(|ch| {
            let (mut sum, mut dot) = (0.0f32, 0.0f32);
            for n in 0..p.n {
                let start = (n * p.c + ch) * p.s;
                for i in start..start + p.s {
                    sum += grad[i];
                    dot += grad[i] * xhat[i];
                }
            }
            (sum, dot)
        });
        let gamma = inputs[1].to_vec();
        let dx = inputs[0].tracks_grad().then(|| {
            let mut dx = vec![0.0f32; grad.len()];
            p.fill(&mut dx, |ch, i| {
                let scale = gamma[ch] * self.inv_std[ch];
                if self.batch_stats {
                    let (sum, dot) = sums[ch];
                    scale / m * (m * grad[i] - sum - xhat[i] * dot)
                } else {
                    scale * grad[i]
                }
            });
            dx
        });
        let dgamma = inputs[1]
            .tracks_grad()
            .then(|| sums.iter().map(|s| s.1).collect());
        let dbeta = inputs[2]
            .tracks_grad()
            .then(|| sums.iter().map(|s| s.0).collect());
        vec![dx, dgamma, dbeta]
    }
}

impl Tensor {
    /// y = γ·(x − μ)/√(σ² + ε) + β per channel of x [N, C] or [N, C, H, W]. `running`: the
    /// statistics to use (evaluation); `None`: this batch's, which are returned too.
    pub fn batch_norm(
        &self,
        gamma: &Tensor,
        beta: &Tensor,
        running: Option<(&[f32], &[f32])>,
        eps: f32,
    ) -> Result<(Tensor, Option<BatchStats>)> {
        let planes = match *self.shape() {
            [n, c] => Planes { n, c, s: 1 },
            [n, c, h, w] => Planes { n, c, s: h * w },
            _ => {
                return Err(ShapeError::new(
                    "batch_norm",
                    format!("expects [N, C] or [N, C, H, W], got {:?}", self.shape()),
                ))
            }
        };
        let c = planes.c;
        if gamma.shape() != [c] || beta.shape() != [c] {
            return Err(ShapeError::new(
                "batch_norm",
                format!(
                    "γ and β must be [{c}] for {:?}, got {:?} and {:?}",
                    self.shape(),
                    gamma.shape(),
                    beta.shape()
                ),
            ));
        }
        if let Some((mean, var)) = running {
            if mean.len() != c || var.len() != c {
                return Err(ShapeError::new(
                    "batch_norm",
                    format!(
                        "running statistics must have {c} values, got {} and {}",
                        mean.len(),
                        var.len()
                    ),
                ));
            }
        }
        let guard = self.data();
        let x: &[f32] = &guard;
        let m = (planes.n * planes.s).max(1) as f32;
        let (mean, var, batch_stats) = match running {
            Some((mean, var)) => (mean.to_vec(), var.to_vec(), false),
            None => {
                // Two passes (mean, then squared deviations): no cancellation in E[x²] − μ².
                let stats = planes.per_channel(|ch| {
                    let mut sum = 0.0f32;
                    planes.for_channel(x, ch, |plane| sum += plane.iter().sum::<f32>());
                    let mean = sum / m;
                    let mut sq = 0.0f32;
                    planes.for_channel(x, ch, |plane| {
                        sq += plane.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>()
                    });
                    (mean, sq / m)
                });
                (
                    stats.iter().map(|s| s.0).collect(),
                    stats.iter().map(|s| s.1).collect(),
                    true,
                )
            }
        };
        let inv_std: Vec<f32> = var.iter().map(|v| 1.0 / (v + eps).sqrt()).collect();
        let mut normalised = vec![0.0f32; x.len()];
        planes.fill(&mut normalised, |ch, i| (x[i] - mean[ch]) * inv_std[ch]);
        drop(guard);
        let (g, b) = (gamma.to_vec(), beta.to_vec());
        let mut out = vec![0.0f32; normalised.len()];
        planes.fill(&mut out, |ch, i| g[ch] * normalised[i] + b[ch]);
        let stats = batch_stats.then(|| BatchStats {
            mean: mean.clone(),
            var: var.clone(),
        });
        let y = Tensor::from_op(
            "batch_norm",
            out,
            self.shape().to_vec(),
            &[self, gamma, beta],
            BatchNormBackward {
                planes,
                normalised,
                inv_std,
                batch_stats,
            },
        );
        Ok((y, stats))
    }
}
