//! 2-D max and average pooling on NCHW tensors, one window per output, no weights.
//! Max pooling pads with -∞ (padding never wins) and routes the gradient to the first maximum
//! of each window; average pooling divides by the full window area, padding included
//! (PyTorch's default `count_include_pad=True`).

use crate::autograd::Backward;
use crate::ops::conv::window_out_len;
use crate::shape::{Result, ShapeError};
use crate::tensor::Tensor;

/// Window size, stride and zero padding per axis (height, width).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pool2dOptions {
    pub kernel: (usize, usize),
    pub stride: (usize, usize),
    pub padding: (usize, usize),
}

impl Pool2dOptions {
    /// The common case: a k×k window moved by k (non-overlapping), no padding.
    pub fn square(k: usize) -> Self {
        Pool2dOptions {
            kernel: (k, k),
            stride: (k, k),
            padding: (0, 0),
        }
    }
}

/// The input indices one output reads (None where the window lies in the padding).
type Window = Vec<Option<usize>>;

/// The output shape, and for each output element its window.
fn windows(
    op: &'static str,
    shape: &[usize],
    opt: Pool2dOptions,
) -> Result<(Vec<usize>, Vec<Window>)> {
    let [n, c, h, w] = *shape else {
        return Err(ShapeError::new(
            op,
            format!("input must be [N, C, H, W], got {shape:?}"),
        ));
    };
    let (kh, kw) = opt.kernel;
    let oh = window_out_len(h, kh, opt.stride.0, opt.padding.0, 1);
    let ow = window_out_len(w, kw, opt.stride.1, opt.padding.1, 1);
    let (Some(oh), Some(ow)) = (oh, ow) else {
        return Err(ShapeError::new(
            op,
            format!("a {kh}×{kw} window with {opt:?} does not fit an input of {h}×{w}"),
        ));
    };
    let mut all = Vec::with_capacity(n * c * oh * ow);
    for plane in 0..n * c {
        for oy in 0..oh {
            for ox in 0..ow {
                let mut window = Vec::with_capacity(kh * kw);
                for ky in 0..kh {
                    for kx in 0..kw {
                        let y = (oy * opt.stride.0 + ky).checked_sub(opt.padding.0);
                        let x = (ox * opt.stride.1 + kx).checked_sub(opt.padding.1);
                        window.push(match (y, x) {
                            (Some(y), Some(x)) if y < h && x < w => Some((plane * h + y) * w + x),
                            _ => None,
                        });
                    }
                }
                all.push(window);
            }
        }
    }
    Ok((vec![n, c, oh, ow], all))
}

struct MaxPoolBackward {
    winners: Vec<usize>,
}

impl Backward for MaxPoolBackward {
    fn name(&self) -> &'static str {
        "max_pool2d"
    }

    fn backward(&self, grad: &[f32], _out: &Tensor, inputs: &[Tensor]) -> Vec<Option<Vec<f32>>> {
        let mut dx = vec![0.0; inputs[0].numel()];
        for (&i, &g) in self.winners.iter().zip(grad) {
            dx[i] += g;
        }
        vec![Some(dx)]
    }
}

struct AvgPoolBackward {
    windows: Vec<Window>,
    area: f32,
}

impl Backward for AvgPoolBackward {
    fn name(&self) -> &'static str {
        "avg_pool2d"
    }

    fn backward(&self, grad: &[f32], _out: &Tensor, inputs: &[Tensor]) -> Vec<Option<Vec<f32>>> {
        let mut dx = vec![0.0; inputs[0].numel()];
        for (window, &g) in self.windows.iter().zip(grad) {
            for &i in window.iter().flatten() {
                dx[i] += g / self.area;
            }
        }
        vec![Some(dx)]
    }
}

impl Tensor {
    pub fn max_pool2d(&self, opt: Pool2dOptions) -> Result<Tensor> {
        let (shape, windows) = windows("max_pool2d", self.shape(), opt)?;
        let x = self.data();
        let mut values = Vec::with_capacity(windows.len());
        let mut winners = Vec::with_capacity(windows.len());
        for window in &windows {
            let mut best: Option<usize> = None;
            for &i in window.iter().flatten() {
                if best.is_none_or(|b| x[i] > x[b] || (x[i].is_nan() && !x[b].is_nan())) {
                    best = Some(i);
                }
            }
            // Padding as large as the window can leave a window with no input in it.
            match best {
                Some(b) => {
                    values.push(x[b]);
                    winners.push(b);
                }
                None => {
                    return Err(ShapeError::new(
                        "max_pool2d",
                        format!("{opt:?} makes a window of padding only"),
                    ));
                }
            }
        }
        drop(x);
        Ok(Tensor::from_op(
            values,
            shape,
            &[self],
            MaxPoolBackward { winners },
        ))
    }

    pub fn avg_pool2d(&self, opt: Pool2dOptions) -> Result<Tensor> {
        let (shape, windows) = windows("avg_pool2d", self.shape(), opt)?;
        let area = (opt.kernel.0 * opt.kernel.1) as f32;
        let x = self.data();
        let values = windows
            .iter()
            .map(|w| w.iter().flatten().map(|&i| x[i]).sum::<f32>() / area)
            .collect();
        drop(x);
        Ok(Tensor::from_op(
            values,
            shape,
            &[self],
            AvgPoolBackward { windows, area },
        ))
    }
}
