//! Reductions over axes: sum, mean, max (with keepdim), and argmax. A reduction is the adjoint
//! of a broadcast, so it is written with the same index map (`shape::BroadcastIndex`).

use crate::autograd::Backward;
use crate::ops::layout::GatherBackward;
use crate::shape::{numel, sum_to_shape, BroadcastIndex, Result, ShapeError};
use crate::tensor::Tensor;

/// The shape with the reduced axes kept as size 1, after checking the axes.
fn kept_shape(op: &'static str, shape: &[usize], axes: &[usize]) -> Result<Vec<usize>> {
    let mut kept = shape.to_vec();
    for &axis in axes {
        if axis >= shape.len() {
            return Err(ShapeError::new(
                op,
                format!("axis {axis} is out of range for shape {shape:?}"),
            ));
        }
        kept[axis] = 1;
    }
    Ok(kept)
}

fn result_shape(kept: &[usize], shape: &[usize], axes: &[usize], keepdim: bool) -> Vec<usize> {
    if keepdim {
        return kept.to_vec();
    }
    shape
        .iter()
        .enumerate()
        .filter(|(i, _)| !axes.contains(i))
        .map(|(_, &d)| d)
        .collect()
}

/// Reads the reduced (kept-shape) gradient at every input position.
fn broadcast_back(grad: &[f32], kept: &[usize], input_shape: &[usize]) -> Vec<f32> {
    BroadcastIndex::new(kept, input_shape).read(grad)
}

struct SumBackward {
    kept: Vec<usize>,
    /// 1 for sum, 1/count for mean.
    factor: f32,
}

impl Backward for SumBackward {
    fn backward(&self, grad: &[f32], _out: &Tensor, inputs: &[Tensor]) -> Vec<Option<Vec<f32>>> {
        let mut g = broadcast_back(grad, &self.kept, inputs[0].shape());
        if self.factor != 1.0 {
            g.iter_mut().for_each(|v| *v *= self.factor);
        }
        vec![Some(g)]
    }
}

impl Tensor {
    /// Sum over `axes` (all axes if empty is NOT implied: pass them). `keepdim` keeps size-1 axes.
    pub fn sum_axes(&self, axes: &[usize], keepdim: bool) -> Result<Tensor> {
        self.sum_scaled("sum", axes, keepdim, false)
    }

    /// Mean over `axes`.
    pub fn mean_axes(&self, axes: &[usize], keepdim: bool) -> Result<Tensor> {
        self.sum_scaled("mean", axes, keepdim, true)
    }

    /// Sum of every element, as a scalar tensor.
    pub fn sum_all(&self) -> Tensor {
        let axes: Vec<usize> = (0..self.rank()).collect();
        self.sum_scaled("sum", &axes, false, false)
            .expect("all axes are in range")
    }

    /// Mean of every element, as a scalar tensor.
    pub fn mean_all(&self) -> Tensor {
        let axes: Vec<usize> = (0..self.rank()).collect();
        self.sum_scaled("mean", &axes, false, true)
            .expect("all axes are in range")
    }

    fn sum_scaled(
        &self,
        op: &'static str,
        axes: &[usize],
        keepdim: bool,
        mean: bool,
    ) -> Result<Tensor> {
        let kept = kept_shape(op, self.shape(), axes)?;
        let count = (self.numel() / numel(&kept).max(1)).max(1);
        let factor = if mean { 1.0 / count as f32 } else { 1.0 };
        let mut data = sum_to_shape(&self.data(), self.shape(), &kept);
        if mean {
            data.iter_mut().for_each(|v| *v *= factor);
        }
        let shape = result_shape(&kept, self.shape(), axes, keepdim);
        // A mean over axes holding one value each divides by nothing: it is recorded as the
        // sum it is.
        let name = if factor == 1.0 { "sum" } else { "mean" };
        Ok(Tensor::from_op(
            name,
            data,
            shape,
            &[self],
            SumBackward { kept, factor },
        ))
    }

    /// Maximum over `axes`; the gradient goes to the first maximal element of each group.
    pub fn max_axes(&self, axes: &[usize], keepdim: bool) -> Result<Tensor> {
        let kept = kept_shape("max", self.shape(), axes)?;
        if self.numel() == 0 {
            return Err(ShapeError::new(
                "max",
                "the maximum of an empty tensor is undefined",
            ));
        }
        let (values, winners) = self.group_max(&kept);
        let shape = result_shape(&kept, self.shape(), axes, keepdim);
        // Each maximum is the input value at its winner: a gather, with a gather's backward.
        let backward = GatherBackward { indices: winners };
        Ok(Tensor::from_op("max", values, shape, &[self], backward))
    }

    /// Index of the maximum along one axis (first one on ties), with that axis removed.
    pub fn argmax(&self, axis: usize) -> Result<Vec<usize>> {
        let kept = kept_shape("argmax", self.shape(), &[axis])?;
        if self.shape()[axis] == 0 {
            return Err(ShapeError::new(
                "argmax",
                format!("axis {axis} of {:?} is empty", self.shape()),
            ));
        }
        let (_, winners) = self.group_max(&kept);
        let stride: usize = self.shape()[axis + 1..].iter().product();
        Ok(winners
            .iter()
            .map(|&w| (w / stride) % self.shape()[axis])
            .collect())
    }

    /// Max of each group of input elements that map to one kept-shape position, and where it is.
    /// NaN wins (so a NaN loss shows up instead of hiding).
    fn group_max(&self, kept: &[usize]) -> (Vec<f32>, Vec<usize>) {
        let out_len = numel(kept);
        let mut values = vec![f32::NEG_INFINITY; out_len];
        let mut winners = vec![usize::MAX; out_len];
        let data = self.data();
        for (i, o) in BroadcastIndex::new(kept, self.shape())
            .indices()
            .into_iter()
            .enumerate()
        {
            let v = data[i];
            if winners[o] == usize::MAX || v > values[o] || (v.is_nan() && !values[o].is_nan()) {
                values[o] = v;
                winners[o] = i;
            }
        }
        (values, winners)
    }
}
