//! The peers' LSTM workload (`../shared/perf/peerbench/www/bench.js`, `buildLSTM`): one LSTM
//! layer reading 32 steps of 32 inputs into 128 units, a dense head to 10 classes on the last
//! state, softmax cross-entropy, plain SGD, batch 32 — timed as whole training steps.

use crate::layers::{Cell, CellKind, Linear, Parameters};
use tensor::bench::median_ms;
use tensor::rng::Rng;
use tensor::{Result, Tensor};

pub const LSTM_BATCH: usize = 32;
pub const LSTM_STEPS: usize = 32;
pub const LSTM_INPUTS: usize = 32;
pub const LSTM_UNITS: usize = 128;
pub const LSTM_CLASSES: usize = 10;

pub struct LstmBench {
    cell: Cell,
    head: Linear,
    params: Vec<Tensor>,
    xs: Vec<Tensor>,
    labels: Vec<usize>,
}

impl LstmBench {
    pub fn new(seed: u64) -> LstmBench {
        let mut rng = Rng::new(seed);
        let cell = Cell::new(CellKind::Lstm, "lstm", LSTM_INPUTS, LSTM_UNITS, &mut rng);
        let head = Linear::new(LSTM_UNITS, LSTM_CLASSES, false, &mut rng);
        let mut params: Vec<Tensor> = cell.parameters().into_iter().map(|(_, p)| p).collect();
        params.extend(head.parameters().into_iter().map(|(_, p)| p));
        let xs = (0..LSTM_STEPS)
            .map(|_| Tensor::uniform(&[LSTM_BATCH, LSTM_INPUTS], -1.0, 1.0, &mut rng))
            .collect();
        let labels = (0..LSTM_BATCH)
            .map(|_| (rng.next_u64() % LSTM_CLASSES as u64) as usize)
            .collect();
        LstmBench {
            cell,
            head,
            params,
            xs,
            labels,
        }
    }

    /// One step of plain SGD (η = 0.01); returns the loss.
    pub fn step(&self) -> Result<f32> {
        let states = self.cell.run(&self.xs, self.cell.zero_state(LSTM_BATCH))?;
        let last = &states[LSTM_STEPS - 1].h;
        let loss = self.head.forward(last)?.cross_entropy(&self.labels, None)?;
        let mut grads = loss.backward()?;
        for p in &self.params {
            let g = grads.take(p).unwrap_or_else(|| vec![0.0; p.numel()]);
            p.update(|w| w.iter_mut().zip(&g).for_each(|(w, g)| *w -= 0.01 * g));
        }
        loss.item()
    }
}

/// Examples (sequences) per second of [`LstmBench`] training steps.
pub fn lstm_examples_per_second(clock: &dyn Fn() -> f64, budget_ms: f64) -> Result<f64> {
    let model = LstmBench::new(71);
    let mut failure = None;
    let ms = median_ms(clock, budget_ms, 3, &mut || {
        if let Err(e) = model.step() {
            failure = Some(e);
        }
    });
    match failure {
        Some(e) => Err(e),
        None => Ok(LSTM_BATCH as f64 / (ms / 1e3)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lstm_workload_learns_its_batch() {
        let model = LstmBench::new(1);
        let first = model.step().expect("a step");
        let mut last = first;
        for _ in 0..30 {
            last = model.step().expect("a step");
        }
        assert!(last < first, "{first} → {last}");
    }
}
