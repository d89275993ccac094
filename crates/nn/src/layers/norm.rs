//! Batch normalisation (the notes: standardise each unit's pre-activation over the mini-batch,
//! then y = γ x̂ + β with γ and β learnt) and layer normalisation (the same over one example's
//! features, as Transformers use).

use super::Parameters;
use crate::init;
use std::cell::RefCell;
use tensor::shape::ShapeError;
use tensor::{Result, Tensor};

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
        // One primitive (tensor::ops::norm): as broadcasting ops it cost a ResNet ~40% of its step.
        if training {
            let (y, stats) = x.batch_norm(&self.gamma, &self.beta, None, self.eps)?;
            if let Some(stats) = stats {
                let count = x.numel() / self.gamma.numel().max(1);
                // The running variance is the unbiased estimate, as PyTorch keeps it.
                let unbiased = count as f32 / (count.max(2) - 1) as f32;
                let m = self.momentum;
                let mut running = self.running.borrow_mut();
                for (r, v) in running.0.iter_mut().zip(&stats.mean) {
                    *r = (1.0 - m) * *r + m * v;
                }
                for (r, v) in running.1.iter_mut().zip(&stats.var) {
                    *r = (1.0 - m) * *r + m * v * unbiased;
                }
            }
            Ok(y)
        } else {
            let (mean, var) = self.running_stats();
            let (y, _) = x.batch_norm(&self.gamma, &self.beta, Some((&mean, &var)), self.eps)?;
            Ok(y)
        }
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
