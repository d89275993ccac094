//! The Network lab's shareable link (the form every lab shares is in [`crate::link`]):
//! `#lab=net&v=1&data=spiral&noise=10&features=x1,x2,sinx1,sinx2&layers=8,8,4&act=tanh&reg=l2&rate=0.001&lr=0.03&at=300`
//!
//! The keys follow TensorFlow Playground's settings: data set, noise and training share in
//! percent, batch size, input features, neurons per hidden layer (`layers=-`: none), the
//! activation, the regularisation and its rate, and the shared optimizer keys; `test=1` and
//! `discrete=1` are its "show test data" and "discretize output"; `bnvs=1` shows the run beside
//! its twin with batch normalisation the other way. `at=` counts epochs.
//! Decoding never fails: an unusable part becomes a [`UrlNote`].

use super::custom::CustomPoint;
use super::limits::NetLimits;
use super::{
    Activation, Dataset, Feature, NetLab, Regularization, WeightEdit, NET_OPTIMIZERS, SLUG,
};
use crate::link::{
    decay_value, flag, note, read_fragment, read_optimizer, read_other, whole_number, KeyOrder,
    LinkId, Parts, UrlNote, FIRST, RMSPROP_RHO,
};

/// This lab's links: its slug, and every version of them it still reads (what each changed).
pub const LINK: LinkId = LinkId::new(SLUG, &[FIRST, RMSPROP_RHO]);

/// The fragment (without '#'); defaults are omitted.
pub fn encode(spec: &NetLab) -> String {
    let d = NetLab::default();
    let mut parts = Parts::new(&LINK);
    parts.differ(
        spec.dataset != d.dataset,
        format!("data={}", spec.dataset.slug()),
    );
    if !spec.points.is_empty() {
        let codes: Vec<String> = spec.points.iter().map(CustomPoint::code).collect();
        parts.push(format!("pts={}", codes.join(",")));
    }
    parts.value("noise", &spec.noise, &d.noise);
    parts.value("train", &spec.train_percent, &d.train_percent);
    parts.value("batch", &spec.batch, &d.batch);
    if spec.features != d.features {
        let slugs: Vec<&str> = spec.features.iter().map(Feature::slug).collect();
        parts.push(format!("features={}", slugs.join(",")));
    }
    if spec.hidden != d.hidden {
        let sizes: Vec<String> = spec.hidden.iter().map(usize::to_string).collect();
        let list = if sizes.is_empty() {
            "-".to_string()
        } else {
            sizes.join(",")
        };
        parts.push(format!("layers={list}"));
    }
    parts.differ(
        spec.activation != d.activation,
        format!("act={}", spec.activation.slug()),
    );
    parts.differ(spec.batch_norm, "bn=1".into());
    parts.differ(
        spec.regularization != d.regularization,
        format!("reg={}", spec.regularization.slug()),
    );
    parts.value("rate", &spec.reg_rate, &d.reg_rate);
    parts.optimizer(
        &spec.run,
        d.run.optimizer,
        &NetLab::default_run(spec.run.optimizer),
    );
    parts.differ(
        spec.schedule != d.schedule,
        format!("decay={}", decay_value(&spec.schedule)),
    );
    parts.value("seed", &spec.seed, &d.seed);
    if !spec.edits.is_empty() {
        let codes: Vec<String> = spec.edits.iter().map(WeightEdit::code).collect();
        parts.push(format!("edit={}", codes.join(",")));
    }
    parts.differ(spec.show_test, "test=1".into());
    parts.differ(spec.discretize, "discrete=1".into());
    parts.differ(spec.contrast, "bnvs=1".into());
    parts.finish(spec.at)
}

/// The experiment a fragment describes, as near as it can be read, and what was not used.
pub fn decode(fragment: &str) -> (NetLab, Vec<UrlNote>) {
    // The student's points early (a spec on them is checked as a whole, points included);
    // hand-set weights last: they are checked against the network the rest describes.
    let order = KeyOrder {
        early: &["pts"],
        late: &["edit"],
    };
    // `at` counts epochs; a decay counts optimizer steps.
    let max = |key: &str, _: &NetLab| match key {
        "at" => NetLimits::MAX_EPOCHS,
        _ => NetLimits::max_steps(),
    };
    let (mut spec, mut notes, _) = read_fragment(fragment, order, max, read_own);
    if spec.dataset == Dataset::Custom && spec.points.len() < NetLimits::MIN_CUSTOM_POINTS {
        notes.push(note(
            "data=custom",
            format!(
                "your own points need at least {} points (pts=…); the circle is used",
                NetLimits::MIN_CUSTOM_POINTS
            ),
        ));
        spec.dataset = Dataset::Circle;
    }
    (spec, notes)
}

/// [`crate::link::try_set`] with this lab's limits.
fn try_set(
    spec: &mut NetLab,
    part: &str,
    notes: &mut Vec<UrlNote>,
    edit: impl FnOnce(&mut NetLab),
) {
    crate::link::try_set(spec, part, notes, NetLab::check, edit)
}

/// The keys only this lab's link has.
fn read_own(key: &str, value: &str, part: &str, spec: &mut NetLab, notes: &mut Vec<UrlNote>) {
    match key {
        "data" => match Dataset::from_slug(value) {
            Some(d) => spec.dataset = d,
            None => notes.push(note(
                part,
                "not a data set (circle, xor, gauss, spiral, plane, gaussians); the circle is used",
            )),
        },
        "pts" => {
            let mut points = Vec::new();
            for code in value.split(',').filter(|c| !c.is_empty()) {
                if points.len() == NetLimits::MAX_CUSTOM_POINTS {
                    notes.push(note(
                        "pts",
                        format!(
                            "more than {} points; the rest left out",
                            NetLimits::MAX_CUSTOM_POINTS
                        ),
                    ));
                    break;
                }
                match CustomPoint::from_code(code) {
                    Some(p) => points.push(p),
                    None => notes.push(note(
                        &format!("pts: {code}"),
                        "not a point (x_y_p or x_y_n in hundredths, on the plane); left out",
                    )),
                }
            }
            spec.points = points;
        }
        "edit" => {
            for code in value.split(',').filter(|c| !c.is_empty()) {
                let part = format!("edit: {code}");
                match WeightEdit::from_code(code) {
                    Some(e) => try_set(spec, &part, notes, |s| s.edits.push(e)),
                    None => notes.push(note(
                        &part,
                        "not a hand-set weight (epoch_layer_from_to_value); left out",
                    )),
                }
            }
        }
        "noise" | "train" | "batch" => {
            if let Some(n) = whole_number(value, part, notes) {
                try_set(spec, part, notes, |s| match key {
                    "noise" => s.noise = n,
                    "train" => s.train_percent = n,
                    _ => s.batch = n,
                });
            }
        }
        "features" => {
            let mut features = Vec::new();
            for slug in value.split(',') {
                match Feature::from_slug(slug) {
                    Some(f) if features.contains(&f) => notes.push(note(
                        &format!("features: {slug}"),
                        "given more than once; used once",
                    )),
                    Some(f) => features.push(f),
                    None => notes.push(note(
                        &format!("features: {slug}"),
                        "not a feature (x1, x2, x1sq, x2sq, x1x2, sinx1, sinx2); left out",
                    )),
                }
            }
            if features.is_empty() {
                notes.push(note(part, "no usable feature; x1 and x2 are used"));
            } else {
                // Always in the panel's order, so one experiment has one link.
                features.sort_by_key(|f| Feature::ALL.iter().position(|a| a == f));
                spec.features = features;
            }
        }
        "layers" => {
            let mut hidden = Vec::new();
            let sizes: Vec<&str> = if value == "-" {
                vec![]
            } else {
                value.split(',').collect()
            };
            for size in sizes {
                if hidden.len() == NetLimits::MAX_HIDDEN_LAYERS {
                    notes.push(note(
                        &format!("layers: {size}"),
                        format!(
                            "more than {} hidden layers; left out",
                            NetLimits::MAX_HIDDEN_LAYERS
                        ),
                    ));
                    continue;
                }
                match size.parse::<usize>() {
                    Ok(n) if (1..=NetLimits::MAX_NEURONS).contains(&n) => hidden.push(n),
                    _ => notes.push(note(
                        &format!("layers: {size}"),
                        format!(
                            "a hidden layer has 1 to {} neurons; left out",
                            NetLimits::MAX_NEURONS
                        ),
                    )),
                }
            }
            spec.hidden = hidden;
        }
        "act" => match Activation::from_slug(value) {
            Some(a) => spec.activation = a,
            None => notes.push(note(
                part,
                "not an activation (relu, tanh, sigmoid, linear); tanh is used",
            )),
        },
        "reg" => match Regularization::from_slug(value) {
            Some(r) => spec.regularization = r,
            None => notes.push(note(part, "expected none, l1 or l2; none is used")),
        },
        "rate" => match value.parse::<f32>() {
            Ok(rate) => try_set(spec, part, notes, |s| s.reg_rate = rate),
            Err(_) => notes.push(note(part, "expected a number")),
        },
        "opt" => read_optimizer(
            value,
            part,
            &NET_OPTIMIZERS,
            NetLab::default_run,
            &mut spec.run,
            notes,
        ),
        "bn" | "test" | "discrete" | "bnvs" => {
            if let Some(on) = flag(value, part, notes) {
                match key {
                    "bn" => spec.batch_norm = on,
                    "test" => spec.show_test = on,
                    "discrete" => spec.discretize = on,
                    _ => spec.contrast = on,
                }
            }
        }
        _ => read_other(&mut spec.run, key, part, value, notes),
    }
}

crate::link::impl_link!(NetLab);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::MAX_FRAGMENT;
    use crate::test_gen::{assert_link, assert_says};
    use crate::training::{LrSchedule, OptimizerName};

    #[test]
    fn the_default_link_is_bare_and_everything_round_trips() {
        let spec = NetLab {
            dataset: Dataset::Spiral,
            noise: 25,
            train_percent: 70,
            batch: 1,
            features: vec![Feature::X1, Feature::X2, Feature::SinX1, Feature::SinX2],
            hidden: vec![8, 8, 4],
            points: vec![CustomPoint {
                x: 1,
                y: -2,
                positive: false,
            }],
            activation: Activation::Relu,
            batch_norm: true,
            regularization: Regularization::L2,
            reg_rate: 0.003,
            run: NetLab::default_run(OptimizerName::Adam),
            schedule: LrSchedule::LinearDecay {
                final_ratio: 0.1,
                steps: 5000,
            },
            seed: 9,
            edits: vec![],
            show_test: true,
            discretize: true,
            contrast: true,
            at: Some(300),
        };
        assert_link(
            &spec,
            "lab=net&v=2&data=spiral&pts=1_-2_n&noise=25&train=70&batch=1&features=x1,x2,sinx1,sinx2\
             &layers=8,8,4&act=relu&bn=1&reg=l2&rate=0.003&opt=adam&decay=0.1,5000&seed=9&test=1\
             &discrete=1&bnvs=1&at=300"
        );
        let none = NetLab {
            hidden: vec![],
            ..NetLab::default()
        };
        assert_eq!(decode(&encode(&none)), (none, vec![]));
    }

    #[test]
    fn the_largest_legal_experiment_fits_a_link_and_round_trips() {
        // Every list at its limit, with the longest text each entry can have: points in the
        // plane's corners, hand-set weights at the last epoch with the longest f32 text (a
        // subnormal), every feature, the deepest and widest network.
        let longest_weight = [-f32::MIN_POSITIVE, -1.4e-45, -99.99999, -1.2345679e-10]
            .into_iter()
            .max_by_key(|v| v.to_string().len())
            .unwrap_or(-1.4e-45);
        let spec = NetLab {
            dataset: Dataset::Custom,
            noise: NetLimits::MAX_NOISE,
            train_percent: NetLimits::TRAIN_PERCENT.1 - 1,
            batch: NetLimits::MAX_BATCH,
            features: Feature::ALL.to_vec(),
            hidden: vec![NetLimits::MAX_NEURONS; NetLimits::MAX_HIDDEN_LAYERS],
            points: (0..NetLimits::MAX_CUSTOM_POINTS)
                .map(|i| CustomPoint {
                    x: -600,
                    y: -600 + i as i16,
                    positive: false,
                })
                .collect(),
            activation: Activation::Sigmoid,
            batch_norm: true,
            regularization: Regularization::L1,
            reg_rate: 0.0012345678,
            run: NetLab::default_run(OptimizerName::Adam),
            schedule: LrSchedule::LinearDecay {
                final_ratio: 0.0012345678,
                steps: NetLimits::max_steps(),
            },
            seed: u64::MAX,
            edits: (0..NetLimits::MAX_EDITS)
                .map(|i| WeightEdit {
                    epoch: NetLimits::MAX_EPOCHS - i,
                    layer: 2 + i % 5,
                    from: 7,
                    to: 7,
                    value: longest_weight,
                })
                .collect(),
            show_test: true,
            discretize: true,
            contrast: true,
            at: Some(NetLimits::MAX_EPOCHS),
        };
        assert_eq!(spec.check(), Ok(()));
        let link = encode(&spec);
        assert!(link.len() <= MAX_FRAGMENT, "{} characters", link.len());
        assert_eq!(decode(&link), (spec, vec![]));
    }

    #[test]
    fn what_cannot_be_used_is_noted_and_the_rest_kept() {
        let (spec, notes) = decode(
            "lab=net&v=1&data=moons&noise=90&layers=4,99,2,0,x&features=x1,x1,cosx&act=swish\
             &rate=-1&opt=gd&batch=0&at=20000&test=yes&lr=0.1",
        );
        assert_eq!(spec.dataset, Dataset::Circle);
        assert_eq!(spec.noise, 0);
        assert_eq!(spec.hidden, vec![4, 2]);
        assert_eq!(spec.features, vec![Feature::X1]);
        assert_eq!(spec.activation, Activation::Tanh);
        assert_eq!(spec.reg_rate, 0.0);
        assert_eq!(spec.run.optimizer, OptimizerName::Sgd);
        assert_eq!(spec.run.lr, 0.1);
        assert_eq!(spec.batch, 10);
        assert_eq!(spec.at, None);
        assert!(!spec.show_test);
        let parts: Vec<&str> = notes.iter().map(|n| n.part.as_str()).collect();
        assert_eq!(
            parts,
            [
                "opt=gd",
                "data=moons",
                "noise=90",
                "layers: 99",
                "layers: 0",
                "layers: x",
                "features: x1",
                "features: cosx",
                "act=swish",
                "rate=-1",
                "batch=0",
                "at=20000",
                "test=yes",
            ]
        );
        assert_says(&notes[2], "noise = 90 exceeds the limit of 50");
        assert_says(&notes[11], "at = 20000 exceeds the limit of 10000");
        assert!(spec.check().is_ok());
    }

    #[test]
    fn hand_set_weights_travel_in_the_link_and_must_fit_the_network() {
        let e = WeightEdit {
            epoch: 12,
            layer: 2,
            from: 3,
            to: 1,
            value: -1.5,
        };
        let spec = NetLab {
            edits: vec![e],
            ..NetLab::default()
        };
        assert_link(&spec, "lab=net&v=2&edit=12_2_3_1_-1.5");
        // Layer 2 has 4 inputs and 2 outputs: neuron 4 (index 4) of layer 1 does not exist.
        let (back, notes) = decode("lab=net&v=1&edit=12_2_4_1_1,1_9_0_0_1,1_1_0_0_NaN,x");
        assert!(back.edits.is_empty());
        assert_eq!(notes.len(), 4);
        assert_says(&notes[0], "edit from = 4 exceeds the limit of 3");
        assert_says(&notes[1], "edit layer = 9 exceeds the limit of 3");
        assert_says(&notes[2], "not a finite number");
        assert!(spec.training_part() == NetLab::default().training_part());
    }

    #[test]
    fn your_own_points_travel_in_the_link() {
        let points = vec![
            CustomPoint {
                x: 150,
                y: -225,
                positive: true,
            },
            CustomPoint {
                x: -600,
                y: 600,
                positive: false,
            },
        ];
        let spec = NetLab {
            dataset: Dataset::Custom,
            points: points.clone(),
            noise: 10,
            ..NetLab::default()
        };
        assert_link(
            &spec,
            "lab=net&v=2&data=custom&pts=150_-225_p,-600_600_n&noise=10",
        );
        // Noise before the points in the link reads the same.
        let (again, notes) = decode("lab=net&v=1&data=custom&noise=10&pts=150_-225_p,-600_600_n");
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(again.points, points);
        let (fallback, notes) = decode("lab=net&v=1&data=custom&pts=1_1_p,9999_0_n");
        assert_eq!(fallback.dataset, Dataset::Circle);
        assert_eq!(notes.len(), 2);
        assert_says(&notes[1], "at least 2 points");
    }

    #[test]
    fn an_opt_before_its_knobs_or_after_them_reads_the_same() {
        let (a, _) = decode("lab=net&v=1&lr=0.2&opt=momentum");
        let (b, _) = decode("lab=net&v=1&opt=momentum&lr=0.2");
        assert_eq!(a, b);
        assert_eq!(a.run.lr, 0.2);
        assert_eq!(a.run.optimizer, OptimizerName::Momentum);
    }
}
