//! The CNN lab's experiment: an architecture (checked by [`arch`]), how it is trained,
//! and what the page looks at (a test digit, a shift). Everything a run depends on is here;
//! its link, limits, messages and the builder's arithmetic are this folder's other files.

pub mod arch;
pub mod error;
mod examples;
pub mod limits;
pub mod link;
pub mod protocol;
pub mod view;
pub mod zoo;

use crate::limits::{check_range, Violation};
use crate::training::{LrSchedule, OptimizerName, Run};
use arch::{ArchTable, FeatureShape, LayerSpec, PoolKind};
pub use error::CnnError;
use limits::CnnLimits;
use serde::{Deserialize, Serialize};

/// The lab's name in links (`#lab=cnn`) and in the engine's messages.
pub const SLUG: &str = "cnn";
/// ε_T/ε_0 of the default schedule: the notes' linear decay over the whole run.
pub const DEFAULT_FINAL_RATIO: f32 = 0.03;

/// MNIST digits: 28×28, one channel, ten classes.
pub const INPUT: FeatureShape = FeatureShape::square(1, 28);
pub const CLASSES: usize = 10;
/// Training examples per epoch and held-out digits in the bundled split (data::mnist).
pub const TRAIN_DIGITS: usize = 8000;
pub const TEST_DIGITS: usize = 2000;

/// Ready-made architectures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    LeNet,
    Vgg,
    ResNet,
}

impl Preset {
    pub const ALL: [Preset; 3] = [Preset::LeNet, Preset::Vgg, Preset::ResNet];

    pub fn name(&self) -> &'static str {
        match self {
            Preset::LeNet => "LeNet-like",
            Preset::Vgg => "small VGG-like",
            Preset::ResNet => "small ResNet-like",
        }
    }

    pub fn layers(&self) -> Vec<LayerSpec> {
        use LayerSpec::*;
        match self {
            // The peers' benchmark CNN (perf/peers.md): two 5×5 convolutions, each pooled.
            Preset::LeNet => vec![
                LayerSpec::conv(8, 5, 1, 2),
                Relu,
                LayerSpec::max_pool(2),
                LayerSpec::conv(16, 5, 1, 2),
                Relu,
                LayerSpec::max_pool(2),
            ],
            // VGG's idea: stacks of 3×3 convolutions (two see 5×5) between poolings.
            Preset::Vgg => vec![
                LayerSpec::conv(8, 3, 1, 1),
                Relu,
                LayerSpec::conv(8, 3, 1, 1),
                Relu,
                LayerSpec::max_pool(2),
                LayerSpec::conv(16, 3, 1, 1),
                Relu,
                LayerSpec::conv(16, 3, 1, 1),
                Relu,
                LayerSpec::max_pool(2),
            ],
            // A stem, residual blocks that halve the map and double the channels, global
            // average pooling.
            Preset::ResNet => vec![
                LayerSpec::conv(8, 3, 1, 1),
                BatchNorm,
                Relu,
                Residual {
                    channels: 8,
                    stride: 1,
                },
                Residual {
                    channels: 16,
                    stride: 2,
                },
                Residual {
                    channels: 32,
                    stride: 2,
                },
                Pool {
                    pool: PoolKind::Avg,
                    size: 7,
                    stride: 7,
                },
            ],
        }
    }

    /// Which preset these layers are, if any.
    pub fn of(layers: &[LayerSpec]) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.layers() == layers)
    }
}

/// The optimizers offered for training a CNN (full-batch GD is not: an epoch is one step).
pub const CNN_OPTIMIZERS: [OptimizerName; 6] = OptimizerName::PER_BATCH;

/// The CNN lab's whole experiment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CnnLab {
    pub layers: Vec<LayerSpec>,
    pub run: Run,
    pub schedule: LrSchedule,
    pub batch: usize,
    pub epochs: usize,
    pub seed: u64,
    /// The test digit the page looks inside (index into the test split).
    pub digit: usize,
    /// The chosen digit moved right/down by this many pixels (equivariance view).
    pub shift: (i32, i32),
    /// Train to this step on load.
    pub at: Option<usize>,
}

impl CnnLab {
    /// The defaults of each optimizer for a CNN (η tuned on the LeNet-like preset).
    pub fn default_run(optimizer: OptimizerName) -> Run {
        let lr = match optimizer {
            // Measured on the default link (cnn_train example): 0.003 ends at 96.9%, 0.01
            // passes 97% after 310 of 375 steps.
            OptimizerName::Adam => 0.01,
            OptimizerName::Rmsprop => 0.003,
            OptimizerName::Adagrad => 0.03,
            _ => 0.05,
        };
        Run {
            lr,
            ..Run::default_for(optimizer)
        }
    }

    pub fn steps_per_epoch(&self) -> usize {
        TRAIN_DIGITS.div_ceil(self.batch.max(1))
    }

    pub fn total_steps(&self) -> usize {
        self.epochs * self.steps_per_epoch()
    }

    /// The notes' linear decay over the whole run, to `final_ratio` of η.
    pub fn decay_over_run(&self, final_ratio: f32) -> LrSchedule {
        LrSchedule::LinearDecay {
            final_ratio,
            steps: self.total_steps().max(1),
        }
    }

    pub fn table(&self) -> ArchTable {
        arch::table(INPUT, &self.layers, CLASSES)
    }

    /// Every value inside the named limits? The first violation, naming field, value and limit.
    /// (An architecture can be within limits and still impossible: see [`CnnLab::trainable`].)
    pub fn check(&self) -> Result<(), CnnError> {
        CnnLimits::check(self)
    }

    /// Within limits and buildable: the reason it cannot be trained, if any.
    pub fn trainable(&self) -> Result<(), CnnError> {
        self.check()?;
        let table = self.table();
        if let Some((index, error)) = table.first_error() {
            return Err(CnnError::Layer {
                index,
                error: *error,
            });
        }
        let normalises = self
            .layers
            .iter()
            .any(|l| matches!(l, LayerSpec::BatchNorm | LayerSpec::Residual { .. }));
        // One digit's statistics are itself: x̂ = 0, nothing before it learns, and its running
        // variance collapses (PyTorch refuses the same).
        if normalises && (self.batch < 2 || TRAIN_DIGITS % self.batch == 1) {
            return Err(CnnError::OneDigitBatch { batch: self.batch });
        }
        CnnLimits::check_size(&table, self.batch)
    }
}

impl Default for CnnLab {
    /// The LeNet-like net trained with Adam for 3 epochs, η decaying to 3% of its start.
    fn default() -> Self {
        let mut spec = CnnLab {
            layers: Preset::LeNet.layers(),
            run: CnnLab::default_run(OptimizerName::Adam),
            schedule: LrSchedule::Constant,
            batch: 64,
            epochs: 3,
            seed: 1,
            digit: 0,
            shift: (0, 0),
            at: None,
        };
        spec.schedule = spec.decay_over_run(DEFAULT_FINAL_RATIO);
        spec
    }
}

/// Checks for values a user can type; used by the URL decoder and the engine alike.
pub(crate) fn check_layer(i: usize, layer: &LayerSpec) -> Result<(), Violation> {
    let mut layer = *layer;
    // "layer 2 pool size": the kind keeps a pool's size apart from a convolution's kernel.
    let kind = match layer {
        LayerSpec::Pool { .. } => "pool ",
        _ => "",
    };
    for knob in layer.knobs() {
        let field = format!("layer {} {kind}{}", i + 1, knob.name);
        check_range(&field, *knob.value, knob.min, knob.max)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_trainable() {
        for preset in Preset::ALL {
            let spec = CnnLab {
                layers: preset.layers(),
                ..CnnLab::default()
            };
            assert_eq!(spec.trainable(), Ok(()), "{}", preset.name());
            assert_eq!(Preset::of(&spec.layers), Some(preset));
        }
    }

    #[test]
    fn preset_shapes_and_sizes() {
        let flat = |p: Preset| {
            let t = CnnLab {
                layers: p.layers(),
                ..CnnLab::default()
            }
            .table();
            let last_map = t.rows[t.rows.len() - 2].output.map(|s| s.to_string());
            (last_map, t.total_params())
        };
        // LeNet-like: 7×7×16 = 784 into the head; 208 + 3,216 + 7,850 parameters.
        assert_eq!(
            flat(Preset::LeNet),
            (Some("7×7×16".into()), 208 + 3216 + 7850)
        );
        // VGG-like: 80 + 584 + 1,168 + 2,320 conv parameters, 784·10 + 10 head.
        assert_eq!(
            flat(Preset::Vgg),
            (Some("7×7×16".into()), 80 + 584 + 1168 + 2320 + 7850)
        );
        // ResNet-like ends in one value per channel.
        assert_eq!(flat(Preset::ResNet).0, Some("1×1×32".into()));
    }

    #[test]
    fn an_impossible_layer_is_not_trainable_and_says_where() {
        let mut spec = CnnLab::default();
        spec.layers.push(LayerSpec::max_pool(2)); // 7 → 3.5
        let e = spec.trainable().unwrap_err();
        assert!(
            matches!(
                e,
                CnnError::Layer {
                    index: 6,
                    error: arch::ArchError {
                        part: arch::Part::Pooling,
                        problem: arch::Problem::Window(_),
                    },
                }
            ),
            "{e:?}"
        );
    }

    #[test]
    fn models_too_large_for_memory_are_refused_with_the_limit() {
        // 64 channels into an 11×11 kernel: its unfolded input is 784·64·121 values a digit.
        let (wide, _) = link::decode("lab=cnn&layers=c64k1,c1k11p5");
        let e = wide.trainable().unwrap_err();
        assert!(matches!(e, CnnError::TooManyValues { .. }), "{e:?}");
        let (deep, _) = link::decode("lab=cnn&layers=c32k3p1,relu,c32k7p3,relu,max2,max2");
        assert!(deep.trainable().is_err());
        // Pooling counts too: 64 maps of 21×21 reading 8×8 windows, 256 digits a batch.
        let (pooled, notes) = link::decode("lab=cnn&layers=c64k3p1,max8s1&batch=256");
        assert_eq!(notes, vec![]);
        assert_eq!(
            pooled.trainable(),
            Err(CnnError::TooManyWindowReads {
                batch: 256,
                reads: 462_422_016
            })
        );
        // The presets fit even at the largest batch, except the ResNet-like one.
        for preset in [Preset::LeNet, Preset::Vgg] {
            let spec = CnnLab {
                layers: preset.layers(),
                batch: CnnLimits::BATCH.1,
                ..CnnLab::default()
            };
            assert_eq!(spec.trainable(), Ok(()), "{}", preset.name());
        }
    }

    #[test]
    fn batch_norm_needs_two_digits_in_every_batch() {
        let spec = |batch| CnnLab {
            layers: Preset::ResNet.layers(),
            batch,
            ..CnnLab::default()
        };
        assert_eq!(
            spec(1).trainable(),
            Err(CnnError::OneDigitBatch { batch: 1 })
        );
        // 8,000 = 421·19 + 1.
        assert_eq!(
            spec(19).trainable(),
            Err(CnnError::OneDigitBatch { batch: 19 })
        );
        assert_eq!(spec(20).trainable(), Ok(()));
        // Without batch norm a batch of one is fine.
        let plain = CnnLab {
            batch: 1,
            ..CnnLab::default()
        };
        assert_eq!(plain.trainable(), Ok(()));
    }

    #[test]
    fn the_default_decays_over_the_whole_run() {
        let spec = CnnLab::default();
        assert_eq!(spec.steps_per_epoch(), 125);
        assert_eq!(
            spec.schedule,
            LrSchedule::LinearDecay {
                final_ratio: 0.03,
                steps: 375
            }
        );
    }
}
