//! Why a network of the zoo could not be tabulated: a layer its list gets wrong, or a row its
//! notes refer to that the table lacks. Either is a bug in this module (the tests build every
//! network); it is returned rather than panicking so a page can show it.

use super::Model;
use crate::cnn::arch::ArchError;

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ZooError {
    /// A layer (named as its row is; `None` for the module's concatenation) cannot be built.
    #[error(
        "{}{}: {error}",
        .model.title(),
        .layer.as_ref().map_or(String::new(), |layer| format!(", {layer}"))
    )]
    Layer {
        model: Model,
        layer: Option<String>,
        error: ArchError,
    },
    /// The network's notes name a row its table does not have.
    #[error("{network}: no row called {row}")]
    NoRow { network: String, row: &'static str },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cnn::arch::{Part, Problem};

    #[test]
    fn the_sentences_shown() {
        let error = ArchError::new(Part::Dense, Problem::NoUnits);
        let layer = |layer: Option<&str>| ZooError::Layer {
            model: Model::AlexNet,
            layer: layer.map(String::from),
            error,
        };
        assert_eq!(
            layer(Some("fc1")).to_string(),
            "AlexNet, fc1: dense: at least 1 unit"
        );
        assert_eq!(layer(None).to_string(), "AlexNet: dense: at least 1 unit");
        let missing = ZooError::NoRow {
            network: "VGG-16".into(),
            row: "fc9",
        };
        assert_eq!(missing.to_string(), "VGG-16: no row called fc9");
    }
}
