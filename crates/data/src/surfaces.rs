//! The optimizer lab's 2-D loss surfaces. Each is written once as a tensor expression (its
//! gradient comes from the autograd engine, never from a second hand-written formula) and
//! evaluated through that same expression for contour plots.

use tensor::{no_grad, Result, Tensor};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Surface {
    /// x² + y²: round level sets, the gradient points straight at the minimum.
    Bowl,
    /// x²/2 + 10 y²: an elongated valley where plain GD zig-zags and momentum helps.
    Ravine,
    /// x² − y²: a saddle point at the origin (slope up in one direction, down in the other).
    Saddle,
    /// (1 − x)² + 100 (y − x²)²: a curved, nearly flat valley; minimum at (1, 1).
    Rosenbrock,
    /// (x² + y − 11)² + (x + y² − 7)²: four minima of value 0.
    Himmelblau,
}

pub const ALL: [Surface; 5] = [
    Surface::Bowl,
    Surface::Ravine,
    Surface::Saddle,
    Surface::Rosenbrock,
    Surface::Himmelblau,
];

impl Surface {
    /// The name used in URLs and menus.
    pub fn slug(&self) -> &'static str {
        match self {
            Surface::Bowl => "bowl",
            Surface::Ravine => "ravine",
            Surface::Saddle => "saddle",
            Surface::Rosenbrock => "rosenbrock",
            Surface::Himmelblau => "himmelblau",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Surface> {
        ALL.into_iter().find(|s| s.slug() == slug)
    }

    /// The loss at p = [x, y] as a scalar tensor (differentiable).
    pub fn loss(&self, p: &Tensor) -> Result<Tensor> {
        let x = p.narrow(0, 0, 1)?;
        let y = p.narrow(0, 1, 1)?;
        let value = match self {
            Surface::Bowl => x.square().add(&y.square())?,
            Surface::Ravine => x.square().scale(0.5).add(&y.square().scale(10.0))?,
            Surface::Saddle => x.square().sub(&y.square())?,
            Surface::Rosenbrock => x
                .neg()
                .shift(1.0)
                .square()
                .add(&y.sub(&x.square())?.square().scale(100.0))?,
            Surface::Himmelblau => {
                let a = x.square().add(&y)?.shift(-11.0).square();
                let b = x.add(&y.square())?.shift(-7.0).square();
                a.add(&b)?
            }
        };
        Ok(value.sum_all())
    }

    /// The loss at (x, y), through the same expression, without recording a graph.
    pub fn value(&self, x: f32, y: f32) -> f32 {
        no_grad(|| {
            let p = Tensor::from_vec(vec![x, y], &[2]).expect("two values make a [2] tensor");
            self.loss(&p).and_then(|l| l.item()).unwrap_or(f32::NAN)
        })
    }

    /// The region a plot shows: ((x_min, x_max), (y_min, y_max)).
    pub fn domain(&self) -> ((f32, f32), (f32, f32)) {
        match self {
            Surface::Bowl | Surface::Saddle => ((-2.0, 2.0), (-2.0, 2.0)),
            Surface::Ravine => ((-5.0, 5.0), (-2.0, 2.0)),
            Surface::Rosenbrock => ((-2.0, 2.0), (-1.0, 3.0)),
            Surface::Himmelblau => ((-5.0, 5.0), (-5.0, 5.0)),
        }
    }

    /// Where a run starts unless the student picks another point.
    pub fn default_start(&self) -> (f32, f32) {
        match self {
            Surface::Bowl => (-1.5, 1.2),
            Surface::Ravine => (-4.0, 1.0),
            Surface::Saddle => (-1.5, 0.05),
            Surface::Rosenbrock => (-1.5, 2.0),
            Surface::Himmelblau => (-0.5, 0.5),
        }
    }

    /// The minima inside the domain (none for the saddle, which is unbounded below).
    pub fn minima(&self) -> Vec<(f32, f32)> {
        match self {
            Surface::Bowl | Surface::Ravine => vec![(0.0, 0.0)],
            Surface::Saddle => vec![],
            Surface::Rosenbrock => vec![(1.0, 1.0)],
            Surface::Himmelblau => vec![
                (3.0, 2.0),
                (-2.805_118, 3.131_312),
                (-3.779_31, -3.283_186),
                (3.584_428, -1.848_126),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minima_are_minima_and_gradients_vanish_there() {
        for s in ALL {
            for (x, y) in s.minima() {
                assert!(
                    s.value(x, y).abs() < 1e-3,
                    "{s:?} at ({x}, {y}) = {}",
                    s.value(x, y)
                );
                let p = Tensor::from_vec(vec![x, y], &[2]).unwrap().requires_grad();
                let g = s.loss(&p).unwrap().backward().unwrap();
                let g = g.get(&p).unwrap();
                assert!(g.iter().all(|v| v.abs() < 1e-2), "{s:?} gradient {g:?}");
            }
        }
    }

    #[test]
    fn values_match_the_formulas() {
        assert_eq!(Surface::Bowl.value(1.0, 2.0), 5.0);
        assert_eq!(Surface::Ravine.value(2.0, 1.0), 12.0);
        assert_eq!(Surface::Saddle.value(1.0, 2.0), -3.0);
        assert_eq!(Surface::Rosenbrock.value(0.0, 1.0), 101.0);
        assert_eq!(Surface::Himmelblau.value(0.0, 0.0), 170.0);
        for s in ALL {
            assert_eq!(Surface::from_slug(s.slug()), Some(s));
        }
        assert_eq!(Surface::from_slug("volcano"), None);
    }
}
