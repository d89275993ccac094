//! The micro-kernel: one tile of at most [`MR`]×[`NR`] outputs over one block of k,
//! C (=|+=) Σ_p A[i, p]·B̃[p, j], with B̃ a packed panel of [`NR`] columns.
//!
//! Every output is computed exactly as `matrixmultiply`'s wasm simd128 kernel computes it, so
//! swapping one for the other changes no bit of any link's numbers: the sum of a block starts
//! at +0 and adds the products a·b in k order (a multiply, then an add: wasm has no fused
//! multiply-add without relaxed SIMD, and Rust never contracts one), and a block's sum is
//! stored (the first block) or added to what C holds (c + sum). Only the tile's shape differs,
//! which no output can see.
//!
//! The tile is 4×8: eight accumulators, two B vectors and four broadcast A values are 14
//! vectors, within the 16 SIMD registers V8 allocates however it orders the loop. Wider tiles
//! spill: measured at N = 512 on one thread in Chromium (same page, 2026-11-30), 4×8 reached
//! 36–38 GFLOP/s, 5×8 18–20, 6×8 24, and `matrixmultiply`'s 8×8 26.

// matrixmultiply fuses its multiply-adds under relaxed SIMD, and these would no longer be its bits.
#[cfg(target_feature = "relaxed-simd")]
compile_error!("the blocked GEMM keeps matrixmultiply's bits only without relaxed-simd");

/// Rows of a tile: A values broadcast per step of k.
pub const MR: usize = 4;
/// Columns of a tile: two f32x4 vectors of a packed B panel.
pub const NR: usize = 8;

/// Where a tile's A values are: A[i, p] at `ptr + i·row + p·col`.
#[derive(Clone, Copy)]
pub struct TileA {
    pub ptr: *const f32,
    pub row: usize,
    pub col: usize,
}

/// Where a tile's outputs go: `rows`×`cols` values from `ptr`, `stride` apart by row.
#[derive(Clone, Copy)]
pub struct TileC {
    pub ptr: *mut f32,
    pub stride: usize,
    pub rows: usize,
    pub cols: usize,
}

/// Computes one tile over `kc` steps of k from `b`, a packed panel (`kc`×[`NR`], row-major,
/// zero beyond the product's last column); adds to C when `accumulate`, overwrites it otherwise.
/// A tile whose A strides are (1, [`MR`]) gets a loop with constant strides: a packed tile
/// (`pack_a`), or, the same addresses, a transposed A of exactly [`MR`] rows read in place.
///
/// # Safety
/// `a` must be readable at `i·row + p·col` for i < `c.rows`, p < `kc`; `b` for `kc·NR` values;
/// `c` writable at `i·stride + j` for i < `c.rows` ≤ [`MR`], j < `c.cols` ≤ [`NR`].
#[inline]
pub unsafe fn tile(kc: usize, a: TileA, b: *const f32, c: TileC, accumulate: bool) {
    // One monomorphic loop per row count keeps every accumulator in a register.
    // SAFETY: as the caller promised, for the tile's own row count.
    unsafe {
        if a.row == 1 && a.col == MR {
            match c.rows {
                4 => tile_rows::<4, true>(kc, a, b, c, accumulate),
                3 => tile_rows::<3, true>(kc, a, b, c, accumulate),
                2 => tile_rows::<2, true>(kc, a, b, c, accumulate),
                1 => tile_rows::<1, true>(kc, a, b, c, accumulate),
                rows => unreachable!("a tile has 1 to {MR} rows, not {rows}"),
            }
            return;
        }
        match c.rows {
            4 => tile_rows::<4, false>(kc, a, b, c, accumulate),
            3 => tile_rows::<3, false>(kc, a, b, c, accumulate),
            2 => tile_rows::<2, false>(kc, a, b, c, accumulate),
            1 => tile_rows::<1, false>(kc, a, b, c, accumulate),
            rows => unreachable!("a tile has 1 to {MR} rows, not {rows}"),
        }
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
unsafe fn tile_rows<const ROWS: usize, const PACKED: bool>(
    kc: usize,
    a: TileA,
    b: *const f32,
    c: TileC,
    accumulate: bool,
) {
    // SAFETY: the caller keeps every pointer within the bounds `tile` states.
    unsafe {
        use core::arch::wasm32::*;
        let mut sums = [[f32x4_splat(0.0); 2]; ROWS];
        // A packed tile (`pack_a`) has constant strides: the compiler then keeps no row offsets.
        let (row, col) = if PACKED { (1, MR) } else { (a.row, a.col) };
        let (mut ap, mut bp) = (a.ptr, b);
        for _ in 0..kc {
            let b_low = v128_load(bp as *const v128);
            let b_high = v128_load(bp.add(4) as *const v128);
            for (i, sum) in sums.iter_mut().enumerate() {
                let a_i = v128_load32_splat(ap.add(i * row) as *const u32);
                // matrixmultiply's muladd: add(mul(b, a), sum).
                sum[0] = f32x4_add(f32x4_mul(b_low, a_i), sum[0]);
                sum[1] = f32x4_add(f32x4_mul(b_high, a_i), sum[1]);
            }
            ap = ap.add(col);
            bp = bp.add(NR);
        }
        for (i, sum) in sums.iter().enumerate() {
            let out = c.ptr.add(i * c.stride);
            if c.cols == NR {
                let (mut low, mut high) = (sum[0], sum[1]);
                if accumulate {
                    low = f32x4_add(v128_load(out as *const v128), low);
                    high = f32x4_add(v128_load(out.add(4) as *const v128), high);
                }
                v128_store(out as *mut v128, low);
                v128_store(out.add(4) as *mut v128, high);
            } else {
                let mut lanes = [0.0f32; NR];
                v128_store(lanes.as_mut_ptr() as *mut v128, sum[0]);
                v128_store(lanes.as_mut_ptr().add(4) as *mut v128, sum[1]);
                store_lanes(&lanes[..c.cols], out, accumulate);
            }
        }
    }
}

/// The same arithmetic in plain f32 (native builds, where it is the tested model of the
/// simd128 kernel: production natively runs `matrixmultiply`'s own kernels).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline(always)]
unsafe fn tile_rows<const ROWS: usize, const PACKED: bool>(
    kc: usize,
    a: TileA,
    b: *const f32,
    c: TileC,
    accumulate: bool,
) {
    // SAFETY: the caller keeps every pointer within the bounds `tile` states.
    unsafe {
        let mut sums = [[0.0f32; NR]; ROWS];
        // A packed tile (`pack_a`) has constant strides: the compiler then keeps no row offsets.
        let (row, col) = if PACKED { (1, MR) } else { (a.row, a.col) };
        let (mut ap, mut bp) = (a.ptr, b);
        for _ in 0..kc {
            for (i, sum) in sums.iter_mut().enumerate() {
                let a_i = *ap.add(i * row);
                for (j, s) in sum.iter_mut().enumerate() {
                    *s += *bp.add(j) * a_i;
                }
            }
            ap = ap.add(col);
            bp = bp.add(NR);
        }
        for (i, sum) in sums.iter().enumerate() {
            store_lanes(&sum[..c.cols], c.ptr.add(i * c.stride), accumulate);
        }
    }
}

/// C's row (=|+=) the tile's sums, one value at a time (c + sum, as matrixmultiply adds).
#[inline(always)]
unsafe fn store_lanes(sums: &[f32], out: *mut f32, accumulate: bool) {
    for (j, &s) in sums.iter().enumerate() {
        // SAFETY: the caller's row holds sums.len() values.
        unsafe {
            let o = out.add(j);
            *o = if accumulate { *o + s } else { s };
        }
    }
}
