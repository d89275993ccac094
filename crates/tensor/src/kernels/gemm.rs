//! Matrix product C = A·B for row-major f32 matrices.
//!
//! The packed, blocked kernel is `matrixmultiply`'s: it selects its wasm simd128 8×8 microkernel
//! at compile time, and measured here at ~31 GFLOP/s on one thread in Chromium, about what
//! XNNPACK reaches (see ../shared/perf/peers.md). Threads split C into blocks of
//! [`GEMM_ROW_BLOCK`] rows; the block boundaries do not depend on the thread count and each
//! output element is computed by one call, so a product is bit-identical on 1 or 16 threads.

use rayon::prelude::*;

/// Rows of C per parallel task. Fixed so results never depend on the number of threads;
/// large enough that a task amortises the fork/join cost (~15-100 µs in wasm).
pub const GEMM_ROW_BLOCK: usize = 64;

/// Shapes of C[m×n] = A[m×k] · B[k×n], checked once before any kernel runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GemmShape {
    pub m: usize,
    pub k: usize,
    pub n: usize,
}

impl GemmShape {
    fn check(&self, a: &[f32], b: &[f32], c: &[f32]) {
        let GemmShape { m, k, n } = *self;
        assert!(
            a.len() == m * k && b.len() == k * n && c.len() == m * n,
            "matmul: A has {} values (expected {m}×{k}), B has {} (expected {k}×{n}), C has {} (expected {m}×{n})",
            a.len(),
            b.len(),
            c.len()
        );
    }
}

/// The scalar oracle: the textbook triple loop (i, p, j order so B is read along rows).
pub fn matmul_scalar(shape: GemmShape, a: &[f32], b: &[f32], c: &mut [f32]) {
    shape.check(a, b, c);
    let GemmShape { m, k, n } = shape;
    for i in 0..m {
        let c_row = &mut c[i * n..(i + 1) * n];
        c_row.fill(0.0);
        for (p, &a_ip) in a[i * k..(i + 1) * k].iter().enumerate() {
            let b_row = &b[p * n..(p + 1) * n];
            for (c_ij, &b_pj) in c_row.iter_mut().zip(b_row) {
                *c_ij += a_ip * b_pj;
            }
        }
    }
}

/// One block of rows of C with the packed kernel. `a` and `c` hold just those rows.
fn matmul_rows(rows: usize, k: usize, n: usize, a: &[f32], b: &[f32], c: &mut [f32]) {
    // SAFETY: a is rows×k, b is k×n, c is rows×n, all row-major and contiguous (checked by
    // GemmShape::check and the chunking in the callers); beta = 0 overwrites C.
    unsafe {
        matrixmultiply::sgemm(
            rows,
            k,
            n,
            1.0,
            a.as_ptr(),
            k as isize,
            1,
            b.as_ptr(),
            n as isize,
            1,
            0.0,
            c.as_mut_ptr(),
            n as isize,
            1,
        );
    }
}

/// C = A·B on the calling thread, block by block: the same blocks and so the same bits as
/// [`par_matmul`].
pub fn matmul(shape: GemmShape, a: &[f32], b: &[f32], c: &mut [f32]) {
    shape.check(a, b, c);
    let GemmShape { k, n, .. } = shape;
    if n == 0 || k == 0 {
        c.fill(0.0);
        return;
    }
    for (a_rows, c_rows) in a
        .chunks(GEMM_ROW_BLOCK * k.max(1))
        .zip(c.chunks_mut(GEMM_ROW_BLOCK * n))
    {
        matmul_rows(c_rows.len() / n, k, n, a_rows, b, c_rows);
    }
}

/// C = A·B on the rayon pool, one task per block of [`GEMM_ROW_BLOCK`] rows.
pub fn par_matmul(shape: GemmShape, a: &[f32], b: &[f32], c: &mut [f32]) {
    shape.check(a, b, c);
    let GemmShape { k, n, .. } = shape;
    if n == 0 || k == 0 {
        c.fill(0.0);
        return;
    }
    a.par_chunks(GEMM_ROW_BLOCK * k)
        .zip(c.par_chunks_mut(GEMM_ROW_BLOCK * n))
        .for_each(|(a_rows, c_rows)| matmul_rows(c_rows.len() / n, k, n, a_rows, b, c_rows));
}
