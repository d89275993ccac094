//! The envelope every message between the UI (main thread) and the engine worker travels in.
//!
//! The protocol knows no lab by name. A request is addressed to a participant (a lab's slug,
//! or [`crate::diagnostics::SLUG`] for the engine's own measurements) and a run: the page
//! numbers every start, and every reply carries the run it answers, so replies of an older run
//! are dropped in one place. What a lab asks and answers is its own business: its request and
//! reply types live in its folder (`<lab>/protocol.rs`) and travel here as a [`Body`] of JSON,
//! read only by that lab's code on both sides. Each message is serialized to JSON text once, at
//! the `postMessage` boundary.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::fmt;

/// One participant's protocol: its name and the types it speaks. Both sides name the same
/// implementation, so a lab's messages are typed end to end though the envelope is not.
pub trait Protocol {
    /// The participant's name in links (`#lab=<slug>`) and in every envelope.
    const SLUG: &'static str;
    /// What starts a run (the experiment a link describes). The page keeps it in its state,
    /// hence the plain-data bounds.
    type Spec: Serialize + DeserializeOwned + Clone + fmt::Debug + PartialEq + Send + Sync + 'static;
    /// What the page may ask of a running session.
    type Request: Serialize + DeserializeOwned;
    /// What the session answers (a start is answered with one too).
    type Reply: Serialize + DeserializeOwned;
}

/// Declares a participant's protocol: a unit struct (taking the doc comments written first in
/// the call) and its [`Protocol`] implementation, from `Name, slug, Spec, Request, Reply` on
/// one line instead of the same eight lines in every lab's `protocol.rs` (and every test's
/// throw-away lab).
#[macro_export]
macro_rules! declare_protocol {
    ($(#[$meta:meta])* $name:ident, $slug:expr, $spec:ty, $request:ty, $reply:ty) => {
        $(#[$meta])*
        pub struct $name;

        impl $crate::protocol::Protocol for $name {
            const SLUG: &'static str = $slug;
            type Spec = $spec;
            type Request = $request;
            type Reply = $reply;
        }
    };
}

/// A lab's own request or reply as JSON text: the envelope carries it unread.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Body(Box<RawValue>);

impl PartialEq for Body {
    fn eq(&self, other: &Self) -> bool {
        self.0.get() == other.0.get()
    }
}

impl Body {
    pub fn of<T: Serialize>(value: &T) -> Body {
        // The labs' message types are plain data (no maps with non-string keys, no custom
        // Serialize): serializing them cannot fail. A failure would be a bug in a lab's types.
        Body(serde_json::value::to_raw_value(value).expect("a lab's message serializes to JSON"))
    }

    /// The same, or why serde could not write it (a lab type serde cannot express, such as a
    /// tagged enum's variant holding a bare list): the engine answers with that instead of
    /// dying.
    pub fn try_of<T: Serialize>(value: &T) -> Result<Body, MessageError> {
        serde_json::value::to_raw_value(value)
            .map(Body)
            .map_err(|e| MessageError(format!("the engine could not write its reply: {e}")))
    }

    pub fn read<T: DeserializeOwned>(&self) -> Result<T, MessageError> {
        serde_json::from_str(self.0.get())
            .map_err(|e| MessageError(format!("unreadable message body: {e}")))
    }
}

/// What a request asks of a participant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "body", rename_all = "snake_case")]
pub enum Ask {
    /// Start (or restart) run `run` from this spec; the old session ends first.
    Start(Body),
    /// A request of the running session of run `run`.
    Request(Body),
}

/// UI → engine.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ToEngine {
    /// The participant addressed (a lab's slug).
    pub to: String,
    pub run: u64,
    pub ask: Ask,
}

impl ToEngine {
    pub fn start<P: Protocol>(run: u64, spec: &P::Spec) -> ToEngine {
        ToEngine {
            to: P::SLUG.into(),
            run,
            ask: Ask::Start(Body::of(spec)),
        }
    }

    pub fn request<P: Protocol>(run: u64, request: &P::Request) -> ToEngine {
        ToEngine {
            to: P::SLUG.into(),
            run,
            ask: Ask::Request(Body::of(request)),
        }
    }
}

/// Engine → UI. Externally tagged (`{"reply": {…}}`): serde cannot carry a raw [`Body`]
/// through an internally tagged enum, which it buffers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FromEngine {
    /// The worker has loaded its module and started its thread pool (to every participant).
    Ready(crate::diagnostics::EngineInfo),
    /// The worker could not start or has died (to every participant); written by the worker's
    /// JavaScript bootstrap too, so its shape is fixed by a test.
    Failed { message: String },
    /// A participant's answer to a request of run `run`.
    Reply { from: String, run: u64, body: Body },
    /// A participant's start waits for data the worker is still fetching (`what`).
    Waiting {
        from: String,
        run: u64,
        what: String,
    },
    /// A participant's request was refused or failed; the engine is still usable. A message
    /// that could not be read at all comes from [`crate::diagnostics::SLUG`].
    Error {
        from: String,
        run: u64,
        message: String,
    },
}

impl FromEngine {
    /// A participant's reply; one that cannot be written becomes an error for that lab, so a
    /// bug in a lab's message types costs one answer, not the worker.
    pub fn reply<P: Protocol>(run: u64, reply: &P::Reply) -> FromEngine {
        match Body::try_of(reply) {
            Ok(body) => FromEngine::Reply {
                from: P::SLUG.into(),
                run,
                body,
            },
            Err(MessageError(message)) => FromEngine::Error {
                from: P::SLUG.into(),
                run,
                message,
            },
        }
    }

    /// The participant this message is for; `None`: every participant.
    pub fn addressee(&self) -> Option<&str> {
        match self {
            FromEngine::Ready(_) | FromEngine::Failed { .. } => None,
            FromEngine::Reply { from, .. }
            | FromEngine::Waiting { from, .. }
            | FromEngine::Error { from, .. } => Some(from),
        }
    }
}

/// A message that could not be read: names the direction and what serde saw.
#[derive(Clone, Debug, PartialEq)]
pub struct MessageError(pub String);

impl fmt::Display for MessageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MessageError {}

macro_rules! json_codec {
    ($ty:ty, $what:literal) => {
        impl $ty {
            pub fn to_json(&self) -> String {
                // Plain structs and enums of strings, numbers and raw JSON: cannot fail.
                serde_json::to_string(self).expect(concat!($what, " serializes to JSON"))
            }

            pub fn from_json(text: &str) -> Result<Self, MessageError> {
                serde_json::from_str(text)
                    .map_err(|e| MessageError(format!("unreadable {} message: {e}", $what)))
            }
        }
    };
}

json_codec!(ToEngine, "UI-to-engine");
json_codec!(FromEngine, "engine-to-UI");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::{Diagnostics, DiagnosticsReply, DiagnosticsRequest, MatmulBench};

    #[test]
    fn messages_round_trip() {
        let to = ToEngine::request::<Diagnostics>(0, &DiagnosticsRequest::MeasureMatmul { n: 512 });
        assert_eq!(ToEngine::from_json(&to.to_json()), Ok(to));
        let bench = MatmulBench {
            n: 256,
            threads: 2,
            seconds_one_thread: 0.002,
            seconds_all_threads: 0.001,
            repetitions: 9,
            bit_identical: true,
            max_rel_error_vs_scalar: 1e-7,
        };
        let from = FromEngine::reply::<Diagnostics>(3, &DiagnosticsReply::MatmulMeasured(bench));
        let back = FromEngine::from_json(&from.to_json());
        assert_eq!(back, Ok(from.clone()));
        let FromEngine::Reply {
            body, run, from, ..
        } = from
        else {
            unreachable!()
        };
        assert_eq!((from.as_str(), run), ("engine", 3));
        assert!(matches!(
            body.read::<DiagnosticsReply>(),
            Ok(DiagnosticsReply::MatmulMeasured(b)) if b.n == 256
        ));
    }

    /// A reply serde cannot write (a tagged enum's variant holding a bare list, the bug the
    /// Recurrent lab's missing-word answer once had) becomes an error for that lab.
    #[test]
    fn an_unwritable_reply_is_an_error_not_a_dead_worker() {
        #[derive(Serialize, Deserialize)]
        #[serde(tag = "kind")]
        pub enum Broken {
            List(Vec<u32>),
        }
        crate::declare_protocol!(Lab, "broken", u32, u32, Broken);
        let message = FromEngine::reply::<Lab>(4, &Broken::List(vec![1, 2]));
        let FromEngine::Error { from, run, message } = message else {
            panic!("an error, not {message:?}")
        };
        assert_eq!((from.as_str(), run), ("broken", 4));
        assert!(
            message.starts_with("the engine could not write its reply"),
            "{message}"
        );
    }

    /// web/engine-worker.js writes this message by hand when the module or pool fails to start.
    #[test]
    fn worker_bootstrap_failure_shape_is_readable() {
        let text = r#"{"failed":{"message":"initThreadPool: boom"}}"#;
        assert_eq!(
            FromEngine::from_json(text),
            Ok(FromEngine::Failed {
                message: "initThreadPool: boom".into()
            })
        );
        let worker_js = include_str!("../../../web/engine-worker.js");
        assert!(worker_js.contains("JSON.stringify({ failed: { message:"));
    }

    #[test]
    fn malformed_message_says_what_it_is() {
        let err = ToEngine::from_json(r#"{"kind":"launch_missiles"}"#).unwrap_err();
        assert!(
            err.0.starts_with("unreadable UI-to-engine message"),
            "{err}"
        );
        let body = Body::of(&"not a request");
        assert!(body
            .read::<DiagnosticsRequest>()
            .unwrap_err()
            .0
            .starts_with("unreadable message body"));
    }
}
