//! Architecture arithmetic: what a CNN's layers do to the shape of the data, how many parameters
//! and multiplications each costs, and which input pixels a unit can see (its theoretical
//! receptive field). Plain integer arithmetic, so the page recomputes it on every keystroke and
//! the engine builds exactly the model these rows describe.
//!
//! The output size of a convolution or pooling window along one axis is the notes' formula
//! `(n + 2p − f)/s + 1`, with a dilated kernel's effective size `f = d(k − 1) + 1`. A layer whose
//! division is not exact, or whose output would be empty, is *impossible* here: the row says so
//! with the formula and the numbers, instead of silently flooring as most frameworks do.
//!
//! The builder's entries ([`LayerSpec`], what a link stores and the engine trains) are lowered
//! to [`Layer`]s, which hold the arithmetic; the zoo's published networks use those directly.

mod error;
mod layer;
mod receptive_field;
mod table;
mod window;

pub use error::{ArchError, Part, Problem};
pub use layer::{concatenated, BasicBlock, Conv, Cost, Layer, PerChannel};
pub use receptive_field::ReceptiveField;
pub use table::{table, ArchTable, LayerRow};
pub use window::{Rounding, Window, WindowError};

use super::CnnLimits;
use serde::{Deserialize, Serialize};

/// Max or average pooling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PoolKind {
    Max,
    Avg,
}

/// `channels` kernels of `kernel`×`kernel` (with bias), moved `stride` pixels at a time over the
/// input padded by `padding` zeros, their taps `dilation` pixels apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConvSpec {
    pub channels: usize,
    pub kernel: usize,
    pub stride: usize,
    pub padding: usize,
    pub dilation: usize,
}

impl ConvSpec {
    /// `channels` kernels of `kernel`×`kernel`, stride 1, no padding, no dilation.
    pub const fn new(channels: usize, kernel: usize) -> ConvSpec {
        ConvSpec {
            channels,
            kernel,
            stride: 1,
            padding: 0,
            dilation: 1,
        }
    }
}

/// One whole-number field of a layer that a student can set, and its bounds.
pub struct Knob<'a> {
    pub name: &'static str,
    pub value: &'a mut usize,
    pub min: usize,
    pub max: usize,
}

/// One entry of the architecture builder. The classifier head (a dense layer to the ten
/// digit classes) is not listed: every model ends with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LayerSpec {
    Conv(ConvSpec),
    Pool {
        pool: PoolKind,
        size: usize,
        stride: usize,
    },
    /// Batch normalisation over the channels (γ and β learnt).
    BatchNorm,
    Relu,
    /// ResNet's basic block: 3×3 conv (stride) → BN → ReLU → 3×3 conv → BN, plus the shortcut
    /// (identity, or a strided 1×1 conv when the shape changes), then ReLU. A strided block
    /// rounds its output size down, as ResNet does ([`Rounding::Floor`]).
    Residual {
        channels: usize,
        stride: usize,
    },
    /// A fully connected layer (flattens a feature map first).
    Dense {
        units: usize,
    },
}

impl LayerSpec {
    /// What the builder offers when a layer of this kind is added.
    pub fn conv(channels: usize, kernel: usize, stride: usize, padding: usize) -> LayerSpec {
        LayerSpec::Conv(ConvSpec {
            channels,
            kernel,
            stride,
            padding,
            dilation: 1,
        })
    }

    pub fn max_pool(size: usize) -> LayerSpec {
        LayerSpec::Pool {
            pool: PoolKind::Max,
            size,
            stride: size,
        }
    }

    /// The arithmetic of this entry, as the engine builds it.
    pub fn layer(&self) -> Layer {
        match *self {
            LayerSpec::Conv(c) => Layer::Conv(Conv {
                dilation: c.dilation,
                ..Conv::new(c.channels, c.kernel, c.stride, c.padding)
            }),
            LayerSpec::Pool { pool, size, stride } => Layer::Pool {
                pool,
                window: Window::exact(size, stride, 0),
            },
            LayerSpec::BatchNorm => Layer::BatchNorm,
            LayerSpec::Relu => Layer::Relu,
            // The lab's block (lab::cnn) gives its convolutions biases and trains each batch
            // norm as a layer of its own.
            LayerSpec::Residual { channels, stride } => Layer::Residual(BasicBlock {
                channels,
                stride,
                per_channel: PerChannel::BiasAndBatchNorm,
            }),
            LayerSpec::Dense { units } => Layer::Dense { units },
        }
    }

    /// A short name for tables and legends: "conv 5×5/1 p2 ×8".
    pub fn label(&self) -> String {
        match *self {
            LayerSpec::Conv(c) => {
                let dil = if c.dilation > 1 {
                    format!(" d{}", c.dilation)
                } else {
                    String::new()
                };
                let (k, s, p, o) = (c.kernel, c.stride, c.padding, c.channels);
                format!("conv {k}×{k}/{s} p{p}{dil} ×{o}")
            }
            LayerSpec::Pool { pool, size, stride } => {
                let name = match pool {
                    PoolKind::Max => "max pool",
                    PoolKind::Avg => "avg pool",
                };
                format!("{name} {size}×{size}/{stride}")
            }
            LayerSpec::BatchNorm => "batch norm".into(),
            LayerSpec::Relu => "ReLU".into(),
            LayerSpec::Residual { channels, stride } => {
                format!("residual 3×3/{stride} ×{channels}")
            }
            LayerSpec::Dense { units } => format!("dense {units}"),
        }
    }

    /// What kind of layer this is, as the builder names it: "conv", "max pool", ….
    pub fn kind_name(&self) -> &'static str {
        match self {
            LayerSpec::Conv(_) => "conv",
            LayerSpec::Pool {
                pool: PoolKind::Max,
                ..
            } => "max pool",
            LayerSpec::Pool { .. } => "avg pool",
            LayerSpec::BatchNorm => "batch norm",
            LayerSpec::Relu => "ReLU",
            LayerSpec::Residual { .. } => "residual block",
            LayerSpec::Dense { .. } => "dense",
        }
    }

    /// Every field of this layer a student can set, with its bounds. The builder shows and sets
    /// these, and the link decoder and the engine check against the same bounds, so a field shown
    /// is a field that can be set and a value the builder takes is one the engine accepts.
    pub fn knobs(&mut self) -> Vec<Knob<'_>> {
        let knob = |name, value, min, max| Knob {
            name,
            value,
            min,
            max,
        };
        match self {
            LayerSpec::Conv(c) => vec![
                knob("channels", &mut c.channels, 1, CnnLimits::MAX_CHANNELS),
                knob("kernel", &mut c.kernel, 1, CnnLimits::MAX_KERNEL),
                knob("stride", &mut c.stride, 1, CnnLimits::MAX_STRIDE),
                knob("padding", &mut c.padding, 0, CnnLimits::MAX_PADDING),
                knob("dilation", &mut c.dilation, 1, CnnLimits::MAX_DILATION),
            ],
            LayerSpec::Pool { size, stride, .. } => vec![
                knob("size", size, 1, CnnLimits::MAX_POOL),
                knob("stride", stride, 1, CnnLimits::MAX_POOL),
            ],
            LayerSpec::Residual { channels, stride } => vec![
                knob("channels", channels, 1, CnnLimits::MAX_CHANNELS),
                knob("stride", stride, 1, 2),
            ],
            LayerSpec::Dense { units } => vec![knob("units", units, 1, CnnLimits::MAX_UNITS)],
            LayerSpec::BatchNorm | LayerSpec::Relu => vec![],
        }
    }
}

/// The shape of the data between layers, for one example.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FeatureShape {
    /// Channels × height × width.
    Map {
        c: usize,
        h: usize,
        w: usize,
    },
    Flat {
        n: usize,
    },
}

impl FeatureShape {
    /// `c` channels of `side`×`side`: every image the labs and the zoo take in is square.
    pub const fn square(c: usize, side: usize) -> FeatureShape {
        FeatureShape::Map {
            c,
            h: side,
            w: side,
        }
    }

    pub fn numel(&self) -> u64 {
        match *self {
            FeatureShape::Map { c, h, w } => c as u64 * h as u64 * w as u64,
            FeatureShape::Flat { n } => n as u64,
        }
    }

    /// A map's channels; a flat vector's values, each a channel of its own.
    pub fn channels(&self) -> usize {
        match *self {
            FeatureShape::Map { c, .. } => c,
            FeatureShape::Flat { n } => n,
        }
    }
}

impl std::fmt::Display for FeatureShape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            FeatureShape::Map { c, h, w } => write!(f, "{h}×{w}×{c}"),
            FeatureShape::Flat { n } => write!(f, "{n}"),
        }
    }
}
