//! Attention. Multi-head scaled dot-product attention (Vaswani et al.):
//! softmax(Q Kᵀ / √d_k + mask) V per head, heads concatenated and mixed by W_o; and additive
//! (Bahdanau) attention from the notes: e_ij = v_aᵀ tanh(W s_{i−1} + U h_j), α_ij = softmax_j(e_ij).
//! Attention weights are offered as taps ("<name>.head<k>.attn", "<name>.alignment").

use super::{Linear, Parameters};
use tensor::rng::Rng;
use tensor::shape::ShapeError;
use tensor::taps::tap;
use tensor::{Result, Tensor};

pub struct MultiHeadAttention {
    pub name: String,
    pub heads: usize,
    pub dim: usize,
    q: Linear,
    k: Linear,
    v: Linear,
    o: Linear,
}

impl MultiHeadAttention {
    pub fn new(name: &str, dim: usize, heads: usize, rng: &mut Rng) -> Result<MultiHeadAttention> {
        if heads == 0 || !dim.is_multiple_of(heads) {
            return Err(ShapeError::new(
                "attention",
                format!("model width {dim} must be a multiple of the {heads} heads"),
            ));
        }
        let mut lin = || Linear::new(dim, dim, false, rng);
        Ok(MultiHeadAttention {
            name: name.to_string(),
            heads,
            dim,
            q: lin(),
            k: lin(),
            v: lin(),
            o: lin(),
        })
    }

    /// [batch, len, dim] → [batch, heads, len, dim/heads].
    fn split_heads(&self, x: &Tensor) -> Result<Tensor> {
        let [b, n, _] = *x.shape() else {
            return Err(ShapeError::new(
                "attention",
                format!("expects [batch, length, {}], got {:?}", self.dim, x.shape()),
            ));
        };
        x.reshape(&[b, n, self.heads, self.dim / self.heads])?
            .permute(&[0, 2, 1, 3])
    }

    /// Queries from `x` [batch, n, dim], keys and values from `memory` [batch, m, dim] (pass `x`
    /// again for self-attention). `causal` hides future positions (position i sees j ≤ i);
    /// `key_padding` [batch, m] is 1 where a key is padding. Returns [batch, n, dim].
    pub fn forward(
        &self,
        x: &Tensor,
        memory: &Tensor,
        causal: bool,
        key_padding: Option<&Tensor>,
    ) -> Result<Tensor> {
        let (q, k, v) = (
            self.split_heads(&self.q.forward(x)?)?,
            self.split_heads(&self.k.forward(memory)?)?,
            self.split_heads(&self.v.forward(memory)?)?,
        );
        let (b, n, m) = (x.shape()[0], x.shape()[1], memory.shape()[1]);
        let d_k = (self.dim / self.heads) as f32;
        let mut scores = q.matmul(&k.transpose(2, 3)?)?.scale(1.0 / d_k.sqrt());
        if causal {
            let future: Vec<f32> = (0..n * m)
                .map(|i| f32::from(u8::from(i % m > i / m)))
                .collect();
            scores = scores.masked_fill(&Tensor::from_vec(future, &[n, m])?, f32::NEG_INFINITY)?;
        }
        if let Some(pad) = key_padding {
            scores = scores.masked_fill(&pad.reshape(&[b, 1, 1, m])?, f32::NEG_INFINITY)?;
        }
        let weights = scores.softmax()?;
        for head in 0..self.heads {
            if let Ok(w) = weights.narrow(1, head, 1) {
                tap(&format!("{}.head{head}.attn", self.name), &w);
            }
        }
        let mixed = weights
            .matmul(&v)?
            .permute(&[0, 2, 1, 3])?
            .reshape(&[b, n, self.dim])?;
        self.o.forward(&mixed)
    }
}

impl Parameters for MultiHeadAttention {
    fn parameters(&self) -> Vec<(String, Tensor)> {
        [
            ("query", &self.q),
            ("key", &self.k),
            ("value", &self.v),
            ("output", &self.o),
        ]
        .iter()
        .flat_map(|(n, l)| super::prefixed(n, *l))
        .collect()
    }
}

/// Bahdanau attention: scores every encoder state h_j against the decoder's previous state.
pub struct AdditiveAttention {
    pub name: String,
    w: Linear,
    u: Linear,
    v: Linear,
}

impl AdditiveAttention {
    /// `decoder` and `encoder` are the state widths, `width` the hidden width of the score.
    pub fn new(
        name: &str,
        decoder: usize,
        encoder: usize,
        width: usize,
        rng: &mut Rng,
    ) -> AdditiveAttention {
        AdditiveAttention {
            name: name.to_string(),
            w: Linear::new(decoder, width, false, rng).without_bias(),
            u: Linear::new(encoder, width, false, rng),
            v: Linear::new(width, 1, false, rng).without_bias(),
        }
    }

    /// s_prev [batch, decoder], h [batch, m, encoder] → (context [batch, encoder], α [batch, m]).
    pub fn forward(&self, s_prev: &Tensor, h: &Tensor) -> Result<(Tensor, Tensor)> {
        let [b, m, e] = *h.shape() else {
            return Err(ShapeError::new(
                "additive_attention",
                format!(
                    "encoder states must be [batch, length, width], got {:?}",
                    h.shape()
                ),
            ));
        };
        let ws = self.w.forward(s_prev)?; // [b, width]
        let width = ws.shape()[1];
        let energy = self.u.forward(h)?.add(&ws.reshape(&[b, 1, width])?)?.tanh(); // [b, m, width]
        let e_ij = self.v.forward(&energy)?.reshape(&[b, m])?;
        let alpha = tap(&format!("{}.alignment", self.name), &e_ij.softmax()?);
        let context = alpha.reshape(&[b, 1, m])?.matmul(h)?.reshape(&[b, e])?;
        Ok((context, alpha))
    }
}

impl Parameters for AdditiveAttention {
    fn parameters(&self) -> Vec<(String, Tensor)> {
        [("w", &self.w), ("u", &self.u), ("v", &self.v)]
            .iter()
            .flat_map(|(n, l)| super::prefixed(n, *l))
            .collect()
    }
}
