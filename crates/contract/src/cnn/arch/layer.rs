//! One layer's arithmetic: the shape it makes of one example's data, its parameters and its
//! multiply-adds. The builder's entries ([`super::LayerSpec`]) are lowered to these layers, and
//! the zoo writes the published networks with them directly: those use what the builder does not
//! offer (padded pooling, rounded-down sizes, convolutions without bias, global pooling,
//! parallel branches), so these layers are the general case and the builder's a subset.

use super::error::{ArchError, Part, Problem};
use super::window::{Rounding, Window};
use super::{FeatureShape, PoolKind, ReceptiveField};

/// What a layer makes and costs, for one example.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cost {
    pub output: FeatureShape,
    /// Learnt values: weights, biases, batch norm's γ and β.
    pub params: u64,
    /// Kernels and matrices only, as the notes count ("(11 × 11 × 3) × 96").
    pub weights: u64,
    /// Multiply-adds (the notes' "MULTs"); FLOPs ≈ 2 × this.
    pub mult_adds: u64,
}

impl Cost {
    /// A layer that learns and multiplies nothing.
    pub fn free(output: FeatureShape) -> Cost {
        Cost {
            output,
            params: 0,
            weights: 0,
            mult_adds: 0,
        }
    }

    /// Both layers' costs, and the later one's output.
    pub fn then(self, next: Cost) -> Cost {
        Cost {
            output: next.output,
            params: self.params + next.params,
            weights: self.weights + next.weights,
            mult_adds: self.mult_adds + next.mult_adds,
        }
    }
}

/// What a convolution learns per output channel besides its kernels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PerChannel {
    /// A bias.
    Bias,
    /// A bias, then a batch norm as a layer of its own: γ and β, and one multiply-add per output
    /// value (the lab's residual blocks train so).
    BiasAndBatchNorm,
    /// No bias (the β of the batch norm after it does that job); the batch norm folds into the
    /// convolution at inference, so it adds γ and β but no multiply-adds (published ResNets).
    FoldedBatchNorm,
}

/// `channels` kernels of `kernel`×`kernel`, dilated by `dilation`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conv {
    pub channels: usize,
    pub kernel: usize,
    pub dilation: usize,
    pub stride: usize,
    pub padding: usize,
    pub rounding: Rounding,
    pub per_channel: PerChannel,
}

impl Conv {
    /// With bias, no dilation, and an output size that must be exact.
    pub fn new(channels: usize, kernel: usize, stride: usize, padding: usize) -> Conv {
        Conv {
            channels,
            kernel,
            dilation: 1,
            stride,
            padding,
            rounding: Rounding::Exact,
            per_channel: PerChannel::Bias,
        }
    }

    /// [`Conv::new`] with stride 1 and the padding that keeps an odd kernel's size ("same").
    pub fn same(channels: usize, kernel: usize) -> Conv {
        Conv::new(channels, kernel, 1, kernel.saturating_sub(1) / 2)
    }

    pub fn rounded(self, rounding: Rounding) -> Conv {
        Conv { rounding, ..self }
    }

    pub fn with(self, per_channel: PerChannel) -> Conv {
        Conv {
            per_channel,
            ..self
        }
    }

    /// The dilated kernel's effective size `d(k − 1) + 1`.
    pub fn window(&self) -> Window {
        Window {
            size: self.dilation * (self.kernel.max(1) - 1) + 1,
            stride: self.stride,
            padding: self.padding,
            rounding: self.rounding,
        }
    }

    pub fn cost(&self, input: FeatureShape) -> Result<Cost, ArchError> {
        let part = Part::Convolution;
        let (c, h, w) = map(part, input)?;
        if self.channels == 0 {
            return Err(ArchError::new(part, Problem::NoChannels));
        }
        if self.dilation == 0 {
            return Err(ArchError::new(part, Problem::ZeroDilation));
        }
        let window = self.window();
        let oh = window_output(part, window, h)?;
        let ow = window_output(part, window, w)?;
        let out = self.channels as u64;
        // In u64 before multiplying: usize is 32 bits in the browser.
        let values = oh as u64 * ow as u64 * out;
        // Each output value is a dot product over a k×k×c window.
        let per_output = c as u64 * (self.kernel as u64).pow(2);
        let weights = per_output * out;
        let (per_channel, norm_mult_adds) = match self.per_channel {
            PerChannel::Bias => (out, 0),
            PerChannel::BiasAndBatchNorm => (3 * out, values),
            PerChannel::FoldedBatchNorm => (2 * out, 0),
        };
        Ok(Cost {
            output: FeatureShape::Map {
                c: self.channels,
                h: oh,
                w: ow,
            },
            params: weights + per_channel,
            weights,
            mult_adds: values * per_output + norm_mult_adds,
        })
    }
}

/// ResNet's basic block: a 3×3 convolution (strided) → ReLU → a 3×3 convolution, plus the
/// shortcut (identity, or a strided 1×1 convolution when the shape changes), then ReLU. Every
/// convolution is followed by a batch norm ([`PerChannel`] says how it is counted); strided
/// sizes round down, as ResNet does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BasicBlock {
    pub channels: usize,
    pub stride: usize,
    pub per_channel: PerChannel,
}

impl BasicBlock {
    /// The convolution that strides, and so decides the block's output size.
    pub fn first(&self) -> Conv {
        self.conv(3, self.stride, 1)
    }

    pub fn second(&self) -> Conv {
        self.conv(3, 1, 1)
    }

    /// The 1×1 convolution that brings an input of `input_channels` to the block's shape, if
    /// the identity does not.
    pub fn projection(&self, input_channels: usize) -> Option<Conv> {
        (input_channels != self.channels || self.stride != 1).then(|| self.conv(1, self.stride, 0))
    }

    fn conv(&self, kernel: usize, stride: usize, padding: usize) -> Conv {
        Conv::new(self.channels, kernel, stride, padding)
            .rounded(Rounding::Floor)
            .with(self.per_channel)
    }

    pub fn cost(&self, input: FeatureShape) -> Result<Cost, ArchError> {
        let part = Part::ResidualBlock;
        let (c, _, _) = map(part, input)?;
        if self.channels == 0 {
            return Err(ArchError::new(part, Problem::NoChannels));
        }
        let first = self
            .first()
            .cost(input)
            .map_err(|e| e.within(Part::ResidualFirstConv))?;
        let main = first.then(
            self.second()
                .cost(first.output)
                .map_err(|e| e.within(part))?,
        );
        let Some(projection) = self.projection(c) else {
            return Ok(main);
        };
        let shortcut = projection.cost(input).map_err(|e| e.within(part))?;
        if shortcut.output != main.output {
            let problem = Problem::ShortcutMismatch {
                shortcut: shortcut.output,
                main: main.output,
            };
            return Err(ArchError::new(part, problem));
        }
        Ok(main.then(shortcut))
    }
}

/// One layer's arithmetic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layer {
    Conv(Conv),
    Pool {
        pool: PoolKind,
        window: Window,
    },
    /// Each channel's whole map to one value (ResNet's head).
    GlobalPool(PoolKind),
    /// Batch normalisation as a layer of its own: γ and β per channel, one multiply-add a value.
    BatchNorm,
    Relu,
    Residual(BasicBlock),
    /// Fully connected, with bias; flattens a map first.
    Dense {
        units: usize,
    },
}

impl Layer {
    /// What it makes of `input`, and what it costs; or why it cannot.
    pub fn cost(&self, input: FeatureShape) -> Result<Cost, ArchError> {
        match *self {
            Layer::Conv(conv) => conv.cost(input),
            Layer::Pool { window, .. } => {
                let part = Part::Pooling;
                let (c, h, w) = map(part, input)?;
                let h = window_output(part, window, h)?;
                let w = window_output(part, window, w)?;
                Ok(Cost::free(FeatureShape::Map { c, h, w }))
            }
            Layer::GlobalPool(_) => {
                let (c, _, _) = map(Part::GlobalPooling, input)?;
                Ok(Cost::free(FeatureShape::Map { c, h: 1, w: 1 }))
            }
            Layer::BatchNorm => Ok(Cost {
                output: input,
                params: 2 * input.channels() as u64,
                weights: 0,
                // Normalise, then scale: one multiply-add per value.
                mult_adds: input.numel(),
            }),
            Layer::Relu => Ok(Cost::free(input)),
            Layer::Residual(block) => block.cost(input),
            Layer::Dense { units } => {
                if units == 0 {
                    return Err(ArchError::new(Part::Dense, Problem::NoUnits));
                }
                let weights = input.numel() * units as u64;
                Ok(Cost {
                    output: FeatureShape::Flat { n: units },
                    params: weights + units as u64,
                    weights,
                    mult_adds: weights,
                })
            }
        }
    }

    /// The window whose output size is the layer's (a residual block's first convolution's).
    pub fn window(&self) -> Option<Window> {
        match *self {
            Layer::Conv(conv) => Some(conv.window()),
            Layer::Pool { window, .. } => Some(window),
            Layer::Residual(block) => Some(block.first().window()),
            Layer::GlobalPool(_) | Layer::BatchNorm | Layer::Relu | Layer::Dense { .. } => None,
        }
    }

    /// What one of its units sees of the input, given what one of its input's units sees;
    /// `None` when a unit sees the whole input.
    pub fn receptive_field(&self, field: ReceptiveField) -> Option<ReceptiveField> {
        match *self {
            Layer::Conv(conv) => Some(field.through_window(conv.window())),
            Layer::Pool { window, .. } => Some(field.through_window(window)),
            // The main path is the wider one: two 3×3 windows, the first strided.
            Layer::Residual(block) => Some(
                field
                    .through_window(block.first().window())
                    .through_window(block.second().window()),
            ),
            Layer::BatchNorm | Layer::Relu => Some(field),
            Layer::GlobalPool(_) | Layer::Dense { .. } => None,
        }
    }
}

/// Parallel branches' maps joined along the channels (GoogLeNet's inception module): they must
/// agree in height × width.
pub fn concatenated(outputs: &[FeatureShape]) -> Result<FeatureShape, ArchError> {
    let part = Part::Concatenation;
    let mut depth = 0;
    let mut size = None;
    for (branch, &output) in outputs.iter().enumerate() {
        let (c, h, w) = map(part, output)?;
        let (first_h, first_w) = *size.get_or_insert((h, w));
        if (h, w) != (first_h, first_w) {
            let problem = Problem::BranchSize {
                branch,
                output,
                h: first_h,
                w: first_w,
            };
            return Err(ArchError::new(part, problem));
        }
        depth += c;
    }
    // No branch joins into an empty map.
    let (h, w) = size.unwrap_or((0, 0));
    Ok(FeatureShape::Map { c: depth, h, w })
}

fn map(part: Part, input: FeatureShape) -> Result<(usize, usize, usize), ArchError> {
    match input {
        FeatureShape::Map { c, h, w } => Ok((c, h, w)),
        FeatureShape::Flat { .. } => Err(ArchError::new(part, Problem::NeedsMap { input })),
    }
}

fn window_output(part: Part, window: Window, n: usize) -> Result<usize, ArchError> {
    window
        .output(n)
        .map_err(|e| ArchError::new(part, Problem::Window(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAP: FeatureShape = FeatureShape::Map { c: 2, h: 5, w: 5 };

    #[test]
    fn a_convolutions_batch_norm_is_counted_by_its_convention() {
        // 3×3 kernels over 2 channels, 4 of them: 72 weights; 5·5·4 outputs of 18 products.
        let cost = |per_channel| Conv::same(4, 3).with(per_channel).cost(MAP).unwrap();
        let bias = cost(PerChannel::Bias);
        assert_eq!((bias.weights, bias.params, bias.mult_adds), (72, 76, 1800));
        let trained = cost(PerChannel::BiasAndBatchNorm);
        assert_eq!((trained.params, trained.mult_adds), (76 + 8, 1800 + 100));
        let folded = cost(PerChannel::FoldedBatchNorm);
        assert_eq!((folded.params, folded.mult_adds), (72 + 8, 1800));
    }

    #[test]
    fn global_pooling_keeps_one_value_per_channel_and_needs_a_map() {
        let pool = Layer::GlobalPool(PoolKind::Avg);
        let map = FeatureShape::Map { c: 2, h: 1, w: 1 };
        assert_eq!(pool.cost(MAP), Ok(Cost::free(map)));
        let flat = FeatureShape::Flat { n: 3 };
        let e = pool.cost(flat).unwrap_err();
        assert_eq!(e.problem, Problem::NeedsMap { input: flat });
    }

    #[test]
    fn concatenation_adds_the_channels_of_maps_of_one_size() {
        let other = FeatureShape::Map { c: 3, h: 5, w: 5 };
        let joined = FeatureShape::Map { c: 5, h: 5, w: 5 };
        assert_eq!(concatenated(&[MAP, other]), Ok(joined));
        let smaller = FeatureShape::Map { c: 3, h: 4, w: 4 };
        let e = concatenated(&[MAP, smaller]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "concatenation: branch 2 makes 4×4×3, not 5×5 as branch 1 does"
        );
    }
}
