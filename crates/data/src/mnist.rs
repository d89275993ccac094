//! The bundled MNIST digits (`assets/mnist-10k.bin`, provenance in `assets/README.md`):
//! 10,000 28×28 digits, the first 8,000 for training, the last 2,000 for testing.

use crate::DataError;
use tensor::Tensor;

const MAGIC: &[u8; 8] = b"MNIST10K";
const HEADER: usize = 8 + 3 * 4;
/// Digits in the training split; the rest are the test split.
pub const TRAIN_SIZE: usize = 8_000;
/// The largest digit count a file may declare (a hostile header must not make us allocate GBs).
pub const MAX_DIGITS: usize = 100_000;

/// The asset's path on disk, for native tests and tools (the app fetches it as a static file).
pub const ASSET_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/mnist-10k.bin");

#[derive(Clone, Debug)]
pub struct Mnist {
    pub rows: usize,
    pub cols: usize,
    labels: Vec<u8>,
    pixels: Vec<u8>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    Train,
    Test,
}

fn u32_at(bytes: &[u8], at: usize) -> usize {
    let mut word = [0u8; 4];
    word.copy_from_slice(&bytes[at..at + 4]);
    u32::from_le_bytes(word) as usize
}

impl Mnist {
    /// Parses and validates the asset's bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Mnist, DataError> {
        if bytes.len() < HEADER || &bytes[..8] != MAGIC {
            return Err(DataError(
                "not an MNIST10K file (wrong or missing header)".into(),
            ));
        }
        let (count, rows, cols) = (u32_at(bytes, 8), u32_at(bytes, 12), u32_at(bytes, 16));
        if count == 0 || count > MAX_DIGITS || rows == 0 || cols == 0 || rows * cols > 4096 {
            return Err(DataError(format!(
                "MNIST header declares {count} digits of {rows}×{cols}; the limits are 1..={MAX_DIGITS} digits of at most 4096 pixels"
            )));
        }
        let expected = HEADER + count + count * rows * cols;
        if bytes.len() != expected {
            return Err(DataError(format!(
                "MNIST file has {} bytes, its header implies {expected}",
                bytes.len()
            )));
        }
        let labels = bytes[HEADER..HEADER + count].to_vec();
        if let Some(bad) = labels.iter().find(|&&l| l > 9) {
            return Err(DataError(format!("MNIST label {bad} is not a digit")));
        }
        let pixels = bytes[HEADER + count..].to_vec();
        Ok(Mnist {
            rows,
            cols,
            labels,
            pixels,
        })
    }

    /// Reads the bundled asset from disk (native only).
    pub fn load_bundled() -> Result<Mnist, DataError> {
        let bytes = std::fs::read(ASSET_PATH)
            .map_err(|e| DataError(format!("cannot read {ASSET_PATH}: {e}")))?;
        Mnist::from_bytes(&bytes)
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Indices of a split (into the whole set).
    pub fn split(&self, split: Split) -> std::ops::Range<usize> {
        let cut = TRAIN_SIZE.min(self.len());
        match split {
            Split::Train => 0..cut,
            Split::Test => cut..self.len(),
        }
    }

    pub fn label(&self, index: usize) -> usize {
        self.labels[index] as usize
    }

    /// Images [N, 1, rows, cols] scaled to [0, 1], and their labels. Indices out of range are an error.
    pub fn batch(&self, indices: &[usize]) -> Result<(Tensor, Vec<usize>), DataError> {
        let area = self.rows * self.cols;
        if let Some(&bad) = indices.iter().find(|&&i| i >= self.len()) {
            return Err(DataError(format!(
                "digit {bad} does not exist (the set has {})",
                self.len()
            )));
        }
        let mut data = Vec::with_capacity(indices.len() * area);
        for &i in indices {
            data.extend(
                self.pixels[i * area..(i + 1) * area]
                    .iter()
                    .map(|&p| p as f32 / 255.0),
            );
        }
        let images = Tensor::from_vec(data, &[indices.len(), 1, self.rows, self.cols])
            .map_err(|e| DataError(e.to_string()))?;
        Ok((images, indices.iter().map(|&i| self.label(i)).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_digits_load_with_every_class_in_both_splits() {
        let mnist = Mnist::load_bundled().unwrap();
        assert_eq!((mnist.len(), mnist.rows, mnist.cols), (10_000, 28, 28));
        for split in [Split::Train, Split::Test] {
            let mut counts = [0usize; 10];
            mnist.split(split).for_each(|i| counts[mnist.label(i)] += 1);
            assert!(counts.iter().all(|&c| c > 100), "{split:?}: {counts:?}");
        }
        let (images, labels) = mnist.batch(&[0, 9_999]).unwrap();
        assert_eq!(images.shape(), &[2, 1, 28, 28]);
        assert_eq!(labels.len(), 2);
        let ink: f32 = images.data().iter().sum();
        assert!(ink > 50.0, "real digits have ink: {ink}");
    }

    #[test]
    fn hostile_files_are_refused_with_a_reason() {
        assert!(Mnist::from_bytes(b"nonsense")
            .unwrap_err()
            .0
            .contains("header"));
        let mut huge = MAGIC.to_vec();
        for v in [u32::MAX, 28, 28] {
            huge.extend(v.to_le_bytes());
        }
        assert!(Mnist::from_bytes(&huge).unwrap_err().0.contains("limits"));
        let mut short = MAGIC.to_vec();
        for v in [2u32, 2, 2] {
            short.extend(v.to_le_bytes());
        }
        assert!(Mnist::from_bytes(&short).unwrap_err().0.contains("implies"));
        let mnist = Mnist::load_bundled().unwrap();
        assert!(mnist
            .batch(&[10_000])
            .unwrap_err()
            .0
            .contains("does not exist"));
    }
}
