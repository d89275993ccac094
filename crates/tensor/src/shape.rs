//! Shapes, and the ONE place where broadcasting lives: the rule that makes two shapes agree
//! ([`broadcast_shapes`]), the index map that reads an input through a broadcast
//! ([`BroadcastIndex`]), and the reduction that returns a broadcast gradient to its input's shape
//! ([`sum_to_shape`]). Every op that broadcasts uses these three and nothing else.

use std::fmt;

/// A shape error names the op and the shapes it was given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShapeError {
    pub op: &'static str,
    pub message: String,
}

impl ShapeError {
    pub fn new(op: &'static str, message: impl Into<String>) -> Self {
        ShapeError {
            op,
            message: message.into(),
        }
    }
}

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.op, self.message)
    }
}

impl std::error::Error for ShapeError {}

pub type Result<T> = std::result::Result<T, ShapeError>;

/// The most elements one tensor may hold (1 GiB of f32): ops that size their output from
/// arguments (one_hot, …) refuse beyond it with a message instead of aborting on allocation.
pub const MAX_ELEMENTS: usize = 1 << 28;

/// Number of elements. Saturates at usize::MAX instead of wrapping (on wasm32 a wrapped product
/// of a hostile shape could pass a length check): no buffer can have usize::MAX elements, so
/// a saturated count always fails the checks that compare it with real data.
pub fn numel(shape: &[usize]) -> usize {
    shape
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d))
        .unwrap_or(usize::MAX)
}

/// Row-major (C-order) strides of a contiguous tensor.
pub fn strides(shape: &[usize]) -> Vec<usize> {
    let mut strides = vec![1; shape.len()];
    for i in (0..shape.len().saturating_sub(1)).rev() {
        strides[i] = strides[i + 1] * shape[i + 1];
    }
    strides
}

/// NumPy broadcasting: align from the right; each pair of sizes must be equal or one of them 1.
pub fn broadcast_shapes(op: &'static str, a: &[usize], b: &[usize]) -> Result<Vec<usize>> {
    let rank = a.len().max(b.len());
    let mut out = vec![0; rank];
    for i in 0..rank {
        let da = if i + a.len() >= rank {
            a[i + a.len() - rank]
        } else {
            1
        };
        let db = if i + b.len() >= rank {
            b[i + b.len() - rank]
        } else {
            1
        };
        out[i] = match (da, db) {
            (x, y) if x == y => x,
            (1, y) => y,
            (x, 1) => x,
            _ => {
                return Err(ShapeError::new(
                    op,
                    format!("shapes {a:?} and {b:?} do not broadcast (axis {i}: {da} vs {db})"),
                ))
            }
        };
    }
    Ok(out)
}

/// The broadcasts almost every model makes, as arithmetic instead of an index table: the
/// input unchanged; repeated whole along the leading axes (a bias [n] over [.., n]: output k
/// reads input k mod n); or each element stretched over the trailing axes (a row statistic
/// [.., 1] over [.., n]: output k reads input k / run). Kernels walk these in place; anything
/// else goes through [`BroadcastIndex`]. Both visit the output in the same order, so the two
/// give the same bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pattern {
    Same,
    Tiled(usize),
    Stretched(usize),
    Other,
}

/// How `input` fills the broadcast shape `out` (which it must broadcast to).
pub fn pattern(input: &[usize], out: &[usize]) -> Pattern {
    if input == out {
        return Pattern::Same;
    }
    let n = numel(input);
    // Nothing to walk in an empty output (and no run of zero length to cut it into).
    if n == 0 || numel(out) == 0 || out.len() < input.len() {
        return Pattern::Other;
    }
    let offset = out.len() - input.len();
    let aligned: Vec<usize> = (0..out.len())
        .map(|i| if i < offset { 1 } else { input[i - offset] })
        .collect();
    let first = aligned.iter().position(|&d| d != 1).unwrap_or(out.len());
    if aligned[first..] == out[first..] {
        return Pattern::Tiled(n);
    }
    let end = aligned.iter().rposition(|&d| d != 1).map_or(0, |p| p + 1);
    if aligned[..end] == out[..end] {
        return Pattern::Stretched(numel(out) / n);
    }
    Pattern::Other
}

/// A strided walk over an output `shape` in row-major order: output value j is input value
/// `base + Σ counter[axis]·steps[axis]`. Permute and narrow visit each input value at most once.
#[derive(Clone, Debug)]
pub struct StridedWalk {
    pub shape: Vec<usize>,
    pub steps: Vec<usize>,
    pub base: usize,
}

impl StridedWalk {
    /// Calls `run(j, at)` for each innermost run: output values j.. come from input values
    /// at, at + step, … (`len` of them), with `(len, step)` the last axis's (one value for a
    /// scalar). The index list [`strided_indices`] would build is never made: in the browser,
    /// building it for permutes was a tenth of a Transformer step.
    pub fn for_each_run(&self, mut run: impl FnMut(usize, usize)) {
        debug_assert_eq!(self.steps.len(), self.shape.len(), "a step per axis");
        let (len, _) = self.innermost();
        let total = numel(&self.shape);
        if total == 0 {
            return;
        }
        let outer = &self.shape[..self.shape.len().saturating_sub(1)];
        let mut counter = vec![0usize; outer.len()];
        let mut at = self.base;
        for j in (0..total).step_by(len) {
            run(j, at);
            // Odometer increment over the outer axes, from the last.
            for axis in (0..outer.len()).rev() {
                counter[axis] += 1;
                at += self.steps[axis];
                if counter[axis] < outer[axis] {
                    break;
                }
                at -= self.steps[axis] * counter[axis];
                counter[axis] = 0;
            }
        }
    }

    /// `src` read along the walk, in output order.
    pub fn read(&self, src: &[f32]) -> Vec<f32> {
        let (len, step) = self.innermost();
        let mut out = Vec::with_capacity(numel(&self.shape));
        self.for_each_run(|_, at| match step {
            0 => out.extend(std::iter::repeat_n(src[at], len)),
            1 => out.extend_from_slice(&src[at..at + len]),
            _ => out.extend((0..len).map(|i| src[at + i * step])),
        });
        out
    }

    /// The last axis's length and step.
    pub fn innermost(&self) -> (usize, usize) {
        match (self.shape.last(), self.steps.last()) {
            (Some(&len), Some(&step)) => (len.max(1), step),
            _ => (1, 1),
        }
    }
}

/// Maps a flat index of the broadcast output to the flat index of one input.
pub struct BroadcastIndex {
    out_shape: Vec<usize>,
    /// The input's stride along each output axis; 0 where the input is broadcast.
    in_strides: Vec<usize>,
    pattern: Pattern,
}

impl BroadcastIndex {
    pub fn new(input: &[usize], out: &[usize]) -> Self {
        let offset = out.len() - input.len();
        let own = strides(input);
        let in_strides = (0..out.len())
            .map(|i| {
                if i < offset || input[i - offset] == 1 {
                    0
                } else {
                    own[i - offset]
                }
            })
            .collect();
        BroadcastIndex {
            out_shape: out.to_vec(),
            in_strides,
            pattern: pattern(input, out),
        }
    }

    pub fn pattern(&self) -> Pattern {
        self.pattern
    }

    /// The walk over the output that reads this input (step 0 along broadcast axes).
    pub fn walk(&self) -> StridedWalk {
        StridedWalk {
            shape: self.out_shape.clone(),
            steps: self.in_strides.clone(),
            base: 0,
        }
    }

    /// The input's values at every output position, in output order (no index list).
    pub fn read(&self, src: &[f32]) -> Vec<f32> {
        match self.pattern {
            Pattern::Same => src.to_vec(),
            // Whole copies and runs, not `cycle`/`flat_map` chains: in the browser those
            // went a value at a time (a masked_fill's mask read over every head).
            Pattern::Tiled(n) => {
                let mut out = Vec::with_capacity(numel(&self.out_shape));
                for _ in 0..numel(&self.out_shape) / n {
                    out.extend_from_slice(src);
                }
                out
            }
            Pattern::Stretched(run) => {
                let mut out = Vec::with_capacity(numel(&self.out_shape));
                for &v in src {
                    out.extend(std::iter::repeat_n(v, run));
                }
                out
            }
            Pattern::Other => self.walk().read(src),
        }
    }

    /// The input's flat index for every output index, in output order.
    pub fn indices(&self) -> Vec<usize> {
        let total = numel(&self.out_shape);
        match self.pattern {
            Pattern::Same => (0..total).collect(),
            Pattern::Tiled(n) => (0..total).map(|k| k % n).collect(),
            Pattern::Stretched(run) => (0..total).map(|k| k / run).collect(),
            Pattern::Other => strided_indices(&self.out_shape, &self.in_strides, 0),
        }
    }
}

/// Flat indices of a strided walk over `shape` in row-major order, starting at `base` and moving
/// `steps[axis]` per unit along each axis (stride 0 repeats: broadcasting).
pub fn strided_indices(shape: &[usize], steps: &[usize], base: usize) -> Vec<usize> {
    let total = numel(shape);
    let mut result = Vec::with_capacity(total);
    let mut counter = vec![0usize; shape.len()];
    let mut at = base;
    for _ in 0..total {
        result.push(at);
        // Odometer increment from the last axis.
        for axis in (0..shape.len()).rev() {
            counter[axis] += 1;
            at += steps[axis];
            if counter[axis] < shape[axis] {
                break;
            }
            at -= steps[axis] * counter[axis];
            counter[axis] = 0;
        }
    }
    result
}

/// Sums a gradient of the broadcast shape `from` back to the input shape `to`: the adjoint of
/// broadcasting. Each input element receives the sum over all output elements it was copied to,
/// added in increasing output order (deterministic).
pub fn sum_to_shape(grad: &[f32], from: &[usize], to: &[usize]) -> Vec<f32> {
    if from == to {
        return grad.to_vec();
    }
    let mut out = vec![0.0f32; numel(to)];
    // Every input element adds its gradients in increasing output order, whichever walk.
    match pattern(to, from) {
        Pattern::Tiled(n) => {
            for row in grad.chunks(n) {
                for (o, g) in out.iter_mut().zip(row) {
                    *o += g;
                }
            }
        }
        Pattern::Stretched(run) => {
            for (o, run) in out.iter_mut().zip(grad.chunks(run)) {
                for g in run {
                    *o += g;
                }
            }
        }
        _ => {
            let walk = BroadcastIndex::new(to, from).walk();
            let (len, step) = walk.innermost();
            walk.for_each_run(|j, at| {
                for (i, g) in grad[j..j + len].iter().enumerate() {
                    out[at + i * step] += g;
                }
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcasting_follows_numpy() {
        assert_eq!(
            broadcast_shapes("add", &[3, 1, 5], &[4, 1]).unwrap(),
            vec![3, 4, 5]
        );
        assert_eq!(broadcast_shapes("add", &[], &[2, 3]).unwrap(), vec![2, 3]);
        let err = broadcast_shapes("mul", &[2, 3], &[4, 3]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "mul: shapes [2, 3] and [4, 3] do not broadcast (axis 0: 2 vs 4)"
        );
    }

    #[test]
    fn the_common_broadcasts_are_walked_in_place_with_the_same_indices() {
        for (input, out, want) in [
            (vec![5], vec![3, 4, 5], Pattern::Tiled(5)),
            (vec![1, 4, 5], vec![3, 4, 5], Pattern::Tiled(20)),
            (vec![], vec![2, 3], Pattern::Tiled(1)),
            (vec![3, 4, 1], vec![3, 4, 5], Pattern::Stretched(5)),
            (vec![3, 1, 1], vec![3, 4, 5], Pattern::Stretched(20)),
            (vec![3, 1, 5], vec![3, 4, 5], Pattern::Other),
            (vec![4, 1], vec![3, 4, 5], Pattern::Other),
            (vec![3, 4, 5], vec![3, 4, 5], Pattern::Same),
            (vec![3, 1], vec![3, 0], Pattern::Other),
            // An attention padding mask [b, 1, 1, m] over scores [b, heads, n, m].
            (vec![2, 1, 1, 4], vec![2, 3, 5, 4], Pattern::Other),
        ] {
            assert_eq!(pattern(&input, &out), want, "{input:?} → {out:?}");
            let offset = out.len() - input.len();
            let own = strides(&input);
            let steps: Vec<usize> = (0..out.len())
                .map(|i| {
                    if i < offset || input[i - offset] == 1 {
                        0
                    } else {
                        own[i - offset]
                    }
                })
                .collect();
            assert_eq!(
                BroadcastIndex::new(&input, &out).indices(),
                strided_indices(&out, &steps, 0),
                "{input:?} → {out:?}"
            );
            // Reading walks without the table and reads what the table gathers.
            let values: Vec<f32> = (0..numel(&input)).map(|k| k as f32 + 0.5).collect();
            let gathered: Vec<f32> = strided_indices(&out, &steps, 0)
                .iter()
                .map(|&i| values[i])
                .collect();
            assert_eq!(
                BroadcastIndex::new(&input, &out).read(&values),
                gathered,
                "{input:?} → {out:?}"
            );
            // The adjoint, walked in place, equals the index table's sums bit for bit.
            let grad: Vec<f32> = (0..numel(&out)).map(|k| (k as f32 * 0.37).sin()).collect();
            let mut table = vec![0.0f32; numel(&input)];
            for (g, i) in grad.iter().zip(strided_indices(&out, &steps, 0)) {
                table[i] += g;
            }
            let ours = sum_to_shape(&grad, &out, &input);
            assert_eq!(
                ours.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                table.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn broadcast_index_and_its_adjoint() {
        // [2,1] broadcast to [2,3]: rows repeat.
        assert_eq!(
            BroadcastIndex::new(&[2, 1], &[2, 3]).indices(),
            vec![0, 0, 0, 1, 1, 1]
        );
        // [3] broadcast to [2,3]: columns repeat.
        assert_eq!(
            BroadcastIndex::new(&[3], &[2, 3]).indices(),
            vec![0, 1, 2, 0, 1, 2]
        );
        let g = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        assert_eq!(sum_to_shape(&g, &[2, 3], &[2, 1]), vec![6.0, 15.0]);
        assert_eq!(sum_to_shape(&g, &[2, 3], &[3]), vec![5.0, 7.0, 9.0]);
        assert_eq!(sum_to_shape(&g, &[2, 3], &[]), vec![21.0]);
    }

    #[test]
    fn strides_are_row_major() {
        assert_eq!(strides(&[2, 3, 4]), vec![12, 4, 1]);
        assert_eq!(strides(&[]), Vec::<usize>::new());
    }
}
