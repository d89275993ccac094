//! What every lab's engine side is: a session started from a spec that answers requests, and
//! the slot the engine keeps it in. The slot does, once for every lab, what the protocol
//! promises: run numbering ("start one first", requests of an older run refused), errors
//! addressed to the lab that asked, and a start that waits for data the worker is still
//! fetching. A lab implements [`Session`] and adds one line to the registry (`crate::rooms`).

use contract::protocol::{Ask, Body, FromEngine, MessageError, Protocol};
use data::mnist::Mnist;
use std::fmt;
use std::rc::Rc;

/// What the worker fetches once for every lab that needs it.
#[derive(Default)]
pub struct Assets {
    pub mnist: Asset<Rc<Mnist>>,
}

/// Data the worker fetches: still on its way, here, or not coming.
#[derive(Default)]
pub enum Asset<T> {
    #[default]
    Loading,
    Loaded(T),
    Failed(String),
}

impl<T: Clone> Asset<T> {
    /// The data, or why a start cannot have it yet: `what` names it for the page.
    pub fn get<E>(&self, what: &'static str) -> Result<T, StartError<E>> {
        match self {
            Asset::Loading => Err(StartError::WaitFor(what)),
            Asset::Loaded(value) => Ok(value.clone()),
            Asset::Failed(why) => Err(StartError::NotLoaded {
                what,
                why: why.clone(),
            }),
        }
    }
}

/// What a session may use while it answers: the clock (`performance.now()` in the browser) and
/// the fetched data.
pub struct Context<'a> {
    pub now_ms: &'a dyn Fn() -> f64,
    pub assets: &'a Assets,
}

#[cfg(test)]
impl<'a> Context<'a> {
    /// The context tests answer in: `assets` on the stopped clock, so what they see does not
    /// depend on the machine's speed.
    pub(crate) fn stopped(assets: &'a Assets) -> Context<'a> {
        Context {
            now_ms: &crate::training::stopped_clock,
            assets,
        }
    }
}

/// Why a start did not produce a session.
#[derive(Debug, PartialEq)]
pub enum StartError<E> {
    /// The spec cannot run: the lab's error says why (a violated limit names field, value,
    /// limit).
    Refused(E),
    /// It needs data still being fetched (named for the page); it is started once that arrives.
    WaitFor(&'static str),
    /// The data it needs could not be fetched (`why`: what the fetch reported).
    NotLoaded { what: &'static str, why: String },
}

impl<E> From<E> for StartError<E> {
    fn from(error: E) -> StartError<E> {
        StartError::Refused(error)
    }
}

/// Why the slot answered a message with an error: the slot's own refusals, or the lab's. Its
/// `Display` is the one place a lab's typed error becomes the page's text.
enum Refusal<E> {
    /// The start or request body is not this lab's message.
    Unreadable(MessageError),
    NotLoaded {
        what: &'static str,
        why: String,
    },
    NoSession {
        slug: &'static str,
    },
    OtherRun {
        slug: &'static str,
        run: u64,
        current: u64,
    },
    Lab(E),
}

impl<E: fmt::Display> fmt::Display for Refusal<E> {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Unreadable(e) => e.fmt(out),
            Refusal::NotLoaded { what, why } => write!(out, "{what} could not be loaded: {why}"),
            Refusal::NoSession { slug } => {
                write!(out, "no {slug} session is running: start one first")
            }
            Refusal::OtherRun { slug, run, current } => write!(
                out,
                "this request is for run {run} of the {slug} lab, but run {current} is the current one"
            ),
            Refusal::Lab(e) => e.fmt(out),
        }
    }
}

type Spec<S> = <<S as Session>::Protocol as Protocol>::Spec;
type Request<S> = <<S as Session>::Protocol as Protocol>::Request;
type Reply<S> = <<S as Session>::Protocol as Protocol>::Reply;

/// What a session answers a request with: the context it may use meanwhile, and its replies,
/// as many as it needs (a long task may report as it goes). One parameter, so that every
/// lab's `handle` is declared in one line.
pub struct Answer<'a, S: Session> {
    pub cx: &'a Context<'a>,
    replies: &'a mut dyn FnMut(Reply<S>),
}

impl<'a, S: Session> Answer<'a, S> {
    pub fn new(cx: &'a Context<'a>, replies: &'a mut dyn FnMut(Reply<S>)) -> Self {
        Answer { cx, replies }
    }

    pub fn reply(&mut self, reply: Reply<S>) {
        (self.replies)(reply)
    }
}

/// One lab's engine side.
pub trait Session: Sized {
    type Protocol: Protocol;
    /// Why a start or a request is refused; shown to the page as its `Display`.
    type Error: fmt::Display;

    /// Builds the session a spec describes and its first reply.
    fn start(
        spec: Spec<Self>,
        cx: &Context,
    ) -> Result<(Self, Reply<Self>), StartError<Self::Error>>;

    /// Answers one request through `out`. A request that asks for time says so itself (a
    /// budget in ms, checked against the lab's limit): the worker answers nothing else
    /// meanwhile.
    fn handle(&mut self, request: Request<Self>, out: &mut Answer<Self>)
        -> Result<(), Self::Error>;
}

/// A participant as the engine sees it: JSON in, addressed messages out.
pub trait Room {
    fn slug(&self) -> &'static str;
    /// Answers one request for run `run`.
    fn answer(&mut self, run: u64, ask: Ask, cx: &Context, out: &mut dyn FnMut(FromEngine));
    /// The fetched data changed: a start that waited for it goes on.
    fn assets_arrived(&mut self, cx: &Context, out: &mut dyn FnMut(FromEngine));
}

/// The engine's place for one lab's session.
pub struct Slot<S: Session> {
    run: u64,
    session: Option<S>,
    /// A start that waits for data: answered when it arrives.
    waiting: Option<(u64, Body)>,
}

impl<S: Session> Default for Slot<S> {
    fn default() -> Self {
        Slot {
            run: 0,
            session: None,
            waiting: None,
        }
    }
}

impl<S: Session> Slot<S> {
    /// A slot whose session needs no start (it answers run 0).
    pub fn running(session: S) -> Self {
        Slot {
            run: 0,
            session: Some(session),
            waiting: None,
        }
    }

    fn start(&mut self, run: u64, body: Body, cx: &Context, out: &mut dyn FnMut(FromEngine)) {
        let slug = S::Protocol::SLUG;
        // The old session goes first (two models need not fit in memory at once), and a
        // refused start ends it too: its replies would be stale.
        self.session = None;
        self.waiting = None;
        self.run = run;
        let refused = match body.read::<Spec<S>>().map(|spec| S::start(spec, cx)) {
            Err(e) => Refusal::Unreadable(e),
            Ok(Ok((session, first))) => {
                self.session = Some(session);
                return out(FromEngine::reply::<S::Protocol>(run, &first));
            }
            Ok(Err(StartError::WaitFor(what))) => {
                self.waiting = Some((run, body));
                return out(FromEngine::Waiting {
                    from: slug.into(),
                    run,
                    what: what.into(),
                });
            }
            Ok(Err(StartError::NotLoaded { what, why })) => Refusal::NotLoaded { what, why },
            Ok(Err(StartError::Refused(e))) => Refusal::Lab(e),
        };
        out(FromEngine::Error {
            from: slug.into(),
            run,
            message: refused.to_string(),
        });
    }
}

impl<S: Session> Room for Slot<S> {
    fn slug(&self) -> &'static str {
        S::Protocol::SLUG
    }

    fn answer(&mut self, run: u64, ask: Ask, cx: &Context, out: &mut dyn FnMut(FromEngine)) {
        let slug = S::Protocol::SLUG;
        let body = match ask {
            Ask::Start(body) => return self.start(run, body, cx, out),
            Ask::Request(body) => body,
        };
        let refused = match (&mut self.session, body.read::<Request<S>>()) {
            (None, _) => Err(Refusal::NoSession { slug }),
            (Some(_), _) if run != self.run => Err(Refusal::OtherRun {
                slug,
                run,
                current: self.run,
            }),
            (Some(_), Err(e)) => Err(Refusal::Unreadable(e)),
            (Some(session), Ok(request)) => {
                let mut replies = |reply| out(FromEngine::reply::<S::Protocol>(run, &reply));
                let mut answer = Answer::new(cx, &mut replies);
                session.handle(request, &mut answer).map_err(Refusal::Lab)
            }
        };
        if let Err(refusal) = refused {
            out(FromEngine::Error {
                from: slug.into(),
                run,
                message: refusal.to_string(),
            });
        }
    }

    fn assets_arrived(&mut self, cx: &Context, out: &mut dyn FnMut(FromEngine)) {
        if let Some((run, body)) = self.waiting.take() {
            self.start(run, body, cx, out);
        }
    }
}

/// A boxed slot for the registry.
pub fn room<S: Session + 'static>() -> Box<dyn Room> {
    Box::new(Slot::<S>::default())
}
