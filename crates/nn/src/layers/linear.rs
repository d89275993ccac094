//! Linear (fully connected), Embedding and Dropout.

use super::Parameters;
use crate::init;
use std::cell::RefCell;
use tensor::rng::Rng;
use tensor::{Result, Tensor};

/// y = x·W + b, W: [in, out], over the last axis of x.
pub struct Linear {
    pub weight: Tensor,
    pub bias: Option<Tensor>,
}

impl Linear {
    /// Xavier-initialised (He when it feeds a ReLU: pass `relu = true`).
    pub fn new(inputs: usize, outputs: usize, relu: bool, rng: &mut Rng) -> Linear {
        let weight = if relu {
            init::he_uniform(&[inputs, outputs], inputs, rng)
        } else {
            init::xavier_uniform(&[inputs, outputs], inputs, outputs, rng)
        };
        Linear {
            weight,
            bias: Some(init::zeros(&[outputs])),
        }
    }

    pub fn without_bias(mut self) -> Linear {
        self.bias = None;
        self
    }

    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let y = x.matmul(&self.weight)?;
        match &self.bias {
            Some(b) => y.add(b),
            None => Ok(y),
        }
    }
}

impl Parameters for Linear {
    fn parameters(&self) -> Vec<(String, Tensor)> {
        let mut p = vec![("weight".to_string(), self.weight.clone())];
        p.extend(self.bias.iter().map(|b| ("bias".to_string(), b.clone())));
        p
    }
}

/// A table of `vocab` learned vectors of size `dim`, looked up by token index.
pub struct Embedding {
    pub table: Tensor,
}

impl Embedding {
    pub fn new(vocab: usize, dim: usize, rng: &mut Rng) -> Embedding {
        Embedding {
            table: Tensor::normal(&[vocab, dim], 0.0, 1.0 / (dim as f32).sqrt(), rng)
                .requires_grad(),
        }
    }

    /// Tokens [n] → vectors [n, dim]; an out-of-vocabulary token is an error, not a panic.
    pub fn forward(&self, tokens: &[usize]) -> Result<Tensor> {
        self.table.index_select(tokens)
    }
}

impl Parameters for Embedding {
    fn parameters(&self) -> Vec<(String, Tensor)> {
        vec![("table".to_string(), self.table.clone())]
    }
}

/// Dropout with its own seeded generator: the same experiment drops the same units.
pub struct Dropout {
    pub p: f32,
    rng: RefCell<Rng>,
}

impl Dropout {
    pub fn new(p: f32, seed: u64) -> Dropout {
        Dropout {
            p,
            rng: RefCell::new(Rng::new(seed)),
        }
    }

    /// In training, drops with probability p (scaling the rest); in evaluation, the identity.
    pub fn forward(&self, x: &Tensor, training: bool) -> Result<Tensor> {
        if !training || self.p == 0.0 {
            return Ok(x.clone());
        }
        x.dropout(self.p, &mut self.rng.borrow_mut())
    }
}
