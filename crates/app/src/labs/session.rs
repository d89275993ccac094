//! What every lab page knows about its run, whatever the lab: the experiment (also in the
//! address bar), what its link could not use, the run number, whether a request is with the
//! engine, whether it plays, and what went wrong. Engine messages are applied here once for
//! every lab ([`Session::apply`]): replies of older runs are dropped, errors stop play, a dead
//! worker is remembered; only a reply of the current run reaches the lab's own state
//! ([`LabState::on_reply`]). Plain Rust, tested natively.

use contract::link::UrlNote;
use contract::{FromEngine, Protocol, ToEngine};

type Spec<L> = <<L as LabState>::Protocol as Protocol>::Spec;
type Request<L> = <<L as LabState>::Protocol as Protocol>::Request;
type Reply<L> = <<L as LabState>::Protocol as Protocol>::Reply;

/// A lab page's own data, and what it does with its replies.
pub trait LabState: Sized {
    type Protocol: Protocol;

    /// A reply of the current run arrived (the session is no longer waiting).
    fn on_reply(session: &mut Session<Self>, reply: Reply<Self>);

    /// A (re)start is being sent: everything shown belongs to the old run.
    fn on_restart(session: &mut Session<Self>);

    /// The lab's last request was refused: forget whatever would ask it again.
    fn on_refused(_session: &mut Session<Self>) {}

    /// The step the run has reached (what Share writes as `at=`).
    fn step(&self) -> usize;
}

#[derive(Clone, Debug, PartialEq)]
pub struct Session<L: LabState> {
    pub spec: Spec<L>,
    /// Parts of the opening link that were not used, and why.
    pub notes: Vec<UrlNote>,
    /// The number of the current start (0: never started); replies of other runs are dropped.
    pub run: u64,
    /// The engine has answered the current start.
    pub started: bool,
    /// A request is with the engine: the play loop waits for its answer.
    pub waiting: bool,
    pub playing: bool,
    /// The start waits for data the worker is fetching (what, for the page).
    pub loading: Option<String>,
    pub error: Option<String>,
    /// The engine worker stopped: the page offers to restart it.
    pub engine_failed: bool,
    /// The lab's own data.
    pub lab: L,
}

impl<L: LabState> Session<L> {
    pub fn new(spec: Spec<L>, notes: Vec<UrlNote>, lab: L) -> Self {
        Session {
            spec,
            notes,
            run: 0,
            started: false,
            waiting: false,
            playing: false,
            loading: None,
            error: None,
            engine_failed: false,
            lab,
        }
    }

    /// The start of a new run from the current spec (everything shown belongs to the old run).
    pub fn restart(&mut self) -> ToEngine {
        self.run += 1;
        self.started = false;
        self.waiting = true;
        self.loading = None;
        self.error = None;
        L::on_restart(self);
        ToEngine::start::<L::Protocol>(self.run, &self.spec)
    }

    /// A request of the current run; the session waits for its answer.
    pub fn request(&mut self, request: &Request<L>) -> ToEngine {
        self.waiting = true;
        ToEngine::request::<L::Protocol>(self.run, request)
    }

    /// Applies one message from the engine (every page sees every message; this one takes
    /// what is addressed to its lab, and what is addressed to everyone).
    pub fn apply(&mut self, message: &FromEngine) {
        let slug = <L::Protocol as Protocol>::SLUG;
        match message {
            FromEngine::Ready(_) => self.engine_failed = false,
            FromEngine::Failed { message } => {
                self.error = Some(message.clone());
                self.waiting = false;
                self.playing = false;
                self.loading = None;
                self.engine_failed = true;
            }
            FromEngine::Reply { from, .. }
            | FromEngine::Waiting { from, .. }
            | FromEngine::Error { from, .. }
                if from != slug => {}
            // A message of an earlier run, answered before the restart reached the engine:
            // the request that is waiting now is the new start.
            FromEngine::Reply { run, .. }
            | FromEngine::Waiting { run, .. }
            | FromEngine::Error { run, .. }
                if *run != self.run => {}
            FromEngine::Waiting { what, .. } => self.loading = Some(what.clone()),
            FromEngine::Error { message, .. } => {
                // Only an answer to what this page asked: an old error must not stop a new run.
                if self.waiting {
                    self.refused(message.clone());
                }
            }
            FromEngine::Reply { body, .. } => match body.read::<Reply<L>>() {
                Ok(reply) => {
                    self.waiting = false;
                    self.loading = None;
                    self.started = true;
                    L::on_reply(self, reply);
                }
                // A lab never waits for an answer it cannot read: it stops, and says so.
                Err(e) => self.refused(format!(
                    "The engine's answer could not be read, so this lab stopped waiting for it. \
                     Press Reset to start again. (Details: {e})"
                )),
            },
        }
    }

    fn refused(&mut self, message: String) {
        self.error = Some(message);
        self.waiting = false;
        self.playing = false;
        self.loading = None;
        L::on_refused(self);
    }
}

/// What a lab's state tests send and receive, for any lab.
#[cfg(test)]
pub(crate) mod testing {
    use contract::{Ask, Body, FromEngine, Protocol, ToEngine};

    /// The engine's reply to run `run` of lab `P`, as it arrives.
    pub fn reply<P: Protocol>(run: u64, reply: &P::Reply) -> FromEngine {
        FromEngine::Reply {
            from: P::SLUG.into(),
            run,
            body: Body::of(reply),
        }
    }

    /// What a request of lab `P` asks, as the engine reads it.
    pub fn read<P: Protocol>(request: ToEngine) -> P::Request {
        let Ask::Request(body) = request.ask else {
            panic!("a request, not {request:?}")
        };
        body.read().expect("a request of this lab")
    }
}

#[cfg(test)]
pub(crate) mod tests {
    //! The generic part with a throw-away lab: what a new lab gets without writing it.
    use super::*;
    use contract::diagnostics::EngineInfo;
    use contract::Body;

    contract::declare_protocol!(Counter, "counter", u32, u32, u32);

    #[derive(Clone, Debug, PartialEq, Default)]
    pub struct CounterState {
        pub count: Option<u32>,
        pub forgotten: bool,
    }

    impl LabState for CounterState {
        type Protocol = Counter;
        fn on_reply(session: &mut Session<Self>, reply: u32) {
            session.lab.count = Some(reply);
        }
        fn on_restart(session: &mut Session<Self>) {
            session.lab.count = None;
        }
        fn on_refused(session: &mut Session<Self>) {
            session.lab.forgotten = true;
        }
        fn step(&self) -> usize {
            0
        }
    }

    fn reply(from: &str, run: u64, value: u32) -> FromEngine {
        FromEngine::Reply {
            from: from.into(),
            run,
            body: Body::of(&value),
        }
    }

    #[test]
    fn runs_are_numbered_and_older_replies_dropped() {
        let mut s = Session::new(5, vec![], CounterState::default());
        let first = s.restart();
        assert_eq!((first.run, first.to.as_str()), (1, "counter"));
        s.restart(); // run 2, before run 1 was answered
        s.apply(&reply("counter", 1, 10));
        assert!(s.waiting && !s.started && s.lab.count.is_none());
        s.apply(&reply("counter", 2, 20));
        assert!(!s.waiting && s.started && s.lab.count == Some(20));
        // Another lab's reply is not ours.
        s.apply(&reply("other", 2, 99));
        assert_eq!(s.lab.count, Some(20));
    }

    #[test]
    fn an_error_stops_play_once_and_a_dead_worker_is_remembered() {
        let mut s = Session::new(5, vec![], CounterState::default());
        s.restart();
        s.playing = true;
        let error = |run| FromEngine::Error {
            from: "counter".into(),
            run,
            message: "count = 7 exceeds the limit of 5".into(),
        };
        s.apply(&error(1));
        assert!(!s.playing && !s.waiting && s.lab.forgotten);
        assert_eq!(s.error.as_deref(), Some("count = 7 exceeds the limit of 5"));
        s.apply(&FromEngine::Waiting {
            from: "counter".into(),
            run: 1,
            what: "the digits".into(),
        });
        assert_eq!(s.loading.as_deref(), Some("the digits"));
        s.apply(&FromEngine::Failed {
            message: "the engine worker died".into(),
        });
        assert!(s.engine_failed && s.loading.is_none());
        s.apply(&FromEngine::Ready(EngineInfo {
            threads: 2,
            simd128: true,
            shared_memory: true,
            build: contract::diagnostics::EngineBuild::Threaded,
            version: "0".into(),
        }));
        assert!(!s.engine_failed);
        // An unreadable reply is an error, not a crash.
        s.restart();
        s.apply(&FromEngine::Reply {
            from: "counter".into(),
            run: 2,
            body: Body::of(&"not a number"),
        });
        assert!(s.error.is_some_and(|e| e.contains("unreadable")));
    }
}
