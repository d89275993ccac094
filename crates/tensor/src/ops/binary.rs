//! Elementwise binary ops with NumPy broadcasting: add, sub, mul, div, and comparisons/where.
//! Broadcasting and the reduction of broadcast gradients come from `shape` (one place).

use crate::autograd::Backward;
use crate::shape::{broadcast_shapes, pattern, sum_to_shape, BroadcastIndex, Pattern, Result};
use crate::tensor::Tensor;

#[derive(Clone, Copy, Debug)]
enum Arith {
    Add,
    Sub,
    Mul,
    Div,
}

impl Arith {
    fn name(self) -> &'static str {
        match self {
            Arith::Add => "add",
            Arith::Sub => "sub",
            Arith::Mul => "mul",
            Arith::Div => "div",
        }
    }

    #[inline]
    fn apply(self, a: f32, b: f32) -> f32 {
        match self {
            Arith::Add => a + b,
            Arith::Sub => a - b,
            Arith::Mul => a * b,
            Arith::Div => a / b,
        }
    }
}

/// Both inputs read at every output position: contiguous when shapes match, walked in place
/// when one input has the output's shape (the other tiled, stretched, or read along strided
/// runs), else both read out to the output's shape first.
fn zip_broadcast(
    op: &'static str,
    a: &Tensor,
    b: &Tensor,
    f: impl Fn(f32, f32) -> f32,
) -> Result<(Vec<f32>, Vec<usize>)> {
    let shape = broadcast_shapes(op, a.shape(), b.shape())?;
    let (da, db) = (a.data(), b.data());
    let out = match (pattern(a.shape(), &shape), pattern(b.shape(), &shape)) {
        (Pattern::Same, _) => walk(&da, &db, &BroadcastIndex::new(b.shape(), &shape), &f),
        (_, Pattern::Same) => walk(&db, &da, &BroadcastIndex::new(a.shape(), &shape), |y, x| {
            f(x, y)
        }),
        _ => {
            let ea = BroadcastIndex::new(a.shape(), &shape).read(&da);
            let eb = BroadcastIndex::new(b.shape(), &shape).read(&db);
            ea.iter().zip(&eb).map(|(&x, &y)| f(x, y)).collect()
        }
    };
    Ok((out, shape))
}

/// f(full[k], small at k's place) for every k of `full`, `small` filling it as `to_full`
/// says.
fn walk(
    full: &[f32],
    small: &[f32],
    to_full: &BroadcastIndex,
    f: impl Fn(f32, f32) -> f32,
) -> Vec<f32> {
    let mut out = Vec::with_capacity(full.len());
    match to_full.pattern() {
        Pattern::Tiled(n) => {
            for row in full.chunks(n) {
                out.extend(row.iter().zip(small).map(|(&x, &y)| f(x, y)));
            }
        }
        Pattern::Stretched(run) => {
            for (row, &y) in full.chunks(run).zip(small) {
                out.extend(row.iter().map(|&x| f(x, y)));
            }
        }
        Pattern::Same => out.extend(full.iter().zip(small).map(|(&x, &y)| f(x, y))),
        Pattern::Other => {
            let walk = to_full.walk();
            let (len, step) = walk.innermost();
            walk.for_each_run(|j, at| {
                let row = full[j..j + len].iter().enumerate();
                out.extend(row.map(|(i, &x)| f(x, small[at + i * step])));
            });
        }
    }
    out
}

/// Reads `t` at every position of the broadcast shape `shape` (a copy when shapes differ).
fn expanded(t: &Tensor, shape: &[usize]) -> Vec<f32> {
    BroadcastIndex::new(t.shape(), shape).read(&t.data())
}

struct ArithBackward(Arith);

impl Backward for ArithBackward {
    fn backward(&self, grad: &[f32], out: &Tensor, inputs: &[Tensor]) -> Vec<Option<Vec<f32>>> {
        let (a, b) = (&inputs[0], &inputs[1]);
        let shape = out.shape();
        // ∂/∂a and ∂/∂b at every output position, then summed back over broadcast axes.
        let (ga, gb): (Vec<f32>, Vec<f32>) = match self.0 {
            Arith::Add => (grad.to_vec(), grad.to_vec()),
            Arith::Sub => (grad.to_vec(), grad.iter().map(|g| -g).collect()),
            Arith::Mul => {
                let (ea, eb) = (expanded(a, shape), expanded(b, shape));
                (
                    grad.iter().zip(&eb).map(|(g, y)| g * y).collect(),
                    grad.iter().zip(&ea).map(|(g, x)| g * x).collect(),
                )
            }
            Arith::Div => {
                // d(a/b)/da = 1/b, d(a/b)/db = -a/b² = -out/b
                let eb = expanded(b, shape);
                let o = out.data();
                (
                    grad.iter().zip(&eb).map(|(g, y)| g / y).collect(),
                    grad.iter()
                        .zip(&eb)
                        .zip(o.iter())
                        .map(|((g, y), q)| -g * q / y)
                        .collect(),
                )
            }
        };
        vec![
            a.tracks_grad().then(|| sum_to_shape(&ga, shape, a.shape())),
            b.tracks_grad().then(|| sum_to_shape(&gb, shape, b.shape())),
        ]
    }
}

fn arith(op: Arith, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let (data, shape) = zip_broadcast(op.name(), a, b, |x, y| op.apply(x, y))?;
    Ok(Tensor::from_op(
        op.name(),
        data,
        shape,
        &[a, b],
        ArithBackward(op),
    ))
}

impl Tensor {
    pub fn add(&self, other: &Tensor) -> Result<Tensor> {
        arith(Arith::Add, self, other)
    }

    pub fn sub(&self, other: &Tensor) -> Result<Tensor> {
        arith(Arith::Sub, self, other)
    }

    pub fn mul(&self, other: &Tensor) -> Result<Tensor> {
        arith(Arith::Mul, self, other)
    }

    pub fn div(&self, other: &Tensor) -> Result<Tensor> {
        arith(Arith::Div, self, other)
    }

    /// 1.0 where self > other, else 0.0 (broadcast). Not differentiable: no gradient flows.
    pub fn gt(&self, other: &Tensor) -> Result<Tensor> {
        let (data, shape) = zip_broadcast("gt", self, other, |x, y| f32::from(u8::from(x > y)))?;
        Tensor::from_vec(data, &shape)
    }

    /// 1.0 where self < other, else 0.0 (broadcast). Not differentiable.
    pub fn lt(&self, other: &Tensor) -> Result<Tensor> {
        let (data, shape) = zip_broadcast("lt", self, other, |x, y| f32::from(u8::from(x < y)))?;
        Tensor::from_vec(data, &shape)
    }

    /// 1.0 where self == other, else 0.0 (broadcast). Not differentiable.
    pub fn eq_mask(&self, other: &Tensor) -> Result<Tensor> {
        let (data, shape) = zip_broadcast("eq", self, other, |x, y| f32::from(u8::from(x == y)))?;
        Tensor::from_vec(data, &shape)
    }

    /// Where `mask` is nonzero, `value`; elsewhere self. The gradient flows to self only where
    /// the mask is zero. With `value = -inf` before a softmax, masked positions get exactly 0.
    pub fn masked_fill(&self, mask: &Tensor, value: f32) -> Result<Tensor> {
        let shape = broadcast_shapes("masked_fill", self.shape(), mask.shape())?;
        if shape != self.shape() {
            return Err(crate::shape::ShapeError::new(
                "masked_fill",
                format!(
                    "mask {:?} must broadcast to the tensor's shape {:?}",
                    mask.shape(),
                    self.shape()
                ),
            ));
        }
        let keep: Vec<bool> = expanded(mask, &shape).iter().map(|&m| m == 0.0).collect();
        let data = self
            .data()
            .iter()
            .zip(&keep)
            .map(|(&x, &k)| if k { x } else { value })
            .collect();
        Ok(Tensor::from_op(
            "masked_fill",
            data,
            shape,
            &[self],
            MaskBackward { keep },
        ))
    }

    /// Elementwise choice: `a` where `cond` is nonzero, else `b` (all three broadcast together).
    /// A primitive, not cond·a + (1−cond)·b: the branch not taken never leaks (∞·0 = NaN).
    pub fn where_(cond: &Tensor, a: &Tensor, b: &Tensor) -> Result<Tensor> {
        let shape = broadcast_shapes(
            "where",
            &broadcast_shapes("where", cond.shape(), a.shape())?,
            b.shape(),
        )?;
        let take_a: Vec<bool> = expanded(cond, &shape).iter().map(|&c| c != 0.0).collect();
        let (ea, eb) = (expanded(a, &shape), expanded(b, &shape));
        let data = take_a
            .iter()
            .zip(ea.iter().zip(&eb))
            .map(|(&t, (&x, &y))| if t { x } else { y })
            .collect();
        Ok(Tensor::from_op(
            "where",
            data,
            shape,
            &[a, b],
            WhereBackward { take_a },
        ))
    }
}

struct WhereBackward {
    take_a: Vec<bool>,
}

impl Backward for WhereBackward {
    fn backward(&self, grad: &[f32], out: &Tensor, inputs: &[Tensor]) -> Vec<Option<Vec<f32>>> {
        let pick = |want: bool| -> Vec<f32> {
            grad.iter()
                .zip(&self.take_a)
                .map(|(&g, &t)| if t == want { g } else { 0.0 })
                .collect()
        };
        let (a, b) = (&inputs[0], &inputs[1]);
        vec![
            a.tracks_grad()
                .then(|| sum_to_shape(&pick(true), out.shape(), a.shape())),
            b.tracks_grad()
                .then(|| sum_to_shape(&pick(false), out.shape(), b.shape())),
        ]
    }
}

struct MaskBackward {
    keep: Vec<bool>,
}

impl Backward for MaskBackward {
    fn backward(&self, grad: &[f32], _out: &Tensor, _inputs: &[Tensor]) -> Vec<Option<Vec<f32>>> {
        vec![Some(
            grad.iter()
                .zip(&self.keep)
                .map(|(&g, &k)| if k { g } else { 0.0 })
                .collect(),
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// Broadcast arithmetic, forward and backward, reads what the index maps read: the
    /// common broadcasts are walked in place, the rest along strided runs, with the same bits.
    #[test]
    fn broadcast_arithmetic_reads_what_the_index_maps_read() {
        let cases: [(&[usize], &[usize]); 5] = [
            (&[2, 3, 5, 4], &[2, 1, 1, 4]),
            (&[2, 3, 5, 4], &[2, 1, 5, 1]),
            (&[2, 1, 1, 4], &[2, 3, 5, 4]),
            (&[2, 1, 5, 1], &[1, 3, 1, 4]),
            (&[3, 1], &[4]),
        ];
        for (seed, (sa, sb)) in cases.into_iter().enumerate() {
            let mut rng = Rng::new(seed as u64);
            let a = Tensor::uniform(sa, -1.0, 1.0, &mut rng).requires_grad();
            let b = Tensor::uniform(sb, 0.5, 1.5, &mut rng).requires_grad();
            let shape = broadcast_shapes("test", sa, sb).unwrap();
            let ia = BroadcastIndex::new(sa, &shape).indices();
            let ib = BroadcastIndex::new(sb, &shape).indices();
            let (da, db) = (a.to_vec(), b.to_vec());
            for op in [Arith::Add, Arith::Sub, Arith::Mul, Arith::Div] {
                let out = arith(op, &a, &b).unwrap();
                let want: Vec<u32> = ia
                    .iter()
                    .zip(&ib)
                    .map(|(&i, &j)| op.apply(da[i], db[j]).to_bits())
                    .collect();
                let got: Vec<u32> = out.to_vec().iter().map(|v| v.to_bits()).collect();
                assert_eq!(got, want, "{op:?} {sa:?} {sb:?}");
                // The gradients: each output's share, added back in output order.
                let grads = out.sum_all().backward().unwrap();
                let q = out.to_vec();
                let (mut ga, mut gb) = (vec![0.0f32; da.len()], vec![0.0f32; db.len()]);
                for (k, (&i, &j)) in ia.iter().zip(&ib).enumerate() {
                    let (x, y) = (da[i], db[j]);
                    let (dx, dy) = match op {
                        Arith::Add => (1.0, 1.0),
                        Arith::Sub => (1.0, -1.0),
                        Arith::Mul => (y, x),
                        Arith::Div => (1.0 / y, -q[k] / y),
                    };
                    ga[i] += dx;
                    gb[j] += dy;
                }
                let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(
                    bits(grads.get(&a).unwrap()),
                    bits(&ga),
                    "{op:?} {sa:?} {sb:?} ∂a"
                );
                assert_eq!(
                    bits(grads.get(&b).unwrap()),
                    bits(&gb),
                    "{op:?} {sa:?} {sb:?} ∂b"
                );
            }
        }
    }
}
