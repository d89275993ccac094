//! What a student trains with, written next to the course notes' formulas: layers (dense,
//! convolutional, normalisation, recurrent, attention, Transformer blocks), metrics (accuracy,
//! BLEU), optimizers, learning-rate schedules and gradient clipping. Losses live on `Tensor`.
//!
//! Where the OCR'd notes are garbled, the standard published form is used and a comment says
//! so. Optimizers work on parameter tensors and the `tensor::Gradients` of one backward pass.

pub mod bench;
pub mod clip;
pub mod decode;
pub mod init;
pub mod layers;
pub mod metrics;
pub mod optim;
pub mod schedule;

pub use clip::Clip;
pub use optim::{Optimizer, OptimizerKind};
pub use schedule::Schedule;
