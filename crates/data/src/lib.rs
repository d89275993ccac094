//! The data the labs train on. Everything ships in the repository or is generated from a seed:
//! nothing is fetched at build or run time.

pub mod agreement;
pub mod language;
pub mod mnist;
pub mod playground;
pub mod points;
pub mod sampler;
pub mod sequences;
pub mod surfaces;
pub mod svo_sov;
pub mod text;
pub mod translation;

use std::fmt;

/// Data that could not be read or made: says what and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataError(pub String);

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DataError {}
