//! The Recurrent lab's network: one-hot tokens through stacked recurrent layers (each a
//! forward cell, and a backward one when bidirectional), then a linear head on the last
//! layer's final state (with a backward cell, its state after reading the whole sequence
//! backwards: the one at step 1).
//!
//! Truncated backpropagation cuts every layer's state `truncate` steps before the end: the
//! loss's gradient reaches back at most that far.

use contract::rnn::{CellChoice, RnnLab};
use nn::layers::{Cell, CellKind, Linear, Parameters, State};
use tensor::rng::Rng;
use tensor::{Result, Tensor};

pub struct Layer {
    pub forward: Cell,
    pub backward: Option<Cell>,
}

pub struct RnnModel {
    pub layers: Vec<Layer>,
    pub head: Linear,
    pub vocab: usize,
    pub truncate: usize,
}

/// A pass: the logits [batch, classes] and the last layer's forward states h_1 … h_T.
pub struct Pass {
    pub logits: Tensor,
    pub top_states: Vec<Tensor>,
}

pub fn kind_of(cell: CellChoice) -> CellKind {
    match cell {
        CellChoice::Rnn => CellKind::Rnn,
        CellChoice::RnnRelu => CellKind::RnnRelu,
        CellChoice::GruSimplified => CellKind::GruSimplified,
        CellChoice::Gru => CellKind::GruFull,
        CellChoice::Lstm => CellKind::Lstm,
    }
}

impl RnnModel {
    /// Weights from the spec's seed (not the data's: changing the span keeps them).
    pub fn new(spec: &RnnLab, vocab: usize, classes: usize) -> RnnModel {
        let mut rng = Rng::new(spec.seed.wrapping_add(7));
        let kind = kind_of(spec.cell);
        let directions = if spec.bidirectional { 2 } else { 1 };
        let layers = (0..spec.layers)
            .map(|i| {
                let inputs = if i == 0 { vocab } else { spec.hidden * directions };
                let mut cell = |side: &str| {
                    let c = Cell::new(kind, &format!("l{}{side}", i + 1), inputs, spec.hidden, &mut rng);
                    c.scale_recurrent(spec.gain);
                    c
                };
                Layer {
                    forward: cell("f"),
                    backward: spec.bidirectional.then(|| cell("b")),
                }
            })
            .collect();
        let head = Linear::new(spec.hidden * directions, classes, false, &mut rng);
        RnnModel {
            layers,
            head,
            vocab,
            truncate: spec.truncate,
        }
    }

    pub fn parameters(&self) -> Vec<Tensor> {
        let mut p = Vec::new();
        for layer in &self.layers {
            p.extend(layer.forward.parameters().into_iter().map(|(_, t)| t));
            if let Some(b) = &layer.backward {
                p.extend(b.parameters().into_iter().map(|(_, t)| t));
            }
        }
        p.extend(self.head.parameters().into_iter().map(|(_, t)| t));
        p
    }

    /// Each time step's tokens of a batch, one-hot: T tensors [batch, vocab].
    pub fn one_hot(&self, batch: &[&[usize]]) -> Result<Vec<Tensor>> {
        let length = batch.first().map_or(0, |s| s.len());
        (0..length)
            .map(|t| {
                let tokens: Vec<usize> = batch.iter().map(|s| s[t]).collect();
                Tensor::one_hot(&tokens, self.vocab)
            })
            .collect()
    }

    /// Runs one cell over the inputs (in their order), cutting the state where truncation
    /// says; returns every step's state.
    fn run(&self, cell: &Cell, xs: &[Tensor]) -> Result<Vec<State>> {
        let batch = xs.first().map_or(0, |x| x.shape()[0]);
        let cut = (self.truncate > 0).then(|| xs.len().saturating_sub(self.truncate));
        let mut state = cell.zero_state(batch);
        let mut states = Vec::with_capacity(xs.len());
        for (t, x) in xs.iter().enumerate() {
            if cut == Some(t) {
                state = State {
                    h: state.h.detach(),
                    m: state.m.map(|m| m.detach()),
                };
            }
            state = cell.step(x, &state)?;
            states.push(state.clone());
        }
        Ok(states)
    }

    /// The next-token logits after every step, [T·batch, classes] (step-major), for a
    /// left-to-right model (the language model's training and evaluation).
    pub fn logits_per_step(&self, xs: &[Tensor]) -> Result<Tensor> {
        let states = self.pass(xs)?.top_states;
        let refs: Vec<&Tensor> = states.iter().collect();
        self.head.forward(&Tensor::concat(&refs, 0)?)
    }

    /// Every layer's zero state, for reading a sequence one token at a time.
    pub fn start(&self, batch: usize) -> Vec<State> {
        self.layers.iter().map(|l| l.forward.zero_state(batch)).collect()
    }

    /// One token [batch, vocab] through every layer's forward cell: the next-token logits.
    pub fn advance(&self, x: &Tensor, states: &mut [State]) -> Result<Tensor> {
        let mut input = x.clone();
        for (layer, state) in self.layers.iter().zip(states.iter_mut()) {
            *state = layer.forward.step(&input, state)?;
            input = state.h.clone();
        }
        self.head.forward(&input)
    }

    pub fn pass(&self, xs: &[Tensor]) -> Result<Pass> {
        let mut inputs = xs.to_vec();
        let mut top_states = Vec::new();
        let mut last_backward = None;
        for layer in &self.layers {
            let ahead: Vec<Tensor> = self.run(&layer.forward, &inputs)?.into_iter().map(|s| s.h).collect();
            top_states = ahead.clone();
            inputs = match &layer.backward {
                None => ahead,
                Some(cell) => {
                    let reversed: Vec<Tensor> = inputs.iter().rev().cloned().collect();
                    let mut behind: Vec<Tensor> =
                        self.run(cell, &reversed)?.into_iter().map(|s| s.h).collect();
                    behind.reverse();
                    last_backward = behind.first().cloned();
                    ahead
                        .iter()
                        .zip(&behind)
                        .map(|(f, b)| Tensor::concat(&[f, b], 1))
                        .collect::<Result<_>>()?
                }
            };
        }
        let last = top_states
            .last()
            .cloned()
            .ok_or_else(|| tensor::ShapeError::new("rnn", "an empty sequence".to_string()))?;
        let summary = match last_backward {
            Some(b) => Tensor::concat(&[&last, &b], 1)?,
            None => last,
        };
        Ok(Pass {
            logits: self.head.forward(&summary)?,
            top_states,
        })
    }
}
