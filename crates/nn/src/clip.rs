//! Gradient clipping, applied to a step's gradients before the optimizer sees them.

/// How gradients are limited before an update (exploding gradients in RNNs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Clip {
    /// If ‖g‖₂ over *all* parameters exceeds `max_norm`, scale every gradient by max_norm / ‖g‖₂
    /// (the direction is kept).
    GlobalNorm { max_norm: f32 },
    /// Clamp each component to [−max, max] (the direction may change).
    Value { max: f32 },
}

impl Clip {
    /// Clips in place; returns the global norm *before* clipping (what a UI plots).
    /// A limit that is not a positive number clips nothing (the spec layer rejects such values
    /// with a message; here they must not panic or flip gradients).
    pub fn apply(&self, grads: &mut [Vec<f32>]) -> f32 {
        let norm = global_norm(grads);
        match *self {
            Clip::GlobalNorm { max_norm } if max_norm > 0.0 => {
                if norm > max_norm && norm.is_finite() {
                    let scale = max_norm / norm;
                    grads.iter_mut().flatten().for_each(|g| *g *= scale);
                }
            }
            Clip::Value { max } if max > 0.0 => grads
                .iter_mut()
                .flatten()
                .for_each(|g| *g = g.clamp(-max, max)),
            _ => {}
        }
        norm
    }
}

/// ‖g‖₂ over all parameters, accumulated in f64 in a fixed order.
pub fn global_norm(grads: &[Vec<f32>]) -> f32 {
    grads
        .iter()
        .flatten()
        .map(|&g| g as f64 * g as f64)
        .sum::<f64>()
        .sqrt() as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_norm_keeps_direction() {
        let mut g = vec![vec![3.0, 0.0], vec![4.0]];
        let before = Clip::GlobalNorm { max_norm: 1.0 }.apply(&mut g);
        assert_eq!(before, 5.0);
        assert_eq!(g, vec![vec![0.6, 0.0], vec![0.8]]);
        let mut small = vec![vec![0.1]];
        Clip::GlobalNorm { max_norm: 1.0 }.apply(&mut small);
        assert_eq!(small, vec![vec![0.1]], "below the limit nothing changes");
    }

    #[test]
    fn value_clamps_each_component() {
        let mut g = vec![vec![3.0, -0.5, -7.0]];
        Clip::Value { max: 1.0 }.apply(&mut g);
        assert_eq!(g, vec![vec![1.0, -0.5, -1.0]]);
    }
}
