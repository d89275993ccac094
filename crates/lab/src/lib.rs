//! Training sessions, one folder per lab. A session is started from its lab's spec
//! (`contract::<lab>`), steps deterministically, and answers with its lab's reply types; it
//! never knows about the UI. [`session`] is the one interface the engine holds them by, and
//! [`training`] the machinery every lab's training shares.

mod sample;
pub mod session;
pub mod step_error;
pub mod training;

/// The labs: each line declares a lab's folder and gives the engine its session slot.
macro_rules! labs {
    ($($module:ident => $session:ty),* $(,)?) => {
        $(pub mod $module;)*

        /// A slot for every lab's session, in the registry's order.
        pub fn rooms() -> Vec<Box<dyn session::Room>> {
            vec![$(session::room::<$session>()),*]
        }
    };
}

labs! {
    optim => optim::OptimSession,
    cnn => cnn::CnnSession,
    net => net::NetSession,
    rnn => rnn::RnnSession,
    tfm => tfm::TfmSession,
    mt => mt::MtSession,
}
