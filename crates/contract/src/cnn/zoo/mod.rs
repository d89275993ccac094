//! The notes' networks, layer by layer: an architecture calculator for AlexNet, VGG-16,
//! GoogLeNet's inception module (naive and with bottlenecks) and ResNet-18/34.
//!
//! Each network is written down as a list of [`arch::Layer`](super::arch::Layer)s, and every
//! figure in its table (output size, parameters, multiply-adds) is computed from that list with
//! the arithmetic of [`super::arch`], the builder's own. Where the notes (or the slides they
//! copy) give a different figure, the network carries a [`Note`] that states both, the computed
//! one formatted from the table.
//!
//! Conventions, as in the published counts:
//! - Parameters are learnt values: kernels and matrices ("weights"), biases, and batch norm's
//!   γ and β (its running mean and variance are not learnt, so not counted).
//! - Multiply-adds are those of the convolutions and fully connected layers, for one example.
//!   Pooling costs none worth counting (the notes: "Max Pool doesn't require significant no.
//!   of MULTs"), and a batch norm folds into the convolution before it at inference.

mod alexnet;
mod error;
mod inception;
mod resnet;
mod table;
mod vgg;

pub use error::ZooError;

use super::arch::FeatureShape;

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
    pub fn build(self) -> Result<Network, ZooError> {
        match self {
            Model::AlexNet => alexnet::alexnet(),
            Model::Vgg16 => vgg::vgg16(),
            Model::InceptionNaive => inception::naive(),
            Model::InceptionBottleneck => inception::bottleneck(),
            Model::ResNet18 => resnet::resnet(Model::ResNet18, [2, 2, 2, 2]),
            Model::ResNet34 => resnet::resnet(Model::ResNet34, [3, 4, 6, 3]),
        }
    }
}

/// Every network, in [`Model::ALL`]'s order.
pub fn all() -> Result<Vec<Network>, ZooError> {
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

impl Row {
    /// The branch a row belongs to ("3×3 branch"), if any, and the layer's own name.
    pub fn group_and_layer(&self) -> (Option<String>, &str) {
        match self.place {
            Place::Branch { branch } => {
                let group = format!("{branch} branch");
                let layer = self
                    .name
                    .strip_prefix(group.as_str())
                    .and_then(|rest| rest.strip_prefix(": "))
                    .unwrap_or(&self.name);
                (Some(group), layer)
            }
            _ => (None, &self.name),
        }
    }
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
    /// Where the row stands in the network: in a chain, in an inception branch, or joining
    /// the branches.
    pub place: Place,
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

/// Where a row stands: what a reader of the table needs to know to see what it reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// Reads the row above.
    Chain,
    /// A layer of an inception branch (`branch` names it: "3×3" for the "3×3 branch"; the
    /// row's name is "3×3 branch: 1×1 reduce").
    Branch { branch: &'static str },
    /// Concatenates every branch's output along the channels.
    Concatenation,
}

/// What a note says about the notes' figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoteKind {
    /// The notes give a figure that the computed one is not close to.
    Correction,
    /// The notes' figure is (a rounding of) the computed one.
    Agrees,
    /// No figure of the notes: a convention or a remark.
    Remark,
}

impl NoteKind {
    /// How far (relatively) the notes' figure may be from the computed one and still be a
    /// rounding of it: the notes' "60M" for 62.4M is, their 16.8M for 37.7M is not.
    const ROUNDING: f64 = 0.1;

    /// The notes give `quoted` where the table computes `computed`.
    pub fn comparing(quoted: u64, computed: u64) -> NoteKind {
        let off = quoted.abs_diff(computed) as f64;
        if off <= NoteKind::ROUNDING * quoted.max(computed) as f64 {
            NoteKind::Agrees
        } else {
            NoteKind::Correction
        }
    }

    /// A stable name for classes and selectors.
    pub fn slug(self) -> &'static str {
        match self {
            NoteKind::Correction => "correction",
            NoteKind::Agrees => "agrees",
            NoteKind::Remark => "remark",
        }
    }

    /// The heading a reader sees on the note.
    pub fn label(self) -> &'static str {
        match self {
            NoteKind::Correction => "Correction",
            NoteKind::Agrees => "Agrees with the notes",
            NoteKind::Remark => "Remark",
        }
    }
}

/// A remark on a network, tied to a row when it is about one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// Index into [`Network::rows`].
    pub row: Option<usize>,
    pub kind: NoteKind,
    pub text: String,
}

impl Note {
    pub fn remark(row: Option<usize>, text: String) -> Note {
        Note {
            row,
            kind: NoteKind::Remark,
            text,
        }
    }

    /// A note stating the notes' figure `quoted` and the table's `computed` (both in `text`).
    pub fn comparing(row: Option<usize>, quoted: u64, computed: u64, text: String) -> Note {
        Note {
            row,
            kind: NoteKind::comparing(quoted, computed),
            text,
        }
    }
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

/// What the family files' tests read a table with.
#[cfg(test)]
mod test_support {
    use super::*;

    pub fn size(shape: FeatureShape) -> String {
        shape.to_string()
    }

    pub fn out(net: &Network, name: &str) -> String {
        size(net.row(name).unwrap().1.output)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn the_notes_corrections_are_told_from_agreements() {
        use NoteKind::*;
        let expected = [
            (Model::AlexNet, vec![Correction, Agrees]),
            (Model::Vgg16, vec![Agrees]),
            (Model::InceptionNaive, vec![Agrees]),
            (Model::InceptionBottleneck, vec![Correction]),
            (Model::ResNet18, vec![Remark, Remark]),
            (Model::ResNet34, vec![Remark, Remark]),
        ];
        for (model, kinds) in expected {
            let notes = model.build().unwrap().notes;
            let found: Vec<NoteKind> = notes.iter().map(|n| n.kind).collect();
            assert_eq!(found, kinds, "{}: {notes:#?}", model.title());
        }
        // AlexNet's correction is the one about FC1, marked on its row.
        let alexnet = Model::AlexNet.build().unwrap();
        let fc1 = alexnet.row("fc1").map(|(i, _)| i);
        assert!(fc1.is_some());
        assert_eq!(alexnet.notes[0].row, fc1);
    }

    #[test]
    fn a_figure_within_a_tenth_is_a_rounding() {
        assert_eq!(
            NoteKind::comparing(60_000_000, 62_378_344),
            NoteKind::Agrees
        );
        assert_eq!(
            NoteKind::comparing(16_777_216, 37_752_832),
            NoteKind::Correction
        );
        assert_eq!(NoteKind::comparing(0, 0), NoteKind::Agrees);
    }

    #[test]
    fn approx_writes_counts_like_the_notes() {
        assert_eq!(approx(854_196_224), "854.2M");
        assert_eq!(approx(15_470_264_320), "15.47G");
        assert_eq!(approx(4_096), "4.1k");
        assert_eq!(approx(96), "96");
    }
}
