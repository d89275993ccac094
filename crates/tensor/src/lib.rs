//! The playground's tensors: contiguous row-major f32 data with a shape, reverse-mode
//! automatic differentiation over the graph they form, and the kernels underneath.
//!
//! - [`Tensor`] and its creation: `tensor.rs`; ops with their backward side by side: `ops/`.
//! - Broadcasting, in one place: `shape.rs`. Autograd (iterative, accumulating): `autograd.rs`.
//! - Taps (named intermediates a UI can read without the model knowing): `taps.rs`.
//! - Kernels with a scalar oracle, simd128 and threaded paths: `kernels/`.
//!
//! Errors: shape mismatches and out-of-range arguments are `Result`s naming the op and shapes,
//! because shapes come from what a user configures. Kernel entry points assert their slice
//! lengths instead: callers inside this crate have checked them, so a failure there is a bug.
//! Everything is deterministic: the same inputs give the same bits on any number of threads.

pub mod autograd;
pub mod bench;
pub mod kernels;
pub mod ops;
pub mod parallel;
pub mod rng;
pub mod shape;
pub mod taps;
mod tensor;
mod thread_flag;

pub use autograd::{no_grad, Gradients};
pub use shape::{Result, ShapeError};
pub use tensor::{Tensor, TensorId};
