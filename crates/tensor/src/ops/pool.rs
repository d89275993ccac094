//! 2-D max and average pooling on NCHW tensors, one window per output, no weights.
//! Max pooling pads with -∞ (padding never wins) and routes the gradient to the first maximum
//! of each window; average pooling divides by the full window area, padding included
//! (PyTorch's default `count_include_pad=True`).

use crate::autograd::Backward;
use crate::ops::conv::window_out_len;
use crate::parallel::for_each_chunk_mut_by_work;
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

/// Output geometry of one pooling call: walks every window without allocating one.
#[derive(Clone, Copy)]
struct Windows {
    planes: usize,
    h: usize,
    w: usize,
    oh: usize,
    ow: usize,
    opt: Pool2dOptions,
}

impl Windows {
    fn new(op: &'static str, shape: &[usize], opt: Pool2dOptions) -> Result<Windows> {
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
        Ok(Windows {
            planes: n * c,
            h,
            w,
            oh,
            ow,
            opt,
        })
    }

    fn out_shape(&self, shape: &[usize]) -> Vec<usize> {
        vec![shape[0], shape[1], self.oh, self.ow]
    }

    /// Calls `f(output index, input index)` for every input position inside every window of
    /// the planes in `planes`, in output order then row-major window order (padding positions
    /// are skipped; indices are over the whole tensor).
    #[inline]
    fn for_each_in(&self, planes: std::ops::Range<usize>, mut f: impl FnMut(usize, usize)) {
        let (kh, kw) = self.opt.kernel;
        let (sh, sw) = self.opt.stride;
        let (ph, pw) = self.opt.padding;
        let mut out = planes.start * self.oh * self.ow;
        for plane in planes {
            let base = plane * self.h * self.w;
            for oy in 0..self.oh {
                // Rows of this window that fall inside the input.
                let y0 = (oy * sh).saturating_sub(ph);
                let y1 = (oy * sh + kh).saturating_sub(ph).min(self.h);
                for ox in 0..self.ow {
                    let x0 = (ox * sw).saturating_sub(pw);
                    let x1 = (ox * sw + kw).saturating_sub(pw).min(self.w);
                    for y in y0..y1 {
                        for x in x0..x1 {
                            f(out, base + y * self.w + x);
                        }
                    }
                    out += 1;
                }
            }
        }
    }

    fn count(&self) -> usize {
        self.planes * self.oh * self.ow
    }

    /// Runs `f(planes, chunk)` over chunks of `out` holding `per_plane` values for each of
    /// [`PLANES_PER_CHUNK`] planes, on the pool when allowed and the windows are worth a fork
    /// (planes never share values).
    fn per_planes<T: Send>(
        &self,
        out: &mut [T],
        per_plane: usize,
        f: impl Fn(std::ops::Range<usize>, &mut [T]) + Sync,
    ) {
        let per_plane = per_plane.max(1);
        let (kh, kw) = self.opt.kernel;
        let work = (self.planes * self.oh * self.ow)
            .saturating_mul(kh * kw)
            .saturating_mul(WINDOW_STEP_COST);
        for_each_chunk_mut_by_work(out, PLANES_PER_CHUNK * per_plane, work, |c, chunk| {
            let first = c * PLANES_PER_CHUNK;
            f(first..first + chunk.len() / per_plane, chunk)
        });
    }
}

/// Planes (one channel of one image) per parallel chunk of pooling work.
const PLANES_PER_CHUNK: usize = 16;

/// What one step of a window (an index, a compare, a branch) costs in element-wise values'
/// worth, for the fork decision: in the browser's profile of the CNN lab, the max-pool over
/// conv1's 401k values took ~10% of the engine thread's time on one thread while it stayed
/// under the element-wise fork threshold, about eight times what ReLU spends on a value.
const WINDOW_STEP_COST: usize = 8;

struct MaxPoolBackward {
    windows: Windows,
    winners: Vec<usize>,
}

impl Backward for MaxPoolBackward {
    fn backward(&self, grad: &[f32], _out: &Tensor, inputs: &[Tensor]) -> Vec<Option<Vec<f32>>> {
        let mut dx = crate::parallel::zeros(inputs[0].numel());
        let w = &self.windows;
        let (plane_in, plane_out) = (w.h * w.w, w.oh * w.ow);
        // Each window's winner lies in its own plane: planes are independent.
        w.per_planes(&mut dx, plane_in, |planes, dx| {
            let base = planes.start * plane_in;
            let outs = planes.start * plane_out..planes.end * plane_out;
            for (&i, &g) in self.winners[outs.clone()].iter().zip(&grad[outs]) {
                dx[i - base] += g;
            }
        });
        vec![Some(dx)]
    }
}

struct AvgPoolBackward {
    windows: Windows,
    area: f32,
}

impl Backward for AvgPoolBackward {
    fn backward(&self, grad: &[f32], _out: &Tensor, inputs: &[Tensor]) -> Vec<Option<Vec<f32>>> {
        let mut dx = vec![0.0; inputs[0].numel()];
        let w = &self.windows;
        w.per_planes(&mut dx, w.h * w.w, |planes, dx| {
            let base = planes.start * w.h * w.w;
            w.for_each_in(planes, |o, i| dx[i - base] += grad[o] / self.area);
        });
        vec![Some(dx)]
    }
}

impl Tensor {
    pub fn max_pool2d(&self, opt: Pool2dOptions) -> Result<Tensor> {
        let windows = Windows::new("max_pool2d", self.shape(), opt)?;
        let mut winners = vec![usize::MAX; windows.count()];
        {
            let guard = self.data();
            let x: &[f32] = &guard;
            // First maximum wins; NaN wins over numbers, so a NaN shows instead of hiding.
            let per_plane = windows.oh * windows.ow;
            windows.per_planes(&mut winners, per_plane, |planes, winners| {
                let base = planes.start * per_plane;
                windows.for_each_in(planes, |o, i| {
                    let best = winners[o - base];
                    if best == usize::MAX || x[i] > x[best] || (x[i].is_nan() && !x[best].is_nan())
                    {
                        winners[o - base] = i;
                    }
                });
            });
        }
        // Padding as large as the window can leave a window with no input in it.
        if winners.contains(&usize::MAX) {
            return Err(ShapeError::new(
                "max_pool2d",
                format!("{opt:?} makes a window of padding only"),
            ));
        }
        let values = {
            let x = self.data();
            winners.iter().map(|&i| x[i]).collect()
        };
        Ok(Tensor::from_op(
            "max_pool2d",
            values,
            windows.out_shape(self.shape()),
            &[self],
            MaxPoolBackward { windows, winners },
        ))
    }

    pub fn avg_pool2d(&self, opt: Pool2dOptions) -> Result<Tensor> {
        let windows = Windows::new("avg_pool2d", self.shape(), opt)?;
        let area = (opt.kernel.0 * opt.kernel.1) as f32;
        let mut sums = vec![0.0f32; windows.count()];
        {
            let guard = self.data();
            let x: &[f32] = &guard;
            let per_plane = windows.oh * windows.ow;
            windows.per_planes(&mut sums, per_plane, |planes, sums| {
                let base = planes.start * per_plane;
                windows.for_each_in(planes, |o, i| sums[o - base] += x[i]);
            });
        }
        sums.iter_mut().for_each(|s| *s /= area);
        Ok(Tensor::from_op(
            "avg_pool2d",
            sums,
            windows.out_shape(self.shape()),
            &[self],
            AvgPoolBackward { windows, area },
        ))
    }
}
