//! The playground's UI: a Leptos (CSR) app on the main thread. It never computes a training
//! step; it sends `spec::ToEngine` messages to the engine worker and draws what comes back.

pub mod cnn_lab;
mod engine_client;
pub mod engine_panel;
mod format;
mod isolation;
pub mod optim_lab;
mod page;
mod shell;
pub mod widgets;

pub use shell::App;
