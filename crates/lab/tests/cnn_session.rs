//! The CNN lab's session: it learns what the page promises, it is deterministic however the
//! page chunks its requests, and its inspections mean what they say.
#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use contract::cnn::arch::{ArchError, LayerSpec, Problem};
use contract::cnn::view::DigitSource;
use contract::cnn::{CnnError, CnnLab, Preset};
use contract::limits::{Bound, Number, Violation};
use data::mnist::Mnist;
use lab::cnn::{CnnSession, CnnSessionError};
use std::rc::Rc;
use std::sync::OnceLock;

fn mnist() -> Rc<Mnist> {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    let bytes = BYTES.get_or_init(|| std::fs::read(data::mnist::ASSET_PATH).unwrap());
    Rc::new(Mnist::from_bytes(bytes).unwrap())
}

fn no_clock() -> f64 {
    0.0
}

#[test]
fn the_default_link_passes_97_percent_on_the_test_split() {
    let spec = CnnLab::default();
    let mut session = CnnSession::new(&spec, mnist()).unwrap();
    session.train_to(spec.total_steps(), &no_clock);
    let progress = session.progress(None);
    assert_eq!(progress.step, 375);
    assert_eq!(progress.train.len(), 375);
    let evals = &progress.evaluations;
    let steps: Vec<usize> = evals.iter().map(|e| e.step).collect();
    assert_eq!(steps, [62, 124, 186, 248, 310, 372, 375]);
    let last = evals.last().unwrap();
    println!(
        "default link: test accuracy {:.4} after 3 epochs",
        last.accuracy
    );
    assert!(last.accuracy >= 0.97, "{}", last.accuracy);
    // The confusion matrix counts every test digit once; the listed mistakes are mistakes,
    // most confident first.
    let total: u32 = last.confusion.iter().flatten().sum();
    assert_eq!(total, 2000);
    let correct: u32 = (0..10).map(|i| last.confusion[i][i]).sum();
    assert_eq!(correct as f32 / 2000.0, last.accuracy);
    assert_eq!(last.wrong.len(), lab::cnn::WRONG_LISTED);
    assert!(last
        .wrong
        .iter()
        .all(|w| w.label != w.predicted && w.pixels.len() == 784));
    assert!(last
        .wrong
        .windows(2)
        .all(|w| w[0].confidence >= w[1].confidence));
}

#[test]
fn chunking_does_not_change_the_numbers() {
    let spec = CnnLab {
        layers: Preset::ResNet.layers(),
        batch: 16,
        ..CnnLab::default()
    };
    let mut whole = CnnSession::new(&spec, mnist()).unwrap();
    whole.train_to(12, &no_clock);
    let mut pieces = CnnSession::new(&spec, mnist()).unwrap();
    for _ in 0..12 {
        pieces.train_for(0.0, &no_clock); // one step per request
    }
    let a = whole.progress(None).train;
    let b = pieces.progress(None).train;
    assert_eq!(a, b);
    assert_eq!(whole.view().probabilities, pieces.view().probabilities);
}

/// The effective field lies inside the theoretical one, for a unit of every layer of every
/// preset (and it is not empty for an active unit).
#[test]
fn the_effective_receptive_field_is_inside_the_theoretical_one() {
    for preset in Preset::ALL {
        let spec = CnnLab {
            layers: preset.layers(),
            digit: 3,
            ..CnnLab::default()
        };
        let mut session = CnnSession::new(&spec, mnist()).unwrap();
        session.train_to(5, &no_clock);
        let view = session.view();
        for maps in &view.layers {
            // The most active unit of the layer, so the gradient is not zero.
            let best = (0..maps.maps.bytes.len())
                .max_by_key(|&i| maps.maps.bytes[i])
                .unwrap();
            let (c, rest) = (best / (maps.h * maps.w), best % (maps.h * maps.w));
            let (y, x) = (rest / maps.w, rest % maps.w);
            let rf = session.receptive_field(maps.layer, c, y, x).unwrap();
            let (y0, y1, x0, x1) = rf.theoretical;
            let mut inside = 0;
            for (i, &g) in rf.effective.bytes.iter().enumerate() {
                let (py, px) = (i / 28, i % 28);
                let within = (y0..y1).contains(&py) && (x0..x1).contains(&px);
                if g > 0 {
                    assert!(
                        within,
                        "{} layer {}: pixel ({py},{px}) outside {:?}",
                        preset.name(),
                        maps.layer,
                        rf.theoretical
                    );
                    inside += 1;
                }
            }
            if rf.value > 0.0 {
                assert!(inside > 0, "{} layer {}", preset.name(), maps.layer);
            }
        }
    }
}

#[test]
fn receptive_field_sizes_follow_the_chain_of_windows() {
    let spec = CnnLab {
        layers: vec![
            LayerSpec::conv(4, 3, 1, 1),
            LayerSpec::max_pool(2),
            LayerSpec::conv(4, 3, 1, 1),
        ],
        ..CnnLab::default()
    };
    let session = CnnSession::new(&spec, mnist()).unwrap();
    let sizes: Vec<u64> = (0..3)
        .map(|l| {
            session
                .receptive_field(l, 0, 5, 5)
                .unwrap()
                .theoretical_size
        })
        .collect();
    assert_eq!(sizes, [3, 4, 8]);
    // Unit (5, 5) of the last layer: first = −1 − 2 = ... its box starts at 5·2 − 3 = 7.
    let rf = session.receptive_field(2, 0, 5, 5).unwrap();
    assert_eq!(rf.theoretical, (7, 15, 7, 15));
    // Out of range units are refused with the limit.
    let e = session.receptive_field(2, 4, 0, 0).unwrap_err();
    assert!(
        matches!(&e, CnnSessionError::Limit(Violation { field, value: Number::Int(4), bound: Bound::Max(Number::Int(3)) }) if field == "channel"),
        "{e}"
    );
    assert!(session.receptive_field(9, 0, 0, 0).is_err());
}

#[test]
fn a_shift_moves_the_maps_with_the_digit() {
    let spec = CnnLab {
        digit: 1,
        shift: (2, 2),
        ..CnnLab::default()
    };
    let mut session = CnnSession::new(&spec, mnist()).unwrap();
    session.train_to(125, &no_clock);
    let view = session.view();
    let report = view.shift.unwrap();
    let rows = &report.rows;
    // conv 5×5 "same": equivariant up to the border: the moved digit's maps are the original
    // maps moved by the same 2 pixels.
    let conv = rows[0].equivariance.unwrap();
    assert!(conv > 0.99, "conv equivariance {conv}");
    assert!(rows[0].invariance < conv, "{rows:?}");
    // After the first 2×2 pool the shift is one map pixel; after the second, half a pixel:
    // no whole shift to compare with.
    assert_eq!(rows[2].map_shift, (1.0, 1.0));
    assert!(rows[2].equivariance.unwrap() > 0.9);
    assert_eq!(rows[5].map_shift, (0.5, 0.5));
    assert_eq!(rows[5].equivariance, None);
    assert!((0.0..=1.0).contains(&report.probability_change));
    // Looking elsewhere does not disturb training.
    session
        .look(DigitSource::Test { index: 5 }, (0, 0))
        .unwrap();
    assert!(session.view().shift.is_none());
    assert!(session
        .look(DigitSource::Test { index: 2000 }, (0, 0))
        .is_err());
    assert!(session
        .look(DigitSource::Test { index: 0 }, (9, 0))
        .is_err());
}

#[test]
fn a_test_digit_drawn_again_gets_the_same_prediction() {
    let spec = CnnLab::default();
    let mut session = CnnSession::new(&spec, mnist()).unwrap();
    session.train_to(250, &no_clock);
    // Digit 0 of the test split, re-drawn at 4× on a 112-pixel canvas.
    let view = session.view();
    let label = view.label.unwrap();
    let mut ink = vec![0u8; 112 * 112];
    for (i, &p) in view.input.iter().enumerate() {
        let (y, x) = (i / 28, i % 28);
        for dy in 0..4 {
            for dx in 0..4 {
                ink[(y * 4 + dy) * 112 + x * 4 + dx] = p;
            }
        }
    }
    session
        .look(DigitSource::Drawn { size: 112, ink }, (0, 0))
        .unwrap();
    assert_eq!(session.predicted(), label);
}

#[test]
fn an_untrainable_spec_is_refused_with_its_reason() {
    let mut spec = CnnLab::default();
    spec.layers.push(LayerSpec::max_pool(2));
    let e = CnnSession::new(&spec, mnist()).err().unwrap();
    assert!(
        matches!(
            e,
            CnnSessionError::Spec(CnnError::Layer {
                index: 6,
                error: ArchError {
                    problem: Problem::Window(_),
                    ..
                }
            })
        ),
        "{e:?}"
    );
}

/// The builder's table is the model: parameter counts agree for every preset and for a mix of
/// layers (a projecting residual block, dense layers, batch norm after a dense layer).
#[test]
fn the_table_counts_exactly_the_model_s_parameters() {
    let mixes = [
        "c8k3p1,res16s2,fc32,bn,relu",
        "c4k5s1p2d1,bn,relu,avg2,res4,res8s2,fc16",
        "c6k3p2d2,relu,max2s2,c12k3,fc20,relu",
        "-",
    ];
    let mut specs: Vec<CnnLab> = Preset::ALL
        .iter()
        .map(|p| CnnLab {
            layers: p.layers(),
            ..CnnLab::default()
        })
        .collect();
    for mix in mixes {
        let (spec, notes) = contract::cnn::link::decode(&format!("lab=cnn&layers={mix}"));
        assert_eq!(notes, vec![], "{mix}");
        specs.push(spec);
    }
    for spec in specs {
        assert_eq!(spec.trainable(), Ok(()), "{:?}", spec.layers);
        let model = lab::cnn::model::CnnModel::new(&spec.layers, 1, 28, 10, 1);
        let counted: usize = model.parameters().iter().map(|t| t.numel()).sum();
        assert_eq!(
            counted as u64,
            spec.table().total_params(),
            "{:?}",
            spec.layers
        );
        // And the model runs on the shapes the table promises.
        let session = CnnSession::new(&spec, mnist()).unwrap();
        let view = session.view();
        let table = spec.table();
        for maps in &view.layers {
            let shape = table.rows[maps.layer].output.unwrap();
            assert_eq!(shape.numel(), (maps.channels * maps.h * maps.w) as u64);
        }
    }
}

#[test]
fn a_long_chain_of_strides_does_not_break_the_views() {
    // 28·8¹⁰ overflows 32 and 64-bit jumps: saturating arithmetic, no shift is "whole".
    let (spec, notes) = contract::cnn::link::decode(
        "lab=cnn&layers=max4,max7,max1s8,max1s8,max1s8,max1s8,max1s8,max1s8,max1s8,max1s8,max1s8,max1s8&shift=1,0",
    );
    assert_eq!(notes, vec![]);
    let session = CnnSession::new(&spec, mnist()).unwrap();
    let report = session.view().shift.unwrap();
    assert!(report.rows.iter().skip(2).all(|r| r.equivariance.is_none()));
    assert!(session.receptive_field(11, 0, 0, 0).is_ok());
}
