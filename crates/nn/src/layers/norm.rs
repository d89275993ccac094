//! Batch normalisation (the notes: standardise each unit's pre-activation over the mini-batch,
//! then y = γ x̂ + β with γ and β learnt) and layer normalisation (the same over one example's
//! features, as Transformers use).

use super::Parameters;
use crate::init;
use std::cell::RefCell;
use tensor::shape::ShapeError;
use tensor::{no_grad, Result, Tensor};

pub struct BatchNorm {
    pub gamma: Tensor,
    pub beta: Tensor,
    /// Weight of the newest batch in the running statistics.
    pub momentum: f32,
    pub eps: f32,
    running: RefCell<(Vec<f32>, Vec<f32>)>,
}

impl BatchNorm {
    /// For `channels` units: [N, C] inputs (BatchNorm1d) or [N, C, H, W] (BatchNorm2d).
    pub fn new(channels: usize) -> BatchNorm {
        BatchNorm {
            gamma: init::ones(&[channels]),
            beta: init::zeros(&[channels]),
            momentum: 0.1,
            eps: 1e-5,
            running: RefCell::new((vec![0.0; channels], vec![1.0; channels])),
        }
    }

    /// The running mean and (unbiased) variance used in evaluation.
    pub fn running_stats(&self) -> (Vec<f32>, Vec<f32>) {
        self.running.borrow().clone()
    }

    /// Training: normalise with the batch's statistics and fold them into the running ones.
    /// Evaluation: normalise with the running statistics (one example at a time works too).
    pub fn forward(&self, x: &Tensor, training: bool) -> Result<Tensor> {
        let c = self.gamma.numel();
        let (axes, stat_shape): (Vec<usize>, Vec<usize>) = match x.shape() {
            [_, ch] if *ch == c => (vec![0], vec![1, c]),
            [_, ch, _, _] if *ch == c => (vec![0, 2, 3], vec![1, c, 1, 1]),
            other => {
                return Err(ShapeError::new(
                    "batch_norm",
                    format!("expects [N, {c}] or [N, {c}, H, W], got {other:?}"),
                ))
            }
        };
        let gamma = self.gamma.reshape(&stat_shape)?;
        let beta = self.beta.reshape(&stat_shape)?;
        let normalised = if training {
            let mean = x.mean_axes(&axes, true)?;
            let centred = x.sub(&mean)?;
            let var = centred.square().mean_axes(&axes, true)?;
            let count = x.numel() / c.max(1);
            no_grad(|| {
                let mut running = self.running.borrow_mut();
                let unbiased = count as f32 / (count.max(2) - 1) as f32;
                let m = self.momentum;
                for (r, v) in running.0.iter_mut().zip(mean.data().iter()) {
                    *r = (1.0 - m) * *r + m * v;
                }
                for (r, v) in running.1.iter_mut().zip(var.data().iter()) {
                    *r = (1.0 - m) * *r + m * v * unbiased;
                }
            });
            centred.div(&var.shift(self.eps).sqrt())?
        } else {
            let (mean, var) = self.running_stats();
            let mean = Tensor::from_vec(mean, &stat_shape)?;
            let std = Tensor::from_vec(
                var.iter().map(|v| (v + self.eps).sqrt()).collect(),
                &stat_shape,
            )?;
            x.sub(&mean)?.div(&std)?
        };
        normalised.mul(&gamma)?.add(&beta)
    }
}

impl Parameters for BatchNorm {
    fn parameters(&self) -> Vec<(String, Tensor)> {
        vec![
            ("gamma".to_string(), self.gamma.clone()),
            ("beta".to_string(), self.beta.clone()),
        ]
    }
}

/// Normalises each example over its last axis (size `dim`), then γ x̂ + β.
pub struct LayerNorm {
    pub gamma: Tensor,
    pub beta: Tensor,
    pub eps: f32,
}

impl LayerNorm {
    pub fn new(dim: usize) -> LayerNorm {
        LayerNorm {
            gamma: init::ones(&[dim]),
            beta: init::zeros(&[dim]),
            eps: 1e-5,
        }
    }

    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let last = x
            .rank()
            .checked_sub(1)
            .ok_or_else(|| ShapeError::new("layer_norm", "needs at least one axis"))?;
        if x.shape()[last] != self.gamma.numel() {
            return Err(ShapeError::new(
                "layer_norm",
                format!(
                    "last axis of {:?} must be {}",
                    x.shape(),
                    self.gamma.numel()
                ),
            ));
        }
        let centred = x.sub(&x.mean_axes(&[last], true)?)?;
        let var = centred.square().mean_axes(&[last], true)?;
        centred
            .div(&var.shift(self.eps).sqrt())?
            .mul(&self.gamma)?
            .add(&self.beta)
    }
}

impl Parameters for LayerNorm {
    fn parameters(&self) -> Vec<(String, Tensor)> {
        vec![
            ("gamma".to_string(), self.gamma.clone()),
            ("beta".to_string(), self.beta.clone()),
        ]
    }
}
