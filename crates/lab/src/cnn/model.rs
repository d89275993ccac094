//! A CNN built from the builder's layer list ([`contract::cnn::arch::LayerSpec`]), so the model trained
//! is exactly the one the page's table describes. Each layer's output is tapped as `layer{i}`
//! (the head's as `logits`) for the feature-map and receptive-field views.

use contract::cnn::arch::{ConvSpec, LayerSpec, PoolKind};
use nn::layers::{BatchNorm, Conv2d, Linear};
use tensor::ops::conv::Conv2dOptions;
use tensor::ops::pool::Pool2dOptions;
use tensor::rng::Rng;
use tensor::taps::tap;
use tensor::{Result, Tensor};

enum Block {
    Conv(Conv2d),
    Pool(PoolKind, Pool2dOptions),
    Norm(BatchNorm),
    Relu,
    Residual(Box<ResidualBlock>),
    Dense(Linear),
}

struct ResidualBlock {
    conv1: Conv2d,
    norm1: BatchNorm,
    conv2: Conv2d,
    norm2: BatchNorm,
    /// 1×1 strided convolution + BN when the block changes the shape.
    projection: Option<(Conv2d, BatchNorm)>,
}

impl ResidualBlock {
    /// The block on `h`: its two convolutions added to the shortcut (`h`, or its projection
    /// where the shape changes).
    fn forward(&self, h: &Tensor, training: bool) -> Result<Tensor> {
        let main = self.norm1.forward(&self.conv1.forward(h)?, training)?.relu();
        let main = self.norm2.forward(&self.conv2.forward(&main)?, training)?;
        let shortcut = match &self.projection {
            Some((conv, norm)) => norm.forward(&conv.forward(h)?, training)?,
            None => h.clone(),
        };
        Ok(main.add(&shortcut)?.relu())
    }
}

pub struct CnnModel {
    blocks: Vec<Block>,
    head: Linear,
}

/// The tap name of layer `i`'s output.
pub fn layer_tap(i: usize) -> String {
    format!("layer{i}")
}

fn conv(inputs: usize, outputs: usize, k: usize, s: usize, p: usize, rng: &mut Rng) -> Conv2d {
    Conv2d::new(
        inputs,
        outputs,
        k,
        Conv2dOptions {
            stride: (s, s),
            padding: (p, p),
            dilation: (1, 1),
        },
        rng,
    )
}

impl CnnModel {
    /// The layers on a `channels`×`size`×`size` input, then a dense head to `classes`. The
    /// caller has checked the list with `contract::cnn::arch::table` (an impossible layer fails here as
    /// a shape error on the first forward pass).
    pub fn new(
        layers: &[LayerSpec],
        channels: usize,
        size: usize,
        classes: usize,
        seed: u64,
    ) -> CnnModel {
        let mut rng = Rng::new(seed);
        let (mut c, mut n, mut flat) = (channels, size, None::<usize>);
        let mut blocks = Vec::with_capacity(layers.len());
        for layer in layers {
            let block = match *layer {
                LayerSpec::Conv(ConvSpec {
                    channels: o,
                    kernel,
                    stride,
                    padding,
                    dilation,
                }) => {
                    let mut layer = conv(c, o, kernel, stride, padding, &mut rng);
                    layer.options.dilation = (dilation, dilation);
                    let f = dilation * (kernel.max(1) - 1) + 1;
                    n = (n + 2 * padding).saturating_sub(f) / stride.max(1) + 1;
                    c = o;
                    Block::Conv(layer)
                }
                LayerSpec::Pool { pool, size, stride } => {
                    n = n.saturating_sub(size) / stride.max(1) + 1;
                    Block::Pool(
                        pool,
                        Pool2dOptions {
                            kernel: (size, size),
                            stride: (stride, stride),
                            padding: (0, 0),
                        },
                    )
                }
                LayerSpec::BatchNorm => Block::Norm(BatchNorm::new(flat.unwrap_or(c))),
                LayerSpec::Relu => Block::Relu,
                LayerSpec::Residual {
                    channels: o,
                    stride,
                } => {
                    let block = Block::Residual(Box::new(ResidualBlock {
                        conv1: conv(c, o, 3, stride, 1, &mut rng),
                        norm1: BatchNorm::new(o),
                        conv2: conv(o, o, 3, 1, 1, &mut rng),
                        norm2: BatchNorm::new(o),
                        projection: (o != c || stride != 1)
                            .then(|| (conv(c, o, 1, stride, 0, &mut rng), BatchNorm::new(o))),
                    }));
                    n = (n + 2).saturating_sub(3) / stride.max(1) + 1;
                    c = o;
                    block
                }
                LayerSpec::Dense { units } => {
                    let inputs = flat.unwrap_or(c * n * n);
                    flat = Some(units);
                    Block::Dense(Linear::new(inputs, units, true, &mut rng))
                }
            };
            blocks.push(block);
        }
        let head = Linear::new(flat.unwrap_or(c * n * n), classes, false, &mut rng);
        CnnModel { blocks, head }
    }

    /// Class scores [N, classes] for images [N, C, H, W]; `training` chooses batch or running
    /// statistics in batch norm.
    pub fn logits(&self, images: &Tensor, training: bool) -> Result<Tensor> {
        let mut h = images.clone();
        for (i, block) in self.blocks.iter().enumerate() {
            h = match block {
                Block::Conv(layer) => layer.forward(&h)?,
                Block::Pool(PoolKind::Max, opt) => h.max_pool2d(*opt)?,
                Block::Pool(PoolKind::Avg, opt) => h.avg_pool2d(*opt)?,
                Block::Norm(norm) => norm.forward(&h, training)?,
                Block::Relu => h.relu(),
                Block::Residual(block) => block.forward(&h, training)?,
                Block::Dense(layer) => layer.forward(&flatten(&h)?)?,
            };
            h = tap(&layer_tap(i), &h);
        }
        let logits = self.head.forward(&flatten(&h)?)?;
        Ok(tap("logits", &logits))
    }

    /// Every trainable tensor, in a fixed order.
    pub fn parameters(&self) -> Vec<Tensor> {
        let mut out = Vec::new();
        let conv = |c: &Conv2d, out: &mut Vec<Tensor>| {
            out.push(c.weight.clone());
            out.push(c.bias.clone());
        };
        let norm = |b: &BatchNorm, out: &mut Vec<Tensor>| {
            out.push(b.gamma.clone());
            out.push(b.beta.clone());
        };
        let linear = |l: &Linear, out: &mut Vec<Tensor>| {
            out.push(l.weight.clone());
            out.extend(l.bias.clone());
        };
        for block in &self.blocks {
            match block {
                Block::Conv(c) => conv(c, &mut out),
                Block::Norm(b) => norm(b, &mut out),
                Block::Residual(block) => {
                    conv(&block.conv1, &mut out);
                    norm(&block.norm1, &mut out);
                    conv(&block.conv2, &mut out);
                    norm(&block.norm2, &mut out);
                    if let Some((c, b)) = &block.projection {
                        conv(c, &mut out);
                        norm(b, &mut out);
                    }
                }
                Block::Dense(l) => linear(l, &mut out),
                Block::Pool(..) | Block::Relu => {}
            }
        }
        linear(&self.head, &mut out);
        out
    }

    /// The first layer's kernels [O, C, k, k], if the model starts with a convolution.
    pub fn first_kernels(&self) -> Option<&Tensor> {
        match self.blocks.first() {
            Some(Block::Conv(c)) => Some(&c.weight),
            _ => None,
        }
    }
}

/// [N, ...] → [N, rest] (a no-op on [N, F]).
fn flatten(h: &Tensor) -> Result<Tensor> {
    let n = h.shape().first().copied().unwrap_or(0);
    let rest = h.numel() / n.max(1);
    h.reshape(&[n, rest])
}
