//! The blocked product around the [`micro`] kernel, in `matrixmultiply`'s order of additions.
//!
//! k is cut into blocks of [`KC`] at the same boundaries as `matrixmultiply`'s (its `S_KC`):
//! each output is the sum of its first block, then plus each next block's sum in order. Within
//! that order everything else is free, because no output's arithmetic depends on it:
//! - B is packed once for the whole product into [`NR`]-column panels, and every thread reads
//!   the same copy (`matrixmultiply` packs all of B again for every call, and a threaded caller
//!   calls it once per row block);
//! - A is packed per thread into [`MR`]-row tiles, [`MC`] rows at a time, when B has more than
//!   two panels to reuse them on; skinny products (a convolution's 8 or 16 filters) read A in
//!   place, since packing would copy the tall operand for one or two uses;
//! - threads split C's rows, or, when C has too few rows to share and k has several blocks (a
//!   filter gradient, [25 × 50,176]·[50,176 × 8]), each block's sums go to a buffer of their own
//!   and are added in block order afterwards: the same additions in the same order.
//!
//! So the bits do not depend on the thread count, the split, or whether the pool is used.

use rayon::prelude::*;

use super::micro::{self, TileA, TileC, MR, NR};
use super::GemmShape;
use crate::kernels::copy::copy_run;

/// Steps of k per block: `matrixmultiply`'s `S_KC`, which the bits of every sum depend on.
pub const KC: usize = 256;

/// Rows of A packed at a time: 24 tiles, 96 kB of a block (stays in the L2 cache).
const MC: usize = 24 * MR;

/// From this many columns A is packed: with one or two panels of B, a packed tile would be
/// used once or twice after being copied.
const PACK_A_FROM_COLUMNS: usize = 2 * NR + 1;

/// B is packed on the pool from this many values (and more than one block of k).
const PACK_B_FORK_MIN: usize = 64 * 1024;

/// At most this many values of per-block sums when k's blocks are split between threads.
const BLOCK_SUMS_MAX: usize = 4 << 20;

/// An operand as used, A[i, p] at `data[i·row + p·col]` (a transpose only swaps the strides).
#[derive(Clone, Copy)]
pub struct Operand<'a> {
    pub data: &'a [f32],
    pub row: usize,
    pub col: usize,
}

/// B packed into panels per block of k: block `b` starts at `b·KC·NR·panels`, and within it
/// panel `j` at `j·kc·NR`, row-major `kc`×`NR`, zero beyond B's last column.
struct PackedB {
    values: Vec<f32>,
    panels: usize,
}

impl PackedB {
    /// Packs all of B, block by block (on the pool when `parallel` and B is large: a filter
    /// gradient's B is the whole batch's output gradient, 400k values).
    fn new(b: Operand, k: usize, n: usize, parallel: bool) -> PackedB {
        let panels = n.div_ceil(NR);
        // Zeroed on the pool when large, like the packing itself (only the padding past B's
        // last column keeps its zeros, but a filter gradient's B is 1.6 MB to clear).
        let mut values = crate::parallel::zeros(k * panels * NR);
        let block_len = KC * panels * NR;
        let pack = |(block, out): (usize, &mut [f32])| pack_b_block(b, block, n, out);
        if parallel && values.len() >= PACK_B_FORK_MIN && values.len() > block_len {
            values.par_chunks_mut(block_len).enumerate().for_each(pack);
        } else {
            values.chunks_mut(block_len).enumerate().for_each(pack);
        }
        PackedB { values, panels }
    }

    fn panel(&self, block: usize, kc: usize, panel: usize) -> &[f32] {
        let start = block * KC * self.panels * NR + panel * kc * NR;
        &self.values[start..start + kc * NR]
    }
}

/// C = op(A)·op(B) for m, k, n ≥ 1; on the pool when `parallel`.
pub fn gemm_blocked(shape: GemmShape, a: Operand, b: Operand, c: &mut [f32], parallel: bool) {
    let GemmShape { m, k, n } = shape;
    // The unsafe tiles below rely on these: checked here, not only by the caller.
    let last = |o: Operand, rows: usize, cols: usize| (rows - 1) * o.row + (cols - 1) * o.col;
    assert!(
        m > 0 && k > 0 && n > 0 && c.len() == m * n,
        "gemm: {shape:?}, C of {}",
        c.len()
    );
    assert!(
        last(a, m, k) < a.data.len() && last(b, k, n) < b.data.len(),
        "gemm: {shape:?}"
    );
    let packed = PackedB::new(b, k, n, parallel);
    let blocks = k.div_ceil(KC);
    let row_tiles = m.div_ceil(MR);
    let threads = if parallel {
        rayon::current_num_threads()
    } else {
        1
    };
    if threads == 1 {
        rows(a, &packed, shape, 0..blocks, 0, c);
        return;
    }
    if row_tiles < 2 * threads && blocks > 1 && blocks.saturating_mul(m * n) <= BLOCK_SUMS_MAX {
        // Too few rows to share: each block of k on its own, then the sums in block order.
        let mut sums = vec![0.0f32; blocks * m * n];
        sums.par_chunks_mut(m * n)
            .enumerate()
            .for_each(|(block, out)| rows(a, &packed, shape, block..block + 1, 0, out));
        let (first, rest) = sums.split_at(m * n);
        c.copy_from_slice(first);
        for block_sums in rest.chunks(m * n) {
            for (out, &s) in c.iter_mut().zip(block_sums) {
                *out += s;
            }
        }
        return;
    }
    // Two chunks of rows per thread lets a thread that finishes early take up the slack.
    let tiles_per_chunk = row_tiles.div_ceil(2 * threads).max(1);
    c.par_chunks_mut(tiles_per_chunk * MR * n)
        .enumerate()
        .for_each(|(chunk, out)| {
            rows(
                a,
                &packed,
                shape,
                0..blocks,
                chunk * tiles_per_chunk * MR,
                out,
            )
        });
}

/// Rows [row0, row0 + out.len()/n) of C over the given blocks of k (the first of them
/// overwrites `out`, the others add to it).
fn rows(
    a: Operand,
    packed: &PackedB,
    shape: GemmShape,
    blocks: std::ops::Range<usize>,
    row0: usize,
    out: &mut [f32],
) {
    let GemmShape { k, n, .. } = shape;
    let m = out.len() / n;
    let first = blocks.start;
    let mut tiles = Vec::new();
    for block in blocks {
        let k0 = block * KC;
        let kc = KC.min(k - k0);
        let accumulate = block != first;
        for r0 in (0..m).step_by(MC) {
            let mc = MC.min(m - r0);
            let a_rows = if n >= PACK_A_FROM_COLUMNS {
                pack_a(a, row0 + r0, mc, k0, kc, &mut tiles);
                None
            } else {
                Some(row0 + r0)
            };
            for panel in 0..packed.panels {
                let b = packed.panel(block, kc, panel);
                let j0 = panel * NR;
                for t0 in (0..mc).step_by(MR) {
                    let rows = MR.min(mc - t0);
                    let tile_a = match a_rows {
                        // A in place: row i of this tile is A's row `first_row + t0 + i`.
                        Some(first_row) => {
                            let start = (first_row + t0) * a.row + k0 * a.col;
                            debug_assert!(
                                start + (rows - 1) * a.row + (kc - 1) * a.col < a.data.len()
                            );
                            TileA {
                                ptr: a.data[start..].as_ptr(),
                                row: a.row,
                                col: a.col,
                            }
                        }
                        None => TileA {
                            ptr: tiles[(t0 / MR) * kc * MR..].as_ptr(),
                            row: 1,
                            col: MR,
                        },
                    };
                    let c_start = (r0 + t0) * n + j0;
                    let tile_c = TileC {
                        ptr: out[c_start..].as_mut_ptr(),
                        stride: n,
                        rows,
                        cols: NR.min(n - j0),
                    };
                    // SAFETY: the tile's A values lie in `a.data` (rows < m of the product,
                    // steps k0 + p < k: the operand holds m·k values, checked by the caller)
                    // or in `tiles` (kc·MR values per tile); `b` holds kc·NR values; the
                    // tile's outputs are rows r0 + t0 + i < m and columns j0 + j < n of `out`.
                    unsafe { micro::tile(kc, tile_a, b.as_ptr(), tile_c, accumulate) };
                }
            }
        }
    }
}

/// Packs block `block` of k of B into its panels (`out`, zero-filled: the padding past B's
/// last column stays zero). A row of B as used is contiguous unless B is transposed.
fn pack_b_block(b: Operand, block: usize, n: usize, out: &mut [f32]) {
    let k0 = block * KC;
    let kc = out.len() / (n.div_ceil(NR) * NR);
    for (panel, out) in out.chunks_mut(kc * NR).enumerate() {
        let j0 = panel * NR;
        let cols = NR.min(n - j0);
        for (p, out) in out.chunks_exact_mut(NR).enumerate() {
            let start = (k0 + p) * b.row + j0 * b.col;
            if b.col == 1 {
                copy_run(&mut out[..cols], &b.data[start..start + cols]);
            } else {
                for (j, o) in out[..cols].iter_mut().enumerate() {
                    *o = b.data[start + j * b.col];
                }
            }
        }
    }
}

/// Packs rows [row0, row0 + mc) of A, steps [k0, k0 + kc), into tiles of MR rows: tile t holds
/// A[row0 + t·MR + i, k0 + p] at `t·kc·MR + p·MR + i`, zero past the last row.
fn pack_a(a: Operand, row0: usize, mc: usize, k0: usize, kc: usize, tiles: &mut Vec<f32>) {
    let count = mc.div_ceil(MR);
    tiles.clear();
    tiles.resize(count * kc * MR, 0.0);
    for (t, tile) in tiles.chunks_mut(kc * MR).enumerate() {
        let rows = MR.min(mc - t * MR);
        let first = (row0 + t * MR) * a.row + k0 * a.col;
        // Step by step of k, a tile's rows together: a transposed A (Aᵀ·B, a weight gradient)
        // then reads its four values of a step from one place, instead of striding by m.
        for (p, step) in tile.chunks_exact_mut(MR).enumerate() {
            let at = first + p * a.col;
            for (i, value) in step[..rows].iter_mut().enumerate() {
                *value = a.data[at + i * a.row];
            }
        }
    }
}
