//! What the UI and the engine worker must agree on, and nothing heavier.
//!
//! The app depends on this crate and never on the engine's math, so the UI stays small;
//! the engine depends on it to understand what the UI asks. Messages cross the worker
//! boundary as JSON text, serialized once there (see [`messages`]).

pub mod arch;
pub mod cnn;
pub mod cnn_url;
pub mod cnn_view;
pub mod experiment;
pub mod limits;
pub mod messages;
pub mod url;
pub mod zoo;

#[cfg(test)]
mod test_gen;

pub use messages::{BenchmarkRow, EngineInfo, FromEngine, MatmulBench, MessageError, ToEngine};
