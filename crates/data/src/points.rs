//! Small synthetic data sets: 2-D classification sets (spirals, circles, XOR) and the linear
//! regression data y = w x + b + noise whose true loss surface the optimizer lab draws.

use tensor::rng::Rng;
use tensor::{Result, Tensor};

/// Labelled 2-D points.
#[derive(Clone, Debug, PartialEq)]
pub struct Points {
    pub xy: Vec<[f32; 2]>,
    pub labels: Vec<usize>,
}

impl Points {
    /// `per_class` points on each of `classes` interleaved spiral arms (two turns), with noise.
    pub fn spirals(per_class: usize, classes: usize, noise: f32, seed: u64) -> Points {
        let mut rng = Rng::new(seed);
        let mut out = Points {
            xy: Vec::new(),
            labels: Vec::new(),
        };
        for class in 0..classes {
            for i in 0..per_class {
                let r = i as f32 / per_class as f32;
                let angle = class as f32 * std::f32::consts::TAU / classes as f32
                    + r * 4.0 * std::f32::consts::PI;
                let jitter = |rng: &mut Rng| noise * (rng.next_f32() * 2.0 - 1.0);
                out.xy.push([
                    r * angle.cos() + jitter(&mut rng),
                    r * angle.sin() + jitter(&mut rng),
                ]);
                out.labels.push(class);
            }
        }
        out
    }

    /// An inner disc (class 0, radius < 0.5) and an outer ring (class 1, radius 0.7..1).
    pub fn circles(per_class: usize, seed: u64) -> Points {
        let mut rng = Rng::new(seed);
        let mut out = Points {
            xy: Vec::new(),
            labels: Vec::new(),
        };
        for class in 0..2 {
            for _ in 0..per_class {
                let r = if class == 0 {
                    0.5 * rng.next_f32()
                } else {
                    0.7 + 0.3 * rng.next_f32()
                };
                let a = std::f32::consts::TAU * rng.next_f32();
                out.xy.push([r * a.cos(), r * a.sin()]);
                out.labels.push(class);
            }
        }
        out
    }

    /// Points in [-1, 1]²; class 1 where x and y have the same sign.
    pub fn xor(count: usize, seed: u64) -> Points {
        let mut rng = Rng::new(seed);
        let mut out = Points {
            xy: Vec::new(),
            labels: Vec::new(),
        };
        for _ in 0..count {
            let (x, y) = (rng.next_f32() * 2.0 - 1.0, rng.next_f32() * 2.0 - 1.0);
            out.xy.push([x, y]);
            out.labels.push(usize::from(x * y > 0.0));
        }
        out
    }

    /// The points of `indices` as a [N, 2] tensor, with their labels.
    pub fn batch(&self, indices: &[usize]) -> (Tensor, Vec<usize>) {
        let data = indices.iter().flat_map(|&i| self.xy[i]).collect();
        let x = Tensor::from_vec(data, &[indices.len(), 2]).expect("two values per point");
        (x, indices.iter().map(|&i| self.labels[i]).collect())
    }
}

/// y = w x + b + noise on x in [-1, 1]: two parameters, so its loss surface over (w, b) is a
/// true 2-D picture of what SGD, mini-batch and full-batch GD see.
#[derive(Clone, Debug, PartialEq)]
pub struct LinearRegression {
    pub x: Vec<f32>,
    pub y: Vec<f32>,
}

impl LinearRegression {
    pub fn generate(count: usize, w: f32, b: f32, noise: f32, seed: u64) -> LinearRegression {
        let mut rng = Rng::new(seed);
        let x: Vec<f32> = (0..count).map(|_| rng.next_f32() * 2.0 - 1.0).collect();
        let noise_values = rng.normal_vec(count, 0.0, noise);
        let y = x
            .iter()
            .zip(noise_values)
            .map(|(&x, n)| w * x + b + n)
            .collect();
        LinearRegression { x, y }
    }

    /// Mean squared error of (w, b) = `params` [2] on the examples `indices` (differentiable).
    pub fn loss(&self, params: &Tensor, indices: &[usize]) -> Result<Tensor> {
        let n = indices.len();
        let x = Tensor::from_vec(indices.iter().map(|&i| self.x[i]).collect(), &[n])?;
        let y = Tensor::from_vec(indices.iter().map(|&i| self.y[i]).collect(), &[n])?;
        let w = params.narrow(0, 0, 1)?;
        let b = params.narrow(0, 1, 1)?;
        x.mul(&w)?.add(&b)?.mse(&y)
    }

    /// The loss over the whole set at (w, b): the surface a contour plot shows.
    pub fn full_loss(&self, w: f32, b: f32) -> f32 {
        let sum: f64 = self
            .x
            .iter()
            .zip(&self.y)
            .map(|(&x, &y)| ((w * x + b - y) as f64).powi(2))
            .sum();
        (sum / self.x.len().max(1) as f64) as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_have_the_asked_sizes_and_labels() {
        let s = Points::spirals(50, 3, 0.05, 1);
        assert_eq!((s.xy.len(), s.labels.iter().max()), (150, Some(&2)));
        let c = Points::circles(40, 2);
        assert!(c.xy.iter().zip(&c.labels).all(|(p, &l)| {
            let r = (p[0] * p[0] + p[1] * p[1]).sqrt();
            if l == 0 {
                r < 0.5
            } else {
                (0.7..=1.0).contains(&r)
            }
        }));
        let x = Points::xor(100, 3);
        assert!(x
            .xy
            .iter()
            .zip(&x.labels)
            .all(|(p, &l)| (p[0] * p[1] > 0.0) == (l == 1)));
    }

    #[test]
    fn regression_loss_agrees_with_the_full_surface() {
        let data = LinearRegression::generate(64, 2.0, -0.5, 0.1, 4);
        let all: Vec<usize> = (0..64).collect();
        let p = Tensor::from_vec(vec![1.0, 0.3], &[2]).unwrap();
        let batch_loss = data.loss(&p, &all).unwrap().item().unwrap();
        assert!((batch_loss - data.full_loss(1.0, 0.3)).abs() < 1e-5);
        assert!(
            data.full_loss(2.0, -0.5) < 0.02,
            "the true line fits up to the noise"
        );
    }
}
