//! Ops that move values without computing new ones. Two primitives: a *strided move*
//! (permute/transpose, narrow: each input value goes to at most one place, found by a strided
//! walk, so no index list is built and the backward writes each gradient back once), and
//! *gather* (out[j] = x[index[j]]), whose backward scatter-adds (so an embedding row used twice
//! gets both gradients): index_select, broadcast_to. Reshape keeps the flat order; concat is the
//! one multi-input primitive.

use crate::autograd::Backward;
use crate::shape::{
    broadcast_shapes, numel, strides, BroadcastIndex, Result, ShapeError, StridedWalk,
};
use crate::tensor::Tensor;

/// The backward of a gather (out[j] = x[indices[j]]): each gradient is added to the input it
/// was read from, so an input read twice gets both.
pub(crate) struct GatherBackward {
    pub(crate) indices: Vec<usize>,
}

impl Backward for GatherBackward {
    fn backward(&self, grad: &[f32], _out: &Tensor, inputs: &[Tensor]) -> Vec<Option<Vec<f32>>> {
        let mut g = vec![0.0; inputs[0].numel()];
        for (&i, &gv) in self.indices.iter().zip(grad) {
            g[i] += gv;
        }
        vec![Some(g)]
    }
}

/// The output of a strided move: the values the walk visits, in output order.
fn strided_move(op: &'static str, x: &Tensor, walk: StridedWalk) -> Tensor {
    let data = walk.read(&x.data());
    let shape = walk.shape.clone();
    Tensor::from_op(op, data, shape, &[x], StridedMoveBackward { walk })
}

struct StridedMoveBackward {
    walk: StridedWalk,
}

impl Backward for StridedMoveBackward {
    fn backward(&self, grad: &[f32], _out: &Tensor, inputs: &[Tensor]) -> Vec<Option<Vec<f32>>> {
        let (len, step) = self.walk.innermost();
        let mut g = vec![0.0f32; inputs[0].numel()];
        self.walk.for_each_run(|j, at| {
            for (i, &gv) in grad[j..j + len].iter().enumerate() {
                // `0.0 +`, as the scatter-add this replaced computed: a −0.0 gradient becomes
                // +0.0, so every link's numbers keep their bits.
                g[at + i * step] = 0.0 + gv;
            }
        });
        vec![Some(g)]
    }
}

fn gather(op: &'static str, x: &Tensor, indices: Vec<usize>, shape: Vec<usize>) -> Tensor {
    let data = {
        let d = x.data();
        indices.iter().map(|&i| d[i]).collect()
    };
    Tensor::from_op(op, data, shape, &[x], GatherBackward { indices })
}

struct ReshapeBackward;

impl Backward for ReshapeBackward {
    fn backward(&self, grad: &[f32], _out: &Tensor, _inputs: &[Tensor]) -> Vec<Option<Vec<f32>>> {
        vec![Some(grad.to_vec())]
    }
}

struct ConcatBackward {
    axis: usize,
}

impl Backward for ConcatBackward {
    fn backward(&self, grad: &[f32], out: &Tensor, inputs: &[Tensor]) -> Vec<Option<Vec<f32>>> {
        let outer: usize = out.shape()[..self.axis].iter().product();
        let row = grad.len() / outer.max(1);
        let mut offset = 0;
        inputs
            .iter()
            .map(|t| {
                let width = t.numel() / outer.max(1);
                let g = (0..outer)
                    .flat_map(|o| {
                        grad[o * row + offset..o * row + offset + width]
                            .iter()
                            .copied()
                    })
                    .collect();
                offset += width;
                Some(g)
            })
            .collect()
    }
}

impl Tensor {
    /// The same values in a new shape with the same number of elements (row-major order kept).
    pub fn reshape(&self, shape: &[usize]) -> Result<Tensor> {
        if numel(shape) != self.numel() {
            return Err(ShapeError::new(
                "reshape",
                format!(
                    "cannot view {:?} ({} values) as {shape:?} ({} values)",
                    self.shape(),
                    self.numel(),
                    numel(shape)
                ),
            ));
        }
        Ok(Tensor::from_op(
            "reshape",
            self.to_vec(),
            shape.to_vec(),
            &[self],
            ReshapeBackward,
        ))
    }

    /// Reorders the axes: output axis i is input axis `perm[i]`.
    pub fn permute(&self, perm: &[usize]) -> Result<Tensor> {
        let rank = self.rank();
        let mut seen = vec![false; rank];
        if perm.len() != rank
            || perm
                .iter()
                .any(|&p| p >= rank || std::mem::replace(&mut seen[p], true))
        {
            return Err(ShapeError::new(
                "permute",
                format!(
                    "{perm:?} is not a permutation of the axes of {:?}",
                    self.shape()
                ),
            ));
        }
        let in_strides = strides(self.shape());
        let shape: Vec<usize> = perm.iter().map(|&p| self.shape()[p]).collect();
        let steps: Vec<usize> = perm.iter().map(|&p| in_strides[p]).collect();
        Ok(strided_move(
            "permute",
            self,
            StridedWalk {
                shape,
                steps,
                base: 0,
            },
        ))
    }

    /// Swaps two axes.
    pub fn transpose(&self, a: usize, b: usize) -> Result<Tensor> {
        let mut perm: Vec<usize> = (0..self.rank()).collect();
        if a >= perm.len() || b >= perm.len() {
            return Err(ShapeError::new(
                "transpose",
                format!("axes {a} and {b} for shape {:?}", self.shape()),
            ));
        }
        perm.swap(a, b);
        self.permute(&perm)
    }

    /// `len` entries along `axis` starting at `start` (a slice).
    pub fn narrow(&self, axis: usize, start: usize, len: usize) -> Result<Tensor> {
        let shape_in = self.shape();
        if axis >= shape_in.len()
            || start
                .checked_add(len)
                .is_none_or(|end| end > shape_in[axis])
        {
            return Err(ShapeError::new(
                "narrow",
                format!(
                    "entries {start}..{} of axis {axis} do not exist in shape {shape_in:?}",
                    start.saturating_add(len)
                ),
            ));
        }
        let mut shape = shape_in.to_vec();
        shape[axis] = len;
        let steps = strides(shape_in);
        let base = start * steps[axis];
        Ok(strided_move(
            "narrow",
            self,
            StridedWalk { shape, steps, base },
        ))
    }

    /// Rows of a [n, …] tensor picked by index (embedding lookup); out-of-range indices are an error.
    pub fn index_select(&self, indices: &[usize]) -> Result<Tensor> {
        let n = *self
            .shape()
            .first()
            .ok_or_else(|| ShapeError::new("index_select", "needs at least one axis"))?;
        if let Some(&bad) = indices.iter().find(|&&i| i >= n) {
            return Err(ShapeError::new(
                "index_select",
                format!("index {bad} is out of range for {n} rows"),
            ));
        }
        let row: usize = self.shape()[1..].iter().product();
        let flat = indices
            .iter()
            .flat_map(|&i| i * row..(i + 1) * row)
            .collect();
        let mut shape = vec![indices.len()];
        shape.extend_from_slice(&self.shape()[1..]);
        Ok(gather("index_select", self, flat, shape))
    }

    /// The values repeated to a larger shape by broadcasting.
    pub fn broadcast_to(&self, shape: &[usize]) -> Result<Tensor> {
        let out = broadcast_shapes("broadcast_to", self.shape(), shape)?;
        if out != shape {
            return Err(ShapeError::new(
                "broadcast_to",
                format!("{:?} does not broadcast to {shape:?}", self.shape()),
            ));
        }
        Ok(gather(
            "broadcast_to",
            self,
            BroadcastIndex::new(self.shape(), shape).indices(),
            out,
        ))
    }

    /// Joins tensors along `axis`; all other axes must match.
    pub fn concat(tensors: &[&Tensor], axis: usize) -> Result<Tensor> {
        let first = tensors
            .first()
            .ok_or_else(|| ShapeError::new("concat", "needs at least one tensor"))?;
        let rank = first.rank();
        if axis >= rank {
            return Err(ShapeError::new(
                "concat",
                format!("axis {axis} is out of range for shape {:?}", first.shape()),
            ));
        }
        for t in tensors {
            let same = t.rank() == rank
                && (0..rank).all(|i| i == axis || t.shape()[i] == first.shape()[i]);
            if !same {
                return Err(ShapeError::new(
                    "concat",
                    format!(
                        "shapes {:?} and {:?} differ off axis {axis}",
                        first.shape(),
                        t.shape()
                    ),
                ));
            }
        }
        let outer: usize = first.shape()[..axis].iter().product();
        let mut shape = first.shape().to_vec();
        shape[axis] = tensors.iter().map(|t| t.shape()[axis]).sum();
        let mut data = Vec::with_capacity(numel(&shape));
        for o in 0..outer {
            for t in tensors {
                let width = t.numel() / outer.max(1);
                data.extend_from_slice(&t.data()[o * width..(o + 1) * width]);
            }
        }
        Ok(Tensor::from_op(
            "concat",
            data,
            shape,
            tensors,
            ConcatBackward { axis },
        ))
    }

    /// Joins same-shaped tensors along a new axis.
    pub fn stack(tensors: &[&Tensor], axis: usize) -> Result<Tensor> {
        let expanded: Vec<Tensor> = tensors
            .iter()
            .map(|t| {
                let mut shape = t.shape().to_vec();
                if axis > shape.len() {
                    return Err(ShapeError::new(
                        "stack",
                        format!("axis {axis} for shape {shape:?}"),
                    ));
                }
                shape.insert(axis, 1);
                t.reshape(&shape)
            })
            .collect::<Result<_>>()?;
        let refs: Vec<&Tensor> = expanded.iter().collect();
        Tensor::concat(&refs, axis)
    }

    /// Cuts `axis` into pieces of the given sizes (the adjoint of concat).
    pub fn split(&self, axis: usize, sizes: &[usize]) -> Result<Vec<Tensor>> {
        let total = sizes.iter().try_fold(0usize, |s, &n| s.checked_add(n));
        if axis >= self.rank() || total != Some(self.shape()[axis]) {
            return Err(ShapeError::new(
                "split",
                format!(
                    "sizes {sizes:?} do not cover axis {axis} of {:?}",
                    self.shape()
                ),
            ));
        }
        let mut start = 0;
        sizes
            .iter()
            .map(|&len| {
                let piece = self.narrow(axis, start, len);
                start += len;
                piece
            })
            .collect()
    }

    /// Rows of `classes` zeros with a 1 at each label (a constant: no gradient).
    pub fn one_hot(labels: &[usize], classes: usize) -> Result<Tensor> {
        if let Some(&bad) = labels.iter().find(|&&l| l >= classes) {
            return Err(ShapeError::new(
                "one_hot",
                format!("label {bad} is out of range for {classes} classes"),
            ));
        }
        let size = labels
            .len()
            .checked_mul(classes)
            .filter(|&s| s <= crate::shape::MAX_ELEMENTS)
            .ok_or_else(|| {
                ShapeError::new(
                    "one_hot",
                    format!(
                        "{} labels × {classes} classes exceeds the limit of {} elements",
                        labels.len(),
                        crate::shape::MAX_ELEMENTS
                    ),
                )
            })?;
        let mut data = vec![0.0; size];
        for (row, &label) in labels.iter().enumerate() {
            data[row * classes + label] = 1.0;
        }
        Tensor::from_vec(data, &[labels.len(), classes])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use crate::shape::strided_indices;

    /// A strided move must equal the gather by the walk's index list and its scatter-add,
    /// which permute and narrow were before: every link's numbers rest on the same bits.
    fn check_against_gather(x: &Tensor, walk: StridedWalk) {
        let indices = strided_indices(&walk.shape, &walk.steps, walk.base);
        let expected: Vec<f32> = indices.iter().map(|&i| x.data()[i]).collect();
        let moved = strided_move("test", x, walk.clone());
        assert_eq!(moved.shape(), &walk.shape[..]);
        assert_eq!(
            bits(&moved.data()),
            bits(&expected),
            "forward, {:?}",
            walk.shape
        );

        // A cotangent with a −0.0 in it: scatter-adding into zeros made it +0.0.
        let mut grad = Rng::new(indices.len() as u64).uniform_vec(indices.len(), -1.0, 1.0);
        if let Some(first) = grad.first_mut() {
            *first = -0.0;
        }
        let mut scattered = vec![0.0f32; x.numel()];
        for (&i, &g) in indices.iter().zip(&grad) {
            scattered[i] += g;
        }
        let backward = StridedMoveBackward { walk };
        let got = backward.backward(&grad, &moved, std::slice::from_ref(x));
        let got = got[0].as_ref().expect("a gradient");
        assert_eq!(bits(got), bits(&scattered), "backward, {:?}", moved.shape());
    }

    fn bits(v: &[f32]) -> Vec<u32> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    fn permutations(n: usize) -> Vec<Vec<usize>> {
        if n == 0 {
            return vec![vec![]];
        }
        permutations(n - 1)
            .into_iter()
            .flat_map(|p| {
                (0..n).map(move |at| {
                    let mut q = p.clone();
                    q.insert(at, n - 1);
                    q
                })
            })
            .collect()
    }

    #[test]
    fn permutes_move_what_the_gather_moved() {
        let shapes: [&[usize]; 7] = [
            &[],
            &[5],
            &[3, 4],
            &[2, 3, 4],
            &[2, 5, 4, 3],
            &[2, 0, 3],
            &[1, 3, 1, 2],
        ];
        for (seed, shape) in shapes.iter().enumerate() {
            let x = Tensor::uniform(shape, -1.0, 1.0, &mut Rng::new(seed as u64));
            let own = strides(shape);
            for perm in permutations(shape.len()) {
                check_against_gather(
                    &x,
                    StridedWalk {
                        shape: perm.iter().map(|&p| shape[p]).collect(),
                        steps: perm.iter().map(|&p| own[p]).collect(),
                        base: 0,
                    },
                );
            }
        }
    }

    #[test]
    fn narrows_move_what_the_gather_moved() {
        let shape = [3, 5, 4];
        let x = Tensor::uniform(&shape, -1.0, 1.0, &mut Rng::new(9));
        let steps = strides(&shape);
        for axis in 0..shape.len() {
            for start in 0..shape[axis] {
                for len in 0..=shape[axis] - start {
                    let mut narrowed = shape.to_vec();
                    narrowed[axis] = len;
                    check_against_gather(
                        &x,
                        StridedWalk {
                            shape: narrowed,
                            steps: steps.clone(),
                            base: start * steps[axis],
                        },
                    );
                }
            }
        }
    }

    #[test]
    fn permute_and_narrow_are_strided_moves() {
        let x = Tensor::uniform(&[2, 3, 4], -1.0, 1.0, &mut Rng::new(3));
        let t = x.permute(&[2, 0, 1]).unwrap().narrow(1, 1, 1).unwrap();
        assert_eq!(t.shape(), &[4, 1, 3]);
        // x[1][j][i] for i along the first axis, j along the last.
        let d = x.data();
        let expected: Vec<f32> = (0..4)
            .flat_map(|i| (0..3).map(move |j| (i, j)))
            .map(|(i, j)| d[12 + 4 * j + i])
            .collect();
        assert_eq!(t.to_vec(), expected);
    }
}
