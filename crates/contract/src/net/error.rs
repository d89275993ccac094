//! Why a Network lab experiment cannot run: a limit, or a choice the lab does not offer.

use super::Feature;
use crate::limits::Violation;
use crate::training::OptimizerName;
use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub enum NetError {
    Limit(Violation),
    /// No input feature is switched on.
    NoFeature,
    FeatureTwice(Feature),
    NotOffered(OptimizerName),
}

impl From<Violation> for NetError {
    fn from(v: Violation) -> NetError {
        NetError::Limit(v)
    }
}

impl fmt::Display for NetError {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetError::Limit(v) => v.fmt(out),
            NetError::NoFeature => write!(out, "features: choose at least one input feature"),
            NetError::FeatureTwice(f) => write!(out, "features: {} is listed twice", f.slug()),
            NetError::NotOffered(o) => {
                write!(out, "opt: {} is not an optimizer of this lab", o.slug())
            }
        }
    }
}

impl std::error::Error for NetError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sentences_shown() {
        assert_eq!(
            NetError::NoFeature.to_string(),
            "features: choose at least one input feature"
        );
        assert_eq!(
            NetError::FeatureTwice(Feature::X1).to_string(),
            format!("features: {} is listed twice", Feature::X1.slug())
        );
        assert_eq!(
            NetError::NotOffered(OptimizerName::Gd).to_string(),
            "opt: gd is not an optimizer of this lab"
        );
    }
}
