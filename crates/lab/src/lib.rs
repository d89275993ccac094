//! Training sessions, one per lab. A session is built from a `spec::Experiment`, steps
//! deterministically, and answers with `spec` snapshot types; it never knows about the UI.

pub mod cnn;
pub mod optim;
