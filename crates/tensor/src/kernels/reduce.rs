//! Sum and dot product with a simd128 path, bit-identical to their scalar oracle and on any
//! thread count. (The ops' reductions over axes use `shape::sum_to_shape`, not these yet.)
//!
//! Rounding depends on the order of additions, so the order is part of the definition:
//! - within a chunk, eight running partial sums (lane `i % 8` takes element `i`), combined
//!   pairwise at the end, `((p0+p4)+(p2+p6)) + ((p1+p5)+(p3+p7))` — exactly what two 4-lane
//!   SIMD accumulators do, so the scalar and simd128 paths give the *same bits*;
//! - across chunks of [`REDUCE_CHUNK`] elements, chunk sums are added left to right, so the
//!   sequential and rayon-parallel paths give the same bits on any number of threads.

use rayon::prelude::*;

/// Elements per chunk. Fixed (never derived from the thread count) so results are reproducible.
pub const REDUCE_CHUNK: usize = 16 * 1024;

/// Sum of one chunk, scalar: the oracle for [`sum_chunk`].
pub fn sum_chunk_scalar(x: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let body = x.len() / 8 * 8;
    for block in x[..body].chunks_exact(8) {
        for (lane, v) in lanes.iter_mut().zip(block) {
            *lane += *v;
        }
    }
    combine_lanes(lanes) + tail_sum(&x[body..])
}

/// Dot product of one chunk, scalar: the oracle for [`dot_chunk`]. Multiply then add, each
/// rounded (no fused multiply-add), as the simd128 path does.
pub fn dot_chunk_scalar(x: &[f32], y: &[f32]) -> f32 {
    assert_eq!(x.len(), y.len(), "dot: lengths {} and {}", x.len(), y.len());
    let mut lanes = [0.0f32; 8];
    let body = x.len() / 8 * 8;
    for (bx, by) in x[..body].chunks_exact(8).zip(y[..body].chunks_exact(8)) {
        for ((lane, a), b) in lanes.iter_mut().zip(bx).zip(by) {
            *lane += *a * *b;
        }
    }
    let tail: f32 = x[body..]
        .iter()
        .zip(&y[body..])
        .fold(0.0, |s, (a, b)| s + a * b);
    combine_lanes(lanes) + tail
}

fn combine_lanes(p: [f32; 8]) -> f32 {
    ((p[0] + p[4]) + (p[2] + p[6])) + ((p[1] + p[5]) + (p[3] + p[7]))
}

fn tail_sum(x: &[f32]) -> f32 {
    x.iter().fold(0.0, |s, v| s + v)
}

/// Sum of one chunk with the fastest kernel this build has; bit-identical to [`sum_chunk_scalar`].
pub fn sum_chunk(x: &[f32]) -> f32 {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        simd::sum_chunk(x)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        sum_chunk_scalar(x)
    }
}

/// Dot product of one chunk with the fastest kernel this build has; bit-identical to
/// [`dot_chunk_scalar`].
pub fn dot_chunk(x: &[f32], y: &[f32]) -> f32 {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        simd::dot_chunk(x, y)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        dot_chunk_scalar(x, y)
    }
}

/// Sum of all elements on the calling thread, chunk by chunk.
pub fn sum(x: &[f32]) -> f32 {
    x.chunks(REDUCE_CHUNK)
        .map(sum_chunk)
        .fold(0.0, |s, c| s + c)
}

/// Sum of all elements on the rayon pool: bit-identical to [`sum`] on any number of threads,
/// because chunk sums are collected in order and then added left to right.
pub fn par_sum(x: &[f32]) -> f32 {
    let partials: Vec<f32> = x.par_chunks(REDUCE_CHUNK).map(sum_chunk).collect();
    partials.into_iter().fold(0.0, |s, c| s + c)
}

/// Dot product on the calling thread.
pub fn dot(x: &[f32], y: &[f32]) -> f32 {
    assert_eq!(x.len(), y.len(), "dot: lengths {} and {}", x.len(), y.len());
    x.chunks(REDUCE_CHUNK)
        .zip(y.chunks(REDUCE_CHUNK))
        .map(|(a, b)| dot_chunk(a, b))
        .fold(0.0, |s, c| s + c)
}

/// Dot product on the rayon pool: bit-identical to [`dot`].
pub fn par_dot(x: &[f32], y: &[f32]) -> f32 {
    assert_eq!(x.len(), y.len(), "dot: lengths {} and {}", x.len(), y.len());
    let partials: Vec<f32> = x
        .par_chunks(REDUCE_CHUNK)
        .zip(y.par_chunks(REDUCE_CHUNK))
        .map(|(a, b)| dot_chunk(a, b))
        .collect();
    partials.into_iter().fold(0.0, |s, c| s + c)
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use core::arch::wasm32::*;

    fn lanes(acc: [v128; 2]) -> [f32; 8] {
        let [a, b] = acc;
        [
            f32x4_extract_lane::<0>(a),
            f32x4_extract_lane::<1>(a),
            f32x4_extract_lane::<2>(a),
            f32x4_extract_lane::<3>(a),
            f32x4_extract_lane::<0>(b),
            f32x4_extract_lane::<1>(b),
            f32x4_extract_lane::<2>(b),
            f32x4_extract_lane::<3>(b),
        ]
    }

    /// Loads 4 floats. `chunks_exact(8)` guarantees the slice is long enough.
    fn load(x: &[f32]) -> v128 {
        debug_assert!(x.len() >= 4);
        // SAFETY: x has at least 4 elements; v128_load has no alignment requirement.
        unsafe { v128_load(x.as_ptr() as *const v128) }
    }

    pub fn sum_chunk(x: &[f32]) -> f32 {
        let mut acc = [f32x4_splat(0.0); 2];
        let body = x.len() / 8 * 8;
        for block in x[..body].chunks_exact(8) {
            acc[0] = f32x4_add(acc[0], load(&block[..4]));
            acc[1] = f32x4_add(acc[1], load(&block[4..]));
        }
        super::combine_lanes(lanes(acc)) + super::tail_sum(&x[body..])
    }

    pub fn dot_chunk(x: &[f32], y: &[f32]) -> f32 {
        assert_eq!(x.len(), y.len(), "dot: lengths {} and {}", x.len(), y.len());
        let mut acc = [f32x4_splat(0.0); 2];
        let body = x.len() / 8 * 8;
        for (bx, by) in x[..body].chunks_exact(8).zip(y[..body].chunks_exact(8)) {
            acc[0] = f32x4_add(acc[0], f32x4_mul(load(&bx[..4]), load(&by[..4])));
            acc[1] = f32x4_add(acc[1], f32x4_mul(load(&bx[4..]), load(&by[4..])));
        }
        let tail: f32 = x[body..]
            .iter()
            .zip(&y[body..])
            .fold(0.0, |s, (a, b)| s + a * b);
        super::combine_lanes(lanes(acc)) + tail
    }
}
