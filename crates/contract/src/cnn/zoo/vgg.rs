//! VGG-16 (Simonyan and Zisserman, 2014, configuration D): the notes' 138M checked, and where
//! the parameters and the multiplications are.

use super::table::{find, max_pool, percent, sequential};
use super::{approx, Model, Network, Note, ZooError};
use crate::cnn::arch::{Conv, FeatureShape, Layer, Window};

/// The notes' total, "138M" parameters.
const NOTES_TOTAL: u64 = 138_000_000;

pub(super) fn vgg16() -> Result<Network, ZooError> {
    // Configuration D: blocks of 3×3 convolutions, each block closed by a 2×2/2 max pool.
    let blocks = [(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)];
    let mut layers = Vec::new();
    for (b, &(channels, convs)) in blocks.iter().enumerate() {
        for k in 1..=convs {
            layers.push((
                format!("conv{}_{k}", b + 1),
                Layer::Conv(Conv::same(channels, 3)),
            ));
        }
        layers.push((format!("pool{}", b + 1), max_pool(Window::exact(2, 2, 0))));
    }
    for (i, units) in [4096, 4096, 1000].into_iter().enumerate() {
        layers.push((format!("fc{}", i + 1), Layer::Dense { units }));
    }
    let input = FeatureShape::square(3, 224);
    let mut net = sequential(Model::Vgg16, input, &layers)?;

    let (i, fc1) = find(&net, "fc1")?;
    let total = net.total_params();
    // One row per layer, in order: the convolutions' rows are those of the convolution layers.
    let conv_rows = net
        .rows
        .iter()
        .zip(&layers)
        .filter(|(_, (_, layer))| matches!(layer, Layer::Conv(_)))
        .map(|(row, _)| row);
    let conv_params: u64 = conv_rows.clone().map(|r| r.params).sum();
    let conv_mult_adds: u64 = conv_rows.clone().map(|r| r.mult_adds).sum();
    let convs = conv_rows.count();
    let text = format!(
        "The notes give 138M parameters; computed: {}, of which FC1 ({} → {}) holds {} \
         ({}%). The {convs} convolutions hold only {} but do {} of the {} multiply-adds.",
        approx(total),
        fc1.input,
        fc1.output,
        approx(fc1.params),
        percent(fc1.params, total),
        approx(conv_params),
        approx(conv_mult_adds),
        approx(net.total_mult_adds()),
    );
    net.notes
        .push(Note::comparing(Some(i), NOTES_TOTAL, total, text));
    Ok(net)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::out;
    use super::*;

    #[test]
    fn vgg16_matches_the_published_count() {
        let net = vgg16().unwrap();
        assert_eq!(
            net.rows
                .iter()
                .filter(|r| r.name.starts_with("conv"))
                .count(),
            13
        );
        assert_eq!(out(&net, "pool1"), "112×112×64");
        assert_eq!(out(&net, "pool5"), "7×7×512");
        // The paper's 138M; torchvision's vgg16 has 138,357,544.
        assert_eq!(net.total_params(), 138_357_544);
        // fc1 alone: 25088·4096 + 4096.
        assert_eq!(net.row("fc1").unwrap().1.params, 102_764_544);
        let m = net.total_mult_adds();
        assert!((15_400_000_000..15_550_000_000).contains(&m), "{m}");
    }
}
