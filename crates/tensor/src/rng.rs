//! The one seeded random generator: SplitMix64. Small, fast, passes BigCrush, and the same
//! sequence on every target, which is what a shareable experiment needs. (No crate: `rand`'s
//! generators may change streams between versions, and we promise identical numbers forever.)

#[derive(Clone, Debug)]
pub struct Rng {
    state: u64,
}

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 24 random bits: every value is an exact f32.
    pub fn next_f32(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 * (1.0 / (1u32 << 24) as f32)
    }

    /// `len` values uniform in [lo, hi).
    pub fn uniform_vec(&mut self, len: usize, lo: f32, hi: f32) -> Vec<f32> {
        (0..len).map(|_| lo + (hi - lo) * self.next_f32()).collect()
    }

    /// `len` values from N(mean, std²) by the Box-Muller transform (both outputs used).
    pub fn normal_vec(&mut self, len: usize, mean: f32, std: f32) -> Vec<f32> {
        let mut out = Vec::with_capacity(len + 1);
        while out.len() < len {
            // 1 - u lies in (0, 1], so the logarithm is finite.
            let u1 = 1.0 - self.next_f32() as f64;
            let u2 = self.next_f32() as f64;
            let radius = (-2.0 * u1.ln()).sqrt();
            let angle = std::f64::consts::TAU * u2;
            out.push(mean + std * (radius * angle.cos()) as f32);
            out.push(mean + std * (radius * angle.sin()) as f32);
        }
        out.truncate(len);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The reference sequence is pinned once, in tests/kernels.rs: `cargo test` runs it natively,
    // and the browser tests run it in wasm.

    #[test]
    fn normal_has_the_asked_moments() {
        let v = Rng::new(3).normal_vec(20_001, 2.0, 0.5);
        assert_eq!(v.len(), 20_001);
        let mean = v.iter().map(|&x| x as f64).sum::<f64>() / v.len() as f64;
        let var = v.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / v.len() as f64;
        assert!((mean - 2.0).abs() < 0.02, "mean {mean}");
        assert!((var.sqrt() - 0.5).abs() < 0.02, "std {}", var.sqrt());
    }

    #[test]
    fn uniform_stays_in_range() {
        let v = Rng::new(9).uniform_vec(10_000, -1.0, 1.0);
        assert!(v.iter().all(|&x| (-1.0..1.0).contains(&x)));
        let mean: f32 = v.iter().sum::<f32>() / v.len() as f32;
        assert!(mean.abs() < 0.05, "mean {mean}");
    }
}
