//! GoogLeNet's inception module (Szegedy et al., 2014) on the notes' 28×28×256 map: naive, and
//! with the 1×1 bottlenecks that make it affordable. Its branches read the same input and are
//! concatenated along the channels.

use super::table::{max_pool, row};
use super::{approx, Model, Network, Note, Place, Row, ZooError};
use crate::cnn::arch::{concatenated, Conv, FeatureShape, Layer, Window};

/// The notes' inception module reads a 28×28×256 map.
const INPUT: FeatureShape = FeatureShape::square(256, 28);

/// The notes' multiply-adds of the naive module, "≈854M".
const NOTES_NAIVE: u64 = 854_000_000;
/// The notes' multiply-adds of the module with bottlenecks, "≈358M".
const NOTES_BOTTLENECK: u64 = 358_000_000;

/// One branch of an inception module: layers applied in turn to the module's input.
struct Branch {
    name: &'static str,
    layers: Vec<(&'static str, Layer)>,
}

/// Rows for each branch's layers ("3×3 branch: 1×1 reduce"), then the concatenation.
fn module(model: Model, input: FeatureShape, branches: &[Branch]) -> Result<Network, ZooError> {
    let mut rows = Vec::new();
    let mut outputs = Vec::with_capacity(branches.len());
    for branch in branches {
        let mut shape = input;
        for (name, layer) in &branch.layers {
            let name = format!("{} branch: {name}", branch.name);
            let cost = layer.cost(shape).map_err(|error| ZooError::Layer {
                model,
                layer: Some(name.clone()),
                error,
            })?;
            rows.push(Row {
                place: Place::Branch {
                    branch: branch.name,
                },
                ..row(name, layer, shape, cost)
            });
            shape = cost.output;
        }
        outputs.push(shape);
    }
    let output = concatenated(&outputs).map_err(|error| ZooError::Layer {
        model,
        layer: None,
        error,
    })?;
    rows.push(Row {
        name: "concatenate".into(),
        place: Place::Concatenation,
        layer: "depth concatenation".into(),
        input,
        output,
        params: 0,
        weights: 0,
        mult_adds: 0,
    });
    Ok(Network {
        model,
        name: model.title().to_string(),
        input,
        rows,
        notes: Vec::new(),
    })
}

fn conv(channels: usize, kernel: usize) -> Layer {
    Layer::Conv(Conv::same(channels, kernel))
}

/// The pool branch: 3×3 max pool that keeps the size (and all the channels).
fn same_pool() -> Layer {
    max_pool(Window::exact(3, 1, 1))
}

pub(super) fn naive() -> Result<Network, ZooError> {
    let branches = [
        Branch {
            name: "1×1",
            layers: vec![("1×1 conv", conv(128, 1))],
        },
        Branch {
            name: "3×3",
            layers: vec![("3×3 conv", conv(192, 3))],
        },
        Branch {
            name: "5×5",
            layers: vec![("5×5 conv", conv(96, 5))],
        },
        Branch {
            name: "pool",
            layers: vec![("3×3 max pool", same_pool())],
        },
    ];
    let mut net = module(Model::InceptionNaive, INPUT, &branches)?;
    let out = net.rows.last().map(|r| r.output).unwrap_or(net.input);
    let total = net.total_mult_adds();
    let text = format!(
        "The notes give ≈854M MULTs; computed: {}. The pool branch keeps all {} input \
         channels, so the output ({out}) is deeper than the input ({}) and grows with every \
         module stacked on it.",
        approx(total),
        net.input.channels(),
        net.input,
    );
    net.notes
        .push(Note::comparing(None, NOTES_NAIVE, total, text));
    Ok(net)
}

pub(super) fn bottleneck() -> Result<Network, ZooError> {
    // 1×1 convolutions shrink the depth before the expensive 3×3 and 5×5 ones, and after
    // the pool. The notes number the six convolutions (1)–(6).
    let branches = [
        Branch {
            name: "1×1",
            layers: vec![("1×1 conv", conv(128, 1))], // (1)
        },
        Branch {
            name: "3×3",
            layers: vec![
                ("1×1 reduce", conv(64, 1)), // (2)
                ("3×3 conv", conv(192, 3)),  // (4)
            ],
        },
        Branch {
            name: "5×5",
            layers: vec![
                ("1×1 reduce", conv(64, 1)), // (3)
                ("5×5 conv", conv(96, 5)),   // (5)
            ],
        },
        Branch {
            name: "pool",
            layers: vec![
                ("3×3 max pool", same_pool()),
                ("1×1 projection", conv(64, 1)), // (6)
            ],
        },
    ];
    let mut net = module(Model::InceptionBottleneck, INPUT, &branches)?;
    let naive = naive()?.total_mult_adds();
    let total = net.total_mult_adds();
    let text = format!(
        "The notes (and a widely circulated slide) give ≈358M MULTs; the six convolutions \
         (1)–(6) they list sum to {}, which is what this table computes: {:.1}× fewer than \
         the naive module's {}.",
        approx(total),
        naive as f64 / total.max(1) as f64,
        approx(naive),
    );
    net.notes
        .push(Note::comparing(None, NOTES_BOTTLENECK, total, text));
    Ok(net)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{out, size};
    use super::*;

    #[test]
    fn naive_inception_is_the_notes_854m() {
        let net = naive().unwrap();
        assert_eq!(
            net.total_mult_adds(),
            28 * 28 * 256 * (128 + 9 * 192 + 25 * 96)
        );
        assert_eq!(net.total_mult_adds(), 854_196_224);
        // 128 + 192 + 96 + 256.
        assert_eq!(size(net.rows.last().unwrap().output), "28×28×672");
        assert_eq!(out(&net, "pool branch: 3×3 max pool"), "28×28×256");
    }

    #[test]
    fn bottleneck_inception_sums_the_notes_six_products() {
        let net = bottleneck().unwrap();
        let hw = 28 * 28;
        let six = [
            hw * 256 * 128,    // (1)
            hw * 256 * 64,     // (2)
            hw * 256 * 64,     // (3)
            hw * 64 * 9 * 192, // (4)
            hw * 64 * 25 * 96, // (5)
            hw * 256 * 64,     // (6)
        ];
        assert_eq!(net.total_mult_adds(), six.iter().sum::<u64>());
        // 784 · 346,112.
        assert_eq!(net.total_mult_adds(), 271_351_808);
        assert_eq!(size(net.rows.last().unwrap().output), "28×28×480");
        assert_eq!(out(&net, "3×3 branch: 1×1 reduce"), "28×28×64");
        // The table knows each row's place without reading its name.
        let reduce = net.rows.iter().find(|r| r.name == "3×3 branch: 1×1 reduce");
        assert_eq!(
            reduce.map(Row::group_and_layer),
            Some((Some("3×3 branch".to_string()), "1×1 reduce"))
        );
        assert_eq!(net.rows.last().map(|r| r.place), Some(Place::Concatenation));
        let text = &net.notes[0].text;
        assert!(text.contains("358M") && text.contains("271.4M"), "{text}");
    }

    #[test]
    fn branches_that_disagree_in_size_cannot_be_concatenated() {
        let branches = [
            Branch {
                name: "1×1",
                layers: vec![("1×1 conv", conv(8, 1))],
            },
            Branch {
                name: "strided",
                layers: vec![("3×3/2", Layer::Conv(Conv::new(8, 2, 2, 0)))],
            },
        ];
        let e = module(Model::InceptionNaive, INPUT, &branches).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Inception module (naive): concatenation: branch 2 makes 14×14×8, not 28×28 as branch 1 does"
        );
    }
}
