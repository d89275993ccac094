//! Reverse-mode automatic differentiation over the graph the tensors form.
//!
//! Every recorded op stores its name, a [`Backward`] (written next to its forward, in `ops/`)
//! and its inputs. [`Tensor::backward`] walks the graph once in reverse topological order, found by an
//! iterative depth-first search (no recursion: a 10,000-step unrolled RNN must not overflow the
//! stack), and *adds* each contribution to an input's gradient, so a tensor used twice gets the
//! sum. The order of that walk depends only on the graph, so gradients are reproducible.

use crate::shape::{Result, ShapeError};
use crate::tensor::{Tensor, TensorId};
use crate::thread_flag::with_flag;
use std::cell::Cell;
use std::collections::{HashMap, HashSet};

/// The backward of one op: given ∂L/∂output, the contribution to ∂L/∂input for each input
/// (`None` for an input that does not track gradients or gets none). The op's name is given
/// where its node is built ([`Tensor::from_op`]), so one backward can serve ops of several names.
pub(crate) trait Backward {
    fn backward(&self, grad: &[f32], output: &Tensor, inputs: &[Tensor]) -> Vec<Option<Vec<f32>>>;
}

thread_local!(static GRAD_ENABLED: Cell<bool> = const { Cell::new(true) });

pub(crate) fn grad_enabled() -> bool {
    GRAD_ENABLED.with(Cell::get)
}

/// Runs `f` without recording any op (evaluation, inspection, optimizer arithmetic).
pub fn no_grad<R>(f: impl FnOnce() -> R) -> R {
    with_flag(&GRAD_ENABLED, false, f)
}

/// Gradients from one backward pass: those of leaves that track gradients, and of
/// intermediates marked with [`Tensor::retain_grad`].
#[derive(Default, Debug)]
pub struct Gradients {
    by_id: HashMap<TensorId, Vec<f32>>,
}

impl Gradients {
    pub fn get(&self, tensor: &Tensor) -> Option<&[f32]> {
        self.by_id.get(&tensor.id()).map(Vec::as_slice)
    }

    /// Takes a gradient out (an optimizer consuming it).
    pub fn take(&mut self, tensor: &Tensor) -> Option<Vec<f32>> {
        self.by_id.remove(&tensor.id())
    }
}

/// Tensors that reach `root` through recorded ops, inputs before the ops that use them.
fn topological_order(root: &Tensor) -> Vec<Tensor> {
    let mut order = Vec::new();
    let mut seen = HashSet::new();
    // (tensor, whether its inputs have been pushed already)
    let mut stack = vec![(root.clone(), false)];
    while let Some((tensor, expanded)) = stack.pop() {
        if expanded {
            order.push(tensor);
            continue;
        }
        if !seen.insert(tensor.id()) {
            continue;
        }
        stack.push((tensor.clone(), true));
        if let Some(grad_fn) = &tensor.0.grad_fn {
            for input in grad_fn.inputs.iter().rev() {
                if input.tracks_grad() && !seen.contains(&input.id()) {
                    stack.push((input.clone(), false));
                }
            }
        }
    }
    order
}

impl Tensor {
    /// ∂self/∂x for every leaf x that tracks gradients; `self` must have one element.
    pub fn backward(&self) -> Result<Gradients> {
        if self.numel() != 1 {
            return Err(ShapeError::new(
                "backward",
                format!("needs a scalar loss, got shape {:?}; use backward_with for a vector-Jacobian product", self.shape()),
            ));
        }
        self.backward_with(vec![1.0])
    }

    /// The vector-Jacobian product: gradients of Σ cotangent ⊙ self. With a one-hot cotangent
    /// this is the gradient of one output unit (e.g. for an effective receptive field).
    pub fn backward_with(&self, cotangent: Vec<f32>) -> Result<Gradients> {
        if cotangent.len() != self.numel() {
            return Err(ShapeError::new(
                "backward_with",
                format!(
                    "cotangent has {} values, the tensor {:?} has {}",
                    cotangent.len(),
                    self.shape(),
                    self.numel()
                ),
            ));
        }
        let mut result = Gradients::default();
        if !self.tracks_grad() {
            return Ok(result);
        }
        let mut pending: HashMap<TensorId, Vec<f32>> = HashMap::new();
        pending.insert(self.id(), cotangent);
        for tensor in topological_order(self).into_iter().rev() {
            let Some(grad) = pending.remove(&tensor.id()) else {
                continue; // nothing flowed here (e.g. a masked-out branch)
            };
            if let Some(grad_fn) = &tensor.0.grad_fn {
                let contributions = grad_fn.backward.backward(&grad, &tensor, &grad_fn.inputs);
                for (input, contribution) in grad_fn.inputs.iter().zip(contributions) {
                    let Some(contribution) = contribution else {
                        continue;
                    };
                    if !input.tracks_grad() {
                        continue;
                    }
                    debug_assert_eq!(contribution.len(), input.numel(), "{}", grad_fn.op);
                    match pending.get_mut(&input.id()) {
                        Some(sum) => sum.iter_mut().zip(&contribution).for_each(|(s, c)| *s += c),
                        None => {
                            pending.insert(input.id(), contribution);
                        }
                    }
                }
                if tensor.0.retain_grad.get() {
                    result.by_id.insert(tensor.id(), grad);
                }
            } else {
                result.by_id.insert(tensor.id(), grad);
            }
        }
        Ok(result)
    }
}
