//! The builder's table: one row per entry of the layer list, then the classifier head, each
//! with its output shape, cost, receptive field and memory, or why it cannot be built.

use super::{ArchError, FeatureShape, LayerSpec, ReceptiveField};

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
    /// Window reads for one example that are not multiply-adds: a pooling layer reads its
    /// whole window for every output value (forward; the backward pass as many again).
    pub window_ops: u64,
    /// Why this layer cannot be built; its sentence names the formula and the numbers.
    pub error: Option<ArchError>,
}

/// The whole table: one row per layer, then the classifier head.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchTable {
    pub rows: Vec<LayerRow>,
}

impl ArchTable {
    pub fn first_error(&self) -> Option<(usize, &ArchError)> {
        self.rows
            .iter()
            .enumerate()
            .find_map(|(i, r)| r.error.as_ref().map(|e| (i, e)))
    }

    pub fn total_params(&self) -> u64 {
        self.rows.iter().map(|r| r.params).sum()
    }

    pub fn total_mult_adds(&self) -> u64 {
        self.rows.iter().map(|r| r.mult_adds).sum()
    }

    /// Values one example needs while it trains, roughly: each output with its gradient and a
    /// copy, each unfolded input with its gradient.
    /// Pooling's window reads for one example, over every layer.
    pub fn window_ops_per_example(&self) -> u64 {
        self.rows
            .iter()
            .map(|r| r.window_ops)
            .fold(0u64, u64::saturating_add)
    }

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

/// Rows for `layers` on a `input` map, then the head: dense to `classes`.
pub fn table(input: FeatureShape, layers: &[LayerSpec], classes: usize) -> ArchTable {
    let mut rows = Vec::with_capacity(layers.len() + 1);
    let mut shape = Some(input);
    let mut rf = Some(ReceptiveField::INPUT);
    let head = LayerSpec::Dense { units: classes };
    for (i, spec) in layers.iter().chain(std::iter::once(&head)).enumerate() {
        let mut row = LayerRow {
            label: if i == layers.len() {
                format!("output: dense {classes}")
            } else {
                spec.label()
            },
            output: None,
            params: 0,
            mult_adds: 0,
            receptive_field: None,
            kept: 0,
            window_ops: 0,
            error: None,
        };
        // After an impossible layer there is nothing to say: the row stays empty.
        if let Some(current) = shape {
            let layer = spec.layer();
            match layer.cost(current) {
                Ok(cost) => {
                    row.kept = kept(spec, current, cost.output);
                    row.window_ops = window_ops(spec, cost.output);
                    row.output = Some(cost.output);
                    row.params = cost.params;
                    row.mult_adds = cost.mult_adds;
                    row.receptive_field = rf.and_then(|r| layer.receptive_field(r));
                    shape = Some(cost.output);
                    rf = row.receptive_field;
                }
                Err(e) => {
                    row.error = Some(e);
                    shape = None;
                }
            }
        }
        rows.push(row);
    }
    ArchTable { rows }
}

/// See [`LayerRow::window_ops`].
fn window_ops(layer: &LayerSpec, output: FeatureShape) -> u64 {
    match *layer {
        LayerSpec::Pool { size, .. } => output.numel().saturating_mul((size as u64).pow(2)),
        _ => 0,
    }
}

/// See [`LayerRow::kept`]: what the lab's engine keeps, so it is a fact about its model, not
/// about the layer's arithmetic.
fn kept(layer: &LayerSpec, input: FeatureShape, output: FeatureShape) -> u64 {
    let (FeatureShape::Map { c, .. }, FeatureShape::Map { h, w, .. }) = (input, output) else {
        return 0;
    };
    let (c, area) = (c as u64, h as u64 * w as u64);
    match *layer {
        LayerSpec::Conv(conv) => area * c * (conv.kernel as u64).pow(2),
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

#[cfg(test)]
mod tests {
    use super::super::{ConvSpec, Layer, PoolKind, Window};
    use super::*;

    const MNIST: FeatureShape = FeatureShape::square(1, 28);

    #[test]
    fn impossible_layers_name_the_formula_and_numbers() {
        let pool = |size, n| {
            let layer = Layer::Pool {
                pool: PoolKind::Max,
                window: Window::exact(size, 2, 0),
            };
            layer.cost(FeatureShape::square(1, n))
        };
        let e = pool(2, 7).unwrap_err().to_string();
        assert!(e.starts_with("pooling: "), "{e}");
        assert!(e.contains("(7 + 2·0 − 2)/2 + 1"), "{e}");
        assert!(e.contains("3.50"), "{e}");
        assert!(e.contains("not a whole number"), "{e}");
        let e = pool(7, 4).unwrap_err().to_string();
        assert!(e.contains("≤ 0"), "{e}");
        let stride_0 = LayerSpec::Conv(ConvSpec {
            stride: 0,
            ..ConvSpec::new(1, 3)
        });
        assert!(stride_0.layer().cost(MNIST).is_err());
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
            &[LayerSpec::Conv(ConvSpec {
                padding: 2,
                dilation: 2,
                ..ConvSpec::new(1, 3)
            })],
            10,
        );
        assert_eq!(t.rows[0].receptive_field.unwrap().size, 5);
        assert_eq!(t.rows[0].output, Some(MNIST));
        assert_eq!(t.rows[0].params, 10);
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
    fn a_strided_residual_block_rounds_down_and_says_which_conv_cannot() {
        let block = |stride| LayerSpec::Residual {
            channels: 4,
            stride,
        };
        // 7 → ⌊(7 + 2 − 3)/2⌋ + 1 = 4.
        let t = table(MNIST, &[LayerSpec::max_pool(4), block(2)], 10);
        assert_eq!(t.rows[1].output.unwrap().to_string(), "4×4×4");
        let t = table(MNIST, &[block(0)], 10);
        let e = t.first_error().map(|(_, e)| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some("residual block (first 3×3 conv): stride must be at least 1")
        );
    }

    #[test]
    fn a_convolution_after_a_dense_layer_is_impossible() {
        let t = table(
            MNIST,
            &[LayerSpec::Dense { units: 32 }, LayerSpec::conv(1, 3, 1, 1)],
            10,
        );
        assert_eq!(t.first_error().map(|(i, _)| i), Some(1));
        assert_eq!(
            t.rows[1].error.map(|e| e.to_string()).as_deref(),
            Some("a convolution needs a feature map, but a dense layer before it made a flat vector of 32")
        );
    }
}
