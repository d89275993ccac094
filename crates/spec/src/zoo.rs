//! The notes' networks, layer by layer: an architecture calculator for AlexNet, VGG-16,
//! GoogLeNet's inception module (naive and with bottlenecks) and ResNet-18/34.
//!
//! Each network is written down as a list of layers, and every figure in its table (output
//! size, parameters, multiply-adds) is computed from that list with the arithmetic of
//! [`crate::arch`]. Where the notes (or the slides they copy) give a different figure, the
//! network carries a [`Note`] that states both, the computed one formatted from the table.
//!
//! Conventions, as in the published counts:
//! - Parameters are learnt values: kernels and matrices ("weights"), biases, and batch norm's
//!   γ and β (its running mean and variance are not learnt, so not counted).
//! - Multiply-adds are those of the convolutions and fully connected layers, for one example.
//!   Pooling costs none worth counting (the notes: "Max Pool doesn't require significant no.
//!   of MULTs"), and a batch norm folds into the convolution before it at inference.

use crate::arch::{window_output, window_output_floor, FeatureShape};

/// The networks this module knows, in the order a page lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    AlexNet,
    Vgg16,
    InceptionNaive,
    InceptionBottleneck,
    ResNet18,
    ResNet34,
}

impl Model {
    pub const ALL: [Model; 6] = [
        Model::AlexNet,
        Model::Vgg16,
        Model::InceptionNaive,
        Model::InceptionBottleneck,
        Model::ResNet18,
        Model::ResNet34,
    ];

    /// A stable name for URLs and selectors.
    pub fn slug(self) -> &'static str {
        match self {
            Model::AlexNet => "alexnet",
            Model::Vgg16 => "vgg16",
            Model::InceptionNaive => "inception-naive",
            Model::InceptionBottleneck => "inception-bottleneck",
            Model::ResNet18 => "resnet18",
            Model::ResNet34 => "resnet34",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Model> {
        Model::ALL.into_iter().find(|m| m.slug() == slug)
    }

    /// The name a reader knows it by.
    pub fn title(self) -> &'static str {
        match self {
            Model::AlexNet => "AlexNet",
            Model::Vgg16 => "VGG-16",
            Model::InceptionNaive => "Inception module (naive)",
            Model::InceptionBottleneck => "Inception module (bottleneck)",
            Model::ResNet18 => "ResNet-18",
            Model::ResNet34 => "ResNet-34",
        }
    }

    /// The network's table. An error would mean a layer list here is impossible (a bug the
    /// tests catch); it is returned rather than panicking so a page can show it.
    pub fn build(self) -> Result<Network, String> {
        match self {
            Model::AlexNet => alexnet(),
            Model::Vgg16 => vgg16(),
            Model::InceptionNaive => inception_naive(),
            Model::InceptionBottleneck => inception_bottleneck(),
            Model::ResNet18 => resnet(Model::ResNet18, [2, 2, 2, 2]),
            Model::ResNet34 => resnet(Model::ResNet34, [3, 4, 6, 3]),
        }
    }
}

/// Every network, in [`Model::ALL`]'s order.
pub fn all() -> Result<Vec<Network>, String> {
    Model::ALL.into_iter().map(Model::build).collect()
}

/// One network's table.
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    pub model: Model,
    /// [`Model::title`].
    pub name: String,
    /// One example's input (height × width × channels).
    pub input: FeatureShape,
    pub rows: Vec<Row>,
    /// Where the notes' figures differ from the computed ones, and conventions worth saying.
    pub notes: Vec<Note>,
}

impl Network {
    /// Weights, biases and batch norm's γ, β.
    pub fn total_params(&self) -> u64 {
        self.rows.iter().map(|r| r.params).sum()
    }

    /// Kernels and matrices only.
    pub fn total_weights(&self) -> u64 {
        self.rows.iter().map(|r| r.weights).sum()
    }

    pub fn total_mult_adds(&self) -> u64 {
        self.rows.iter().map(|r| r.mult_adds).sum()
    }

    /// The row called `name`, with its index.
    pub fn row(&self, name: &str) -> Option<(usize, &Row)> {
        self.rows.iter().enumerate().find(|(_, r)| r.name == name)
    }
}

/// One row of a table: a layer, a ResNet block, or one convolution of an inception branch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// "conv1", "fc2", "conv3_x block 1", "3×3 branch: 1×1 reduce".
    pub name: String,
    /// What the layer does: "conv 11×11/4 p0 ×96", "max pool 3×3/2", "fc 4096".
    pub layer: String,
    /// What it reads (in an inception module, the module's input or the branch's previous
    /// layer, not the row above).
    pub input: FeatureShape,
    pub output: FeatureShape,
    /// Weights + biases (+ batch norm's γ, β).
    pub params: u64,
    /// Kernels and matrices only, as the notes count ("(11 × 11 × 3) × 96").
    pub weights: u64,
    /// Multiply-adds for one example (the notes' "MULTs"); FLOPs ≈ 2 × this.
    pub mult_adds: u64,
}

/// A remark on a network, tied to a row when it is about one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// Index into [`Network::rows`].
    pub row: Option<usize>,
    pub text: String,
}

/// A count the way the notes write it: 37.7M, 15.47G, 4.1k.
pub fn approx(n: u64) -> String {
    let x = n as f64;
    if x >= 1e9 {
        format!("{:.2}G", x / 1e9)
    } else if x >= 1e6 {
        format!("{:.1}M", x / 1e6)
    } else if x >= 1e3 {
        format!("{:.1}k", x / 1e3)
    } else {
        n.to_string()
    }
}

// ---------------------------------------------------------------------------------------------
// Layers and what they cost.

/// How a window's output size that is not a whole number is treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rounding {
    /// The notes' formula must divide exactly (AlexNet, VGG and GoogLeNet are built so).
    Exact,
    /// Rounded down, as ResNet's strided layers are (224 → 112 through a 7×7/2, padding 3).
    Floor,
}

/// A convolution's per-channel parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PerChannel {
    Bias,
    /// No bias (the β of the batch norm that follows does its job), but γ and β.
    BatchNorm,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Window {
    size: usize,
    stride: usize,
    padding: usize,
    rounding: Rounding,
}

impl Window {
    fn output(&self, what: &str, n: usize) -> Result<usize, String> {
        let Window {
            size: f,
            stride: s,
            padding: p,
            rounding,
        } = *self;
        match rounding {
            Rounding::Exact => window_output(what, n, f, s, p),
            Rounding::Floor => window_output_floor(what, n, f, s, p),
        }
    }

    /// The formula with its numbers, when rounding down changed the result.
    fn rounded(&self, n: usize) -> Option<String> {
        let Window {
            size: f,
            stride: s,
            padding: p,
            ..
        } = *self;
        let floor = window_output_floor("", n, f, s, p).ok()?;
        if window_output("", n, f, s, p).is_ok() {
            return None;
        }
        let exact = (n + 2 * p - f) as f64 / s as f64 + 1.0;
        let exact = format!("{exact:.2}");
        let exact = exact.trim_end_matches('0');
        Some(format!("({n} + 2·{p} − {f})/{s} + 1 = {exact} → {floor}"))
    }

    /// "11×11/4 p0".
    fn label(&self) -> String {
        let Window {
            size,
            stride,
            padding,
            ..
        } = *self;
        format!("{size}×{size}/{stride} p{padding}")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Conv {
    channels: usize,
    window: Window,
    per_channel: PerChannel,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layer {
    Conv(Conv),
    MaxPool(Window),
    /// Averages each channel's whole map to one value (ResNet's head).
    GlobalAvgPool,
    /// Fully connected, with bias; flattens a map first.
    Fc {
        units: usize,
    },
    /// ResNet's basic block: 3×3 conv (strided) + BN → ReLU → 3×3 conv + BN, plus the
    /// shortcut (identity, or a strided 1×1 conv + BN when the shape changes), then ReLU.
    Basic {
        channels: usize,
        stride: usize,
    },
}

/// What one layer produces and costs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cost {
    output: FeatureShape,
    params: u64,
    weights: u64,
    mult_adds: u64,
}

impl Cost {
    fn plus(self, other: Cost) -> Cost {
        Cost {
            output: other.output,
            params: self.params + other.params,
            weights: self.weights + other.weights,
            mult_adds: self.mult_adds + other.mult_adds,
        }
    }
}

fn map(what: &str, shape: FeatureShape) -> Result<(usize, usize, usize), String> {
    match shape {
        FeatureShape::Map { c, h, w } => Ok((c, h, w)),
        FeatureShape::Flat { .. } => Err(format!(
            "{what} needs a feature map, but its input is a flat vector of {shape}"
        )),
    }
}

impl Conv {
    /// With bias, stride 1 and the padding that keeps the size ("same").
    fn same(channels: usize, size: usize) -> Conv {
        Conv::new(channels, size, 1, (size - 1) / 2)
    }

    /// With bias, exact output size.
    fn new(channels: usize, size: usize, stride: usize, padding: usize) -> Conv {
        Conv {
            channels,
            window: Window {
                size,
                stride,
                padding,
                rounding: Rounding::Exact,
            },
            per_channel: PerChannel::Bias,
        }
    }

    /// ResNet's: no bias, a batch norm after it, strided sizes rounded down.
    fn resnet(channels: usize, size: usize, stride: usize, padding: usize) -> Conv {
        let mut conv = Conv::new(channels, size, stride, padding);
        conv.window.rounding = Rounding::Floor;
        conv.per_channel = PerChannel::BatchNorm;
        conv
    }

    fn label(&self) -> String {
        let bn = match self.per_channel {
            PerChannel::Bias => "",
            PerChannel::BatchNorm => " + BN",
        };
        format!("conv {} ×{}{bn}", self.window.label(), self.channels)
    }

    fn apply(&self, input: FeatureShape) -> Result<Cost, String> {
        let (c, h, w) = map("a convolution", input)?;
        let oh = self.window.output("convolution", h)?;
        let ow = self.window.output("convolution", w)?;
        let k = self.window.size as u64;
        let out = self.channels as u64;
        // Each output value is a dot product over a k×k×c window.
        let per_output = k * k * c as u64;
        let weights = per_output * out;
        let per_channel = match self.per_channel {
            PerChannel::Bias => out,
            PerChannel::BatchNorm => 2 * out,
        };
        Ok(Cost {
            output: FeatureShape::Map {
                c: self.channels,
                h: oh,
                w: ow,
            },
            params: weights + per_channel,
            weights,
            mult_adds: (oh * ow) as u64 * out * per_output,
        })
    }
}

impl Layer {
    fn conv(channels: usize, size: usize, stride: usize, padding: usize) -> Layer {
        Layer::Conv(Conv::new(channels, size, stride, padding))
    }

    fn max_pool(size: usize, stride: usize, padding: usize, rounding: Rounding) -> Layer {
        Layer::MaxPool(Window {
            size,
            stride,
            padding,
            rounding,
        })
    }

    fn label(&self) -> String {
        match *self {
            Layer::Conv(conv) => conv.label(),
            Layer::MaxPool(window) => format!("max pool {}", window.label()),
            Layer::GlobalAvgPool => "global avg pool".into(),
            Layer::Fc { units } => format!("fc {units}"),
            Layer::Basic { channels, stride } => {
                let shortcut = if stride == 1 {
                    "identity shortcut".to_string()
                } else {
                    format!("1×1/{stride} shortcut + BN")
                };
                format!("3×3/{stride} ×{channels} + BN, 3×3/1 ×{channels} + BN; {shortcut}")
            }
        }
    }

    /// The first window of this layer, if it rounds its size down.
    fn rounded(&self, input: FeatureShape) -> Option<String> {
        let FeatureShape::Map { h, .. } = input else {
            return None;
        };
        match *self {
            Layer::Conv(conv) => conv.window.rounded(h),
            Layer::MaxPool(window) => window.rounded(h),
            Layer::Basic { channels, stride } => {
                Conv::resnet(channels, 3, stride, 1).window.rounded(h)
            }
            Layer::GlobalAvgPool | Layer::Fc { .. } => None,
        }
    }

    fn apply(&self, input: FeatureShape) -> Result<Cost, String> {
        match *self {
            Layer::Conv(conv) => conv.apply(input),
            Layer::MaxPool(window) => {
                let (c, h, w) = map("max pooling", input)?;
                Ok(Cost {
                    output: FeatureShape::Map {
                        c,
                        h: window.output("max pooling", h)?,
                        w: window.output("max pooling", w)?,
                    },
                    params: 0,
                    weights: 0,
                    mult_adds: 0,
                })
            }
            Layer::GlobalAvgPool => {
                let (c, _, _) = map("global average pooling", input)?;
                Ok(Cost {
                    output: FeatureShape::Map { c, h: 1, w: 1 },
                    params: 0,
                    weights: 0,
                    mult_adds: 0,
                })
            }
            Layer::Fc { units } => {
                let n = input.numel();
                let weights = n * units as u64;
                Ok(Cost {
                    output: FeatureShape::Flat { n: units },
                    params: weights + units as u64,
                    weights,
                    mult_adds: weights,
                })
            }
            Layer::Basic { channels, stride } => {
                let (c, _, _) = map("a residual block", input)?;
                let first = Conv::resnet(channels, 3, stride, 1).apply(input)?;
                let second = Conv::resnet(channels, 3, 1, 1).apply(first.output)?;
                let main = first.plus(second);
                if stride == 1 && c == channels {
                    return Ok(main);
                }
                // The shape changes: a 1×1 convolution brings the input to it for the addition.
                let shortcut = Conv::resnet(channels, 1, stride, 0).apply(input)?;
                if shortcut.output != main.output {
                    return Err(format!(
                        "residual block: the shortcut makes {} but the main path {}",
                        shortcut.output, main.output
                    ));
                }
                Ok(main.plus(shortcut))
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Tables.

/// Rows for a chain of layers, plus a note listing the sizes rounded down, if any.
fn sequential(
    model: Model,
    input: FeatureShape,
    layers: &[(String, Layer)],
) -> Result<Network, String> {
    let mut rows = Vec::with_capacity(layers.len());
    let mut rounded = Vec::new();
    let mut shape = input;
    for (name, layer) in layers {
        let cost = layer
            .apply(shape)
            .map_err(|e| format!("{}, {name}: {e}", model.title()))?;
        if let Some(formula) = layer.rounded(shape) {
            rounded.push(format!("{name}: {formula}"));
        }
        rows.push(row(name.clone(), layer.label(), shape, cost));
        shape = cost.output;
    }
    let mut notes = Vec::new();
    if !rounded.is_empty() {
        notes.push(Note {
            row: None,
            text: format!(
                "Output sizes rounded down, as the published network does: {}.",
                rounded.join("; ")
            ),
        });
    }
    Ok(Network {
        model,
        name: model.title().to_string(),
        input,
        rows,
        notes,
    })
}

fn row(name: String, layer: String, input: FeatureShape, cost: Cost) -> Row {
    Row {
        name,
        layer,
        input,
        output: cost.output,
        params: cost.params,
        weights: cost.weights,
        mult_adds: cost.mult_adds,
    }
}

fn named(layers: Vec<(&str, Layer)>) -> Vec<(String, Layer)> {
    layers
        .into_iter()
        .map(|(name, layer)| (name.to_string(), layer))
        .collect()
}

fn find<'a>(net: &'a Network, name: &str) -> Result<(usize, &'a Row), String> {
    net.row(name)
        .ok_or_else(|| format!("{}: no row called {name}", net.name))
}

/// `part` as a whole percentage of `whole`.
fn percent(part: u64, whole: u64) -> u64 {
    (part as f64 / whole.max(1) as f64 * 100.0).round() as u64
}

fn alexnet() -> Result<Network, String> {
    let exact = Rounding::Exact;
    let layers = named(vec![
        ("conv1", Layer::conv(96, 11, 4, 0)),
        ("pool1", Layer::max_pool(3, 2, 0, exact)),
        ("conv2", Layer::conv(256, 5, 1, 2)),
        ("pool2", Layer::max_pool(3, 2, 0, exact)),
        ("conv3", Layer::conv(384, 3, 1, 1)),
        ("conv4", Layer::conv(384, 3, 1, 1)),
        ("conv5", Layer::conv(256, 3, 1, 1)),
        ("pool3", Layer::max_pool(3, 2, 0, exact)),
        ("fc1", Layer::Fc { units: 4096 }),
        ("fc2", Layer::Fc { units: 4096 }),
        ("fc3", Layer::Fc { units: 1000 }),
    ]);
    let input = FeatureShape::Map {
        c: 3,
        h: 227,
        w: 227,
    };
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
    net.notes.push(Note { row: Some(i), text });
    net.notes.push(Note {
        row: None,
        text: format!(
            "Total: {} parameters ({} weights, {} biases); the notes round it to 60M. The notes' \
             normalisation layers (local response normalisation) learn nothing and are left out.",
            approx(total),
            approx(net.total_weights()),
            approx(total - net.total_weights()),
        ),
    });
    Ok(net)
}

fn vgg16() -> Result<Network, String> {
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
        layers.push((
            format!("pool{}", b + 1),
            Layer::max_pool(2, 2, 0, Rounding::Exact),
        ));
    }
    for (i, units) in [4096, 4096, 1000].into_iter().enumerate() {
        layers.push((format!("fc{}", i + 1), Layer::Fc { units }));
    }
    let input = FeatureShape::Map {
        c: 3,
        h: 224,
        w: 224,
    };
    let mut net = sequential(Model::Vgg16, input, &layers)?;

    let (i, fc1) = find(&net, "fc1")?;
    let total = net.total_params();
    let conv_rows = net.rows.iter().filter(|r| r.name.starts_with("conv"));
    let conv_params: u64 = conv_rows.clone().map(|r| r.params).sum();
    let conv_mult_adds: u64 = conv_rows.map(|r| r.mult_adds).sum();
    net.notes.push(Note {
        row: Some(i),
        text: format!(
            "The notes give 138M parameters; computed: {}, of which FC1 ({} → {}) holds {} \
             ({}%). The 13 convolutions hold only {} but do {} of the {} multiply-adds.",
            approx(total),
            fc1.input,
            fc1.output,
            approx(fc1.params),
            percent(fc1.params, total),
            approx(conv_params),
            approx(conv_mult_adds),
            approx(net.total_mult_adds()),
        ),
    });
    Ok(net)
}

/// The notes' inception module reads a 28×28×256 map.
const INCEPTION_INPUT: FeatureShape = FeatureShape::Map {
    c: 256,
    h: 28,
    w: 28,
};

/// One branch of an inception module: layers applied in turn to the module's input.
struct Branch {
    name: &'static str,
    layers: Vec<(&'static str, Layer)>,
}

/// Rows for each branch's layers ("3×3 branch: 1×1 reduce"), then the concatenation.
fn inception(model: Model, input: FeatureShape, branches: &[Branch]) -> Result<Network, String> {
    let (_, h, w) = map("an inception module", input)?;
    let mut rows = Vec::new();
    let mut depth = 0;
    for branch in branches {
        let mut shape = input;
        for (name, layer) in &branch.layers {
            let name = format!("{} branch: {name}", branch.name);
            let cost = layer
                .apply(shape)
                .map_err(|e| format!("{}, {name}: {e}", model.title()))?;
            rows.push(row(name, layer.label(), shape, cost));
            shape = cost.output;
        }
        // Concatenating along the channels needs every branch to keep the same height × width.
        let (c, bh, bw) = map("concatenation", shape)?;
        if (bh, bw) != (h, w) {
            return Err(format!(
                "{}: the {} branch makes {shape}, not {h}×{w}",
                model.title(),
                branch.name
            ));
        }
        depth += c;
    }
    rows.push(Row {
        name: "concatenate".into(),
        layer: "depth concatenation".into(),
        input,
        output: FeatureShape::Map { c: depth, h, w },
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

/// The pool branch: 3×3 max pool that keeps the size (and all the channels).
fn same_pool() -> Layer {
    Layer::max_pool(3, 1, 1, Rounding::Exact)
}

fn inception_naive() -> Result<Network, String> {
    let branches = [
        Branch {
            name: "1×1",
            layers: vec![("1×1 conv", Layer::Conv(Conv::same(128, 1)))],
        },
        Branch {
            name: "3×3",
            layers: vec![("3×3 conv", Layer::Conv(Conv::same(192, 3)))],
        },
        Branch {
            name: "5×5",
            layers: vec![("5×5 conv", Layer::Conv(Conv::same(96, 5)))],
        },
        Branch {
            name: "pool",
            layers: vec![("3×3 max pool", same_pool())],
        },
    ];
    let mut net = inception(Model::InceptionNaive, INCEPTION_INPUT, &branches)?;
    let out = net.rows.last().map(|r| r.output).unwrap_or(net.input);
    net.notes.push(Note {
        row: None,
        text: format!(
            "The notes give ≈854M MULTs; computed: {}. The pool branch keeps all {} input \
             channels, so the output ({out}) is deeper than the input ({}) and grows with every \
             module stacked on it.",
            approx(net.total_mult_adds()),
            channels(net.input),
            net.input,
        ),
    });
    Ok(net)
}

fn inception_bottleneck() -> Result<Network, String> {
    // 1×1 convolutions shrink the depth before the expensive 3×3 and 5×5 ones, and after
    // the pool. The notes number the six convolutions (1)–(6).
    let branches = [
        Branch {
            name: "1×1",
            layers: vec![("1×1 conv", Layer::Conv(Conv::same(128, 1)))], // (1)
        },
        Branch {
            name: "3×3",
            layers: vec![
                ("1×1 reduce", Layer::Conv(Conv::same(64, 1))), // (2)
                ("3×3 conv", Layer::Conv(Conv::same(192, 3))),  // (4)
            ],
        },
        Branch {
            name: "5×5",
            layers: vec![
                ("1×1 reduce", Layer::Conv(Conv::same(64, 1))), // (3)
                ("5×5 conv", Layer::Conv(Conv::same(96, 5))),   // (5)
            ],
        },
        Branch {
            name: "pool",
            layers: vec![
                ("3×3 max pool", same_pool()),
                ("1×1 projection", Layer::Conv(Conv::same(64, 1))), // (6)
            ],
        },
    ];
    let mut net = inception(Model::InceptionBottleneck, INCEPTION_INPUT, &branches)?;
    let naive = inception_naive()?.total_mult_adds();
    let total = net.total_mult_adds();
    net.notes.push(Note {
        row: None,
        text: format!(
            "The notes (and a widely circulated slide) give ≈358M MULTs; the six convolutions \
             (1)–(6) they list sum to {}, which is what this table computes: {:.1}× fewer than \
             the naive module's {}.",
            approx(total),
            naive as f64 / total.max(1) as f64,
            approx(naive),
        ),
    });
    Ok(net)
}

fn channels(shape: FeatureShape) -> usize {
    match shape {
        FeatureShape::Map { c, .. } => c,
        FeatureShape::Flat { n } => n,
    }
}

/// ResNet-18/34: `blocks[i]` basic blocks in stage `conv{i+2}_x`.
fn resnet(model: Model, blocks: [usize; 4]) -> Result<Network, String> {
    let mut layers = vec![
        ("conv1".to_string(), Layer::Conv(Conv::resnet(64, 7, 2, 3))),
        (
            "max pool".to_string(),
            Layer::max_pool(3, 2, 1, Rounding::Floor),
        ),
    ];
    let widths = [64, 128, 256, 512];
    for (stage, (&count, &channels)) in blocks.iter().zip(&widths).enumerate() {
        for b in 0..count {
            // The first block of every stage after the first halves the size.
            let stride = if stage > 0 && b == 0 { 2 } else { 1 };
            layers.push((
                format!("conv{}_x block {}", stage + 2, b + 1),
                Layer::Basic { channels, stride },
            ));
        }
    }
    layers.push(("avg pool".to_string(), Layer::GlobalAvgPool));
    layers.push(("fc".to_string(), Layer::Fc { units: 1000 }));
    let input = FeatureShape::Map {
        c: 3,
        h: 224,
        w: 224,
    };
    let mut net = sequential(model, input, &layers)?;
    // Everything but kernels and matrices is batch norm, except the fc's biases.
    let fc = find(&net, "fc")?.1;
    let bn = net.total_params() - net.total_weights() - (fc.params - fc.weights);
    net.notes.push(Note {
        row: None,
        text: format!(
            "Convolutions have no bias (the batch norm after each does that job); batch norm's γ \
             and β are counted: {} of the {} parameters. Multiply-adds count the convolutions \
             and the fc layer (a batch norm folds into its convolution at inference).",
            approx(bn),
            approx(net.total_params()),
        ),
    });
    Ok(net)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size(shape: FeatureShape) -> String {
        shape.to_string()
    }

    fn out(net: &Network, name: &str) -> String {
        size(net.row(name).unwrap().1.output)
    }

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

    #[test]
    fn naive_inception_is_the_notes_854m() {
        let net = inception_naive().unwrap();
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
        let net = inception_bottleneck().unwrap();
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
        let text = &net.notes[0].text;
        assert!(text.contains("358M") && text.contains("271.4M"), "{text}");
    }

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

    #[test]
    fn every_model_builds_and_its_slug_round_trips() {
        let nets = all().unwrap();
        assert_eq!(nets.len(), Model::ALL.len());
        for net in &nets {
            assert_eq!(Model::from_slug(net.model.slug()), Some(net.model));
            assert!(!net.rows.is_empty() && !net.notes.is_empty());
            for r in &net.rows {
                assert!(r.weights <= r.params, "{}: {}", net.name, r.name);
            }
        }
        assert_eq!(Model::from_slug("lenet"), None);
    }

    #[test]
    fn approx_writes_counts_like_the_notes() {
        assert_eq!(approx(854_196_224), "854.2M");
        assert_eq!(approx(15_470_264_320), "15.47G");
        assert_eq!(approx(4_096), "4.1k");
        assert_eq!(approx(96), "96");
    }
}
