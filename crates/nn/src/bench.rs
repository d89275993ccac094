//! The peers' workloads built from this crate's layers (`../shared/perf/peerbench/www/bench.js`),
//! timed as whole training steps (forward, backward, plain SGD with η = 0.01):
//! - `buildLSTM`: one LSTM layer reading 32 steps of 32 inputs into 128 units, a dense head to
//!   10 classes on the last state, softmax cross-entropy, batch 32;
//! - `buildTransformer`: one post-LN Transformer encoder block (width 64, 4 heads, feed-forward
//!   256) over 64 positions, mean over the positions, a dense head to 10 classes, softmax
//!   cross-entropy, batch 16.

use crate::layers::{
    parameter_tensors, BlockShape, Cell, CellKind, Linear, Norming, TransformerEncoderBlock,
};
use tensor::bench::{examples_per_second, random_labels, sgd_step};
use tensor::rng::Rng;
use tensor::{Result, Tensor};

/// η of every workload here, as bench.js's `tf.train.sgd(0.01)`.
const LR: f32 = 0.01;

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
        let params = parameter_tensors(&[&cell, &head]);
        let xs = (0..LSTM_STEPS)
            .map(|_| Tensor::uniform(&[LSTM_BATCH, LSTM_INPUTS], -1.0, 1.0, &mut rng))
            .collect();
        let labels = random_labels(LSTM_BATCH, LSTM_CLASSES, &mut rng);
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
        sgd_step(&loss, &self.params, LR)
    }
}

/// Examples (sequences) per second of [`LstmBench`] training steps.
pub fn lstm_examples_per_second(clock: &dyn Fn() -> f64, budget_ms: f64) -> Result<f64> {
    let model = LstmBench::new(71);
    examples_per_second(LSTM_BATCH, clock, budget_ms, &mut || model.step())
}

pub const TRANSFORMER_BATCH: usize = 16;
pub const TRANSFORMER_LEN: usize = 64;
pub const TRANSFORMER_DIM: usize = 64;
pub const TRANSFORMER_HEADS: usize = 4;
pub const TRANSFORMER_FF: usize = 256;
pub const TRANSFORMER_CLASSES: usize = 10;

pub struct TransformerBench {
    block: TransformerEncoderBlock,
    head: Linear,
    params: Vec<Tensor>,
    x: Tensor,
    labels: Vec<usize>,
}

impl TransformerBench {
    pub fn new(seed: u64) -> Result<TransformerBench> {
        let mut rng = Rng::new(seed);
        let shape = BlockShape {
            dim: TRANSFORMER_DIM,
            heads: TRANSFORMER_HEADS,
            ff: TRANSFORMER_FF,
            norming: Norming::PostLn,
        };
        let block = TransformerEncoderBlock::new("encoder", shape, &mut rng)?;
        let head = Linear::new(TRANSFORMER_DIM, TRANSFORMER_CLASSES, false, &mut rng);
        let params = parameter_tensors(&[&block, &head]);
        let shape = [TRANSFORMER_BATCH, TRANSFORMER_LEN, TRANSFORMER_DIM];
        let x = Tensor::uniform(&shape, -1.0, 1.0, &mut rng);
        let labels = random_labels(TRANSFORMER_BATCH, TRANSFORMER_CLASSES, &mut rng);
        Ok(TransformerBench {
            block,
            head,
            params,
            x,
            labels,
        })
    }

    /// One step of plain SGD (η = 0.01); returns the loss.
    pub fn step(&self) -> Result<f32> {
        let encoded = self.block.forward(&self.x, false, None)?;
        let pooled = encoded.mean_axes(&[1], false)?;
        let loss = self
            .head
            .forward(&pooled)?
            .cross_entropy(&self.labels, None)?;
        sgd_step(&loss, &self.params, LR)
    }
}

/// Examples (sequences) per second of [`TransformerBench`] training steps.
pub fn transformer_examples_per_second(clock: &dyn Fn() -> f64, budget_ms: f64) -> Result<f64> {
    let model = TransformerBench::new(73)?;
    examples_per_second(TRANSFORMER_BATCH, clock, budget_ms, &mut || model.step())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 30 more steps on the same batch lower its loss.
    fn learns_its_batch(step: impl Fn() -> Result<f32>) {
        let first = step().expect("a step");
        let mut last = first;
        for _ in 0..30 {
            last = step().expect("a step");
        }
        assert!(last < first, "{first} → {last}");
    }

    #[test]
    fn the_lstm_workload_learns_its_batch() {
        let model = LstmBench::new(1);
        learns_its_batch(|| model.step());
    }

    #[test]
    fn the_transformer_workload_learns_its_batch() {
        let model = TransformerBench::new(1).expect("64 is a multiple of 4 heads");
        learns_its_batch(|| model.step());
    }
}
