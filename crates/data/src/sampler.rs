//! Seeded mini-batch samplers: the difference between GD (the whole set), SGD (batch of 1)
//! and mini-batch GD lies here, not in the optimizer.

use tensor::rng::Rng;

#[derive(Clone, Debug)]
pub struct Sampler {
    len: usize,
    batch: usize,
    with_replacement: bool,
    rng: Rng,
    order: Vec<usize>,
    at: usize,
}

impl Sampler {
    /// `batch` is clamped to 1..=len. Without replacement every index appears once per epoch,
    /// in a fresh seeded permutation each epoch; with replacement indices are drawn uniformly.
    pub fn new(len: usize, batch: usize, with_replacement: bool, seed: u64) -> Sampler {
        let batch = batch.clamp(1, len.max(1));
        Sampler {
            len,
            batch,
            with_replacement,
            rng: Rng::new(seed),
            order: Vec::new(),
            at: 0,
        }
    }

    /// The next batch of indices (empty only for an empty set). Without replacement, the last
    /// batch of an epoch may be shorter.
    pub fn next_batch(&mut self) -> Vec<usize> {
        if self.len == 0 {
            return Vec::new();
        }
        if self.with_replacement {
            return (0..self.batch)
                .map(|_| (self.rng.next_u64() % self.len as u64) as usize)
                .collect();
        }
        if self.at >= self.order.len() {
            self.order = (0..self.len).collect();
            // Fisher–Yates with the experiment's generator.
            for i in (1..self.len).rev() {
                let j = (self.rng.next_u64() % (i as u64 + 1)) as usize;
                self.order.swap(i, j);
            }
            self.at = 0;
        }
        let end = (self.at + self.batch).min(self.len);
        let batch = self.order[self.at..end].to_vec();
        self.at = end;
        batch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_replacement_each_epoch_is_a_permutation() {
        let mut s = Sampler::new(10, 4, false, 1);
        let mut epoch: Vec<usize> = (0..3).flat_map(|_| s.next_batch()).collect();
        assert_eq!(epoch.len(), 10);
        epoch.sort();
        assert_eq!(epoch, (0..10).collect::<Vec<_>>());
        let again: Vec<usize> = (0..3)
            .flat_map(|_| Sampler::new(10, 4, false, 1).next_batch())
            .collect();
        let first: Vec<usize> = Sampler::new(10, 4, false, 1).next_batch();
        assert_eq!(&again[..4], &first[..], "same seed, same batches");
    }

    #[test]
    fn with_replacement_draws_full_batches_and_gd_takes_everything() {
        let mut s = Sampler::new(5, 3, true, 2);
        for _ in 0..20 {
            let b = s.next_batch();
            assert_eq!(b.len(), 3);
            assert!(b.iter().all(|&i| i < 5));
        }
        let mut gd = Sampler::new(5, 1000, false, 3);
        let mut all = gd.next_batch();
        all.sort();
        assert_eq!(all, vec![0, 1, 2, 3, 4]);
        assert!(Sampler::new(0, 4, false, 1).next_batch().is_empty());
    }
}
