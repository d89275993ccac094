//! The 2-D data sets of TensorFlow Playground (`src/dataset.ts` in tensorflow/playground,
//! Apache-2.0): the same shapes, sizes, label conventions and noise, drawn from the
//! experiment's seeded generator instead of `Math.random`. Classes are −1 and +1; regression
//! labels lie in [−1, 1]. `noise` is TensorFlow Playground's slider over 100 (0 to 0.5).

use std::f32::consts::{PI, TAU};
use tensor::rng::Rng;

/// Every set spans [−DOMAIN, DOMAIN]² (noise may move a point's label, never the point, except
/// in the spiral and the Gaussians, whose points themselves scatter).
pub const DOMAIN: f32 = 6.0;

/// One point and its label.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub x1: f32,
    pub x2: f32,
    pub label: f32,
}

fn uniform(rng: &mut Rng, lo: f32, hi: f32) -> f32 {
    lo + (hi - lo) * rng.next_f32()
}

/// Half the points inside a disc of radius 2.5 (+1), half in a ring from 3.5 to 5 (−1); with
/// noise, a point's label is that of a jittered copy of it.
pub fn circle(count: usize, noise: f32, rng: &mut Rng) -> Vec<Point> {
    let radius = 5.0;
    let label_at = |x: f32, y: f32| if x.hypot(y) < radius * 0.5 { 1.0 } else { -1.0 };
    let mut points = Vec::with_capacity(count);
    for (lo, hi) in [(0.0, radius * 0.5), (radius * 0.7, radius)] {
        for _ in 0..count / 2 {
            let r = uniform(rng, lo, hi);
            let angle = uniform(rng, 0.0, TAU);
            let (x, y) = (r * angle.sin(), r * angle.cos());
            let nx = uniform(rng, -radius, radius) * noise;
            let ny = uniform(rng, -radius, radius) * noise;
            points.push(Point {
                x1: x,
                x2: y,
                label: label_at(x + nx, y + ny),
            });
        }
    }
    points
}

/// Points in the four quadrants (kept 0.3 away from the axes): +1 where x₁ and x₂ have the
/// same sign.
pub fn xor(count: usize, noise: f32, rng: &mut Rng) -> Vec<Point> {
    let padding = 0.3;
    let away = |v: f32| if v > 0.0 { v + padding } else { v - padding };
    (0..count)
        .map(|_| {
            let x = away(uniform(rng, -5.0, 5.0));
            let y = away(uniform(rng, -5.0, 5.0));
            let nx = uniform(rng, -5.0, 5.0) * noise;
            let ny = uniform(rng, -5.0, 5.0) * noise;
            Point {
                x1: x,
                x2: y,
                label: if (x + nx) * (y + ny) >= 0.0 {
                    1.0
                } else {
                    -1.0
                },
            }
        })
        .collect()
}

/// Two Gaussian clouds around (2, 2) (+1) and (−2, −2) (−1); noise widens them (variance
/// from 0.5 to 4).
pub fn two_gaussians(count: usize, noise: f32, rng: &mut Rng) -> Vec<Point> {
    let variance = 0.5 + (4.0 - 0.5) * noise / 0.5;
    let std = variance.sqrt();
    let mut points = Vec::with_capacity(count);
    for (centre, label) in [(2.0, 1.0), (-2.0, -1.0)] {
        for _ in 0..count / 2 {
            let xy = rng.normal_vec(2, centre, std);
            points.push(Point {
                x1: xy[0],
                x2: xy[1],
                label,
            });
        }
    }
    points
}

/// Two interleaved spiral arms, 1.75 turns each, out to radius 5; noise jitters the points.
pub fn spiral(count: usize, noise: f32, rng: &mut Rng) -> Vec<Point> {
    let n = count / 2;
    let mut points = Vec::with_capacity(count);
    for (delta, label) in [(0.0, 1.0), (PI, -1.0)] {
        for i in 0..n {
            let r = i as f32 / n as f32 * 5.0;
            let t = 1.75 * i as f32 / n as f32 * TAU + delta;
            let x = r * t.sin() + uniform(rng, -1.0, 1.0) * noise;
            let y = r * t.cos() + uniform(rng, -1.0, 1.0) * noise;
            points.push(Point {
                x1: x,
                x2: y,
                label,
            });
        }
    }
    points
}

/// Regression: uniform points, labelled (x₁ + x₂) / 10 at a jittered copy of the point.
pub fn plane(count: usize, noise: f32, rng: &mut Rng) -> Vec<Point> {
    regression(count, noise, rng, |x, y| (x + y) / 10.0)
}

/// Regression: six bumps of alternating sign on a 3 × 2 grid; the label is the strongest
/// bump's value at a jittered copy of the point, 1 − distance / 2 (at least 0), signed.
pub fn six_gaussians(count: usize, noise: f32, rng: &mut Rng) -> Vec<Point> {
    const BUMPS: [(f32, f32, f32); 6] = [
        (-4.0, 2.5, 1.0),
        (0.0, 2.5, -1.0),
        (4.0, 2.5, 1.0),
        (-4.0, -2.5, -1.0),
        (0.0, -2.5, 1.0),
        (4.0, -2.5, -1.0),
    ];
    regression(count, noise, rng, |x, y| {
        BUMPS.iter().fold(0.0f32, |label, &(cx, cy, sign)| {
            let bump = sign * (1.0 - (x - cx).hypot(y - cy) / 2.0).clamp(0.0, 1.0);
            if bump.abs() > label.abs() {
                bump
            } else {
                label
            }
        })
    })
}

fn regression(
    count: usize,
    noise: f32,
    rng: &mut Rng,
    label_at: impl Fn(f32, f32) -> f32,
) -> Vec<Point> {
    (0..count)
        .map(|_| {
            let x = uniform(rng, -DOMAIN, DOMAIN);
            let y = uniform(rng, -DOMAIN, DOMAIN);
            let nx = uniform(rng, -DOMAIN, DOMAIN) * noise;
            let ny = uniform(rng, -DOMAIN, DOMAIN) * noise;
            Point {
                x1: x,
                x2: y,
                label: label_at(x + nx, y + ny),
            }
        })
        .collect()
}

/// Shuffles in place (Fisher–Yates with the experiment's generator), as the playground does
/// before it splits a set into training and test points.
pub fn shuffle(points: &mut [Point], rng: &mut Rng) {
    for i in (1..points.len()).rev() {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        points.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn balance(points: &[Point]) -> (usize, usize) {
        let positive = points.iter().filter(|p| p.label > 0.0).count();
        (positive, points.len() - positive)
    }

    #[test]
    fn noiseless_sets_have_their_shapes_and_balanced_classes() {
        let mut rng = Rng::new(1);
        let circle = circle(500, 0.0, &mut rng);
        assert_eq!(balance(&circle), (250, 250));
        for p in &circle {
            let r = p.x1.hypot(p.x2);
            assert!(if p.label > 0.0 {
                r < 2.5
            } else {
                (3.5..=5.0).contains(&r)
            });
        }
        let xor = xor(500, 0.0, &mut rng);
        assert_eq!(xor.len(), 500);
        for p in &xor {
            assert!(p.x1.abs() >= 0.3 && p.x2.abs() >= 0.3 && p.x1.abs() <= 5.3);
            assert_eq!(p.label > 0.0, p.x1 * p.x2 > 0.0);
        }
        let gauss = two_gaussians(500, 0.0, &mut rng);
        assert_eq!(balance(&gauss), (250, 250));
        let mean = |label: f32| {
            let own: Vec<&Point> = gauss.iter().filter(|p| p.label == label).collect();
            own.iter().map(|p| p.x1 + p.x2).sum::<f32>() / own.len() as f32 / 2.0
        };
        assert!((mean(1.0) - 2.0).abs() < 0.15 && (mean(-1.0) + 2.0).abs() < 0.15);
        let spiral = spiral(500, 0.0, &mut rng);
        assert_eq!(balance(&spiral), (250, 250));
        // The arms are point reflections of each other.
        for (a, b) in spiral[..250].iter().zip(&spiral[250..]) {
            assert!((a.x1 + b.x1).abs() < 1e-4 && (a.x2 + b.x2).abs() < 1e-4);
        }
    }

    #[test]
    fn regression_labels_follow_their_formulas() {
        let mut rng = Rng::new(2);
        for p in plane(1200, 0.0, &mut rng) {
            assert!((p.label - (p.x1 + p.x2) / 10.0).abs() < 1e-6);
            assert!(p.x1.abs() <= DOMAIN && p.x2.abs() <= DOMAIN);
        }
        let bumps = six_gaussians(1200, 0.0, &mut rng);
        assert!(bumps.iter().all(|p| (-1.0..=1.0).contains(&p.label)));
        // Near a bump's centre the label is that bump's sign.
        let centre = bumps
            .iter()
            .filter(|p| (p.x1 - 4.0).hypot(p.x2 - 2.5) < 0.5)
            .collect::<Vec<_>>();
        assert!(!centre.is_empty() && centre.iter().all(|p| p.label > 0.7));
    }

    #[test]
    fn noise_flips_labels_near_the_boundary_only_in_proportion() {
        let flipped = |noise: f32| {
            let mut rng = Rng::new(4);
            circle(500, noise, &mut rng)
                .iter()
                .filter(|p| (p.x1.hypot(p.x2) < 2.5) != (p.label > 0.0))
                .count()
        };
        assert_eq!(flipped(0.0), 0);
        let (some, more) = (flipped(0.1), flipped(0.5));
        assert!(some > 0 && more > some, "{some} then {more}");
    }

    #[test]
    fn the_same_seed_gives_the_same_set_and_shuffle() {
        let make = || {
            let mut rng = Rng::new(5);
            let mut points = spiral(500, 0.3, &mut rng);
            shuffle(&mut points, &mut rng);
            points
        };
        assert_eq!(make(), make());
    }
}
