//! The engine's routing, natively: every participant behind the one envelope, run numbering
//! and errors done once, and a throw-away lab that needs nothing but its own files.

use super::*;
use contract::cnn::protocol::{CnnProtocol, CnnReply, CnnRequest};
use contract::cnn::view::DigitSource;
use contract::cnn::CnnLab;
use contract::optim::limits::OptimLimits;
use contract::optim::protocol::{OptimProtocol, OptimReply, OptimRequest};
use contract::optim::OptimLab;
use contract::training::TrainFor;
use contract::Protocol;

fn ask(engine: &mut Engine, request: ToEngine) -> Vec<FromEngine> {
    let mut replies = Vec::new();
    // Through JSON both ways, as in the browser.
    engine.handle_json(&request.to_json(), &|| 0.0, &mut |m| {
        replies.push(FromEngine::from_json(&m.to_json()).expect("readable reply"))
    });
    replies
}

/// The replies of one lab, read as its own type (errors as `Err`).
fn read<P: Protocol>(replies: &[FromEngine]) -> Vec<Result<P::Reply, String>> {
    replies
        .iter()
        .map(|m| match m {
            FromEngine::Reply { from, body, .. } if from == P::SLUG => {
                Ok(body.read::<P::Reply>().expect("a reply of this lab"))
            }
            FromEngine::Error { from, message, .. } if from == P::SLUG => Err(message.clone()),
            other => panic!("not for {}: {other:?}", P::SLUG),
        })
        .collect()
}

#[test]
fn the_optimizer_race_starts_replays_and_steps_in_contiguous_frames() {
    let mut engine = Engine::default();
    let step = |steps| OptimRequest::Step { steps };
    let err = ask(&mut engine, ToEngine::request::<OptimProtocol>(7, &step(1)));
    assert!(matches!(&read::<OptimProtocol>(&err)[..], [Err(m)] if m.contains("start one first")));

    let spec = OptimLab {
        at: Some(10),
        ..OptimLab::default()
    };
    let started = ask(&mut engine, ToEngine::start::<OptimProtocol>(7, &spec));
    assert!(matches!(&started[..], [FromEngine::Reply { run: 7, .. }]));
    let [Ok(OptimReply::Started { contour, frame })] = &read::<OptimProtocol>(&started)[..] else {
        panic!("{started:?}")
    };
    // The start is at step 0: the page replays `at` with step requests it can follow.
    assert_eq!((frame.step, frame.runs[0].points.len()), (0, 1));
    let replayed = ask(
        &mut engine,
        ToEngine::request::<OptimProtocol>(7, &step(10)),
    );
    assert!(
        matches!(&read::<OptimProtocol>(&replayed)[..], [Ok(OptimReply::Frame(f))] if f.step == 10 && f.runs[0].from == 1 && f.runs[0].points.len() == 10)
    );
    assert_eq!(
        contour.values.len(),
        OptimLimits::CONTOUR_COLUMNS * OptimLimits::CONTOUR_ROWS
    );

    let stepped = ask(&mut engine, ToEngine::request::<OptimProtocol>(7, &step(5)));
    let [Ok(OptimReply::Frame(next))] = &read::<OptimProtocol>(&stepped)[..] else {
        panic!("{stepped:?}")
    };
    assert_eq!(
        (next.step, next.runs[0].from, next.runs[0].points.len()),
        (15, 11, 5)
    );

    let too_many =
        ToEngine::request::<OptimProtocol>(7, &step(OptimLimits::MAX_STEPS_PER_REQUEST + 1));
    let too_many = ask(&mut engine, too_many);
    assert!(
        matches!(&read::<OptimProtocol>(&too_many)[..], [Err(m)] if m.contains("exceeds the limit of 1000"))
    );
    // A request of an older run is refused, not answered as if it were current.
    let stale = ask(&mut engine, ToEngine::request::<OptimProtocol>(6, &step(1)));
    assert!(matches!(&read::<OptimProtocol>(&stale)[..], [Err(m)] if m.contains("run 7")));

    // A refused start ends the old race: no stale frames afterwards.
    let empty = OptimLab {
        runs: vec![],
        ..OptimLab::default()
    };
    let refused = ask(&mut engine, ToEngine::start::<OptimProtocol>(8, &empty));
    assert!(matches!(&refused[..], [FromEngine::Error { run: 8, .. }]));
    let after = ask(&mut engine, ToEngine::request::<OptimProtocol>(8, &step(1)));
    assert!(matches!(&read::<OptimProtocol>(&after)[..], [Err(_)]));
}

#[test]
fn a_cnn_start_waits_for_the_digits_then_trains_looks_and_explains() {
    let mut engine = Engine::default();
    let spec = CnnLab {
        at: Some(3),
        ..CnnLab::default()
    };
    let waiting = ask(&mut engine, ToEngine::start::<CnnProtocol>(4, &spec));
    // `at` is not replayed inside the start (the page replays it in slices it can follow).
    assert!(
        matches!(&waiting[..], [FromEngine::Waiting { from, run: 4, what }] if from == "cnn" && what.contains("MNIST"))
    );
    let bytes = std::fs::read(data::mnist::ASSET_PATH).expect("the bundled MNIST file");
    let mut replies = Vec::new();
    engine.digits_arrived(Ok(&bytes), &|| 0.0, &mut |m| replies.push(m));
    let [Ok(CnnReply::Started {
        progress,
        view,
        gallery,
    })] = &read::<CnnProtocol>(&replies)[..]
    else {
        panic!("{replies:?}")
    };
    assert!(matches!(&replies[..], [FromEngine::Reply { run: 4, .. }]));
    assert_eq!((progress.step, progress.train.len()), (0, 0));
    assert_eq!((view.layers.len(), view.input.len()), (6, 784));
    assert_eq!(gallery.len(), lab::cnn::GALLERY);
    let cnn = |request: &CnnRequest| ToEngine::request::<CnnProtocol>(4, request);
    let train = |budget_ms, one_thread, until| {
        CnnRequest::Train(TrainFor {
            budget_ms,
            until,
            one_thread,
        })
    };
    // A replay to step 3 stops there, whatever the budget.
    let replayed = ask(&mut engine, cnn(&train(2000.0, false, Some(3))));
    assert!(
        matches!(&read::<CnnProtocol>(&replayed)[..], [Ok(CnnReply::Trained { progress, .. })] if progress.step == 3 && progress.train.len() == 3)
    );

    // A zero budget still trains one whole step.
    let trained = ask(&mut engine, cnn(&train(0.0, true, None)));
    let [Ok(CnnReply::Trained { progress, .. })] = &read::<CnnProtocol>(&trained)[..] else {
        panic!("{trained:?}")
    };
    assert_eq!((progress.step, progress.train.len()), (4, 1));

    let look = CnnRequest::Look {
        digit: DigitSource::Test { index: 9 },
        shift: (1, -1),
    };
    let looked = ask(&mut engine, cnn(&look));
    assert!(
        matches!(&read::<CnnProtocol>(&looked)[..], [Ok(CnnReply::Viewed(v))] if v.shift.is_some() && v.step == 4)
    );
    let receptive = |layer| CnnRequest::Receptive {
        layer,
        channel: 2,
        y: 7,
        x: 7,
    };
    let field = ask(&mut engine, cnn(&receptive(3)));
    assert!(
        matches!(&read::<CnnProtocol>(&field)[..], [Ok(CnnReply::ReceptiveField(f))] if f.theoretical_size == 14)
    );
    for bad in [
        train(1e9, false, None),
        train(f64::NAN, false, None),
        receptive(99),
    ] {
        let r = ask(&mut engine, cnn(&bad));
        assert!(matches!(&read::<CnnProtocol>(&r)[..], [Err(_)]), "{r:?}");
    }
}

/// A reply carries only new points and stays within its byte budget: the largest step request
/// of the largest race (eight optimizers, regression data) and its start.
#[test]
fn optimizer_replies_stay_within_their_byte_budget() {
    use contract::training::{OptimizerName, Run};
    let mut engine = Engine::default();
    let spec = OptimLab {
        problem: contract::optim::Problem::Regression,
        runs: OptimizerName::ALL.map(Run::default_for).to_vec(),
        points: 1000,
        ..OptimLab::default()
    };
    let started = ask(&mut engine, ToEngine::start::<OptimProtocol>(1, &spec));
    let steps = OptimLimits::steps_per_request(spec.runs.len());
    let mut sizes = vec![started[0].to_json().len()];
    for _ in 0..3 {
        let frame = ask(
            &mut engine,
            ToEngine::request::<OptimProtocol>(1, &step_of(steps)),
        );
        assert!(
            matches!(&read::<OptimProtocol>(&frame)[..], [Ok(OptimReply::Frame(f))] if f.runs.len() == 8 && f.runs[0].points.len() == steps)
        );
        sizes.push(frame[0].to_json().len());
    }
    assert!(
        sizes.iter().all(|&b| b <= OptimLimits::REPLY_BYTES),
        "reply sizes {sizes:?} over {} bytes",
        OptimLimits::REPLY_BYTES
    );
    let over = ask(
        &mut engine,
        ToEngine::request::<OptimProtocol>(1, &step_of(steps + 1)),
    );
    assert!(
        matches!(&read::<OptimProtocol>(&over)[..], [Err(m)] if m.contains("exceeds the limit"))
    );
}

fn step_of(steps: usize) -> OptimRequest {
    OptimRequest::Step { steps }
}

/// A CNN reply stays within its byte budget even for the widest model the limits allow: its
/// view shows the first channels of each layer, and says how many there are.
#[test]
fn cnn_replies_stay_within_their_byte_budget() {
    use contract::cnn::limits::CnnLimits;
    let mut engine = Engine::default();
    let bytes = std::fs::read(data::mnist::ASSET_PATH).expect("the bundled MNIST file");
    engine.digits_arrived(Ok(&bytes), &|| 0.0, &mut |_| {});
    let wide = "lab=cnn&v=1&layers=c64k1,relu,c64k1,relu,c64k1,relu,c64k1,relu,c64k1,relu,c64k1,relu,c64k1,relu,c64k1,relu&batch=1&shift=1,0";
    let (spec, notes) = contract::cnn::link::decode(wide);
    assert_eq!((notes, spec.trainable()), (vec![], Ok(())));
    let started = ask(&mut engine, ToEngine::start::<CnnProtocol>(1, &spec));
    let [Ok(CnnReply::Started { view, .. })] = &read::<CnnProtocol>(&started)[..] else {
        panic!("{started:?}")
    };
    let sent: usize = view.layers.iter().map(|l| l.channels * l.h * l.w).sum();
    assert!(sent <= CnnLimits::MAX_VIEW_MAP_VALUES, "{sent}");
    assert!(view
        .layers
        .iter()
        .all(|l| l.total_channels == 64 && l.channels >= 1 && l.channels < 64));
    let train = CnnRequest::Train(TrainFor::new(0.0, None));
    let trained = ask(&mut engine, ToEngine::request::<CnnProtocol>(1, &train));
    // A look at the largest drawing the lab accepts: the view carries the drawing back.
    let side = CnnLimits::MAX_DRAWN_SIDE;
    let drawn = CnnRequest::Look {
        digit: DigitSource::Drawn {
            size: side,
            ink: (0..side * side).map(|i| (i * 37 % 256) as u8).collect(),
        },
        shift: (1, 0),
    };
    let looked = ask(&mut engine, ToEngine::request::<CnnProtocol>(1, &drawn));
    assert!(matches!(
        &read::<CnnProtocol>(&looked)[..],
        [Ok(CnnReply::Viewed(_))]
    ));
    let sizes = [
        started[0].to_json().len(),
        trained[0].to_json().len(),
        looked[0].to_json().len(),
    ];
    assert!(
        sizes.iter().all(|&b| b <= CnnLimits::REPLY_BYTES),
        "reply sizes {sizes:?} over {} bytes",
        CnnLimits::REPLY_BYTES
    );
    // The default model is shown whole.
    let started = ask(
        &mut engine,
        ToEngine::start::<CnnProtocol>(2, &CnnLab::default()),
    );
    let [Ok(CnnReply::Started { view, .. })] = &read::<CnnProtocol>(&started)[..] else {
        panic!("{started:?}")
    };
    assert!(view.layers.iter().all(|l| l.channels == l.total_channels));
}

/// The link: a dense net trained by SGD at η = 10 diverges within a few steps, and its
/// view (probabilities, shift report) is full of NaN. Every reply still reads, the stop reason
/// arrives, and a look inside the broken model reads too.
#[test]
fn a_diverged_cnn_still_answers_in_replies_the_page_can_read() {
    let mut engine = Engine::default();
    let bytes = std::fs::read(data::mnist::ASSET_PATH).expect("the bundled MNIST file");
    engine.digits_arrived(Ok(&bytes), &|| 0.0, &mut |_| {});
    let (spec, notes) =
        contract::cnn::link::decode("lab=cnn&v=1&layers=fc32&opt=sgd&lr=10&shift=1,0");
    assert_eq!(notes, vec![]);
    let started = ask(&mut engine, ToEngine::start::<CnnProtocol>(1, &spec));
    assert!(matches!(
        &read::<CnnProtocol>(&started)[..],
        [Ok(CnnReply::Started { .. })]
    ));
    let train = CnnRequest::Train(TrainFor::new(2000.0, Some(40)));
    let trained = ask(&mut engine, ToEngine::request::<CnnProtocol>(1, &train));
    let [Ok(CnnReply::Trained { progress, view })] = &read::<CnnProtocol>(&trained)[..] else {
        panic!("{trained:?}")
    };
    let why = progress.stopped.as_deref().unwrap_or_default();
    assert!(
        why.contains("became NaN at step 14") && why.contains("probably too large"),
        "{why}"
    );
    assert!(progress.step < 40);
    // The state is broken: the outputs are not numbers, nor is the shift report.
    assert!(
        view.probabilities.iter().all(|p| p.is_nan()),
        "{:?}",
        view.probabilities
    );
    assert!(view
        .shift
        .as_ref()
        .is_some_and(|s| s.probability_change.is_nan()));
    let look = CnnRequest::Look {
        digit: DigitSource::Test { index: 3 },
        shift: (2, 0),
    };
    let looked = ask(&mut engine, ToEngine::request::<CnnProtocol>(1, &look));
    assert!(matches!(
        &read::<CnnProtocol>(&looked)[..],
        [Ok(CnnReply::Viewed(_))]
    ));
    let unit = CnnRequest::Receptive {
        layer: 0,
        channel: 0,
        y: 0,
        x: 0,
    };
    let field = ask(&mut engine, ToEngine::request::<CnnProtocol>(1, &unit));
    assert!(matches!(
        &read::<CnnProtocol>(&field)[..],
        [Ok(CnnReply::ReceptiveField(_))]
    ));
}

#[test]
fn a_failed_download_is_reported_to_the_cnn_lab() {
    let mut engine = Engine::default();
    let mut replies = Vec::new();
    engine.digits_arrived(Err("HTTP 404".into()), &|| 0.0, &mut |m| replies.push(m));
    let start = ToEngine::start::<CnnProtocol>(1, &CnnLab::default());
    let r = ask(&mut engine, start.clone());
    assert!(
        matches!(&read::<CnnProtocol>(&r)[..], [Err(m)] if m.contains("could not be loaded: HTTP 404"))
    );
    // A corrupt file is a failure too, with the parser's reason.
    let mut engine = Engine::default();
    engine.digits_arrived(Ok(b"garbage"), &|| 0.0, &mut |m| replies.push(m));
    let r = ask(&mut engine, start);
    assert!(matches!(&read::<CnnProtocol>(&r)[..], [Err(m)] if m.contains("not an MNIST10K file")));
}

#[test]
fn errors_are_addressed_to_the_lab_that_asked() {
    let mut engine = Engine::default();
    let unreadable = Vec::new();
    let mut replies = unreadable;
    engine.handle_json("{\"to\":", &|| 0.0, &mut |m| replies.push(m));
    assert!(
        matches!(&replies[..], [FromEngine::Error { from, message, .. }] if from == "engine" && message.contains("unreadable UI-to-engine"))
    );
    let nowhere = ToEngine {
        to: "alchemy".into(),
        run: 1,
        ask: contract::Ask::Request(contract::Body::of(&0)),
    };
    assert!(
        matches!(&ask(&mut engine, nowhere)[..], [FromEngine::Error { from, message, .. }] if from == "alchemy" && message.contains("no lab called"))
    );
    // A request a lab cannot read is that lab's error.
    let garbled = ToEngine {
        to: "cnn".into(),
        run: 0,
        ask: contract::Ask::Start(contract::Body::of(&"a CNN, please")),
    };
    assert!(
        matches!(&ask(&mut engine, garbled)[..], [FromEngine::Error { from, .. }] if from == "cnn")
    );
}

/// The engine side of "adding a lab" (ARCHITECTURE.md): a protocol and a session are all a
/// lab writes; the slot gives it run numbering, "start one first" and addressed errors.
mod throwaway_lab {
    use super::*;
    use contract::limits::{check_range, Violation};
    use lab::session::{Answer, Session, StartError};
    use serde::{Deserialize, Serialize};

    contract::declare_protocol!(Counter, "counter", u32, u32, CounterReply);

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    pub enum CounterReply {
        Started(u32),
        Count(u32),
    }

    struct CounterSession(u32);
    impl Session for CounterSession {
        type Protocol = Counter;
        type Error = Violation;
        fn start(spec: u32, _cx: &Context) -> Result<(Self, CounterReply), StartError<Violation>> {
            check_range("start", spec as usize, 0, 100)?;
            Ok((CounterSession(spec), CounterReply::Started(spec)))
        }
        fn handle(&mut self, by: u32, out: &mut Answer<Self>) -> Result<(), Violation> {
            self.0 += by;
            out.reply(CounterReply::Count(self.0));
            Ok(())
        }
    }

    #[test]
    fn a_new_lab_is_a_protocol_a_session_and_one_registry_entry() {
        let mut engine = Engine::default();
        engine.rooms.push(lab::session::room::<CounterSession>());
        let early = ask(&mut engine, ToEngine::request::<Counter>(1, &1));
        assert!(matches!(&read::<Counter>(&early)[..], [Err(m)] if m.contains("start one first")));
        let started = ask(&mut engine, ToEngine::start::<Counter>(1, &5));
        assert_eq!(read::<Counter>(&started), [Ok(CounterReply::Started(5))]);
        let counted = ask(&mut engine, ToEngine::request::<Counter>(1, &2));
        assert_eq!(read::<Counter>(&counted), [Ok(CounterReply::Count(7))]);
        let refused = ask(&mut engine, ToEngine::start::<Counter>(2, &500));
        assert!(matches!(&read::<Counter>(&refused)[..], [Err(m)] if m.contains("limit of 100")));
        // The other labs did not hear of it.
        let optim = ask(
            &mut engine,
            ToEngine::request::<OptimProtocol>(0, &OptimRequest::Step { steps: 1 }),
        );
        assert!(matches!(&read::<OptimProtocol>(&optim)[..], [Err(_)]));
    }
}
