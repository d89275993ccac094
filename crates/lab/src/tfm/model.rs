//! The lab's Transformer: token embeddings (× √d_model, as in the paper) plus positions, a
//! stack of blocks (causal for the decoder), a final LayerNorm when pre-LN, and a linear
//! layer to the vocabulary at every position. Every head's attention is tapped as
//! "block{l}.attn.head{h}.attn".

use contract::tfm::{NormPlacement, Positions, TfmLab};
use nn::layers::{BlockShape, 
    learned_positions, sinusoidal_positions, Embedding, LayerNorm, Linear, Norming, Parameters,
    TransformerEncoderBlock,
};
use tensor::rng::Rng;
use tensor::{Result, Tensor};

pub struct TfmModel {
    pub embed: Embedding,
    /// [length, d_model]: fixed sinusoids or a trained table; none without positions.
    pub positions: Option<Tensor>,
    /// The positions are a parameter (trained), not the fixed sinusoids.
    pub learned_positions: bool,
    pub blocks: Vec<TransformerEncoderBlock>,
    pub final_norm: Option<LayerNorm>,
    pub head: Linear,
    pub causal: bool,
    pub width: usize,
    pub length: usize,
    pub vocab: usize,
}

/// The tap of one head's attention weights.
pub fn head_tap(layer: usize, head: usize) -> String {
    format!("block{layer}.attn.head{head}.attn")
}

impl TfmModel {
    pub fn new(spec: &TfmLab) -> Result<TfmModel> {
        let mut rng = Rng::new(spec.seed.wrapping_add(0x7f3));
        let (d, length, vocab) = (spec.width, spec.sequence_length(), spec.task.vocabulary());
        let embed = Embedding::new(vocab, d, &mut rng);
        let positions = match spec.positions {
            Positions::Sinusoidal => Some(sinusoidal_positions(length, d)),
            Positions::Learned => Some(learned_positions(length, d, &mut rng)),
            Positions::None => None,
        };
        let norming = match spec.norm {
            NormPlacement::Post => Norming::PostLn,
            NormPlacement::Pre => Norming::PreLn,
            NormPlacement::None => Norming::None,
        };
        let shape = BlockShape {
            dim: d,
            heads: spec.heads,
            ff: spec.ff,
            norming,
        };
        let blocks = (0..spec.layers)
            .map(|l| {
                Ok(TransformerEncoderBlock::new(&format!("block{l}"), shape, &mut rng)?
                .with_residual(spec.residual)
                .with_scaling(spec.scaled))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(TfmModel {
            embed,
            positions,
            learned_positions: spec.positions == Positions::Learned,
            blocks,
            final_norm: (spec.norm == NormPlacement::Pre).then(|| LayerNorm::new(d)),
            head: Linear::new(d, vocab, false, &mut rng),
            causal: spec.causal(),
            width: d,
            length,
            vocab,
        })
    }

    pub fn parameters(&self) -> Vec<Tensor> {
        let mut p: Vec<Tensor> = self.embed.parameters().into_iter().map(|p| p.1).collect();
        if let Some(pos) = self.positions.as_ref().filter(|_| self.learned_positions) {
            p.push(pos.clone());
        }
        for b in &self.blocks {
            p.extend(b.parameters().into_iter().map(|p| p.1));
        }
        if let Some(n) = &self.final_norm {
            p.extend(n.parameters().into_iter().map(|p| p.1));
        }
        p.extend(self.head.parameters().into_iter().map(|p| p.1));
        p
    }

    /// The blocks' input: embeddings × √d plus positions, for `batch` rows of `length` tokens.
    pub fn embedded(&self, tokens: &[usize], batch: usize) -> Result<Tensor> {
        let length = tokens.len() / batch.max(1);
        let x = self
            .embed
            .forward(tokens)?
            .reshape(&[batch, length, self.width])?
            .scale((self.width as f32).sqrt());
        match &self.positions {
            Some(p) => x.add(&p.narrow(0, 0, length)?),
            None => Ok(x),
        }
    }

    /// Logits [batch · length, vocab] for `batch` rows of tokens (row-major).
    pub fn logits(&self, tokens: &[usize], batch: usize) -> Result<Tensor> {
        let mut h = self.embedded(tokens, batch)?;
        for b in &self.blocks {
            h = b.forward(&h, self.causal, None)?;
        }
        if let Some(n) = &self.final_norm {
            h = n.forward(&h)?;
        }
        let rows = h.shape()[0] * h.shape()[1];
        self.head.forward(&h.reshape(&[rows, self.width])?)
    }
}
