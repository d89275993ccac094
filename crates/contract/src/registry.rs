//! Every participant the engine hosts, listed once by its [`Protocol`] type, so code that must
//! cover them all (the fuzzers, the test that no shared code names a lab) visits this list
//! instead of keeping one of its own. The engine's `labs!` and the app's `pages!` are the other
//! two registries: they list sessions and pages, which this crate cannot name.

use crate::diagnostics::Diagnostics;
use crate::link::Link;
use crate::protocol::Protocol;
use crate::{cnn, mt, net, optim, rnn, tfm};

/// A few real requests of a participant, written beside its protocol (`<lab>/examples.rs`).
pub trait Examples: Protocol {
    /// Requests as the page sends them, one of each kind at least: the fuzzers start from
    /// them.
    fn example_requests() -> Vec<Self::Request>;
}

/// A participant as generic code sees it: its protocol, its limits, a few real requests, and a
/// default start (what the page starts when its link says nothing).
pub trait Participant: Examples<Spec: Default> {
    /// What a spec outside the limits is (its `Display` is the engine's refusal).
    type SpecError: std::fmt::Display + std::fmt::Debug;
    /// Whether a start's spec is within the participant's limits (the engine refuses one that
    /// is not).
    fn check(spec: &Self::Spec) -> Result<(), Self::SpecError>;
}

/// A lab: a participant whose spec is the experiment a link describes.
pub trait Lab: Participant<Spec: Link> {}

/// Generic code run once per lab.
pub trait LabVisitor {
    fn visit<L: Lab>(&mut self);
}

/// Generic code run once per participant (every lab, then the engine's diagnostics).
pub trait ParticipantVisitor {
    fn visit<P: Participant>(&mut self);
}

/// The registry: each lab's protocol once, and the engine's own participant. Every lab's spec
/// has an inherent `check` (its limits), which its `Participant` impl forwards to; the engine's
/// participant has no spec to check.
macro_rules! registry {
    (labs: $($lab:ty => $error:ty),+ $(,)?; engine: $engine:ty $(;)?) => {
        $(
            impl Participant for $lab {
                type SpecError = $error;
                fn check(spec: &Self::Spec) -> Result<(), $error> {
                    spec.check()
                }
            }

            impl Lab for $lab {}
        )+

        impl Participant for $engine {
            type SpecError = std::convert::Infallible;
            fn check(_: &Self::Spec) -> Result<(), Self::SpecError> {
                Ok(())
            }
        }

        /// Visits every lab, in the registry's order.
        pub fn each_lab(visitor: &mut impl LabVisitor) {
            $(visitor.visit::<$lab>();)+
        }

        /// Visits every participant: the labs, then the engine's own.
        pub fn each_participant(visitor: &mut impl ParticipantVisitor) {
            $(visitor.visit::<$lab>();)+
            visitor.visit::<$engine>();
        }

        /// Every lab's slug, in the registry's order.
        pub const LAB_SLUGS: &[&str] = &[$(<$lab as Protocol>::SLUG),+];
    };
}

registry! {
    labs:
        optim::protocol::OptimProtocol => optim::error::OptimError,
        net::protocol::NetProtocol => net::error::NetError,
        rnn::protocol::RnnProtocol => rnn::error::RnnError,
        tfm::protocol::TfmProtocol => tfm::error::TfmError,
        mt::protocol::MtProtocol => mt::error::MtError,
        cnn::protocol::CnnProtocol => cnn::error::CnnError;
    engine: Diagnostics;
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Slugs(Vec<&'static str>);

    impl ParticipantVisitor for Slugs {
        fn visit<P: Participant>(&mut self) {
            self.0.push(P::SLUG);
        }
    }

    #[test]
    fn every_participant_is_listed_once_and_every_one_has_examples() {
        let mut slugs = Slugs(Vec::new());
        each_participant(&mut slugs);
        let mut unique = slugs.0.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), slugs.0.len(), "{:?}", slugs.0);
        assert_eq!(&slugs.0[..LAB_SLUGS.len()], LAB_SLUGS);
        assert_eq!(slugs.0.last(), Some(&crate::diagnostics::SLUG));

        struct Examples;
        impl ParticipantVisitor for Examples {
            fn visit<P: Participant>(&mut self) {
                assert!(!P::example_requests().is_empty(), "{}", P::SLUG);
            }
        }
        each_participant(&mut Examples);
    }

    #[test]
    fn every_lab_default_is_within_its_limits() {
        struct Defaults;
        impl LabVisitor for Defaults {
            fn visit<L: Lab>(&mut self) {
                assert!(L::check(&L::Spec::default()).is_ok(), "{}", L::SLUG);
            }
        }
        each_lab(&mut Defaults);
    }

    /// Each lab's table of link versions starts at 1 and goes up one at a time, says what each
    /// changed, and its last is what the lab's links write; its slug is the protocol's.
    #[test]
    fn every_lab_keeps_a_table_of_its_link_versions() {
        struct Versions;
        impl LabVisitor for Versions {
            fn visit<L: Lab>(&mut self) {
                let id = <L::Spec as Link>::id();
                assert_eq!(id.slug, L::SLUG);
                let numbers: Vec<u32> = id.versions.iter().map(|v| v.v).collect();
                let expected: Vec<u32> = (1..=id.versions.len() as u32).collect();
                assert_eq!(numbers, expected, "{}", L::SLUG);
                assert!(id.versions.iter().all(|v| !v.changed.is_empty()));
                let written = format!("lab={}&v={}", L::SLUG, id.current());
                assert_eq!(L::Spec::default().encode(), written, "{}", L::SLUG);
                let newer = format!("lab={}&v={}", L::SLUG, id.current() + 1);
                assert_eq!(
                    L::Spec::decode(&newer).1.len(),
                    1,
                    "a newer version is noted"
                );
            }
        }
        each_lab(&mut Versions);
    }
}
