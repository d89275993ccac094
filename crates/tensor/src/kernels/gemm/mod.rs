//! Matrix product C = op(A)·op(B) for f32 matrices, where op is the identity or a transpose
//! (backward passes need A·Bᵀ and Aᵀ·B as often as A·B; strides make them free).
//!
//! Two kernels, one set of bits per target:
//! - in the browser (wasm simd128), [`blocked`]: B packed once and shared by the threads, a 4×8
//!   micro-kernel, rows or blocks of k split between threads. It computes every output exactly
//!   as `matrixmultiply`'s simd128 kernel did before it (same blocks of k, same additions in
//!   the same order), so no link's numbers moved when it replaced that kernel; the in-browser
//!   tests check it bit for bit against `matrixmultiply`.
//! - natively, `matrixmultiply` (its AVX/FMA kernels are 3× faster than anything portable) on
//!   blocks of [`GEMM_ROW_BLOCK`] rows of C.
//!
//! Either way a product is bit-identical on 1 or 16 threads.

use rayon::prelude::*;

mod blocked;
mod micro;

use blocked::Operand;
pub use blocked::KC;

/// Rows of C per parallel task. Fixed so results never depend on the number of threads;
/// large enough that a task amortises the fork/join cost (~15-100 µs in wasm).
pub const GEMM_ROW_BLOCK: usize = 64;

/// Below this many multiply-adds a product runs on the calling thread: a fork/join round trip
/// in wasm costs about as much as a 64×64×64 product now that the pool's idle worker keeps
/// looking for work across a step's forks (vendor/rayon-core); it was 128×128×64 while each
/// fork woke a sleeping worker. At 64³ the LSTM's per-gate products ([32 × 160]·[160 × 128])
/// fork, and its two-thread step gained 15% in the same page; the CNN, MLP and Transformer
/// steps did not move. (Same blocks either way: same bits.)
pub const GEMM_PARALLEL_MIN_WORK: usize = 64 * 64 * 64;

/// C[m×n] = op(A)[m×k] · op(B)[k×n].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GemmShape {
    pub m: usize,
    pub k: usize,
    pub n: usize,
}

/// How a matrix operand is stored: row-major as used, or row-major of its transpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Layout {
    #[default]
    AsIs,
    Transposed,
}

impl GemmShape {
    fn check(&self, a: &[f32], b: &[f32], c: &[f32]) {
        let GemmShape { m, k, n } = *self;
        // Checked products: a wrapped m·k on wasm32 could pass with short slices, and the
        // unsafe kernel below would then read out of bounds.
        let size = |x: usize, y: usize| x.checked_mul(y);
        assert!(
            size(m, k) == Some(a.len()) && size(k, n) == Some(b.len()) && size(m, n) == Some(c.len()),
            "matmul: A has {} values (expected {m}×{k}), B has {} (expected {k}×{n}), C has {} (expected {m}×{n})",
            a.len(),
            b.len(),
            c.len()
        );
    }
}

/// (row stride, column stride) of an operand of `rows`×`cols` as used.
fn strides_of(layout: Layout, rows: usize, cols: usize) -> (usize, usize) {
    match layout {
        Layout::AsIs => (cols, 1),
        Layout::Transposed => (1, rows),
    }
}

/// The scalar oracle: the textbook triple loop, reading through the same strides.
pub fn gemm_scalar(shape: GemmShape, a: &[f32], la: Layout, b: &[f32], lb: Layout, c: &mut [f32]) {
    shape.check(a, b, c);
    let GemmShape { m, k, n } = shape;
    let (ra, ca) = strides_of(la, m, k);
    let (rb, cb) = strides_of(lb, k, n);
    for i in 0..m {
        for j in 0..n {
            let mut sum = 0.0f32;
            for p in 0..k {
                sum += a[i * ra + p * ca] * b[p * rb + j * cb];
            }
            c[i * n + j] = sum;
        }
    }
}

/// The scalar oracle in the blocked order: each output sums its products from +0 over each
/// block of [`KC`] steps of k, and adds the blocks' sums in order (`matrixmultiply`'s order,
/// and so [`Kernel::Blocked`]'s, bit for bit, where neither fuses a multiply-add).
pub fn gemm_scalar_in_blocks(
    shape: GemmShape,
    a: &[f32],
    la: Layout,
    b: &[f32],
    lb: Layout,
    c: &mut [f32],
) {
    shape.check(a, b, c);
    let GemmShape { m, k, n } = shape;
    let (ra, ca) = strides_of(la, m, k);
    let (rb, cb) = strides_of(lb, k, n);
    for i in 0..m {
        for j in 0..n {
            let mut total = 0.0f32;
            for (block, k0) in (0..k).step_by(KC).enumerate() {
                let mut sum = 0.0f32;
                for p in k0..k.min(k0 + KC) {
                    sum += b[p * rb + j * cb] * a[i * ra + p * ca];
                }
                total = if block == 0 { sum } else { total + sum };
            }
            c[i * n + j] = total;
        }
    }
}

/// Which kernel computes a product.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernel {
    /// Ours ([`blocked`]): what the browser runs.
    Blocked,
    /// `matrixmultiply` in blocks of [`GEMM_ROW_BLOCK`] rows: what runs natively, and what the
    /// browser ran before (the in-browser tests compare the two bit for bit, and the benchmark
    /// suite races them in the same page).
    Matrixmultiply,
}

impl Kernel {
    /// This target's kernel.
    pub const TARGET: Kernel = if super::SIMD128 {
        Kernel::Blocked
    } else {
        Kernel::Matrixmultiply
    };
}

/// C = op(A)·op(B) by the given kernel, on the pool when `parallel`. (Natively the blocked
/// kernel runs its plain-f32 model of the simd128 micro-kernel, for the tests.)
// The kernel, the product's seven arguments and the pool: bundling them would only rename them.
#[allow(clippy::too_many_arguments)]
pub fn gemm_with(
    kernel: Kernel,
    shape: GemmShape,
    a: &[f32],
    la: Layout,
    b: &[f32],
    lb: Layout,
    c: &mut [f32],
    parallel: bool,
) {
    shape.check(a, b, c);
    let GemmShape { m, k, n } = shape;
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        c.fill(0.0);
        return;
    }
    match kernel {
        Kernel::Blocked => {
            let operand = |data, layout, rows, cols| {
                let (row, col) = strides_of(layout, rows, cols);
                Operand { data, row, col }
            };
            let (a, b) = (operand(a, la, m, k), operand(b, lb, k, n));
            blocked::gemm_blocked(shape, a, b, c, parallel);
        }
        Kernel::Matrixmultiply => {
            let block = |(index, c_rows): (usize, &mut [f32])| {
                let rows = c_rows.len() / n;
                gemm_rows(shape, index * GEMM_ROW_BLOCK, rows, a, la, b, lb, c_rows);
            };
            if parallel {
                c.par_chunks_mut(GEMM_ROW_BLOCK * n)
                    .enumerate()
                    .for_each(block);
            } else {
                c.chunks_mut(GEMM_ROW_BLOCK * n).enumerate().for_each(block);
            }
        }
    }
}

/// One block of rows [row0, row0+rows) of C with the packed kernel; `c` holds just those rows.
// The eight arguments are the BLAS call's own; bundling them would only rename them.
#[allow(clippy::too_many_arguments)]
fn gemm_rows(
    shape: GemmShape,
    row0: usize,
    rows: usize,
    a: &[f32],
    la: Layout,
    b: &[f32],
    lb: Layout,
    c: &mut [f32],
) {
    let GemmShape { m, k, n } = shape;
    let (ra, ca) = strides_of(la, m, k);
    let (rb, cb) = strides_of(lb, k, n);
    debug_assert!(row0 + rows <= m && c.len() == rows * n);
    // SAFETY: every index the kernel forms, row0·ra + i·ra + p·ca (i < rows, p < k) and
    // p·rb + j·cb (j < n), lies inside a (m·k values) and b (k·n values), as checked by
    // GemmShape::check; c is rows×n row-major. beta = 0 overwrites C.
    unsafe {
        matrixmultiply::sgemm(
            rows,
            k,
            n,
            1.0,
            a.as_ptr().add(row0 * ra),
            ra as isize,
            ca as isize,
            b.as_ptr(),
            rb as isize,
            cb as isize,
            0.0,
            c.as_mut_ptr(),
            n as isize,
            1,
        );
    }
}

/// Whether [`gemm`] forks this product onto the pool: large enough, with something to share,
/// and not inside [`crate::parallel::sequential`]. The blocked kernel shares two tiles of rows
/// or several blocks of k; `matrixmultiply` natively shares row blocks only (a weight gradient
/// Xᵀ·dY of a 64-wide layer has 64 rows: one block, and a fork would only add its round trip).
pub fn uses_pool(shape: GemmShape) -> bool {
    let work = shape.m.saturating_mul(shape.k).saturating_mul(shape.n);
    let shareable = if super::SIMD128 {
        shape.m >= 2 * micro::MR || shape.k > KC
    } else {
        shape.m > GEMM_ROW_BLOCK
    };
    crate::parallel::allowed() && work >= GEMM_PARALLEL_MIN_WORK && shareable
}

/// C = op(A)·op(B), on the rayon pool when the product is large enough. Whether it is and how
/// many threads it has change no bit of the result.
pub fn gemm(shape: GemmShape, a: &[f32], la: Layout, b: &[f32], lb: Layout, c: &mut [f32]) {
    gemm_with(Kernel::TARGET, shape, a, la, b, lb, c, uses_pool(shape));
}

/// C = A·B on the calling thread, block by block (the reference for [`par_matmul`]).
pub fn matmul(shape: GemmShape, a: &[f32], b: &[f32], c: &mut [f32]) {
    plain_product(shape, a, b, c, false);
}

/// C = A·B on the rayon pool whatever its size: the same blocks and so the same bits as [`matmul`].
pub fn par_matmul(shape: GemmShape, a: &[f32], b: &[f32], c: &mut [f32]) {
    plain_product(shape, a, b, c, true);
}

fn plain_product(shape: GemmShape, a: &[f32], b: &[f32], c: &mut [f32], parallel: bool) {
    let as_is = Layout::AsIs;
    gemm_with(Kernel::TARGET, shape, a, as_is, b, as_is, c, parallel);
}

/// The scalar oracle for C = A·B.
pub fn matmul_scalar(shape: GemmShape, a: &[f32], b: &[f32], c: &mut [f32]) {
    gemm_scalar(shape, a, Layout::AsIs, b, Layout::AsIs, c);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parallel::sequential;

    #[test]
    fn large_products_use_the_pool_unless_asked_for_sequential_work() {
        let big = GemmShape {
            m: 256,
            k: 256,
            n: 256,
        };
        let small = GemmShape {
            m: 16,
            k: 16,
            n: 16,
        };
        assert!(uses_pool(big));
        assert!(!uses_pool(small));
        assert!(!sequential(|| uses_pool(big)));
        assert!(uses_pool(big), "the flag is restored after sequential()");
    }
}
