//! 2-D convolution (cross-correlation, as every framework computes it) on NCHW tensors, with
//! stride, zero padding and dilation, through im2row + one GEMM for the whole batch:
//!
//! rows[N·H'·W', C·kh·kw] holds each output position's receptive field, so
//! out_rows[N·H'·W', O] = rows · Wᵀ, and backward is two more products:
//! ∂rows = ∂out_rows · W (scattered back into ∂x by row2im) and ∂W = ∂out_rowsᵀ · rows.
//! One large GEMM (M = N·H'·W') parallelises far better than N small ones. Images are
//! unfolded and folded in parallel, one task per image: no two tasks write the same value.

use crate::autograd::Backward;
use crate::kernels::copy::copy_run;
use crate::kernels::gemm::{gemm, GemmShape, Layout};
use crate::shape::{Result, ShapeError};
use crate::tensor::Tensor;
use rayon::prelude::*;
use std::mem::MaybeUninit;

/// Stride, padding and dilation of a 2-D window, per axis (height, width).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conv2dOptions {
    pub stride: (usize, usize),
    pub padding: (usize, usize),
    pub dilation: (usize, usize),
}

impl Default for Conv2dOptions {
    fn default() -> Self {
        Conv2dOptions {
            stride: (1, 1),
            padding: (0, 0),
            dilation: (1, 1),
        }
    }
}

/// Everything the unfold needs, derived once from the shapes.
#[derive(Clone, Copy, Debug)]
struct Geometry {
    n: usize,
    c: usize,
    h: usize,
    w: usize,
    kh: usize,
    kw: usize,
    oh: usize,
    ow: usize,
    opt: Conv2dOptions,
}

/// Rows of the unfolded input per partial product of the weight gradient (fixed, so the
/// additions happen in the same order on any number of threads).
const DW_CHUNK_ROWS: usize = 2048;

/// Output length of one axis of a sliding window, or None when the (dilated) window does not
/// fit or a parameter is zero. Shared by convolution and pooling.
pub(crate) fn window_out_len(
    len: usize,
    k: usize,
    stride: usize,
    pad: usize,
    dil: usize,
) -> Option<usize> {
    if stride == 0 || dil == 0 || k == 0 {
        return None;
    }
    // Checked: absurd sizes from a user's configuration must fail, not wrap.
    let span = dil.checked_mul(k - 1)?.checked_add(1)?;
    let padded = pad.checked_mul(2)?.checked_add(len)?;
    (padded >= span).then(|| (padded - span) / stride + 1)
}

impl Geometry {
    fn new(
        op: &'static str,
        x: &[usize],
        kh: usize,
        kw: usize,
        opt: Conv2dOptions,
    ) -> Result<Geometry> {
        let [n, c, h, w] = *x else {
            return Err(ShapeError::new(
                op,
                format!("input must be [N, C, H, W], got {x:?}"),
            ));
        };
        let oh = window_out_len(h, kh, opt.stride.0, opt.padding.0, opt.dilation.0);
        let ow = window_out_len(w, kw, opt.stride.1, opt.padding.1, opt.dilation.1);
        match (oh, ow) {
            (Some(oh), Some(ow)) => Ok(Geometry {
                n,
                c,
                h,
                w,
                kh,
                kw,
                oh,
                ow,
                opt,
            }),
            _ => Err(ShapeError::new(
                op,
                format!("a {kh}×{kw} window with {opt:?} does not fit an input of {h}×{w}"),
            )),
        }
    }

    fn positions(&self) -> usize {
        self.oh * self.ow
    }

    fn patch(&self) -> usize {
        self.c * self.kh * self.kw
    }

    /// Input row read by output row `oy` at kernel row `ky` (None in the zero padding).
    #[inline]
    fn source_y(&self, oy: usize, ky: usize) -> Option<usize> {
        (oy * self.opt.stride.0 + ky * self.opt.dilation.0)
            .checked_sub(self.opt.padding.0)
            .filter(|&y| y < self.h)
    }

    /// Calls `f(t, i, len)` for each run of taps of output position (oy, ox) that read `len`
    /// consecutive input values: taps t..t+len (t over (ci, ky, kx) in row-major order) read
    /// input indices i..i+len. Without dilation a kernel row is one run (a slice copy); with it,
    /// every tap is its own run. Padding taps are skipped. This loop is the convolution's hot
    /// spot outside the GEMM, so rows and column ranges are resolved once per kernel row.
    #[inline]
    fn for_each_run(&self, oy: usize, ox: usize, mut f: impl FnMut(usize, usize, usize)) {
        let plane = self.h * self.w;
        let dil = self.opt.dilation.1;
        // Kernel columns whose input column lies inside the image: kx in lo..hi.
        let first = (ox * self.opt.stride.1) as isize - self.opt.padding.1 as isize;
        let lo = (0..self.kw)
            .find(|&kx| first + (kx * dil) as isize >= 0)
            .unwrap_or(self.kw);
        let hi = (lo..self.kw)
            .take_while(|&kx| ((first + (kx * dil) as isize) as usize) < self.w)
            .last()
            .map_or(lo, |k| k + 1);
        if lo == hi {
            return;
        }
        let x_lo = (first + (lo * dil) as isize) as usize;
        for ci in 0..self.c {
            for ky in 0..self.kh {
                let Some(y) = self.source_y(oy, ky) else {
                    continue;
                };
                let (t, i) = (
                    (ci * self.kh + ky) * self.kw + lo,
                    ci * plane + y * self.w + x_lo,
                );
                if dil == 1 {
                    f(t, i, hi - lo);
                } else {
                    for step in 0..hi - lo {
                        f(t + step, i + step * dil, 1);
                    }
                }
            }
        }
    }

    /// Unfolds one image [C, H, W] into rows [H'·W', C·kh·kw] (`rows` arrives zeroed, so
    /// padding taps are left as they are).
    fn im2row(&self, image: &[f32], rows: &mut [f32]) {
        let patch = self.patch();
        for oy in 0..self.oh {
            for ox in 0..self.ow {
                let row = &mut rows[(oy * self.ow + ox) * patch..][..patch];
                self.for_each_run(oy, ox, |t, i, len| {
                    copy_run(&mut row[t..t + len], &image[i..i + len])
                });
            }
        }
    }

    /// The adjoint of `im2row` for one image: adds each row entry back where it was read.
    fn row2im(&self, rows: &[f32], image: &mut [f32]) {
        let patch = self.patch();
        for oy in 0..self.oh {
            for ox in 0..self.ow {
                let row = &rows[(oy * self.ow + ox) * patch..][..patch];
                self.for_each_run(oy, ox, |t, i, len| {
                    image[i..i + len]
                        .iter_mut()
                        .zip(&row[t..t + len])
                        .for_each(|(v, r)| *v += r)
                });
            }
        }
    }

    fn unfold(&self, x: &[f32]) -> Vec<f32> {
        let len = self.n * self.positions() * self.patch();
        let image_len = (self.c * self.h * self.w).max(1);
        let row_len = (self.positions() * self.patch()).max(1);
        // Each image's rows are zeroed by the task that fills them: a zeroed allocation is
        // one `memory.fill` on the calling thread, and for a batch's rows (10 MB in the small
        // CNN) it took a tenth of the engine thread's time in the browser's profile.
        let mut rows: Vec<f32> = Vec::with_capacity(len);
        let spare = &mut rows.spare_capacity_mut()[..len];
        let zeroed = |r: &mut [MaybeUninit<f32>]| -> &mut [f32] {
            r.fill(MaybeUninit::new(0.0));
            // SAFETY: every value of `r` was just written, and MaybeUninit<f32> has f32's layout.
            unsafe { &mut *(r as *mut [MaybeUninit<f32>] as *mut [f32]) }
        };
        // Chunk by chunk of the rows, not zipped with the images: an image with no pixels
        // (a height or width of 0, padded) still has rows of padding to zero.
        let image = |i: usize| x.get(i * image_len..(i + 1) * image_len).unwrap_or(&[]);
        if crate::parallel::allowed() {
            spare
                .par_chunks_mut(row_len)
                .enumerate()
                .for_each(|(i, r)| self.im2row(image(i), zeroed(r)));
        } else {
            spare
                .chunks_mut(row_len)
                .enumerate()
                .for_each(|(i, r)| self.im2row(image(i), zeroed(r)));
        }
        // SAFETY: the chunks cover all `len` values, and each was zeroed above.
        unsafe { rows.set_len(len) };
        rows
    }
}

/// Pairs each image's chunk of `out` with its chunk of `input`; in parallel unless the caller
/// asked for sequential work. Images never share output values, so the result is the same.
fn for_each_image(
    out: &mut [f32],
    out_len: usize,
    input: &[f32],
    in_len: usize,
    f: impl Fn(&mut [f32], &[f32]) + Sync,
) {
    if crate::parallel::allowed() {
        out.par_chunks_mut(out_len)
            .zip(input.par_chunks(in_len))
            .for_each(|(o, i)| f(o, i));
    } else {
        out.chunks_mut(out_len)
            .zip(input.chunks(in_len))
            .for_each(|(o, i)| f(o, i));
    }
}

/// [N·H'·W', O] → [N, O, H'·W'] (+ bias per channel): the GEMM works on rows, the tensor is
/// NCHW. Image by image, on the pool.
fn rows_to_nchw(rows: &[f32], o: usize, positions: usize, bias: Option<&[f32]>) -> Vec<f32> {
    let mut out = crate::parallel::zeros(rows.len());
    let image = (o * positions).max(1);
    for_each_image(&mut out, image, rows, image, |out, rows| {
        for ch in 0..o {
            let b = bias.map_or(0.0, |b| b[ch]);
            for (p, v) in out[ch * positions..(ch + 1) * positions]
                .iter_mut()
                .enumerate()
            {
                *v = rows[p * o + ch] + b;
            }
        }
    });
    out
}

/// [N, O, H'·W'] → [N·H'·W', O], image by image.
fn nchw_to_rows(x: &[f32], o: usize, positions: usize) -> Vec<f32> {
    let mut rows = crate::parallel::zeros(x.len());
    let image = (o * positions).max(1);
    for_each_image(&mut rows, image, x, image, |rows, x| {
        for ch in 0..o {
            for (p, &v) in x[ch * positions..(ch + 1) * positions].iter().enumerate() {
                rows[p * o + ch] = v;
            }
        }
    });
    rows
}

struct Conv2dBackward {
    geo: Geometry,
    out_channels: usize,
    /// The unfolded input, kept from the forward pass for ∂W.
    rows: Vec<f32>,
}

impl Backward for Conv2dBackward {
    fn backward(&self, grad: &[f32], _out: &Tensor, inputs: &[Tensor]) -> Vec<Option<Vec<f32>>> {
        let g = &self.geo;
        let (o, m, patch) = (self.out_channels, g.n * g.positions(), g.patch());
        let g_rows = nchw_to_rows(grad, o, g.positions());
        let (x, w) = (&inputs[0], &inputs[1]);

        let dx = x.tracks_grad().then(|| {
            // ∂rows[M, patch] = ∂out_rows[M, O] · W[O, patch], then fold back image by image.
            let mut d_rows = crate::parallel::zeros(m * patch);
            gemm(
                GemmShape { m, k: o, n: patch },
                &g_rows,
                Layout::AsIs,
                &w.data(),
                Layout::AsIs,
                &mut d_rows,
            );
            let mut dx = vec![0.0f32; x.numel()];
            for_each_image(
                &mut dx,
                (g.c * g.h * g.w).max(1),
                &d_rows,
                (g.positions() * patch).max(1),
                |img, r| g.row2im(r, img),
            );
            dx
        });
        let dw = w.tracks_grad().then(|| {
            // ∂W[O, patch] = Σ over chunks of rows of ∂out_rowsᵀ[O, rows] · rows[rows, patch].
            // O is small (8, 16): one GEMM would be one row block on one thread, so the long
            // M axis is cut into fixed chunks, multiplied in parallel and added in order
            // (same bits on any thread count).
            let partial = |start: usize| {
                let len = DW_CHUNK_ROWS.min(m - start);
                let mut part = vec![0.0f32; o * patch];
                gemm(
                    GemmShape {
                        m: o,
                        k: len,
                        n: patch,
                    },
                    &g_rows[start * o..(start + len) * o],
                    Layout::Transposed,
                    &self.rows[start * patch..(start + len) * patch],
                    Layout::AsIs,
                    &mut part,
                );
                part
            };
            let starts: Vec<usize> = (0..m).step_by(DW_CHUNK_ROWS).collect();
            let parts: Vec<Vec<f32>> = if crate::parallel::allowed() {
                starts.par_iter().map(|&s| partial(s)).collect()
            } else {
                starts.iter().map(|&s| partial(s)).collect()
            };
            let mut dw = vec![0.0f32; o * patch];
            for part in parts {
                dw.iter_mut().zip(part).for_each(|(d, p)| *d += p);
            }
            dw
        });
        let mut grads = vec![dx, dw];
        if let Some(bias) = inputs.get(2) {
            // ∂b[o] = Σ over batch and positions of ∂out[·, o, ·].
            grads.push(bias.tracks_grad().then(|| {
                let mut db = vec![0.0f32; o];
                for row in g_rows.chunks(o) {
                    db.iter_mut().zip(row).for_each(|(d, v)| *d += v);
                }
                db
            }));
        }
        grads
    }
}

impl Tensor {
    /// Cross-correlation of `self` [N, C, H, W] with `weight` [O, C, kh, kw] (+ `bias` [O]).
    pub fn conv2d(
        &self,
        weight: &Tensor,
        bias: Option<&Tensor>,
        opt: Conv2dOptions,
    ) -> Result<Tensor> {
        let [o, wc, kh, kw] = *weight.shape() else {
            return Err(ShapeError::new(
                "conv2d",
                format!("weight must be [O, C, kh, kw], got {:?}", weight.shape()),
            ));
        };
        let geo = Geometry::new("conv2d", self.shape(), kh, kw, opt)?;
        if wc != geo.c {
            return Err(ShapeError::new(
                "conv2d",
                format!(
                    "input {:?} has {} channels, weight {:?} expects {wc}",
                    self.shape(),
                    geo.c,
                    weight.shape()
                ),
            ));
        }
        if o == 0 {
            return Err(ShapeError::new(
                "conv2d",
                "needs at least one output channel",
            ));
        }
        if let Some(b) = bias {
            if b.shape() != [o] {
                return Err(ShapeError::new(
                    "conv2d",
                    format!("bias must be [{o}], got {:?}", b.shape()),
                ));
            }
        }
        let (m, patch) = (geo.n * geo.positions(), geo.patch());
        let rows = geo.unfold(&self.data());
        let mut out_rows = crate::parallel::zeros(m * o);
        // out_rows[M, O] = rows[M, patch] · Wᵀ (W is stored [O, patch]).
        gemm(
            GemmShape { m, k: patch, n: o },
            &rows,
            Layout::AsIs,
            &weight.data(),
            Layout::Transposed,
            &mut out_rows,
        );
        let bias_values = bias.map(|b| b.data());
        let data = rows_to_nchw(
            &out_rows,
            o,
            geo.positions(),
            bias_values.as_deref().map(|b| &b[..]),
        );
        drop(bias_values);
        let shape = vec![geo.n, o, geo.oh, geo.ow];
        let inputs: Vec<&Tensor> = std::iter::once(self)
            .chain(Some(weight))
            .chain(bias)
            .collect();
        let keep_rows = if weight.tracks_grad() {
            rows
        } else {
            Vec::new()
        };
        Ok(Tensor::from_op(
            "conv2d",
            data,
            shape,
            &inputs,
            Conv2dBackward {
                geo,
                out_channels: o,
                rows: keep_rows,
            },
        ))
    }
}
