//! Attention. Multi-head scaled dot-product attention (Vaswani et al.):
//! softmax(Q Kᵀ / √d_k + mask) V per head, heads concatenated and mixed by W_o; and additive
//! (Bahdanau) attention from the notes: e_ij = v_aᵀ tanh(W s_{i−1} + U h_j), α_ij = softmax_j(e_ij).
//! Attention weights are offered as taps ("<name>.head<k>.attn", "<name>.alignment").

use super::{Linear, Parameters};
use tensor::rng::Rng;
use tensor::shape::ShapeError;
use tensor::taps::tap;
use tensor::{Result, Tensor};

/// Hides the future: position i (a row) sees keys j ≤ i. [n, m], 1 where hidden.
pub fn causal_mask(n: usize, m: usize) -> Tensor {
    let future: Vec<f32> = (0..n * m)
        .map(|i| f32::from(u8::from(i % m > i / m)))
        .collect();
    Tensor::from_vec(future, &[n, m]).expect("n·m values")
}

/// softmax(Q Kᵀ · scale + mask) V over the last two axes: q [.., n, d], k [.., m, d],
/// v [.., m, d_v]; `mask` (1 where a key is hidden) broadcasts to [.., n, m] and its cells
/// get −∞ before the softmax, so they weigh exactly 0. A row with every key hidden attends to
/// nothing (zero weights, zero output, zero gradient), as in PyTorch ≥ 2.5's
/// `scaled_dot_product_attention`, rather than NaN. Returns (output, weights).
pub fn scaled_dot_product_attention(
    q: &Tensor,
    k: &Tensor,
    v: &Tensor,
    mask: Option<&Tensor>,
    scale: f32,
) -> Result<(Tensor, Tensor)> {
    let rows = k.rank().checked_sub(2).ok_or_else(|| {
        ShapeError::new(
            "attention",
            "keys need at least two axes [.., length, width]",
        )
    })?;
    let mut scores = q.matmul(&k.transpose(rows, rows + 1)?)?;
    if scale != 1.0 {
        scores = scores.scale(scale);
    }
    if let Some(mask) = mask {
        scores = scores.masked_fill(mask, f32::NEG_INFINITY)?;
    }
    let weights = scores.softmax()?;
    Ok((weights.matmul(v)?, weights))
}

pub struct MultiHeadAttention {
    pub name: String,
    pub heads: usize,
    pub dim: usize,
    /// Divide the scores by √d_k (the paper's choice; off shows why).
    pub scaled: bool,
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
            scaled: true,
            q: lin(),
            k: lin(),
            v: lin(),
            o: lin(),
        })
    }

    /// Without the division by √d_k: large dot products saturate the softmax.
    pub fn with_scaling(mut self, scaled: bool) -> Self {
        self.scaled = scaled;
        self
    }

    /// The query, key, value and output projections (W_q, W_k, W_v, W_o), for a reader that
    /// retraces the computation.
    pub fn projections(&self) -> [&Linear; 4] {
        [&self.q, &self.k, &self.v, &self.o]
    }

    /// Width of one head's queries and keys.
    pub fn head_dim(&self) -> usize {
        self.dim / self.heads
    }

    /// The factor the scores are multiplied by: 1/√d_k, or 1 unscaled.
    pub fn score_scale(&self) -> f32 {
        if self.scaled {
            1.0 / (self.head_dim() as f32).sqrt()
        } else {
            1.0
        }
    }

    /// [batch, len, dim] → [batch, heads, len, dim/heads].
    pub fn split_heads(&self, x: &Tensor) -> Result<Tensor> {
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
        let future = causal.then(|| causal_mask(n, m));
        let mask = match (future, key_padding) {
            (None, None) => None,
            (Some(f), None) => Some(f),
            (f, Some(pad)) => {
                let pad = pad.reshape(&[b, 1, 1, m])?;
                Some(match f {
                    // Hidden if either hides it: the sum is 1 or 2 there, 0 elsewhere.
                    Some(f) => f.add(&pad)?,
                    None => pad,
                })
            }
        };
        let (mixed, weights) =
            scaled_dot_product_attention(&q, &k, &v, mask.as_ref(), self.score_scale())?;
        // Each head's weights are sliced out only for a reader (a capture) that may want them.
        if tensor::taps::capturing() {
            for head in 0..self.heads {
                if let Ok(w) = weights.narrow(1, head, 1) {
                    tap(&format!("{}.head{head}.attn", self.name), &w);
                }
            }
        }
        let mixed = mixed.permute(&[0, 2, 1, 3])?.reshape(&[b, n, self.dim])?;
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
