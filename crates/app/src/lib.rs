//! The playground's UI: a Leptos (CSR) app on the main thread. It never computes a training
//! step; it sends `contract::ToEngine` messages to the engine worker and draws what comes back.

mod engine_client;
mod format;
mod isolation;
mod labs;
mod page;
mod shell;
pub mod widgets;

pub use shell::App;

/// The registry of pages: each line declares a page's folder and makes its page (a lab, or the
/// Engine panel). The first is the landing page, and the page of any fragment no other owns.
macro_rules! pages {
    ($($module:ident),* $(,)?) => {
        $(pub mod $module;)*

        /// Every page, built for an app opened at `opening` (a page decodes the link if it
        /// is its own).
        fn pages(opening: &str) -> Vec<Box<dyn labs::Page>> {
            vec![$($module::page(opening)),*]
        }
    };
}

pages! {
    optim_lab,
    net_lab,
    cnn_lab,
    engine_panel,
}
