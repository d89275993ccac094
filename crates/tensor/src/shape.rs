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

/// Maps a flat index of the broadcast output to the flat index of one input.
pub struct BroadcastIndex {
    out_shape: Vec<usize>,
    /// The input's stride along each output axis; 0 where the input is broadcast.
    in_strides: Vec<usize>,
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
        }
    }

    /// The input's flat index for every output index, in output order.
    pub fn indices(&self) -> Vec<usize> {
        strided_indices(&self.out_shape, &self.in_strides, 0)
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
    for (g, i) in grad.iter().zip(BroadcastIndex::new(to, from).indices()) {
        out[i] += g;
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
