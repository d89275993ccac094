//! The lab's three translators, behind one interface so the session trains, decodes and
//! looks inside them alike.
//!
//! - [`Recurrent`] without attention: a bidirectional GRU encoder; c = [→h_last; ←h_first], the
//!   one vector the whole sentence must fit in; a GRU decoder reads [y_{i−1}; c] at every step
//!   and predicts from [s_i; c] (Cho et al. 2014).
//! - [`Recurrent`] with attention: the same, but c_i = Σ_j α_ij h_j with
//!   α_ij = softmax_j(v_aᵀ tanh(W s_{i−1} + U h_j)) (Bahdanau et al. 2015, the notes' form).
//!   Both start the decoder from s_0 = tanh(W_s ←h_first), as Bahdanau et al. do.
//! - [`Transformer`]: encoder blocks over the source, decoder blocks with masked self-attention
//!   and cross-attention, post-LN as in the paper; embeddings × √d plus sinusoidal positions.
//!
//! Every batch holds sentences of one length (the task makes every target one word shorter
//! than its source), so nothing is padded. Token ids are row-major: `batch` rows of equal length.

use contract::mt::protocol::AttentionKind;
use contract::mt::MtLab;
use data::translation::{BOS, EOS};
use nn::layers::{BlockShape, 
    sinusoidal_positions, AdditiveAttention, Bidirectional, Cell, CellKind, Embedding, Linear,
    Norming, Parameters, State, TransformerDecoderBlock, TransformerEncoderBlock,
};
use tensor::rng::Rng;
use tensor::taps::capture;
use tensor::{no_grad, Result, ShapeError, Tensor};

/// One attention matrix read while translating: rows × columns weights, row-major.
pub struct Map {
    pub kind: AttentionKind,
    pub layer: usize,
    pub head: usize,
    pub rows: usize,
    pub columns: usize,
    pub weights: Vec<f32>,
}

pub trait Translator {
    fn parameters(&self) -> Vec<Tensor>;

    /// Logits [batch · T, vocab] for every target position, teacher-forced: the decoder reads
    /// BOS and the target's first T − 1 words.
    fn logits(&self, sources: &[usize], targets: &[usize], batch: usize) -> Result<Tensor>;

    /// Greedy translations of `batch` sources of one length, each cut after its EOS or at
    /// `max_len` words.
    fn greedy(&self, sources: &[usize], batch: usize, max_len: usize) -> Result<Vec<Vec<usize>>>;

    /// For one source and prefixes of one length: each prefix's next-word log-probabilities.
    fn next_log_probs(&self, source: &[usize], prefixes: &[Vec<usize>]) -> Result<Vec<Vec<f32>>>;

    /// The attention read while writing `output` (teacher-forced) for one source.
    fn attention(&self, source: &[usize], output: &[usize]) -> Result<Vec<Map>>;
}

/// The decoder's input for targets: BOS, then every target word but the last.
fn shifted(targets: &[usize], batch: usize) -> Vec<usize> {
    let t = targets.len() / batch.max(1);
    if t == 0 {
        return Vec::new();
    }
    targets
        .chunks(t.max(1))
        .flat_map(|row| std::iter::once(BOS).chain(row[..t - 1].iter().copied()))
        .collect()
}

/// Column `t` of `batch` rows of `len` tokens.
fn column(tokens: &[usize], len: usize, t: usize) -> Vec<usize> {
    tokens.chunks(len).map(|row| row[t]).collect()
}

/// Log-probabilities of the rows of `logits` [n, vocab].
fn log_prob_rows(logits: &Tensor) -> Result<Vec<Vec<f32>>> {
    let vocab = logits.shape()[1];
    Ok(logits
        .log_softmax()?
        .to_vec()
        .chunks(vocab)
        .map(<[f32]>::to_vec)
        .collect())
}

/// Writes greedily, one step per call of `step` (which returns [batch, vocab] logits for the
/// previous words), until every row has written EOS or `max_len` words.
fn write_greedily(
    batch: usize,
    max_len: usize,
    mut step: impl FnMut(&[usize], &[Vec<usize>]) -> Result<Tensor>,
) -> Result<Vec<Vec<usize>>> {
    let mut written = vec![Vec::new(); batch];
    let mut previous = vec![BOS; batch];
    for _ in 0..max_len {
        let logits = step(&previous, &written)?;
        previous = logits.argmax(1)?;
        for (w, &p) in written.iter_mut().zip(&previous) {
            if w.last() != Some(&EOS) {
                w.push(p);
            }
        }
        if written.iter().all(|w| w.last() == Some(&EOS)) {
            break;
        }
    }
    Ok(written)
}

/// The two recurrent translators: with attention or with one fixed context vector.
pub struct Recurrent {
    source_embed: Embedding,
    target_embed: Embedding,
    encoder: Bidirectional,
    /// s_0 = tanh(W_s ←h_1).
    bridge: Linear,
    decoder: Cell,
    attention: Option<AdditiveAttention>,
    out: Linear,
    half: usize,
}

/// The additive attention's tap.
const ALIGNMENT: &str = "attention";

impl Recurrent {
    pub fn new(spec: &MtLab, vocab: (usize, usize), attention: bool, rng: &mut Rng) -> Recurrent {
        let (width, half) = (spec.width, spec.width / 2);
        let embed = half.max(8);
        Recurrent {
            source_embed: Embedding::new(vocab.0, embed, rng),
            target_embed: Embedding::new(vocab.1, embed, rng),
            encoder: Bidirectional {
                forward: Cell::new(CellKind::GruFull, "enc.f", embed, half, rng),
                backward: Cell::new(CellKind::GruFull, "enc.b", embed, half, rng),
            },
            bridge: Linear::new(half, width, false, rng),
            decoder: Cell::new(CellKind::GruFull, "dec", embed + width, width, rng),
            attention: attention.then(|| AdditiveAttention::new(ALIGNMENT, width, width, half, rng)),
            out: Linear::new(2 * width, vocab.1, false, rng),
            half,
        }
    }

    /// Encoder states [batch, S, width], the fixed context c [batch, width] and s_0.
    fn encode(&self, sources: &[usize], batch: usize) -> Result<(Tensor, Tensor, State)> {
        let len = sources.len() / batch.max(1);
        let xs = (0..len)
            .map(|t| self.source_embed.forward(&column(sources, len, t)))
            .collect::<Result<Vec<_>>>()?;
        let states = self.encoder.run(&xs)?;
        let (Some(first), Some(last)) = (states.first(), states.last()) else {
            return Err(ShapeError::new("translate", "an empty source".to_string()));
        };
        let backward_first = first.narrow(1, self.half, self.half)?;
        let context = Tensor::concat(&[&last.narrow(1, 0, self.half)?, &backward_first], 1)?;
        let s0 = State {
            h: self.bridge.forward(&backward_first)?.tanh(),
            m: None,
        };
        let refs: Vec<&Tensor> = states.iter().collect();
        Ok((Tensor::stack(&refs, 1)?, context, s0))
    }

    /// One decoder step: (logits [batch, vocab], s_i, α_i [batch, S] with attention).
    fn step(
        &self,
        previous: &[usize],
        state: &State,
        memory: &Tensor,
        fixed: &Tensor,
    ) -> Result<(Tensor, State, Option<Tensor>)> {
        let (context, alpha) = match &self.attention {
            Some(a) => {
                let (c, alpha) = a.forward(&state.h, memory)?;
                (c, Some(alpha))
            }
            None => (fixed.clone(), None),
        };
        let input = Tensor::concat(&[&self.target_embed.forward(previous)?, &context], 1)?;
        let next = self.decoder.step(&input, state)?;
        let logits = self.out.forward(&Tensor::concat(&[&next.h, &context], 1)?)?;
        Ok((logits, next, alpha))
    }

    /// Teacher-forced over `inputs` (batch rows): every step's logits and α.
    fn read(
        &self,
        sources: &[usize],
        inputs: &[usize],
        batch: usize,
    ) -> Result<(Vec<Tensor>, Vec<Tensor>)> {
        let (memory, fixed, mut state) = self.encode(sources, batch)?;
        let t_len = inputs.len() / batch.max(1);
        let (mut logits, mut alphas) = (Vec::new(), Vec::new());
        for t in 0..t_len {
            let (l, next, alpha) = self.step(&column(inputs, t_len, t), &state, &memory, &fixed)?;
            logits.push(l);
            alphas.extend(alpha);
            state = next;
        }
        Ok((logits, alphas))
    }
}

impl Translator for Recurrent {
    fn parameters(&self) -> Vec<Tensor> {
        let mut p = self.source_embed.parameters();
        p.extend(self.target_embed.parameters());
        p.extend(self.encoder.parameters());
        p.extend(self.bridge.parameters());
        p.extend(self.decoder.parameters());
        if let Some(a) = &self.attention {
            p.extend(a.parameters());
        }
        p.extend(self.out.parameters());
        p.into_iter().map(|(_, t)| t).collect()
    }

    fn logits(&self, sources: &[usize], targets: &[usize], batch: usize) -> Result<Tensor> {
        let (steps, _) = self.read(sources, &shifted(targets, batch), batch)?;
        // Rows (batch, t) like the targets: stack over t at axis 1.
        let refs: Vec<&Tensor> = steps.iter().collect();
        let stacked = Tensor::stack(&refs, 1)?;
        let vocab = stacked.shape()[2];
        stacked.reshape(&[targets.len(), vocab])
    }

    fn greedy(&self, sources: &[usize], batch: usize, max_len: usize) -> Result<Vec<Vec<usize>>> {
        no_grad(|| {
            let (memory, fixed, mut state) = self.encode(sources, batch)?;
            write_greedily(batch, max_len, |previous, _| {
                let (logits, next, _) = self.step(previous, &state, &memory, &fixed)?;
                state = next;
                Ok(logits)
            })
        })
    }

    fn next_log_probs(&self, source: &[usize], prefixes: &[Vec<usize>]) -> Result<Vec<Vec<f32>>> {
        no_grad(|| {
            let k = prefixes.len();
            let sources: Vec<usize> = (0..k).flat_map(|_| source.iter().copied()).collect();
            let inputs: Vec<usize> = prefixes
                .iter()
                .flat_map(|p| std::iter::once(BOS).chain(p.iter().copied()))
                .collect();
            let (steps, _) = self.read(&sources, &inputs, k)?;
            match steps.last() {
                Some(last) => log_prob_rows(last),
                None => Ok(vec![]),
            }
        })
    }

    fn attention(&self, source: &[usize], output: &[usize]) -> Result<Vec<Map>> {
        if self.attention.is_none() || output.is_empty() {
            return Ok(vec![]);
        }
        no_grad(|| {
            let (_, alphas) = self.read(source, &shifted(output, 1), 1)?;
            Ok(vec![Map {
                kind: AttentionKind::Additive,
                layer: 0,
                head: 0,
                rows: alphas.len(),
                columns: source.len(),
                weights: alphas.iter().flat_map(|a| a.to_vec()).collect(),
            }])
        })
    }
}

/// The Transformer encoder–decoder.
pub struct Transformer {
    source_embed: Embedding,
    target_embed: Embedding,
    positions: Tensor,
    encoder: Vec<TransformerEncoderBlock>,
    decoder: Vec<TransformerDecoderBlock>,
    out: Linear,
    width: usize,
    heads: usize,
}

/// The longest sequence the position table covers: a source of the longest sentence, or a
/// translation cut at its limit.
const MAX_POSITIONS: usize = 32;

impl Transformer {
    pub fn new(spec: &MtLab, vocab: (usize, usize), rng: &mut Rng) -> Result<Transformer> {
        let d = spec.width;
        // The paper's post-LN blocks, the feed-forward network twice as wide as d_model.
        let shape = BlockShape {
            dim: d,
            heads: spec.heads,
            ff: 2 * d,
            norming: Norming::PostLn,
        };
        Ok(Transformer {
            source_embed: Embedding::new(vocab.0, d, rng),
            target_embed: Embedding::new(vocab.1, d, rng),
            positions: sinusoidal_positions(MAX_POSITIONS, d),
            encoder: (0..spec.layers)
                .map(|l| {
                    TransformerEncoderBlock::new(&format!("enc{l}"), shape, rng)
                })
                .collect::<Result<_>>()?,
            decoder: (0..spec.layers)
                .map(|l| {
                    TransformerDecoderBlock::new(&format!("dec{l}"), shape, rng)
                })
                .collect::<Result<_>>()?,
            out: Linear::new(d, vocab.1, false, rng),
            width: d,
            heads: spec.heads,
        })
    }

    fn embedded(&self, embed: &Embedding, tokens: &[usize], batch: usize) -> Result<Tensor> {
        let len = tokens.len() / batch.max(1);
        if len > MAX_POSITIONS {
            return Err(ShapeError::new(
                "translate",
                format!("{len} words are more than the {MAX_POSITIONS} positions the model knows"),
            ));
        }
        embed
            .forward(tokens)?
            .reshape(&[batch, len, self.width])?
            .scale((self.width as f32).sqrt())
            .add(&self.positions.narrow(0, 0, len)?)
    }

    /// The encoder's output [batch, S, d].
    fn encode(&self, sources: &[usize], batch: usize) -> Result<Tensor> {
        let mut h = self.embedded(&self.source_embed, sources, batch)?;
        for block in &self.encoder {
            h = block.forward(&h, false, None)?;
        }
        Ok(h)
    }

    /// Logits [batch · T, vocab] of the decoder reading `inputs` against `memory`.
    fn decode(&self, memory: &Tensor, inputs: &[usize], batch: usize) -> Result<Tensor> {
        let mut h = self.embedded(&self.target_embed, inputs, batch)?;
        for block in &self.decoder {
            h = block.forward(&h, memory, None)?;
        }
        let rows = h.shape()[0] * h.shape()[1];
        self.out.forward(&h.reshape(&[rows, self.width])?)
    }

    /// The last position's logits [batch, vocab] of rows of `len` decoder positions.
    fn last_rows(logits: &Tensor, batch: usize, len: usize) -> Result<Tensor> {
        let vocab = logits.shape()[1];
        logits
            .reshape(&[batch, len, vocab])?
            .narrow(1, len - 1, 1)?
            .reshape(&[batch, vocab])
    }
}

impl Translator for Transformer {
    fn parameters(&self) -> Vec<Tensor> {
        let mut p = self.source_embed.parameters();
        p.extend(self.target_embed.parameters());
        for b in &self.encoder {
            p.extend(b.parameters());
        }
        for b in &self.decoder {
            p.extend(b.parameters());
        }
        p.extend(self.out.parameters());
        p.into_iter().map(|(_, t)| t).collect()
    }

    fn logits(&self, sources: &[usize], targets: &[usize], batch: usize) -> Result<Tensor> {
        let memory = self.encode(sources, batch)?;
        self.decode(&memory, &shifted(targets, batch), batch)
    }

    fn greedy(&self, sources: &[usize], batch: usize, max_len: usize) -> Result<Vec<Vec<usize>>> {
        no_grad(|| {
            let memory = self.encode(sources, batch)?;
            write_greedily(batch, max_len, |_, written| {
                // A finished row stops growing: EOS pads it to the longest (the causal mask
                // keeps padding out of every earlier position).
                let len = written.iter().map(Vec::len).max().unwrap_or(0) + 1;
                let padded: Vec<usize> = written
                    .iter()
                    .flat_map(|w| {
                        std::iter::once(BOS)
                            .chain(w.iter().copied())
                            .chain(std::iter::repeat(EOS))
                            .take(len)
                    })
                    .collect();
                Self::last_rows(&self.decode(&memory, &padded, batch)?, batch, len)
            })
        })
    }

    fn next_log_probs(&self, source: &[usize], prefixes: &[Vec<usize>]) -> Result<Vec<Vec<f32>>> {
        no_grad(|| {
            let k = prefixes.len();
            let sources: Vec<usize> = (0..k).flat_map(|_| source.iter().copied()).collect();
            let memory = self.encode(&sources, k)?;
            let len = prefixes.first().map_or(0, Vec::len) + 1;
            let inputs: Vec<usize> = prefixes
                .iter()
                .flat_map(|p| std::iter::once(BOS).chain(p.iter().copied()))
                .collect();
            log_prob_rows(&Self::last_rows(&self.decode(&memory, &inputs, k)?, k, len)?)
        })
    }

    fn attention(&self, source: &[usize], output: &[usize]) -> Result<Vec<Map>> {
        if output.is_empty() {
            return Ok(vec![]);
        }
        let mut names = Vec::new();
        for l in 0..self.encoder.len() {
            for h in 0..self.heads {
                names.push((AttentionKind::Cross, l, h, format!("dec{l}.cross_attn.head{h}.attn")));
                names.push((AttentionKind::DecoderSelf, l, h, format!("dec{l}.self_attn.head{h}.attn")));
                names.push((AttentionKind::EncoderSelf, l, h, format!("enc{l}.attn.head{h}.attn")));
            }
        }
        let refs: Vec<&str> = names.iter().map(|n| n.3.as_str()).collect();
        let (result, taps) = capture(&refs, || no_grad(|| self.logits(source, output, 1)));
        result?;
        let (s, t) = (source.len(), output.len());
        Ok(names
            .into_iter()
            .filter_map(|(kind, layer, head, name)| {
                let weights = taps.get(name.as_str())?.to_vec();
                let (rows, columns) = match kind {
                    AttentionKind::Cross => (t, s),
                    AttentionKind::DecoderSelf => (t, t),
                    _ => (s, s),
                };
                Some(Map {
                    kind,
                    layer,
                    head,
                    rows,
                    columns,
                    weights,
                })
            })
            .collect())
    }
}
