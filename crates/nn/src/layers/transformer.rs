//! Transformer blocks and positional encodings.
//! Post-LN (as in the paper): x ← LN(x + Sublayer(x)); pre-LN (an option, trains more easily
//! when deep): x ← x + Sublayer(LN(x)). For the lab's ablations a block can also go without
//! LayerNorm (`Norming::None`) or without its residual connections (`with_residual(false)`).

use super::{LayerNorm, Linear, MultiHeadAttention, Parameters};
use tensor::rng::Rng;
use tensor::{Result, Tensor};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Norming {
    PostLn,
    PreLn,
    /// No LayerNorm at all.
    None,
}

/// PE(pos, 2i) = sin(pos / 10000^(2i/d)),  PE(pos, 2i+1) = cos(pos / 10000^(2i/d)): [len, d].
pub fn sinusoidal_positions(len: usize, d: usize) -> Tensor {
    let mut pe = vec![0.0f32; len * d];
    for pos in 0..len {
        for i in 0..d.div_ceil(2) {
            let angle = pos as f64 / 10000f64.powf(2.0 * i as f64 / d as f64);
            pe[pos * d + 2 * i] = angle.sin() as f32;
            if 2 * i + 1 < d {
                pe[pos * d + 2 * i + 1] = angle.cos() as f32;
            }
        }
    }
    Tensor::from_vec(pe, &[len, d]).expect("len·d values")
}

/// The learned alternative: a trainable [len, d] table, small random start.
pub fn learned_positions(len: usize, d: usize, rng: &mut Rng) -> Tensor {
    Tensor::normal(&[len, d], 0.0, 0.02, rng).requires_grad()
}

struct FeedForward {
    up: Linear,
    down: Linear,
}

impl FeedForward {
    /// dim → ff (ReLU) → dim, the block's position-wise feed-forward network.
    fn new(dim: usize, ff: usize, rng: &mut Rng) -> FeedForward {
        FeedForward {
            up: Linear::new(dim, ff, true, rng),
            down: Linear::new(ff, dim, false, rng),
        }
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.down.forward(&self.up.forward(x)?.relu())
    }
}

impl Parameters for FeedForward {
    fn parameters(&self) -> Vec<(String, Tensor)> {
        let mut p = super::prefixed("up", &self.up);
        p.extend(super::prefixed("down", &self.down));
        p
    }
}

/// A Transformer block's sizes and where its LayerNorms sit: what an encoder's and a decoder's
/// blocks are built from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockShape {
    /// d_model: the width of every token's vector.
    pub dim: usize,
    pub heads: usize,
    /// The feed-forward network's hidden width.
    pub ff: usize,
    pub norming: Norming,
}

/// Self-attention + feed-forward, each wrapped in a residual connection and LayerNorm.
pub struct TransformerEncoderBlock {
    pub attention: MultiHeadAttention,
    ff: FeedForward,
    pub norm1: LayerNorm,
    pub norm2: LayerNorm,
    pub norming: Norming,
    /// x + Sublayer(x) (the paper) or Sublayer(x) alone.
    pub residual: bool,
}

/// One sublayer with its residual connection and LayerNorm, placed as `norming` says.
pub fn sublayer(
    x: &Tensor,
    norm: &LayerNorm,
    norming: Norming,
    residual: bool,
    f: impl FnOnce(&Tensor) -> Result<Tensor>,
) -> Result<Tensor> {
    let around = |input: &Tensor, out: Tensor| if residual { input.add(&out) } else { Ok(out) };
    match norming {
        Norming::PostLn => norm.forward(&around(x, f(x)?)?),
        Norming::PreLn => around(x, f(&norm.forward(x)?)?),
        Norming::None => around(x, f(x)?),
    }
}

impl TransformerEncoderBlock {
    pub fn new(name: &str, shape: BlockShape, rng: &mut Rng) -> Result<Self> {
        let (dim, heads) = (shape.dim, shape.heads);
        Ok(TransformerEncoderBlock {
            attention: MultiHeadAttention::new(&format!("{name}.attn"), dim, heads, rng)?,
            ff: FeedForward::new(dim, shape.ff, rng),
            norm1: LayerNorm::new(dim),
            norm2: LayerNorm::new(dim),
            norming: shape.norming,
            residual: true,
        })
    }

    pub fn with_residual(mut self, residual: bool) -> Self {
        self.residual = residual;
        self
    }

    /// Scores divided by √d_k (the default) or not.
    pub fn with_scaling(mut self, scaled: bool) -> Self {
        self.attention.scaled = scaled;
        self
    }

    /// The attention sublayer alone (with its residual and LayerNorm): what comes before the
    /// feed-forward network.
    pub fn attend(&self, x: &Tensor, causal: bool, padding: Option<&Tensor>) -> Result<Tensor> {
        sublayer(x, &self.norm1, self.norming, self.residual, |t| {
            self.attention.forward(t, t, causal, padding)
        })
    }

    /// x [batch, len, dim]; `causal` makes it a decoder-only (language model) block.
    pub fn forward(&self, x: &Tensor, causal: bool, padding: Option<&Tensor>) -> Result<Tensor> {
        let h = self.attend(x, causal, padding)?;
        sublayer(&h, &self.norm2, self.norming, self.residual, |t| {
            self.ff.forward(t)
        })
    }
}

impl Parameters for TransformerEncoderBlock {
    fn parameters(&self) -> Vec<(String, Tensor)> {
        let mut p = super::prefixed("attention", &self.attention);
        p.extend(super::prefixed("ff", &self.ff));
        p.extend(super::prefixed("norm1", &self.norm1));
        p.extend(super::prefixed("norm2", &self.norm2));
        p
    }
}

/// Masked self-attention, cross-attention over the encoder's output, feed-forward.
pub struct TransformerDecoderBlock {
    pub self_attention: MultiHeadAttention,
    pub cross_attention: MultiHeadAttention,
    ff: FeedForward,
    norms: [LayerNorm; 3],
    pub norming: Norming,
}

impl TransformerDecoderBlock {
    pub fn new(name: &str, shape: BlockShape, rng: &mut Rng) -> Result<Self> {
        let (dim, heads) = (shape.dim, shape.heads);
        Ok(TransformerDecoderBlock {
            self_attention: MultiHeadAttention::new(&format!("{name}.self_attn"), dim, heads, rng)?,
            cross_attention: MultiHeadAttention::new(
                &format!("{name}.cross_attn"),
                dim,
                heads,
                rng,
            )?,
            ff: FeedForward::new(dim, shape.ff, rng),
            norms: [
                LayerNorm::new(dim),
                LayerNorm::new(dim),
                LayerNorm::new(dim),
            ],
            norming: shape.norming,
        })
    }

    pub fn forward(
        &self,
        x: &Tensor,
        memory: &Tensor,
        memory_padding: Option<&Tensor>,
    ) -> Result<Tensor> {
        let h = sublayer(x, &self.norms[0], self.norming, true, |t| {
            self.self_attention.forward(t, t, true, None)
        })?;
        let h = sublayer(&h, &self.norms[1], self.norming, true, |t| {
            self.cross_attention
                .forward(t, memory, false, memory_padding)
        })?;
        sublayer(&h, &self.norms[2], self.norming, true, |t| {
            self.ff.forward(t)
        })
    }
}

impl Parameters for TransformerDecoderBlock {
    fn parameters(&self) -> Vec<(String, Tensor)> {
        let mut p = super::prefixed("self_attention", &self.self_attention);
        p.extend(super::prefixed("cross_attention", &self.cross_attention));
        p.extend(super::prefixed("ff", &self.ff));
        for (i, n) in self.norms.iter().enumerate() {
            p.extend(super::prefixed(&format!("norm{}", i + 1), n));
        }
        p
    }
}
