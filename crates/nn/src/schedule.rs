//! Learning-rate schedules: ε_k for step k (counted from 0).

/// How the learning rate changes over the steps of a run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Schedule {
    /// ε_k = ε for every k.
    Constant { lr: f32 },
    /// The notes' linear decay: ε_k = (1 − α) ε_0 + α ε_T with α = k / T, and ε_k = ε_T after
    /// step T ("ε_T ≪ ε_0, typically 0.001 or less").
    LinearDecay {
        lr0: f32,
        lr_final: f32,
        steps: usize,
    },
    /// ε_k = ε_0 · γ^⌊k / every⌋.
    Step { lr0: f32, gamma: f32, every: usize },
    /// Cosine annealing from ε_0 to ε_min over `steps`, then ε_min:
    /// ε_k = ε_min + (ε_0 − ε_min) · (1 + cos(π k / T)) / 2.
    Cosine { lr0: f32, lr_min: f32, steps: usize },
}

impl Schedule {
    /// ε_k.
    pub fn lr(&self, k: usize) -> f32 {
        match *self {
            Schedule::Constant { lr } => lr,
            Schedule::LinearDecay {
                lr0,
                lr_final,
                steps,
            } => {
                let alpha = if steps == 0 {
                    1.0
                } else {
                    (k as f64 / steps as f64).min(1.0)
                };
                ((1.0 - alpha) * lr0 as f64 + alpha * lr_final as f64) as f32
            }
            Schedule::Step { lr0, gamma, every } => {
                let drops = k.checked_div(every).unwrap_or(0);
                lr0 * gamma.powi(drops.min(i32::MAX as usize) as i32)
            }
            Schedule::Cosine { lr0, lr_min, steps } => {
                let progress = if steps == 0 {
                    1.0
                } else {
                    (k as f64 / steps as f64).min(1.0)
                };
                let factor = (1.0 + (std::f64::consts::PI * progress).cos()) / 2.0;
                (lr_min as f64 + (lr0 - lr_min) as f64 * factor) as f32
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_decay_follows_the_notes_then_stays() {
        let s = Schedule::LinearDecay {
            lr0: 0.1,
            lr_final: 0.001,
            steps: 100,
        };
        assert_eq!(s.lr(0), 0.1);
        assert!((s.lr(50) - 0.0505).abs() < 1e-7); // (1 − ½)·0.1 + ½·0.001
        assert!((s.lr(100) - 0.001).abs() < 1e-9);
        assert!((s.lr(5000) - 0.001).abs() < 1e-9);
    }

    #[test]
    fn step_and_cosine() {
        let s = Schedule::Step {
            lr0: 1.0,
            gamma: 0.5,
            every: 10,
        };
        assert_eq!(
            [s.lr(0), s.lr(9), s.lr(10), s.lr(25)],
            [1.0, 1.0, 0.5, 0.25]
        );
        let c = Schedule::Cosine {
            lr0: 1.0,
            lr_min: 0.0,
            steps: 100,
        };
        assert_eq!(c.lr(0), 1.0);
        assert!((c.lr(50) - 0.5).abs() < 1e-6);
        assert!(c.lr(100).abs() < 1e-7 && c.lr(200).abs() < 1e-7);
        assert_eq!(
            Schedule::Step {
                lr0: 1.0,
                gamma: 0.5,
                every: 0
            }
            .lr(7),
            1.0
        );
    }
}
