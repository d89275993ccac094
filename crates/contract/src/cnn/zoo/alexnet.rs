//! AlexNet (Krizhevsky et al., 2012) on a 227×227 input, one tower: the notes' figures for FC1
//! and the total checked.

use super::table::{find, max_pool, named, percent, sequential};
use super::{approx, Model, Network, Note, ZooError};
use crate::cnn::arch::{Conv, FeatureShape, Layer, Window};

/// The notes' total, "60M" parameters.
const NOTES_TOTAL: u64 = 60_000_000;

pub(super) fn alexnet() -> Result<Network, ZooError> {
    let conv = |channels, kernel, stride, padding| {
        Layer::Conv(Conv::new(channels, kernel, stride, padding))
    };
    let pool = || max_pool(Window::exact(3, 2, 0));
    let layers = named(vec![
        ("conv1", conv(96, 11, 4, 0)),
        ("pool1", pool()),
        ("conv2", conv(256, 5, 1, 2)),
        ("pool2", pool()),
        ("conv3", conv(384, 3, 1, 1)),
        ("conv4", conv(384, 3, 1, 1)),
        ("conv5", conv(256, 3, 1, 1)),
        ("pool3", pool()),
        ("fc1", Layer::Dense { units: 4096 }),
        ("fc2", Layer::Dense { units: 4096 }),
        ("fc3", Layer::Dense { units: 1000 }),
    ]);
    let input = FeatureShape::square(3, 227);
    let mut net = sequential(Model::AlexNet, input, &layers)?;

    // The notes give FC1 the shape of FC2; its input is really the last pooled map.
    let (i, fc1) = find(&net, "fc1")?;
    let units = fc1.output.numel();
    let largest = net
        .rows
        .iter()
        .max_by_key(|r| r.params)
        .is_some_and(|r| r.name == fc1.name);
    let total = net.total_params();
    let mut text = format!(
        "The notes give FC1 as {units}×{units} = {} parameters; its input is the {} pooled map, \
         so it is {}×{units} = {} weights (+ {units} biases)",
        approx(units * units),
        fc1.input,
        fc1.input.numel(),
        approx(fc1.weights),
    );
    if largest {
        text += &format!(
            ", the largest layer: {}% of all {} parameters",
            percent(fc1.params, total),
            approx(total)
        );
    }
    text.push('.');
    let fc1_note = Note::comparing(Some(i), units * units, fc1.params, text);
    net.notes.push(fc1_note);
    net.notes.push(Note::comparing(
        None,
        NOTES_TOTAL,
        total,
        format!(
            "Total: {} parameters ({} weights, {} biases); the notes round it to 60M. The notes' \
             normalisation layers (local response normalisation) learn nothing and are left out.",
            approx(total),
            approx(net.total_weights()),
            approx(total - net.total_weights()),
        ),
    ));
    Ok(net)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::out;
    use super::*;

    #[test]
    fn alexnet_sizes_follow_the_notes() {
        let net = alexnet().unwrap();
        // (227 − 11)/4 + 1 = 55; (55 − 3)/2 + 1 = 27; (27 + 4 − 5) + 1 = 27; (27 − 3)/2 + 1 = 13;
        // (13 − 3)/2 + 1 = 6.
        assert_eq!(out(&net, "conv1"), "55×55×96");
        assert_eq!(out(&net, "pool1"), "27×27×96");
        assert_eq!(out(&net, "conv2"), "27×27×256");
        assert_eq!(out(&net, "pool2"), "13×13×256");
        assert_eq!(out(&net, "conv5"), "13×13×256");
        assert_eq!(out(&net, "pool3"), "6×6×256");
        assert_eq!(out(&net, "fc3"), "1000");
    }

    #[test]
    fn alexnet_parameters() {
        let net = alexnet().unwrap();
        // The notes' conv1 count is weights only: (11·11·3)·96.
        assert_eq!(net.row("conv1").unwrap().1.weights, 11 * 11 * 3 * 96);
        let (i, fc1) = net.row("fc1").unwrap();
        assert_eq!(fc1.params, 9216 * 4096 + 4096);
        // By hand: conv 34,944 + 614,656 + 885,120 + 1,327,488 + 884,992;
        // fc 37,752,832 + 16,781,312 + 4,097,000 = 62,378,344.
        let total = net.total_params();
        assert_eq!(total, 62_378_344);
        assert!((62_300_000..62_400_000).contains(&total));
        // The notes' "60M" is a rounding of it.
        assert!((55_000_000..65_000_000).contains(&total));
        // Biases: 96 + 256 + 384 + 384 + 256 + 4096 + 4096 + 1000.
        assert_eq!(total - net.total_weights(), 10_568);
        let note = net.notes.iter().find(|n| n.row == Some(i)).unwrap();
        assert!(note.text.contains("4096×4096 = 16.8M"), "{}", note.text);
        assert!(note.text.contains("6×6×256"), "{}", note.text);
        assert!(note.text.contains("9216×4096 = 37.7M"), "{}", note.text);
        assert!(note.text.contains("the largest layer"), "{}", note.text);
    }
}
