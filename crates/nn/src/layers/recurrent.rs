//! Recurrent cells in the notes' notation, all over the concatenation [state, x_t]:
//! - RNN:  h_t = tanh(W [h_{t−1}, x_t] + b)  (or ReLU: the notes' φ left open; ReLU lets the
//!   state grow without bound, the exploding case)
//! - simplified GRU:  m̃_t = tanh(W_c [m_{t−1}, x_t] + b_c);  Γ_u = σ(W_u [m_{t−1}, x_t] + b_u);
//!   m_t = Γ_u ⊙ m̃_t + (1 − Γ_u) ⊙ m_{t−1}
//! - full GRU adds a relevance gate Γ_r = σ(W_r [m_{t−1}, x_t] + b_r) inside the candidate:
//!   m̃_t = tanh(W_c [Γ_r ⊙ m_{t−1}, x_t] + b_c)   (the OCR reads "h_{t−1} ⊙ m_{t−1}": Cho et
//!   al.'s published form multiplies by the gate)
//! - LSTM: Γ_f, Γ_u, Γ_o = σ(W_· [h_{t−1}, x_t] + b_·);  m̃_t = tanh(W_m [h_{t−1}, x_t] + b_m);
//!   m_t = Γ_u ⊙ m̃_t + Γ_f ⊙ m_{t−1};  h_t = Γ_o ⊙ tanh(m_t)   (the notes write h_t = Γ_o ⊙ m_t;
//!   Hochreiter & Schmidhuber's published cell squashes m_t first)
//!
//! Every gate's activations are offered as taps ("<name>.update_gate" …) for the UI.

use super::{Linear, Parameters};
use tensor::rng::Rng;
use tensor::taps::tap;
use tensor::{Result, Tensor};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellKind {
    Rnn,
    RnnRelu,
    GruSimplified,
    GruFull,
    Lstm,
}

/// The state carried between steps: h (and the LSTM's memory cell m).
#[derive(Clone, Debug)]
pub struct State {
    pub h: Tensor,
    pub m: Option<Tensor>,
}

pub struct Cell {
    pub kind: CellKind,
    pub name: String,
    pub hidden: usize,
    /// One affine map per gate/candidate, each from [state, x] to `hidden`.
    maps: Vec<(&'static str, Linear)>,
}

impl Cell {
    pub fn new(kind: CellKind, name: &str, inputs: usize, hidden: usize, rng: &mut Rng) -> Cell {
        let names: &[&'static str] = match kind {
            CellKind::Rnn | CellKind::RnnRelu => &["candidate"],
            CellKind::GruSimplified => &["candidate", "update"],
            CellKind::GruFull => &["candidate", "update", "relevance"],
            CellKind::Lstm => &["candidate", "update", "forget", "output"],
        };
        let maps = names
            .iter()
            .map(|&n| (n, Linear::new(hidden + inputs, hidden, false, rng)))
            .collect();
        let cell = Cell {
            kind,
            name: name.to_string(),
            hidden,
            maps,
        };
        // Gated cells start out remembering (in the spirit of Jozefowicz et al. 2015 and
        // Tallec & Ollivier's chrono initialisation), so m_{t−1} passes mostly unchanged and
        // gradients reach far back from the first step: GRU update bias −3; LSTM forget bias
        // +3 and input ("update") bias −1, so the memory is not flooded by every input and
        // tanh(m_t) does not saturate.
        let biases: &[(&str, f32)] = match kind {
            CellKind::Lstm => &[("forget", 3.0), ("update", -1.0)],
            CellKind::GruSimplified | CellKind::GruFull => &[("update", -3.0)],
            CellKind::Rnn | CellKind::RnnRelu => &[],
        };
        for &(gate, bias) in biases {
            if let Some(b) = &cell.map(gate).bias {
                b.update(|b| b.fill(bias));
            }
        }
        cell
    }

    fn map(&self, name: &str) -> &Linear {
        &self
            .maps
            .iter()
            .find(|(n, _)| *n == name)
            .expect("the cell was built with this gate")
            .1
    }

    /// Multiplies every recurrent weight (the rows of W that read h_{t−1}) by `gain`: above 1
    /// the product ∏ Wᵀ diag(φ′) of backpropagation through time grows with the distance.
    pub fn scale_recurrent(&self, gain: f32) {
        let rows = self.hidden;
        for (_, map) in &self.maps {
            let columns = map.weight.shape()[1];
            map.weight
                .update(|w| w[..rows * columns].iter_mut().for_each(|v| *v *= gain));
        }
    }

    /// The zero state for a batch.
    pub fn zero_state(&self, batch: usize) -> State {
        let zeros = || Tensor::zeros(&[batch, self.hidden]);
        State {
            h: zeros(),
            m: (self.kind == CellKind::Lstm).then(zeros),
        }
    }

    /// One step: x [batch, inputs], state → new state.
    pub fn step(&self, x: &Tensor, state: &State) -> Result<State> {
        let joined = Tensor::concat(&[&state.h, x], 1)?;
        let gate = |name: &str| -> Result<Tensor> {
            let g = self.map(name).forward(&joined)?.sigmoid();
            Ok(tap(&format!("{}.{name}_gate", self.name), &g))
        };
        match self.kind {
            CellKind::Rnn => Ok(State {
                h: self.map("candidate").forward(&joined)?.tanh(),
                m: None,
            }),
            CellKind::RnnRelu => Ok(State {
                h: self.map("candidate").forward(&joined)?.relu(),
                m: None,
            }),
            CellKind::GruSimplified | CellKind::GruFull => {
                let candidate_input = if self.kind == CellKind::GruFull {
                    Tensor::concat(&[&gate("relevance")?.mul(&state.h)?, x], 1)?
                } else {
                    joined.clone()
                };
                let candidate = self.map("candidate").forward(&candidate_input)?.tanh();
                let u = gate("update")?;
                // m_t = Γu ⊙ m̃ + (1 − Γu) ⊙ m_{t−1}
                let h = u.mul(&candidate)?.add(&u.neg().shift(1.0).mul(&state.h)?)?;
                Ok(State { h, m: None })
            }
            CellKind::Lstm => {
                let m_prev = state
                    .m
                    .clone()
                    .unwrap_or_else(|| Tensor::zeros(state.h.shape()));
                let candidate = self.map("candidate").forward(&joined)?.tanh();
                let m = gate("update")?
                    .mul(&candidate)?
                    .add(&gate("forget")?.mul(&m_prev)?)?;
                let h = gate("output")?.mul(&m.tanh())?;
                Ok(State { h, m: Some(m) })
            }
        }
    }

    /// Runs over a sequence of inputs (each [batch, inputs]); returns every step's state.
    pub fn run(&self, xs: &[Tensor], initial: State) -> Result<Vec<State>> {
        let mut states = Vec::with_capacity(xs.len());
        let mut state = initial;
        for x in xs {
            state = self.step(x, &state)?;
            states.push(state.clone());
        }
        Ok(states)
    }
}

impl Parameters for Cell {
    fn parameters(&self) -> Vec<(String, Tensor)> {
        self.maps
            .iter()
            .flat_map(|(n, l)| super::prefixed(n, l))
            .collect()
    }
}

/// A forward and a backward cell over the same sequence; step t's output is
/// [h_forward_t, h_backward_t].
pub struct Bidirectional {
    pub forward: Cell,
    pub backward: Cell,
}

impl Bidirectional {
    pub fn run(&self, xs: &[Tensor]) -> Result<Vec<Tensor>> {
        let batch = xs.first().map_or(0, |x| x.shape()[0]);
        let ahead = self.forward.run(xs, self.forward.zero_state(batch))?;
        let reversed: Vec<Tensor> = xs.iter().rev().cloned().collect();
        let mut behind = self
            .backward
            .run(&reversed, self.backward.zero_state(batch))?;
        behind.reverse();
        ahead
            .iter()
            .zip(&behind)
            .map(|(f, b)| Tensor::concat(&[&f.h, &b.h], 1))
            .collect()
    }
}

impl Parameters for Bidirectional {
    fn parameters(&self) -> Vec<(String, Tensor)> {
        let mut p = super::prefixed("forward", &self.forward);
        p.extend(super::prefixed("backward", &self.backward));
        p
    }
}
