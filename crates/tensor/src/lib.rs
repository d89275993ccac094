//! The playground's numerical core.
//!
//! For now this crate holds the kernels the engine measures and every later op stands on:
//! reductions and elementwise loops with a scalar oracle and a wasm simd128 path, and a threaded
//! matrix product. Everything here is deterministic: work is cut into chunks whose boundaries
//! never depend on the thread count, and partial results are combined in a fixed order.

pub mod kernels;
pub mod rng;
