//! The CNN lab's limits.

use super::CnnError;
use crate::limits::{check_at, check_offered, check_range, TrainingLimits};

/// The CNN lab's limits: what one browser tab trains in seconds to minutes without running out
/// of memory (the wasm memory is capped at 4 GiB, and the page shares it with the pool).
pub struct CnnLimits;

impl CnnLimits {
    pub const MAX_LAYERS: usize = 16;
    pub const MAX_CHANNELS: usize = 64;
    pub const MAX_KERNEL: usize = 11;
    pub const MAX_STRIDE: usize = 4;
    pub const MAX_PADDING: usize = 10;
    pub const MAX_DILATION: usize = 4;
    pub const MAX_POOL: usize = 8;
    pub const MAX_UNITS: usize = 1024;
    pub const BATCH: (usize, usize) = (1, 256);
    pub const EPOCHS: (usize, usize) = (1, 30);
    /// Parameters of the whole model.
    pub const MAX_PARAMS: u64 = 2_000_000;
    /// Multiply-adds per example: 40 M is ~50× the LeNet-like preset, a few seconds per step.
    pub const MAX_MULT_ADDS: u64 = 40_000_000;
    /// Values one training batch keeps (outputs, their gradients, the convolutions' unfolded
    /// inputs: `ArchTable::values_per_example` × batch): 100 M values is 400 MB of the engine's
    /// 2 GiB memory, which also holds the data, the optimizer's state and the allocator's slack.
    pub const MAX_BATCH_VALUES: u64 = 100_000_000;
    /// Pooling window reads one training batch makes (`ArchTable::window_ops_per_example` ×
    /// batch): 100 M is ~150× the LeNet-like preset's and well under a second per step; a
    /// link at 5·10⁸ took 2.6 s per step natively and stalled the page.
    pub const MAX_BATCH_WINDOW_OPS: u64 = 100_000_000;
    /// |dx|, |dy| of the shifted digit.
    pub const MAX_SHIFT: i32 = 8;
    /// The longest run: 30 epochs of 8,000 digits one at a time.
    pub const MAX_STEPS: usize = 240_000;
    /// Longest training slice one request may ask for: the worker answers nothing else meanwhile.
    pub const MAX_TRAIN_BUDGET_MS: f64 = 2000.0;
    /// Feature-map values one view carries (every layer's maps together; a wider model shows
    /// its first channels of each layer): with base64 bytes, a view stays near 300 KB, sent
    /// with every training slice.
    pub const MAX_VIEW_MAP_VALUES: usize = 200_000;
    /// The byte budget of one CNN reply's JSON (tested on the widest model within the limits).
    pub const REPLY_BYTES: usize = 512 * 1024;
    /// Largest drawn canvas side accepted: the page's pad, 112×112. A look's view carries the
    /// drawing back (the page moves it with the next look), so this bounds what it adds to a
    /// reply (12,544 bytes; a 512-pixel side made a wide model's reply 589 KiB).
    pub const MAX_DRAWN_SIDE: usize = 112;

    pub fn check(spec: &crate::cnn::CnnLab) -> Result<(), CnnError> {
        check_range("number of layers", spec.layers.len(), 0, Self::MAX_LAYERS)?;
        for (i, layer) in spec.layers.iter().enumerate() {
            crate::cnn::check_layer(i, layer)?;
        }
        check_offered(spec.run.optimizer, &crate::cnn::CNN_OPTIMIZERS, "CNN")?;
        TrainingLimits::check_settings(&spec.run, &spec.schedule, Self::MAX_STEPS)?;
        check_range("batch", spec.batch, Self::BATCH.0, Self::BATCH.1)?;
        check_range("epochs", spec.epochs, Self::EPOCHS.0, Self::EPOCHS.1)?;
        check_range("digit", spec.digit, 0, crate::cnn::TEST_DIGITS - 1)?;
        for (axis, value) in [("shift x", spec.shift.0), ("shift y", spec.shift.1)] {
            if value.unsigned_abs() > Self::MAX_SHIFT.unsigned_abs() {
                return Err(CnnError::Shift { axis, value });
            }
        }
        check_at(spec.at, Self::MAX_STEPS)?;
        Ok(())
    }

    /// The model's size against the limits (after its table was built without errors).
    pub fn check_size(table: &super::arch::ArchTable, batch: usize) -> Result<(), CnnError> {
        let params = table.total_params();
        if params > Self::MAX_PARAMS {
            return Err(CnnError::TooManyParams { params });
        }
        let work = table.total_mult_adds();
        if work > Self::MAX_MULT_ADDS {
            return Err(CnnError::TooMuchWork { work });
        }
        let window_ops = table.window_ops_per_example().saturating_mul(batch as u64);
        if window_ops > Self::MAX_BATCH_WINDOW_OPS {
            return Err(CnnError::TooManyWindowReads {
                batch,
                reads: window_ops,
            });
        }
        let values = table.values_per_example().saturating_mul(batch as u64);
        if values > Self::MAX_BATCH_VALUES {
            return Err(CnnError::TooManyValues { batch, values });
        }
        Ok(())
    }
}
