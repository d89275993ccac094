//! Architecture arithmetic: what a CNN's layers do to the shape of the data, how many parameters
//! and multiplications each costs, and which input pixels a unit can see (its theoretical
//! receptive field). Plain integer arithmetic, so the page recomputes it on every keystroke and
//! the engine builds exactly the model these rows describe.
//!
//! The output size of a convolution or pooling window along one axis is the notes' formula
//! `(n + 2p − f)/s + 1`, with a dilated kernel's effective size `f = d(k − 1) + 1`. A layer whose
//! division is not exact, or whose output would be empty, is *impossible* here: the row says so
//! with the formula and the numbers, instead of silently flooring as most frameworks do.

use serde::{Deserialize, Serialize};

/// Max or average pooling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PoolKind {
    Max,
    Avg,
}

/// One entry of the architecture builder. The classifier head (a dense layer to the ten
/// digit classes) is not listed: every model ends with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LayerSpec {
    /// `channels` kernels of `kernel`×`kernel` (with bias).
    Conv {
        channels: usize,
        kernel: usize,
        stride: usize,
        padding: usize,
        dilation: usize,
    },
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
    /// rounds its output size down, as ResNet does ([`window_output_floor`]).
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
        LayerSpec::Conv {
            channels,
            kernel,
            stride,
            padding,
            dilation: 1,
        }
    }

    pub fn max_pool(size: usize) -> LayerSpec {
        LayerSpec::Pool {
            pool: PoolKind::Max,
            size,
            stride: size,
        }
    }

    /// A short name for tables and legends: "conv 5×5/1 p2 ×8".
    pub fn label(&self) -> String {
        match *self {
            LayerSpec::Conv {
                channels,
                kernel,
                stride,
                padding,
                dilation,
            } => {
                let dil = if dilation > 1 {
                    format!(" d{dilation}")
                } else {
                    String::new()
                };
                format!("conv {kernel}×{kernel}/{stride} p{padding}{dil} ×{channels}")
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
    pub fn numel(&self) -> u64 {
        match *self {
            FeatureShape::Map { c, h, w } => c as u64 * h as u64 * w as u64,
            FeatureShape::Flat { n } => n as u64,
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

/// Which input pixels one unit of a feature map sees, along one axis: unit `i` sees input
/// positions `first + i·jump .. first + i·jump + size` (before clipping to the image).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceptiveField {
    pub size: u64,
    /// Distance in input pixels between neighbouring units (the product of the strides).
    /// Saturating: sixteen strided layers can exceed any integer type (a link may hold them).
    pub jump: u64,
    /// Input position of the first pixel unit 0 sees; negative means it starts in the padding.
    pub first: i64,
}

impl ReceptiveField {
    /// One input pixel sees itself.
    pub const INPUT: ReceptiveField = ReceptiveField {
        size: 1,
        jump: 1,
        first: 0,
    };

    /// After a window of effective size `f`, stride `s` and padding `p`: each new unit spans
    /// f input units of the previous layer, each of which spans `size`, `jump` apart.
    pub fn through(&self, f: usize, s: usize, p: usize) -> ReceptiveField {
        let back = (p as u64).saturating_mul(self.jump);
        ReceptiveField {
            size: self
                .size
                .saturating_add((f.saturating_sub(1) as u64).saturating_mul(self.jump)),
            jump: self.jump.saturating_mul(s as u64),
            first: self
                .first
                .saturating_sub(i64::try_from(back).unwrap_or(i64::MAX)),
        }
    }

    /// The input range `[start, end)` that unit `i` sees, clipped to `0..n`.
    pub fn span(&self, i: usize, n: usize) -> (usize, usize) {
        let offset = (i as u64).saturating_mul(self.jump);
        let start = self
            .first
            .saturating_add(i64::try_from(offset).unwrap_or(i64::MAX));
        let end = start.saturating_add(i64::try_from(self.size).unwrap_or(i64::MAX));
        (
            start.clamp(0, n as i64) as usize,
            end.clamp(0, n as i64) as usize,
        )
    }
}

/// One row of the builder's table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerRow {
    pub label: String,
    /// `None` when this layer (or one before it) is impossible.
    pub output: Option<FeatureShape>,
    /// Learnt values (weights, biases, γ, β).
    pub params: u64,
    /// Multiply-adds for one example (the notes' "MULTs"); FLOPs ≈ 2 × this.
    pub mult_adds: u64,
    /// Along each spatial axis (square inputs and kernels: one suffices); `None` after a
    /// dense layer, whose units see the whole input.
    pub receptive_field: Option<ReceptiveField>,
    /// Values one example keeps for the backward pass besides the output: a convolution's
    /// unfolded input (C·k·k per output position), a residual block's inner maps.
    pub kept: u64,
    /// Why this layer cannot be built, with the formula and the numbers.
    pub error: Option<String>,
}

/// The whole table: one row per layer, then the classifier head.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchTable {
    pub rows: Vec<LayerRow>,
}

impl ArchTable {
    pub fn first_error(&self) -> Option<(usize, &str)> {
        self.rows
            .iter()
            .enumerate()
            .find_map(|(i, r)| r.error.as_deref().map(|e| (i, e)))
    }

    pub fn total_params(&self) -> u64 {
        self.rows.iter().map(|r| r.params).sum()
    }

    pub fn total_mult_adds(&self) -> u64 {
        self.rows.iter().map(|r| r.mult_adds).sum()
    }

    /// Values one example needs while it trains, roughly: each output with its gradient and a
    /// copy, each unfolded input with its gradient.
    pub fn values_per_example(&self) -> u64 {
        self.rows
            .iter()
            .map(|r| {
                let out = r.output.map_or(0, |s| s.numel());
                out.saturating_mul(3)
                    .saturating_add(r.kept.saturating_mul(2))
            })
            .fold(0u64, u64::saturating_add)
    }
}

/// `(n + 2p − f)/s + 1` for an effective window `f`, or why it is impossible.
pub fn window_output(what: &str, n: usize, f: usize, s: usize, p: usize) -> Result<usize, String> {
    if s == 0 {
        return Err(format!("{what}: stride must be at least 1"));
    }
    if f == 0 {
        return Err(format!("{what}: the window must be at least 1×1"));
    }
    let padded = n + 2 * p;
    let formula = format!("(n + 2p − f)/s + 1 = ({n} + 2·{p} − {f})/{s} + 1");
    if padded < f {
        let out = (padded as i64 - f as i64) as f64 / s as f64 + 1.0;
        return Err(format!(
            "{what}: output size {formula} = {out:.2} ≤ 0: the {f}×{f} window is larger than the padded {padded}×{padded} input"
        ));
    }
    if !(padded - f).is_multiple_of(s) {
        let out = (padded - f) as f64 / s as f64 + 1.0;
        return Err(format!(
            "{what}: output size {formula} = {out:.2} is not a whole number: the windows do not tile the input (change the padding or the stride)"
        ));
    }
    Ok((padded - f) / s + 1)
}

/// ResNet's convention for its strided 3×3 convolutions (padding 1) and 1×1 shortcuts:
/// `⌊(n + 2p − f)/s⌋ + 1`; the last input row is then seen by the window but not stepped onto.
/// Published ResNets rely on it (224 → 112 through a 7×7/2 with padding 3 is 112.5 rounded down).
pub fn window_output_floor(
    what: &str,
    n: usize,
    f: usize,
    s: usize,
    p: usize,
) -> Result<usize, String> {
    match window_output(what, n, f, s, p) {
        Err(e) if e.contains("not a whole number") => Ok((n + 2 * p - f) / s + 1),
        other => other,
    }
}

/// Rows for `layers` on a `input` map, then the head: dense to `classes`.
pub fn table(input: FeatureShape, layers: &[LayerSpec], classes: usize) -> ArchTable {
    let mut rows = Vec::with_capacity(layers.len() + 1);
    let mut shape = Some(input);
    let mut rf = Some(ReceptiveField::INPUT);
    let head = LayerSpec::Dense { units: classes };
    for (i, layer) in layers.iter().chain(std::iter::once(&head)).enumerate() {
        let mut row = LayerRow {
            label: if i == layers.len() {
                format!("output: dense {classes}")
            } else {
                layer.label()
            },
            output: None,
            params: 0,
            mult_adds: 0,
            receptive_field: None,
            kept: 0,
            error: None,
        };
        match shape {
            None => row.error = None, // an earlier layer is impossible: nothing to say here
            Some(current) => match step(current, rf, layer) {
                Ok((out, params, mult_adds, next_rf)) => {
                    row.kept = kept(layer, current, out);
                    row.output = Some(out);
                    row.params = params;
                    row.mult_adds = mult_adds;
                    row.receptive_field = next_rf;
                    shape = Some(out);
                    rf = next_rf;
                }
                Err(e) => {
                    row.error = Some(e);
                    shape = None;
                }
            },
        }
        rows.push(row);
    }
    ArchTable { rows }
}

type Step = (FeatureShape, u64, u64, Option<ReceptiveField>);

/// See [`LayerRow::kept`].
fn kept(layer: &LayerSpec, input: FeatureShape, output: FeatureShape) -> u64 {
    let (FeatureShape::Map { c, .. }, FeatureShape::Map { h, w, .. }) = (input, output) else {
        return 0;
    };
    let (c, area) = (c as u64, h as u64 * w as u64);
    match *layer {
        LayerSpec::Conv { kernel, .. } => area * c * (kernel as u64).pow(2),
        LayerSpec::Residual { channels, stride } => {
            let o = channels as u64;
            let projection = if c != o || stride != 1 { area * c } else { 0 };
            // Both convolutions' unfolded inputs, then conv, BN, ReLU, conv, BN, shortcut and
            // sum maps inside the block.
            area * 9 * c + area * 9 * o + projection + 7 * area * o
        }
        _ => 0,
    }
}

fn step(
    shape: FeatureShape,
    rf: Option<ReceptiveField>,
    layer: &LayerSpec,
) -> Result<Step, String> {
    let map = |what: &str| match shape {
        FeatureShape::Map { c, h, w } => Ok((c, h, w)),
        FeatureShape::Flat { .. } => Err(format!(
            "{what} needs a feature map, but a dense layer before it made a flat vector of {shape}"
        )),
    };
    match *layer {
        LayerSpec::Conv {
            channels,
            kernel,
            stride,
            padding,
            dilation,
        } => {
            let (c, h, w) = map("a convolution")?;
            if channels == 0 {
                return Err("convolution: at least 1 channel".into());
            }
            if dilation == 0 {
                return Err("convolution: dilation must be at least 1".into());
            }
            let f = dilation * (kernel.max(1) - 1) + 1;
            let oh = window_output("convolution", h, f, stride, padding)?;
            let ow = window_output("convolution", w, f, stride, padding)?;
            let per_output = (c * kernel * kernel) as u64;
            let params = per_output * channels as u64 + channels as u64;
            let outputs = (channels * oh * ow) as u64;
            Ok((
                FeatureShape::Map {
                    c: channels,
                    h: oh,
                    w: ow,
                },
                params,
                outputs * per_output,
                rf.map(|r| r.through(f, stride, padding)),
            ))
        }
        LayerSpec::Pool { size, stride, .. } => {
            let (c, h, w) = map("pooling")?;
            let oh = window_output("pooling", h, size, stride, 0)?;
            let ow = window_output("pooling", w, size, stride, 0)?;
            Ok((
                FeatureShape::Map { c, h: oh, w: ow },
                0,
                0,
                rf.map(|r| r.through(size, stride, 0)),
            ))
        }
        LayerSpec::BatchNorm => {
            // Normalise, then scale: one multiply-add per value.
            let channels = match shape {
                FeatureShape::Map { c, .. } => c,
                FeatureShape::Flat { n } => n,
            } as u64;
            Ok((shape, 2 * channels, shape.numel(), rf))
        }
        LayerSpec::Relu => Ok((shape, 0, 0, rf)),
        LayerSpec::Residual { channels, stride } => {
            let (c, h, w) = map("a residual block")?;
            if channels == 0 {
                return Err("residual block: at least 1 channel".into());
            }
            let what = "residual block (first 3×3 conv)";
            let oh = window_output_floor(what, h, 3, stride, 1)?;
            let ow = window_output_floor(what, w, 3, stride, 1)?;
            let o = channels as u64;
            let area = (oh * ow) as u64;
            let conv1 = 9 * c as u64 * o;
            let conv2 = 9 * o * o;
            let projection = if c != channels || stride != 1 {
                c as u64 * o
            } else {
                0
            };
            let projects = projection > 0;
            // Two convolutions with bias and two batch norms (γ, β); a projection adds a 1×1
            // convolution with bias and its own batch norm (the model in lab::cnn has them all).
            let norms = if projects { 3 } else { 2 };
            let params =
                conv1 + o + conv2 + o + norms * 2 * o + projection + if projects { o } else { 0 };
            let mult_adds = area * (conv1 + conv2 + projection) + norms * area * o;
            // The main path is the wider one: two 3×3 windows, the first strided.
            let next_rf = rf.map(|r| r.through(3, stride, 1).through(3, 1, 1));
            Ok((
                FeatureShape::Map {
                    c: channels,
                    h: oh,
                    w: ow,
                },
                params,
                mult_adds,
                next_rf,
            ))
        }
        LayerSpec::Dense { units } => {
            if units == 0 {
                return Err("dense: at least 1 unit".into());
            }
            let n = shape.numel();
            Ok((
                FeatureShape::Flat { n: units },
                n * units as u64 + units as u64,
                n * units as u64,
                None,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MNIST: FeatureShape = FeatureShape::Map { c: 1, h: 28, w: 28 };

    #[test]
    fn output_size_is_the_notes_formula() {
        // AlexNet's first convolution: (227 − 11)/4 + 1 = 55.
        assert_eq!(window_output("conv", 227, 11, 4, 0), Ok(55));
        // "Same" padding p = (f − 1)/2 keeps the size.
        assert_eq!(window_output("conv", 28, 5, 1, 2), Ok(28));
        assert_eq!(window_output("pool", 28, 2, 2, 0), Ok(14));
    }

    #[test]
    fn impossible_layers_name_the_formula_and_numbers() {
        let e = window_output("pooling", 7, 2, 2, 0).unwrap_err();
        assert!(e.contains("(7 + 2·0 − 2)/2 + 1"), "{e}");
        assert!(e.contains("3.50"), "{e}");
        assert!(e.contains("not a whole number"), "{e}");
        let e = window_output("convolution", 4, 7, 1, 0).unwrap_err();
        assert!(e.contains("≤ 0"), "{e}");
        assert!(window_output("conv", 4, 3, 0, 0).is_err());
    }

    #[test]
    fn an_error_is_reported_at_its_layer_and_later_rows_stay_empty() {
        let layers = [
            LayerSpec::conv(4, 5, 1, 0), // 24
            LayerSpec::max_pool(2),      // 12
            LayerSpec::conv(4, 5, 1, 0), // 8
            LayerSpec::max_pool(3),      // 8/3: impossible
            LayerSpec::Relu,
        ];
        let t = table(MNIST, &layers, 10);
        assert_eq!(t.first_error().map(|(i, _)| i), Some(3));
        assert!(t.rows[4].output.is_none() && t.rows[4].error.is_none());
        assert!(t.rows[5].output.is_none());
    }

    #[test]
    fn lenet_like_shapes_params_and_mult_adds_by_hand() {
        let layers = [
            LayerSpec::conv(8, 5, 1, 2),
            LayerSpec::Relu,
            LayerSpec::max_pool(2),
            LayerSpec::conv(16, 5, 1, 0),
            LayerSpec::Relu,
            LayerSpec::max_pool(2),
        ];
        let t = table(MNIST, &layers, 10);
        let shapes: Vec<String> = t
            .rows
            .iter()
            .map(|r| r.output.unwrap().to_string())
            .collect();
        assert_eq!(
            shapes,
            [
                "28×28×8",
                "28×28×8",
                "14×14×8",
                "10×10×16",
                "10×10×16",
                "5×5×16",
                "10"
            ]
        );
        // conv1: 5·5·1·8 + 8 weights; 28·28·8 outputs × 25 multiply-adds.
        assert_eq!(t.rows[0].params, 208);
        assert_eq!(t.rows[0].mult_adds, 28 * 28 * 8 * 25);
        // conv2: 5·5·8·16 + 16; 10·10·16 × 200.
        assert_eq!(t.rows[3].params, 3216);
        assert_eq!(t.rows[3].mult_adds, 100 * 16 * 200);
        // head: 400·10 + 10.
        assert_eq!(t.rows[6].params, 4010);
        assert_eq!(t.total_params(), 208 + 3216 + 4010);
    }

    #[test]
    fn two_3x3_convolutions_see_5x5() {
        let t = table(
            MNIST,
            &[LayerSpec::conv(1, 3, 1, 1), LayerSpec::conv(1, 3, 1, 1)],
            10,
        );
        assert_eq!(t.rows[1].receptive_field.unwrap().size, 5);
        assert_eq!(t.rows[1].receptive_field.unwrap().first, -2);
    }

    #[test]
    fn a_stride_2_pool_between_two_3x3_convolutions_makes_8x8() {
        let t = table(
            MNIST,
            &[
                LayerSpec::conv(1, 3, 1, 1),
                LayerSpec::max_pool(2),
                LayerSpec::conv(1, 3, 1, 1),
            ],
            10,
        );
        let rf: Vec<(u64, u64)> = t
            .rows
            .iter()
            .take(3)
            .map(|r| {
                let f = r.receptive_field.unwrap();
                (f.size, f.jump)
            })
            .collect();
        // 3, then 3 + (2 − 1)·1 = 4 with jump 2, then 4 + (3 − 1)·2 = 8.
        assert_eq!(rf, [(3, 1), (4, 2), (8, 2)]);
    }

    #[test]
    fn dilation_widens_the_window_without_parameters() {
        let t = table(
            MNIST,
            &[LayerSpec::Conv {
                channels: 1,
                kernel: 3,
                stride: 1,
                padding: 2,
                dilation: 2,
            }],
            10,
        );
        assert_eq!(t.rows[0].receptive_field.unwrap().size, 5);
        assert_eq!(t.rows[0].output, Some(MNIST));
        assert_eq!(t.rows[0].params, 10);
    }

    #[test]
    fn span_clips_to_the_image() {
        let rf = ReceptiveField {
            size: 5,
            jump: 1,
            first: -2,
        };
        assert_eq!(rf.span(0, 28), (0, 3));
        assert_eq!(rf.span(10, 28), (8, 13));
        assert_eq!(rf.span(27, 28), (25, 28));
    }

    #[test]
    fn residual_block_shapes_and_projection() {
        let t = table(
            MNIST,
            &[
                LayerSpec::conv(8, 3, 1, 1),
                LayerSpec::Residual {
                    channels: 8,
                    stride: 1,
                },
                LayerSpec::Residual {
                    channels: 16,
                    stride: 2,
                },
            ],
            10,
        );
        assert_eq!(t.rows[1].output.unwrap().to_string(), "28×28×8");
        // identity shortcut: 2 convs (9·8·8 + 8) + 2 BN (2·8).
        assert_eq!(t.rows[1].params, 2 * (9 * 64 + 8) + 32);
        assert_eq!(t.rows[2].output.unwrap().to_string(), "14×14×16");
        // projection 1×1 8→16 with bias and its batch norm: three batch norms in all.
        assert_eq!(
            t.rows[2].params,
            (9 * 8 * 16 + 16) + (9 * 16 * 16 + 16) + 3 * 2 * 16 + 8 * 16 + 16
        );
        // 3 (conv) + 2 + 2 (first block) = 7, then + 2·1 = 9 with jump 2, + 2·2 = 13.
        assert_eq!(t.rows[2].receptive_field.unwrap().size, 13);
    }

    #[test]
    fn a_convolution_after_a_dense_layer_is_impossible() {
        let t = table(
            MNIST,
            &[LayerSpec::Dense { units: 32 }, LayerSpec::conv(1, 3, 1, 1)],
            10,
        );
        assert_eq!(t.first_error().map(|(i, _)| i), Some(1));
    }
}
