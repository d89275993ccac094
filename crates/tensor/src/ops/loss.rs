//! Losses. Cross-entropy and binary cross-entropy take logits and are fused primitives: their
//! gradients (softmax − one-hot, sigmoid − target) are exact and stable where a composite of
//! log and exp would lose precision. MSE is a composite.

use crate::autograd::Backward;
use crate::ops::unary::sigmoid;
use crate::shape::{Result, ShapeError};
use crate::tensor::Tensor;

struct CrossEntropyBackward {
    classes: usize,
    targets: Vec<usize>,
    /// Rows that count (not the ignore index), and 1/their number.
    counted: Vec<bool>,
    scale: f32,
}

impl Backward for CrossEntropyBackward {
    fn backward(&self, grad: &[f32], _out: &Tensor, inputs: &[Tensor]) -> Vec<Option<Vec<f32>>> {
        let logits = inputs[0].data();
        let g = grad[0] * self.scale;
        let mut dx = vec![0.0; logits.len()];
        for (row, (dx_row, x_row)) in dx
            .chunks_mut(self.classes.max(1))
            .zip(logits.chunks(self.classes.max(1)))
            .enumerate()
        {
            if !self.counted[row] {
                continue;
            }
            let max = x_row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let sum: f32 = x_row.iter().map(|&v| (v - max).exp()).sum();
            for (d, &v) in dx_row.iter_mut().zip(x_row) {
                *d = g * (v - max).exp() / sum;
            }
            dx_row[self.targets[row]] -= g;
        }
        vec![Some(dx)]
    }
}

struct BceBackward {
    scale: f32,
}

impl Backward for BceBackward {
    fn backward(&self, grad: &[f32], _out: &Tensor, inputs: &[Tensor]) -> Vec<Option<Vec<f32>>> {
        let (x, t) = (inputs[0].data(), inputs[1].data());
        let g = grad[0] * self.scale;
        let dx = x
            .iter()
            .zip(t.iter())
            .map(|(&x, &t)| g * (sigmoid(x) - t))
            .collect();
        let dt = x.iter().map(|&x| -g * x).collect();
        vec![Some(dx), Some(dt)]
    }
}

/// A loss that compares `values` (its logits or predictions, as `what` says) with `targets`
/// element for element needs the same shapes: broadcasting [N] against [N, 1] would silently
/// compare every value with every target.
fn same_shape_as_targets(
    op: &'static str,
    what: &str,
    values: &Tensor,
    targets: &Tensor,
) -> Result<()> {
    if values.shape() == targets.shape() {
        return Ok(());
    }
    Err(ShapeError::new(
        op,
        format!(
            "{what} {:?} and targets {:?} differ",
            values.shape(),
            targets.shape()
        ),
    ))
}

impl Tensor {
    /// Mean cross-entropy of logits [N, C] against class indices, skipping rows whose target is
    /// `ignore_index` (padding). With every row ignored the loss is 0.
    pub fn cross_entropy(&self, targets: &[usize], ignore_index: Option<usize>) -> Result<Tensor> {
        let [rows, classes] = *self.shape() else {
            return Err(ShapeError::new(
                "cross_entropy",
                format!("logits must be [N, C], got {:?}", self.shape()),
            ));
        };
        if targets.len() != rows {
            return Err(ShapeError::new(
                "cross_entropy",
                format!("{} targets for {rows} rows of logits", targets.len()),
            ));
        }
        let counted: Vec<bool> = targets.iter().map(|&t| Some(t) != ignore_index).collect();
        if let Some((_, &bad)) = targets
            .iter()
            .zip(&counted)
            .find(|(&t, &c)| c && t >= classes)
        {
            return Err(ShapeError::new(
                "cross_entropy",
                format!("target {bad} is out of range for {classes} classes"),
            ));
        }
        let count = counted.iter().filter(|&&c| c).count();
        let scale = if count == 0 { 0.0 } else { 1.0 / count as f32 };
        let mut total = 0.0f32;
        {
            let x = self.data();
            for (row, x_row) in x.chunks(classes.max(1)).enumerate() {
                if counted[row] {
                    let max = x_row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                    let log_sum = x_row.iter().map(|&v| (v - max).exp()).sum::<f32>().ln();
                    total += max + log_sum - x_row[targets[row]];
                }
            }
        }
        let backward = CrossEntropyBackward {
            classes,
            targets: targets.to_vec(),
            counted,
            scale,
        };
        Ok(Tensor::from_op(
            "cross_entropy",
            vec![total * scale],
            vec![],
            &[self],
            backward,
        ))
    }

    /// Mean binary cross-entropy of logits against targets in [0, 1] (same shape), computed
    /// stably as max(x,0) − x·t + log(1 + e^{−|x|}).
    pub fn binary_cross_entropy_with_logits(&self, targets: &Tensor) -> Result<Tensor> {
        same_shape_as_targets("binary_cross_entropy", "logits", self, targets)?;
        let scale = 1.0 / self.numel().max(1) as f32;
        let total: f32 = self
            .data()
            .iter()
            .zip(targets.data().iter())
            .map(|(&x, &t)| x.max(0.0) - x * t + (-x.abs()).exp().ln_1p())
            .sum();
        Ok(Tensor::from_op(
            "binary_cross_entropy",
            vec![total * scale],
            vec![],
            &[self, targets],
            BceBackward { scale },
        ))
    }

    /// Mean squared error (composite) of predictions against targets of the same shape.
    pub fn mse(&self, targets: &Tensor) -> Result<Tensor> {
        same_shape_as_targets("mse", "predictions", self, targets)?;
        Ok(self.sub(targets)?.square().mean_all())
    }

    /// Dropout: zeroes each element with probability `p` and scales the rest by 1/(1−p), with a
    /// mask drawn from `rng` (so a seeded run drops the same units). Composite: x ⊙ mask.
    pub fn dropout(&self, p: f32, rng: &mut crate::rng::Rng) -> Result<Tensor> {
        if !(0.0..1.0).contains(&p) {
            return Err(ShapeError::new(
                "dropout",
                format!("probability {p} must be in [0, 1)"),
            ));
        }
        let keep = 1.0 / (1.0 - p);
        let mask: Vec<f32> = (0..self.numel())
            .map(|_| if rng.next_f32() < p { 0.0 } else { keep })
            .collect();
        self.mul(&Tensor::from_vec(mask, self.shape())?)
    }
}
