//! The playground's UI: a Leptos (CSR) app on the main thread. It never computes a training
//! step; it sends `spec::ToEngine` messages to the engine worker and draws what comes back.

mod engine_client;
pub mod engine_panel;
mod format;
mod isolation;
mod shell;

pub use shell::App;
