//! The contract between the UI and the engine worker, and nothing heavier: the message
//! envelope ([`protocol`]), the shareable link's common form ([`link`]), the training settings
//! and limits every lab shares, and one folder per lab (its experiment, link, limits and
//! messages). The app depends on this crate and never on the engine's math, so the UI stays
//! small; the engine depends on it to understand what the UI asks.

#[macro_use]
mod choice;
pub mod cnn;
pub mod diagnostics;
pub mod limits;
pub mod link;
pub mod mt;
pub mod net;
pub mod optim;
pub mod protocol;
pub mod registry;
pub mod rnn;
pub mod tfm;
pub mod training;
pub mod wire;

#[cfg(test)]
mod test_gen;

pub use protocol::{Ask, Body, FromEngine, MessageError, Protocol, ToEngine};
