//! `Tensor`: contiguous row-major f32 data and a shape, plus (when it was made by an op while
//! gradients are recorded) the op's backward and its inputs: the graph *is* the tensors.
//!
//! Cloning a `Tensor` is cheap (a reference count). Data is only mutated through
//! [`Tensor::update`], which optimizers use between steps on parameters.

use crate::autograd::{grad_enabled, Backward};
use crate::rng::Rng;
use crate::shape::{numel, Result, ShapeError};
use std::cell::{Cell, Ref, RefCell};
use std::fmt;
use std::rc::Rc;

/// Identity of a tensor in the graph (for gradient lookup). Never reused within a thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TensorId(u64);

impl TensorId {
    fn fresh() -> Self {
        thread_local!(static NEXT: Cell<u64> = const { Cell::new(0) });
        NEXT.with(|n| {
            let id = n.get();
            n.set(id + 1);
            TensorId(id)
        })
    }
}

pub(crate) struct GradFn {
    /// The op's name ("matmul", "add", …), for debugging and [`Tensor::op_name`].
    pub(crate) op: &'static str,
    pub(crate) backward: Box<dyn Backward>,
    pub(crate) inputs: Vec<Tensor>,
}

pub(crate) struct Node {
    pub(crate) id: TensorId,
    pub(crate) shape: Vec<usize>,
    pub(crate) data: RefCell<Vec<f32>>,
    pub(crate) requires_grad: bool,
    pub(crate) grad_fn: Option<GradFn>,
    pub(crate) retain_grad: Cell<bool>,
}

#[derive(Clone)]
pub struct Tensor(pub(crate) Rc<Node>);

impl Drop for Node {
    /// Dismantles the graph behind a node iteratively: the default recursive drop of a
    /// 10,000-step chain of `Rc`s would overflow the stack (micrograd's trap).
    fn drop(&mut self) {
        let Some(grad_fn) = self.grad_fn.take() else {
            return;
        };
        let mut orphans = grad_fn.inputs;
        while let Some(tensor) = orphans.pop() {
            // Only a node nobody else holds is dropped now; its inputs join the queue first.
            if let Ok(mut node) = Rc::try_unwrap(tensor.0) {
                if let Some(inner) = node.grad_fn.take() {
                    orphans.extend(inner.inputs);
                }
            }
        }
    }
}

impl fmt::Debug for Tensor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let data = self.0.data.borrow();
        let shown: Vec<f32> = data.iter().take(8).copied().collect();
        write!(
            f,
            "Tensor{:?} {:?}{}",
            self.0.shape,
            shown,
            if data.len() > 8 { " …" } else { "" }
        )?;
        if let Some(g) = &self.0.grad_fn {
            write!(f, " ({})", g.op)?;
        }
        Ok(())
    }
}

impl Tensor {
    fn leaf(data: Vec<f32>, shape: Vec<usize>, requires_grad: bool) -> Tensor {
        debug_assert_eq!(data.len(), numel(&shape));
        Tensor(Rc::new(Node {
            id: TensorId::fresh(),
            shape,
            data: RefCell::new(data),
            requires_grad,
            grad_fn: None,
            retain_grad: Cell::new(false),
        }))
    }

    /// The result of the op named `op`. The backward is recorded only if gradients are on and
    /// an input needs one; otherwise the result is a plain leaf and the inputs can be freed.
    pub(crate) fn from_op(
        op: &'static str,
        data: Vec<f32>,
        shape: Vec<usize>,
        inputs: &[&Tensor],
        backward: impl Backward + 'static,
    ) -> Tensor {
        debug_assert_eq!(data.len(), numel(&shape), "{op}");
        let track = grad_enabled() && inputs.iter().any(|t| t.tracks_grad());
        Tensor(Rc::new(Node {
            id: TensorId::fresh(),
            shape,
            data: RefCell::new(data),
            requires_grad: track,
            grad_fn: track.then(|| GradFn {
                op,
                backward: Box::new(backward),
                inputs: inputs.iter().map(|t| (*t).clone()).collect(),
            }),
            retain_grad: Cell::new(false),
        }))
    }

    // ---- creation ----

    pub fn from_vec(data: Vec<f32>, shape: &[usize]) -> Result<Tensor> {
        if data.len() != numel(shape) {
            return Err(ShapeError::new(
                "from_vec",
                format!(
                    "{} values cannot fill shape {shape:?} ({} needed)",
                    data.len(),
                    numel(shape)
                ),
            ));
        }
        Ok(Tensor::leaf(data, shape.to_vec(), false))
    }

    pub fn scalar(value: f32) -> Tensor {
        Tensor::leaf(vec![value], vec![], false)
    }

    pub fn full(shape: &[usize], value: f32) -> Tensor {
        Tensor::leaf(vec![value; numel(shape)], shape.to_vec(), false)
    }

    pub fn zeros(shape: &[usize]) -> Tensor {
        Tensor::full(shape, 0.0)
    }

    pub fn ones(shape: &[usize]) -> Tensor {
        Tensor::full(shape, 1.0)
    }

    /// 0, 1, …, n-1 as a vector.
    pub fn arange(n: usize) -> Tensor {
        Tensor::leaf((0..n).map(|i| i as f32).collect(), vec![n], false)
    }

    pub fn uniform(shape: &[usize], lo: f32, hi: f32, rng: &mut Rng) -> Tensor {
        Tensor::leaf(rng.uniform_vec(numel(shape), lo, hi), shape.to_vec(), false)
    }

    pub fn normal(shape: &[usize], mean: f32, std: f32, rng: &mut Rng) -> Tensor {
        Tensor::leaf(
            rng.normal_vec(numel(shape), mean, std),
            shape.to_vec(),
            false,
        )
    }

    /// The same values as a new leaf that gradients flow into (a parameter or an input whose
    /// gradient is wanted).
    pub fn requires_grad(self) -> Tensor {
        Tensor::leaf(self.to_vec(), self.0.shape.clone(), true)
    }

    /// The same values, cut from the graph: no gradient flows through it.
    pub fn detach(&self) -> Tensor {
        Tensor::leaf(self.to_vec(), self.0.shape.clone(), false)
    }

    // ---- reading ----

    pub fn id(&self) -> TensorId {
        self.0.id
    }

    pub fn shape(&self) -> &[usize] {
        &self.0.shape
    }

    pub fn rank(&self) -> usize {
        self.0.shape.len()
    }

    pub fn numel(&self) -> usize {
        numel(&self.0.shape)
    }

    pub fn data(&self) -> Ref<'_, Vec<f32>> {
        self.0.data.borrow()
    }

    pub fn to_vec(&self) -> Vec<f32> {
        self.0.data.borrow().clone()
    }

    /// The value of a one-element tensor.
    pub fn item(&self) -> Result<f32> {
        match self.0.data.borrow().as_slice() {
            [v] => Ok(*v),
            other => Err(ShapeError::new(
                "item",
                format!(
                    "needs exactly one element, the tensor {:?} has {}",
                    self.0.shape,
                    other.len()
                ),
            )),
        }
    }

    /// Whether gradients flow into this tensor (a leaf marked with [`Tensor::requires_grad`], or
    /// the recorded result of an op on one).
    pub fn tracks_grad(&self) -> bool {
        self.0.requires_grad
    }

    /// Ask [`Tensor::backward`] to keep this intermediate's gradient (e.g. ∂L/∂h_t of an RNN).
    pub fn retain_grad(&self) {
        self.0.retain_grad.set(true);
    }

    /// Changes the values in place (optimizers on parameters, between steps). Changing a tensor
    /// that a recorded graph still uses would make that graph's backward wrong: don't.
    pub fn update(&self, f: impl FnOnce(&mut [f32])) {
        f(&mut self.0.data.borrow_mut());
    }

    /// The op that made this tensor, if it was recorded ("matmul", "add", …).
    pub fn op_name(&self) -> Option<&'static str> {
        self.0.grad_fn.as_ref().map(|g| g.op)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creation_checks_the_shape() {
        assert!(Tensor::from_vec(vec![1.0, 2.0, 3.0], &[3]).is_ok());
        let err = Tensor::from_vec(vec![1.0, 2.0, 3.0], &[2, 2]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "from_vec: 3 values cannot fill shape [2, 2] (4 needed)"
        );
        assert_eq!(Tensor::arange(4).to_vec(), vec![0.0, 1.0, 2.0, 3.0]);
        assert_eq!(Tensor::scalar(2.5).item(), Ok(2.5));
        assert!(Tensor::zeros(&[2]).item().is_err());
    }
}
