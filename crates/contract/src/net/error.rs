//! Why a Network lab experiment cannot run: a limit, or a choice the lab does not offer.

use super::Feature;
use crate::limits::Violation;
use crate::training::OptimizerName;

crate::refusals! {
    #[derive(Clone, Debug, PartialEq, thiserror::Error)]
    pub enum NetError {
        transparent { Limit(Violation) }
        /// No input feature is switched on.
        #[error("features: choose at least one input feature")]
        NoFeature,
        #[error("features: {} is listed twice", .0.slug())]
        FeatureTwice(Feature),
        #[error("opt: {} is not an optimizer of this lab", .0.slug())]
        NotOffered(OptimizerName),
    }
}

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
