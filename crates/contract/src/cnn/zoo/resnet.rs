//! ResNet-18 and -34 (He et al., 2015): basic blocks, convolutions without bias each followed
//! by a batch norm, strided sizes rounded down as the published networks do.

use super::table::{find, max_pool, sequential};
use super::{approx, Model, Network, Note, ZooError};
use crate::cnn::arch::{
    BasicBlock, Conv, FeatureShape, Layer, PerChannel, PoolKind, Rounding, Window,
};

/// ResNet-18/34: `blocks[i]` basic blocks in stage `conv{i+2}_x`.
pub(super) fn resnet(model: Model, blocks: [usize; 4]) -> Result<Network, ZooError> {
    let per_channel = PerChannel::FoldedBatchNorm;
    let stem = Conv::new(64, 7, 2, 3)
        .rounded(Rounding::Floor)
        .with(per_channel);
    let mut layers = vec![
        ("conv1".to_string(), Layer::Conv(stem)),
        ("max pool".to_string(), max_pool(Window::floor(3, 2, 1))),
    ];
    let widths = [64, 128, 256, 512];
    for (stage, (&count, &channels)) in blocks.iter().zip(&widths).enumerate() {
        for b in 0..count {
            // The first block of every stage after the first halves the size.
            let stride = if stage > 0 && b == 0 { 2 } else { 1 };
            let block = BasicBlock {
                channels,
                stride,
                per_channel,
            };
            layers.push((
                format!("conv{}_x block {}", stage + 2, b + 1),
                Layer::Residual(block),
            ));
        }
    }
    layers.push(("avg pool".to_string(), Layer::GlobalPool(PoolKind::Avg)));
    layers.push(("fc".to_string(), Layer::Dense { units: 1000 }));
    let input = FeatureShape::square(3, 224);
    let mut net = sequential(model, input, &layers)?;
    // Everything but kernels and matrices is batch norm, except the fc's biases.
    let fc = find(&net, "fc")?.1;
    let bn = net.total_params() - net.total_weights() - (fc.params - fc.weights);
    net.notes.push(Note::remark(
        None,
        format!(
            "Convolutions have no bias (the batch norm after each does that job); batch norm's γ \
             and β are counted: {} of the {} parameters. Multiply-adds count the convolutions \
             and the fc layer (a batch norm folds into its convolution at inference).",
            approx(bn),
            approx(net.total_params()),
        ),
    ));
    Ok(net)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::out;
    use super::*;

    #[test]
    fn resnet_sizes_halve_by_stage() {
        for model in [Model::ResNet18, Model::ResNet34] {
            let net = model.build().unwrap();
            assert_eq!(out(&net, "conv1"), "112×112×64");
            assert_eq!(out(&net, "max pool"), "56×56×64");
            assert_eq!(out(&net, "conv2_x block 1"), "56×56×64");
            assert_eq!(out(&net, "conv3_x block 1"), "28×28×128");
            assert_eq!(out(&net, "conv4_x block 1"), "14×14×256");
            assert_eq!(out(&net, "conv5_x block 1"), "7×7×512");
            assert_eq!(out(&net, "avg pool"), "1×1×512");
            let rounded = &net.notes[0].text;
            assert!(
                rounded.contains("conv1: (224 + 2·3 − 7)/2 + 1 = 112.5 → 112"),
                "{rounded}"
            );
            assert!(rounded.contains("max pool: (112 + 2·1 − 3)/2 + 1 = 56.5 → 56"));
        }
    }

    #[test]
    fn resnet18_parameters_and_mult_adds() {
        let net = Model::ResNet18.build().unwrap();
        // 1 conv + 8 blocks + pools + fc.
        assert_eq!(net.rows.len(), 12);
        // By hand: conv1 9,408 + 128; conv2_x 147,968; conv3_x 525,568; conv4_x 2,099,712;
        // conv5_x 8,393,728; fc 513,000.
        assert_eq!(net.row("conv1").unwrap().1.params, 9_408 + 128);
        // Projection block: 3·3·64·128 + 3·3·128·128 + 64·128 weights, 3 batch norms of 128.
        let block = net.row("conv3_x block 1").unwrap().1;
        assert_eq!(block.weights, 73_728 + 147_456 + 8_192);
        assert_eq!(block.params, block.weights + 3 * 2 * 128);
        assert_eq!(net.total_params(), 11_689_512);
        // Conv and fc multiply-adds, by hand: 1,814,073,344.
        assert_eq!(net.total_mult_adds(), 1_814_073_344);
    }

    #[test]
    fn resnet34_parameters_and_mult_adds() {
        let net = Model::ResNet34.build().unwrap();
        assert_eq!(net.rows.len(), 2 + 16 + 2);
        assert_eq!(net.total_params(), 21_797_672);
        // By hand: conv1 118,013,952; an identity block 2·(H·W·C·9C), a strided one
        // H·W·C·(9·C/2 + 9C + C/2) at its output size; fc 512,000:
        // 118,013,952 + 693,633,024 + 873,463,808 + 1,335,885,824 + 642,252,800 + 512,000.
        assert_eq!(net.total_mult_adds(), 3_663_761_408);
    }
}
