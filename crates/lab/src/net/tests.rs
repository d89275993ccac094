//! The Network lab's proofs: TensorFlow Playground's opening experiment learns the circle, the
//! right feature makes a problem linear, the penalties' gradients match finite differences,
//! a diverging run says why, replies stay within their budget, and slicing never changes a
//! number.

use super::*;
use crate::session::{Answer, Assets, Context, Session};
use crate::training::stopped_clock;
use contract::limits::{Bound, Number, Violation};
use contract::net::protocol::{NetReply, NetRequest};
use contract::training::OptimizerName;

/// A reply through the real codec, as the page reads it: its size in bytes and what arrives.
fn read_back(reply: &NetReply) -> (usize, NetReply) {
    use contract::net::protocol::NetProtocol;
    use contract::FromEngine;
    let text = FromEngine::reply::<NetProtocol>(1, reply).to_json();
    let FromEngine::Reply { body, .. } = FromEngine::from_json(&text).expect("an envelope") else {
        panic!("a reply")
    };
    (text.len(), body.read::<NetReply>().expect("the page can read it"))
}

fn trained(spec: &NetLab, epochs: usize) -> NetSession {
    let mut session = NetSession::new(spec).expect("a valid spec");
    session.train_epochs(epochs, &stopped_clock);
    session
}

/// Share of the test points on the right side of zero.
fn test_accuracy(session: &NetSession) -> f32 {
    let (_, out) = no_grad(|| session.forward(&session.test_inputs)).expect("forward");
    let right = out
        .to_vec()
        .iter()
        .zip(&session.test)
        .filter(|(o, p)| (**o > 0.0) == (p.label > 0.0))
        .count();
    right as f32 / session.test.len() as f32
}

#[test]
fn the_opening_experiment_learns_the_circle() {
    let spec = NetLab::default();
    let untrained = NetSession::new(&spec).expect("valid").evaluate().loss;
    let session = trained(&spec, 60);
    let after = session.evaluate().loss;
    assert_eq!(after.epoch, 60);
    assert!(
        after.test < 0.05 && after.test < untrained.test / 5.0,
        "test loss {} → {}",
        untrained.test,
        after.test
    );
    assert!(test_accuracy(&session) > 0.97, "{}", test_accuracy(&session));
}

#[test]
fn the_product_feature_makes_xor_linear() {
    // No hidden layer: one tanh neuron of x₁x₂ separates XOR; of x₁ and x₂ it cannot.
    let with = |features: Vec<Feature>| NetLab {
        dataset: Dataset::Xor,
        features,
        hidden: vec![],
        ..NetLab::default()
    };
    let product = trained(&with(vec![Feature::X1X2]), 20);
    let plain = trained(&with(vec![Feature::X1, Feature::X2]), 20);
    assert!(test_accuracy(&product) > 0.95, "{}", test_accuracy(&product));
    assert!(test_accuracy(&plain) < 0.75, "{}", test_accuracy(&plain));
}

#[test]
fn penalties_have_the_gradients_of_their_formulas() {
    for regularization in [Regularization::L1, Regularization::L2] {
        let spec = NetLab {
            regularization,
            reg_rate: 0.3,
            ..NetLab::default()
        };
        let session = NetSession::new(&spec).expect("valid");
        let penalty = session.penalty().expect("a penalty");
        let grads = penalty.backward().expect("backward");
        let weight = &session.layers[0].weight;
        let analytic = grads.get(weight).expect("a gradient").to_vec();
        let bias_grad = grads.get(&session.layers[0].bias);
        assert!(bias_grad.is_none_or(|g| g.iter().all(|v| *v == 0.0)), "biases are free");
        let h = 1e-3f32;
        for i in 0..weight.numel() {
            let at = |delta: f32| {
                weight.update(|w| w[i] += delta);
                let value = session.penalty().and_then(|p| p.item().ok());
                weight.update(|w| w[i] -= delta);
                value.expect("a value") as f64
            };
            let numeric = (at(h) - at(-h)) / (2.0 * h as f64);
            let w = weight.to_vec()[i];
            let expected = match regularization {
                Regularization::L1 => 0.3 * w.signum(),
                _ => 0.3 * w,
            };
            assert!((analytic[i] - expected).abs() < 1e-5, "{regularization:?} {i}");
            assert!((numeric - expected as f64).abs() < 1e-3, "{regularization:?} {i}: {numeric}");
        }
    }
}

#[test]
fn a_diverging_run_stops_and_its_replies_stay_readable() {
    let spec = NetLab {
        activation: Activation::Relu,
        dataset: Dataset::Plane,
        hidden: vec![8, 8, 8],
        run: NetLab::default_run(OptimizerName::Sgd),
        ..NetLab::default()
    };
    let mut spec = spec;
    spec.run.lr = 10.0;
    let mut session = trained(&spec, 20);
    let why = session.stopped().expect("stopped").to_string();
    assert!(why.contains("η = 10 is probably too large"), "{why}");
    let frame = session.frame(None);
    let back = read_back(&NetReply::Trained(frame)).1;
    let NetReply::Trained(back) = back else {
        panic!("a frame")
    };
    assert_eq!(back.stopped.as_deref(), Some(why.as_str()));
}

#[test]
fn the_largest_replies_stay_within_the_byte_budget() {
    // One request trains the most epochs a request may, each with its histograms: the widest
    // network on the fewest training points (so that the work bound allows them all).
    let spec = NetLab {
        dataset: Dataset::Gaussians,
        train_percent: 10,
        // The reply's size does not depend on the batch; a large one keeps the test quick.
        batch: 30,
        features: Feature::ALL.to_vec(),
        hidden: vec![NetLimits::MAX_NEURONS; NetLimits::MAX_HIDDEN_LAYERS],
        ..NetLab::default()
    };
    let assets = Assets::default();
    let cx = Context::stopped(&assets);
    let epochs = NetLimits::epochs_per_request(&spec, 1);
    assert_eq!(epochs, NetLimits::MAX_EPOCHS_PER_REQUEST);
    let train_points = spec.train_points();
    let (mut session, started) = NetSession::start(spec, &cx).expect("starts");
    let mut replies = vec![started];
    session
        .handle(
            NetRequest::Train {
                epochs,
                contrast: false,
            },
            &mut Answer::new(&cx, &mut |r| replies.push(r)),
        )
        .expect("trains");
    for reply in &replies {
        let (bytes, back) = read_back(reply);
        assert!(bytes <= NetLimits::REPLY_BYTES, "{bytes} bytes");
        assert_eq!(&back, reply);
    }
    let NetReply::Trained(frame) = &replies[1] else {
        panic!("a frame")
    };
    assert_eq!(frame.hidden_maps.len(), 6);
    assert!(frame.hidden_maps.iter().all(|l| l.len() == 8));
    assert_eq!(frame.output_map.bytes.len(), NetLimits::OUTPUT_GRID.pow(2));
    let epochs: Vec<usize> = frame.curve.iter().map(|c| c.epoch).collect();
    assert_eq!(epochs, (1..=100).collect::<Vec<_>>());
    assert_eq!(frame.histograms.len(), 100);
    // Each layer's histogram counts every training point once per neuron.
    for h in &frame.histograms[99].layers {
        assert_eq!(h.len(), NetLimits::HISTOGRAM_BINS);
        assert_eq!(h.iter().sum::<u32>() as usize, train_points * 8);
    }
}

#[test]
fn a_request_trains_no_more_than_the_work_bound_allows() {
    // The heaviest experiment: 1,080 training points at batch 1, batch norm, the widest
    // network. One epoch is ~15,000 layer-steps, so a request trains one; with its contrast
    // run level, still one (the least a request trains).
    let spec = NetLab {
        dataset: Dataset::Plane,
        train_percent: NetLimits::TRAIN_PERCENT.1,
        batch: 1,
        batch_norm: true,
        features: Feature::ALL.to_vec(),
        hidden: vec![NetLimits::MAX_NEURONS; NetLimits::MAX_HIDDEN_LAYERS],
        ..NetLab::default()
    };
    assert_eq!(NetLimits::epoch_work(&spec), 1080 * 7 * 2);
    assert_eq!(NetLimits::epochs_per_request(&spec, 1), 1);
    assert_eq!(NetLimits::epochs_per_request(&spec, 2), 1);
    let lighter = NetLab { batch: 10, ..spec.clone() };
    assert_eq!(NetLimits::epochs_per_request(&lighter, 1), 25_000 / (108 * 7 * 2));
    assert_eq!(NetLimits::epochs_per_request(&lighter, 2), 25_000 / (108 * 7 * 2 * 2));
    let assets = Assets::default();
    let cx = Context::stopped(&assets);
    let (mut session, _) = NetSession::start(spec, &cx).expect("starts");
    let refused = session.handle(
        NetRequest::Train { epochs: 2, contrast: false },
        &mut Answer::new(&cx, &mut |_| {}),
    );
    assert_eq!(
        refused.err(),
        Some(NetSessionError::Limit(Violation::above("epochs per request", 2, 1)))
    );
}

#[test]
fn slices_and_thread_counts_never_change_a_number() {
    let spec = NetLab {
        dataset: Dataset::Spiral,
        noise: 20,
        features: vec![Feature::X1, Feature::X2, Feature::SinX1, Feature::SinX2],
        hidden: vec![6, 4],
        regularization: Regularization::L2,
        reg_rate: 0.001,
        run: NetLab::default_run(OptimizerName::Adam),
        ..NetLab::default()
    };
    let mut whole = trained(&spec, 6);
    let mut sliced = NetSession::new(&spec).expect("valid");
    for _ in 0..3 {
        sliced.train_epochs(2, &stopped_clock);
    }
    let one_thread = tensor::parallel::sequential(|| trained(&spec, 6));
    assert_eq!(whole.evaluate(), one_thread.evaluate());
    let with_norm = NetLab {
        batch_norm: true,
        ..spec.clone()
    };
    assert_eq!(
        trained(&with_norm, 4).evaluate(),
        tensor::parallel::sequential(|| trained(&with_norm, 4)).evaluate()
    );
    assert_eq!(whole.frame(None), sliced.frame(None));
}

#[test]
fn maps_run_from_the_top_left_corner() {
    assert_eq!(DOMAIN, contract::net::DOMAIN, "the data and the page's plane agree");
    assert_eq!(Map::point(2, 6.0, 0, 0), (-3.0, 3.0));
    assert_eq!(Map::point(2, 6.0, 1, 1), (3.0, -3.0));
    assert_eq!(Map::value(Map::byte(1.0)), 1.0);
    assert_eq!(Map::value(Map::byte(-1.0)), -1.0);
    assert_eq!(Map::byte(f32::NAN), 127);
    // The x₁ feature's map grows left to right and is constant down a column.
    let x1 = Map::of_feature(Feature::X1, 32, DOMAIN);
    assert!(x1.bytes[0] < x1.bytes[x1.side - 1]);
    assert_eq!(x1.bytes[0], x1.bytes[x1.side * (x1.side - 1)]);
}

#[test]
fn backprop_by_hand_agrees_with_autograd_and_finite_differences() {
    for (activation, dataset) in [
        (Activation::Tanh, Dataset::Circle),
        (Activation::Relu, Dataset::Spiral),
        (Activation::Sigmoid, Dataset::Plane),
        (Activation::Linear, Dataset::Gaussians),
    ] {
        let spec = NetLab {
            activation,
            dataset,
            features: vec![Feature::X1, Feature::X2, Feature::X1X2],
            hidden: vec![4, 3],
            ..NetLab::default()
        };
        let session = trained(&spec, 3);
        let explained = session.explain(7).expect("a training point");
        assert!(explained.agreement < 1e-6, "{activation:?}: {}", explained.agreement);
        assert_eq!(explained.layers.len(), 3);
        assert_eq!(explained.layers[0].dw.len(), 3 * 4);
        let p = session.train[7];
        assert_eq!(explained.sample, Sample(p.x1, p.x2, p.label));
        // ∂J/∂W of the first layer by central differences of this point's loss.
        let loss_at = || {
            let (_, out) = no_grad(|| session.forward(&session.train_inputs.index_select(&[7]).expect("row")))
                .expect("forward");
            let y = out.to_vec()[0];
            0.5 * ((y - p.label) as f64).powi(2)
        };
        let weight = &session.layers[0].weight;
        let h = 1e-2f32;
        for i in [0, 5, 11] {
            weight.update(|w| w[i] += h);
            let up = loss_at();
            weight.update(|w| w[i] -= 2.0 * h);
            let down = loss_at();
            weight.update(|w| w[i] += h);
            let numeric = (up - down) / (2.0 * h as f64);
            let analytic = explained.layers[0].dw[i] as f64;
            assert!(
                (numeric - analytic).abs() < 2e-3 * (1.0 + analytic.abs()),
                "{activation:?} w{i}: {numeric} vs {analytic}"
            );
        }
    }
    let session = NetSession::new(&NetLab::default()).expect("valid");
    let err = session.explain(250).expect_err("only 250 training points");
    assert!(
        matches!(&err, NetSessionError::Limit(Violation { field, bound: Bound::Max(Number::Int(249)), .. }) if field == "point"),
        "{err}"
    );
}

#[test]
fn batch_norm_keeps_what_the_activations_receive_spread_out() {
    // Six ReLU layers from TensorFlow Playground's small initial weights: without
    // normalisation the deep layers' inputs shrink into a sliver around a constant; with it
    // each unit's input keeps about unit spread (γ ≈ 1 early on).
    let spec = |batch_norm| NetLab {
        hidden: vec![8; 6],
        activation: Activation::Relu,
        batch_norm,
        ..NetLab::default()
    };
    // The spread (standard deviation) a histogram shows, from its bins' centres.
    let spread = |session: &NetSession| {
        let h = session.evaluate().histograms;
        let last = h.layers.last().expect("six hidden layers").clone();
        let width = 2.0 * NetLimits::HISTOGRAM_RANGE / NetLimits::HISTOGRAM_BINS as f32;
        let centre = |i: usize| -NetLimits::HISTOGRAM_RANGE + (i as f32 + 0.5) * width;
        let n = last.iter().sum::<u32>() as f32;
        let mean = last.iter().enumerate().map(|(i, &c)| c as f32 * centre(i)).sum::<f32>() / n;
        let var = last.iter().enumerate().map(|(i, &c)| c as f32 * (centre(i) - mean).powi(2)).sum::<f32>() / n;
        var.sqrt()
    };
    let plain = spread(&trained(&spec(false), 3));
    let normed = trained(&spec(true), 3);
    assert!((0.6..1.6).contains(&spread(&normed)), "with batch norm: {}", spread(&normed));
    assert!(plain < 0.3, "without: {plain}");
    let frame = NetSession::new(&spec(true)).expect("valid").frame(None);
    assert_eq!(frame.layers[0].gamma, vec![1.0; 8]);
    assert!(frame.layers[6].gamma.is_empty(), "the output is not normalised");
    let err = normed.explain(0).expect_err("not walked through");
    assert_eq!(err, NetSessionError::ExplainWithBatchNorm);
}

#[test]
fn your_own_points_are_split_and_learnt() {
    use contract::net::custom::CustomPoint;
    // Two clusters the student clicked in: left orange, right blue.
    let points: Vec<CustomPoint> = (0..40)
        .map(|i| {
            let positive = i % 2 == 0;
            let x = if positive { 300 } else { -300 } + (i * 7 % 50) as i16;
            CustomPoint { x, y: (i * 37 % 400) as i16 - 200, positive }
        })
        .collect();
    let spec = NetLab {
        dataset: Dataset::Custom,
        points,
        train_percent: 70,
        ..NetLab::default()
    };
    let session = trained(&spec, 30);
    assert_eq!((session.train.len(), session.test.len()), (28, 12));
    assert!(test_accuracy(&session) == 1.0, "{}", test_accuracy(&session));
}

#[test]
fn a_weight_set_by_hand_is_replayed_by_the_link_at_the_same_point() {
    use contract::net::WeightEdit;
    let spec = NetLab::default();
    let assets = Assets::default();
    let cx = Context::stopped(&assets);
    // Live: train 3 epochs, set a weight, train 2 more.
    let (mut live, _) = NetSession::start(spec.clone(), &cx).expect("starts");
    let mut replies = Vec::new();
    live.handle(NetRequest::Train { epochs: 3, contrast: false }, &mut Answer::new(&cx, &mut |r| replies.push(r))).expect("trains");
    let edit = WeightEdit { epoch: 3, layer: 1, from: 1, to: 2, value: -2.5 };
    live.handle(NetRequest::SetWeight { edit }, &mut Answer::new(&cx, &mut |r| replies.push(r))).expect("sets");
    let Some(NetReply::Trained(frame)) = replies.pop() else { panic!("a frame") };
    assert_eq!(frame.layers[0].weights[4 + 2], -2.5);
    live.handle(NetRequest::Train { epochs: 2, contrast: false }, &mut Answer::new(&cx, &mut |r| replies.push(r))).expect("trains");
    // The link: the same spec with the edit, replayed to epoch 5 in one go.
    let replayed = trained(&NetLab { edits: vec![edit], ..spec.clone() }, 5);
    assert_eq!(live.evaluate(), replayed.evaluate());
    assert_ne!(live.evaluate(), trained(&spec, 5).evaluate(), "the edit mattered");
    // An edit for another epoch than the run's is refused.
    let stale = WeightEdit { epoch: 1, ..edit };
    let err = live
        .handle(NetRequest::SetWeight { edit: stale }, &mut Answer::new(&cx, &mut |r| replies.push(r)))
        .unwrap_err();
    assert_eq!(err, NetSessionError::EditElsewhen { edit: 1, epoch: 5 });
}

#[test]
fn the_contrast_run_is_the_same_network_with_batch_norm_the_other_way() {
    use contract::net::protocol::ContrastFrame;
    use contract::net::WeightEdit;
    let spec = NetLab { batch_norm: true, ..NetLab::default() };
    let assets = Assets::default();
    let cx = Context::stopped(&assets);
    let (mut live, _) = NetSession::start(spec.clone(), &cx).expect("starts");
    let mut replies = Vec::new();
    let mut send = |live: &mut NetSession, request| {
        live.handle(request, &mut Answer::new(&cx, &mut |r| replies.push(r))).expect("answers");
        replies.pop().expect("a reply")
    };
    let edit = WeightEdit { epoch: 2, layer: 1, from: 0, to: 1, value: 1.5 };
    send(&mut live, NetRequest::Train { epochs: 2, contrast: true });
    send(&mut live, NetRequest::SetWeight { edit });
    send(&mut live, NetRequest::Train { epochs: 2, contrast: true });
    // Asked for at epoch 4: made at 0, caught up in slices, never past the run.
    let NetReply::Contrasted(made) = send(&mut live, NetRequest::Contrast { epochs: 3 }) else {
        panic!("a contrast frame")
    };
    let epochs = |f: &ContrastFrame| f.curve.iter().map(|c| c.epoch).collect::<Vec<_>>();
    assert_eq!((made.batch_norm, made.epoch, epochs(&made)), (false, 3, vec![0, 1, 2, 3]));
    assert!(made.norms.is_empty(), "no γ, β without batch norm");
    let NetReply::Contrasted(level) = send(&mut live, NetRequest::Contrast { epochs: 3 }) else {
        panic!("a contrast frame")
    };
    assert_eq!((level.epoch, epochs(&level)), (4, vec![4]));
    // Level: it trains along when asked, and not otherwise.
    let NetReply::Trained(frame) = send(&mut live, NetRequest::Train { epochs: 2, contrast: true }) else {
        panic!("a frame")
    };
    let along = frame.contrast.expect("trained along");
    assert_eq!(epochs(&along), vec![5, 6]);
    let NetReply::Trained(frame) = send(&mut live, NetRequest::Train { epochs: 1, contrast: false }) else {
        panic!("a frame")
    };
    assert_eq!(frame.contrast, None);
    // It is exactly the run a link with batch norm off and the same edit gives.
    let twin = live.contrast.as_ref().expect("kept");
    let alone = trained(&NetLab { batch_norm: false, edits: vec![edit], ..spec.clone() }, 6);
    assert_eq!(twin.evaluate(), alone.evaluate());
    assert_eq!(along.histograms.last(), Some(&alone.evaluate().histograms));
    let err = live
        .handle(NetRequest::Contrast { epochs: 101 }, &mut Answer::new(&cx, &mut |_| {}))
        .unwrap_err();
    assert!(
        matches!(&err, NetSessionError::Limit(Violation { field, .. }) if field == "epochs per request"),
        "{err}"
    );
}
