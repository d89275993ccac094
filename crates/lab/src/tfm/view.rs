//! Inside the model, for one sequence: every head's attention, the notes' walk through one
//! head of one layer — each matrix computed from the trained weights with the same functions
//! the layer uses —, the positional encodings, and (for the encoder) whether the model can
//! tell a sequence from its permutation.

use super::model::head_tap;
use super::tasks::{frame, read_input, Example};
use super::{Focus, InputError, TfmSession, TfmSessionError};
use contract::cnn::view::Quantised;
use contract::tfm::protocol::{HeadAttention, PositionsView, Stage, StageKind, TfmView};
use contract::tfm::{Architecture, TfmTask};
use nn::layers::{causal_mask, scaled_dot_product_attention, Norming};
use std::collections::BTreeMap;
use tensor::taps::capture;
use tensor::{no_grad, ShapeError, Tensor};

impl TfmSession {
    /// Looks at another sequence or head from now on; a typed input that does not fit the
    /// task, or a head the model does not have, is refused with the reason.
    pub fn set_focus(&mut self, focus: Focus) -> Result<(), TfmSessionError> {
        if focus.layer >= self.spec.layers || focus.head >= self.spec.heads {
            return Err(TfmSessionError::NoSuchHead {
                layer: focus.layer,
                head: focus.head,
                layers: self.spec.layers,
                heads: self.spec.heads,
            });
        }
        if let Some(input) = &focus.input {
            let chars = input.chars().count();
            contract::limits::check_range(
                "input length",
                chars,
                0,
                contract::tfm::limits::TfmLimits::MAX_TEXT_CHARS,
            )?;
            read_input(&self.spec, input)?;
        }
        self.focus = focus;
        Ok(())
    }

    /// The focused sequence: typed, or a held-out example.
    fn focused(&self) -> Result<Example, InputError> {
        match &self.focus.input {
            Some(input) => read_input(&self.spec, input),
            None => Ok(self.test[self.focus.example % self.test.len()].clone()),
        }
    }

    /// Every head's attention weights for one row of tokens: (layer, head) → [L × L].
    fn attention_of(&self, tokens: &[usize]) -> tensor::Result<BTreeMap<(usize, usize), Vec<f32>>> {
        let names: Vec<String> = (0..self.spec.layers)
            .flat_map(|l| (0..self.spec.heads).map(move |h| head_tap(l, h)))
            .collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let (logits, taps) = no_grad(|| capture(&refs, || self.model.logits(tokens, 1)));
        logits?;
        let mut out = BTreeMap::new();
        for l in 0..self.spec.layers {
            for h in 0..self.spec.heads {
                if let Some(w) = taps.get(&head_tap(l, h)) {
                    out.insert((l, h), w.to_vec());
                }
            }
        }
        Ok(out)
    }

    pub fn view(&self) -> Result<TfmView, TfmSessionError> {
        let (task, architecture) = (self.spec.task, self.spec.architecture);
        let example = self.focused()?;
        let name = |t: &usize| self.names.get(*t).cloned().unwrap_or_default();
        let (tokens, predicted, expected, answer_from) = if task == TfmTask::Language {
            let predicted = no_grad(|| self.model.logits(&example.input, 1)?.argmax(1))?;
            (example.input.clone(), predicted, None, 0)
        } else {
            let written = self
                .write_answers(std::slice::from_ref(&example))?
                .remove(0);
            let framed = frame(task, architecture, &example, &written);
            let from = example.input.len() + 1;
            (framed.tokens, written, Some(example.answer.clone()), from)
        };
        let attention = self.attention_of(&tokens)?;
        let permutation_gap = (architecture == Architecture::Encoder)
            .then(|| self.permutation_gap(&tokens, example.input.len(), &attention))
            .transpose()?;
        Ok(TfmView {
            step: self.log.step,
            input: self.focus.input.clone(),
            example: self.focus.example % self.test.len().max(1),
            tokens: tokens.iter().map(name).collect(),
            answer_from,
            predicted: predicted.iter().map(name).collect(),
            expected: expected.map(|e| e.iter().map(name).collect()),
            causal: self.model.causal,
            layers: self.spec.layers,
            heads: self.spec.heads,
            attention: attention
                .iter()
                .map(|(&(layer, head), w)| HeadAttention {
                    layer,
                    head,
                    weights: Quantised::from_values(w),
                })
                .collect(),
            layer: self.focus.layer,
            head: self.focus.head,
            walkthrough: self
                .walkthrough(&tokens, self.focus.layer, self.focus.head)?,
            positions: self.positions_view(),
            permutation_gap,
        })
    }

    /// The input's first `n` tokens reversed: max |A′(i, j) − A(π i, π j)| over every head.
    fn permutation_gap(
        &self,
        tokens: &[usize],
        n: usize,
        attention: &BTreeMap<(usize, usize), Vec<f32>>,
    ) -> Result<f32, ShapeError> {
        let n = n.min(tokens.len());
        let pi = |i: usize| if i < n { n - 1 - i } else { i };
        let permuted: Vec<usize> = (0..tokens.len()).map(|i| tokens[pi(i)]).collect();
        let other = self.attention_of(&permuted)?;
        let len = tokens.len();
        let mut gap = 0.0f32;
        for (key, a) in attention {
            let Some(b) = other.get(key) else { continue };
            for i in 0..len {
                for j in 0..len {
                    gap = gap.max((b[i * len + j] - a[pi(i) * len + pi(j)]).abs());
                }
            }
        }
        Ok(gap)
    }

    fn positions_view(&self) -> Option<PositionsView> {
        let table = self.model.positions.as_ref()?.to_vec();
        let (len, dim) = (self.model.length, self.model.width);
        let rows: Vec<&[f32]> = table.chunks(dim).collect();
        let norm = |r: &[f32]| r.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
        let similarity: Vec<f32> = (0..len * len)
            .map(|k| {
                let (a, b) = (rows[k / len], rows[k % len]);
                a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>() / (norm(a) * norm(b))
            })
            .collect();
        Some(PositionsView {
            kind: self.spec.positions,
            len,
            dim,
            table: Quantised::from_values(&table),
            similarity: Quantised::from_values(&similarity),
        })
    }

    /// The notes' steps for head `head` of layer `layer`, each a matrix the engine computed.
    fn walkthrough(&self, tokens: &[usize], layer: usize, head: usize) -> tensor::Result<Vec<Stage>> {
        no_grad(|| {
            let mut x = self.model.embedded(tokens, 1)?;
            for block in &self.model.blocks[..layer] {
                x = block.forward(&x, self.model.causal, None)?;
            }
            let block = &self.model.blocks[layer];
            let att = &block.attention;
            let (len, d, dk) = (tokens.len(), self.model.width, att.head_dim());
            let x = x.reshape(&[len, d])?;
            let pre = block.norming == Norming::PreLn;
            let input = if pre { block.norm1.forward(&x)? } else { x.clone() };
            let [wq, wk, wv, wo] = att.projections();
            let cols = |t: &Tensor, h: usize| t.narrow(1, h * dk, dk);
            let (q_all, k_all, v_all) = (wq.forward(&input)?, wk.forward(&input)?, wv.forward(&input)?);
            let (q, k, v) = (cols(&q_all, head)?, cols(&k_all, head)?, cols(&v_all, head)?);
            let mask = self.model.causal.then(|| causal_mask(len, len));
            let scores = q.matmul(&k.transpose(0, 1)?)?;
            let scaled = scores.scale(att.score_scale());
            let masked = match &mask {
                Some(m) => scaled.masked_fill(m, f32::NEG_INFINITY)?,
                None => scaled.clone(),
            };
            let (head_out, weights) =
                scaled_dot_product_attention(&q, &k, &v, mask.as_ref(), att.score_scale())?;
            let heads: Vec<Tensor> = (0..att.heads)
                .map(|h| {
                    let out = scaled_dot_product_attention(
                        &cols(&q_all, h)?,
                        &cols(&k_all, h)?,
                        &cols(&v_all, h)?,
                        mask.as_ref(),
                        att.score_scale(),
                    )?;
                    Ok(out.0)
                })
                .collect::<tensor::Result<_>>()?;
            let concat = Tensor::concat(&heads.iter().collect::<Vec<_>>(), 1)?;
            let mixed = wo.forward(&concat)?;
            let residual = if block.residual { x.add(&mixed)? } else { mixed.clone() };
            let dk_text = if att.scaled {
                format!("divided by √d_k = √{dk} = {:.2}", (dk as f32).sqrt())
            } else {
                "not divided: scaling is off in this run".to_string()
            };
            let h = head + 1;
            let mut stages = vec![
                stage(
                    StageKind::Input,
                    if pre { "X = LayerNorm(x)" } else { "X" },
                    if layer == 0 {
                        "the token embeddings × √d_model plus the positional encodings".into()
                    } else {
                        format!("the output of layer {layer}")
                    } + if pre { ", normalised first (pre-LN)" } else { "" },
                    &input, false, false,
                ),
                stage(StageKind::Queries, &format!("Q = X·W_q (head {h})"), format!("the queries: head {h}'s {dk} of the {d} columns"), &q, false, false),
                stage(StageKind::Keys, &format!("K = X·W_k (head {h})"), "the keys each query is compared with".into(), &k, false, false),
                stage(StageKind::Values, &format!("V = X·W_v (head {h})"), "the values the weights average".into(), &v, false, false),
                stage(StageKind::Scores, "Q·Kᵀ", "every query's dot product with every key: how well they match".into(), &scores, true, false),
                stage(StageKind::ScaledScores, if att.scaled { "Q·Kᵀ / √d_k" } else { "Q·Kᵀ (unscaled)" }, dk_text, &scaled, true, false),
            ];
            if mask.is_some() {
                stages.push(stage(StageKind::Masked, "+ mask", "−∞ above the diagonal: a position cannot look ahead".into(), &masked, true, true));
            }
            stages.extend([
                stage(StageKind::Weights, "softmax", "each row turned into weights that sum to 1 (masked cells get exactly 0)".into(), &weights, true, mask.is_some()),
                stage(StageKind::HeadOutput, &format!("softmax · V = head {h}"), "each position's weighted average of the values".into(), &head_out, false, false),
                stage(StageKind::Concat, "Concat(heads)", format!("all {} heads side by side", att.heads), &concat, false, false),
                stage(StageKind::Mixed, "· W_o", "the heads mixed back into d_model dimensions".into(), &mixed, false, false),
            ]);
            if block.residual {
                stages.push(stage(StageKind::Residual, "x + attention", "the residual connection adds the layer's input back".into(), &residual, false, false));
            }
            if block.norming == Norming::PostLn {
                let normed = block.norm1.forward(&residual)?;
                stages.push(stage(StageKind::LayerNorm, "LayerNorm", "each row (token) standardised to mean 0, variance 1, then × γ + β — row-wise, where BatchNorm is column-wise".into(), &normed, false, false));
            }
            Ok(stages)
        })
    }
}

fn stage(kind: StageKind, name: &str, explain: String, t: &Tensor, cols_are_tokens: bool, masked: bool) -> Stage {
    let shape = t.shape();
    Stage {
        kind,
        name: name.to_string(),
        explain,
        rows: shape[0],
        cols: shape.get(1).copied().unwrap_or(1),
        cols_are_tokens,
        masked,
        values: Quantised::from_values(&t.to_vec()),
    }
}

/// For the session's tests: the view's walkthrough ends where the block's attention sublayer
/// does.
#[cfg(test)]
pub fn attention_sublayer(session: &TfmSession, tokens: &[usize], layer: usize) -> Vec<f32> {
    let model = &session.model;
    let mut x = model.embedded(tokens, 1).expect("embedded");
    for block in &model.blocks[..layer] {
        x = block.forward(&x, model.causal, None).expect("block");
    }
    model.blocks[layer]
        .attend(&x, model.causal, None)
        .expect("attend")
        .to_vec()
}

