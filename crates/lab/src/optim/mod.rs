//! The optimizer lab's session: every optimizer of the spec races from the same start on the
//! same problem, each with its own `nn::Optimizer` and (on the regression problem) its own
//! seeded sampler. Gradients come from the autograd engine; updates from `nn`.

use data::points::LinearRegression;
use data::sampler::Sampler;
use data::surfaces::Surface;
mod error;
mod session;

pub use error::OptimSessionError;

use crate::training::optimizer_for;
use contract::optim::protocol::{ContourGrid, OptimFrame, RunFrame};
use contract::optim::{OptimError, OptimLab, Problem};
use contract::training::{OptimizerName, Run};
use nn::Optimizer;
use tensor::{no_grad, Tensor};

/// The regression data's true line and noise (the student sees them in the lab's caption).
pub const REGRESSION_W: f32 = 2.0;
pub const REGRESSION_B: f32 = -1.0;
pub const REGRESSION_NOISE: f32 = 0.5;
/// Gradient arrows drawn across the domain (columns × rows).
pub const ARROW_COLUMNS: usize = 16;
pub const ARROW_ROWS: usize = 12;
/// A path whose coordinates leave ±this has diverged (the plot could not show it anyway).
pub const DIVERGED_BEYOND: f32 = 1e6;

enum Objective {
    Surface(Surface),
    Regression(LinearRegression),
}

impl Objective {
    fn new(spec: &OptimLab) -> Objective {
        let surface = |s| Objective::Surface(s);
        match spec.problem {
            Problem::Bowl => surface(Surface::Bowl),
            Problem::Ravine => surface(Surface::Ravine),
            Problem::Saddle => surface(Surface::Saddle),
            Problem::Rosenbrock => surface(Surface::Rosenbrock),
            Problem::Himmelblau => surface(Surface::Himmelblau),
            Problem::Regression => Objective::Regression(LinearRegression::generate(
                spec.points,
                REGRESSION_W,
                REGRESSION_B,
                REGRESSION_NOISE,
                spec.seed,
            )),
        }
    }

    /// ∇L at (x, y) from the autograd engine (over all the data for the regression).
    fn gradient(&self, x: f32, y: f32) -> (f32, f32) {
        let p = Tensor::from_vec(vec![x, y], &[2])
            .expect("two coordinates")
            .requires_grad();
        let loss = match self {
            Objective::Surface(s) => s.loss(&p),
            Objective::Regression(d) => d.loss(&p, &(0..d.x.len()).collect::<Vec<_>>()),
        };
        let g = loss
            .and_then(|l| l.backward())
            .ok()
            .and_then(|g| g.get(&p).map(<[f32]>::to_vec));
        match g.as_deref() {
            Some([gx, gy]) => (*gx, *gy),
            _ => (f32::NAN, f32::NAN),
        }
    }

    /// The loss shown for (x, y): the surface, or the regression's loss over all the data.
    fn value(&self, x: f32, y: f32) -> f32 {
        match self {
            Objective::Surface(s) => s.value(x, y),
            Objective::Regression(d) => d.full_loss(x, y),
        }
    }

    fn domain(&self) -> ((f32, f32), (f32, f32)) {
        match self {
            Objective::Surface(s) => s.domain(),
            Objective::Regression(_) => ((-1.0, 5.0), (-4.0, 2.0)),
        }
    }

    fn default_start(&self) -> (f32, f32) {
        match self {
            Objective::Surface(s) => s.default_start(),
            Objective::Regression(_) => (-0.5, 1.5),
        }
    }

    fn minima(&self) -> Vec<(f32, f32)> {
        match self {
            Objective::Surface(s) => s.minima(),
            Objective::Regression(_) => vec![],
        }
    }
}

struct Racer {
    run: Run,
    param: Tensor,
    optimizer: Optimizer,
    sampler: Option<Sampler>,
    path: Vec<(f32, f32)>,
    losses: Vec<Option<f32>>,
    lr: f32,
    diverged: Option<String>,
}

/// Each optimizer's batches depend on the seed and on which optimizer it is, not on its place in
/// the list: adding or removing another optimizer leaves its path unchanged.
fn sampler_seed(seed: u64, optimizer: OptimizerName) -> u64 {
    let identity = OptimizerName::ALL
        .iter()
        .position(|&o| o == optimizer)
        .unwrap_or(0) as u64;
    seed.wrapping_add(1 + identity)
}

fn finite(v: f32) -> Option<f32> {
    v.is_finite().then_some(v)
}

pub struct OptimSession {
    objective: Objective,
    racers: Vec<Racer>,
    step: usize,
}

impl OptimSession {
    /// A fresh session at step 0 (not yet replayed to `spec.at`). Refuses a spec over a limit.
    pub fn new(spec: &OptimLab) -> Result<OptimSession, OptimError> {
        spec.check()?;
        let objective = Objective::new(spec);
        let (x, y) = spec.start.unwrap_or_else(|| objective.default_start());
        let racers = spec
            .runs
            .iter()
            .map(|run| {
                // GD sees every example, SGD one, the others the spec's mini-batch.
                let batch = match run.optimizer {
                    OptimizerName::Gd => spec.points,
                    OptimizerName::Sgd => 1,
                    _ => spec.batch,
                };
                let sampler = matches!(objective, Objective::Regression(_)).then(|| {
                    Sampler::new(
                        spec.points,
                        batch,
                        false,
                        sampler_seed(spec.seed, run.optimizer),
                    )
                });
                Racer {
                    run: *run,
                    param: Tensor::from_vec(vec![x, y], &[2])
                        .expect("two coordinates")
                        .requires_grad(),
                    optimizer: optimizer_for(run, spec.schedule),
                    sampler,
                    path: vec![(x, y)],
                    losses: vec![finite(objective.value(x, y))],
                    lr: run.lr,
                    diverged: None,
                }
            })
            .collect();
        Ok(OptimSession {
            objective,
            racers,
            step: 0,
        })
    }

    pub fn steps_taken(&self) -> usize {
        self.step
    }

    /// Optimizers racing.
    pub fn runs(&self) -> usize {
        self.racers.len()
    }

    /// One step of every optimizer still in the race.
    pub fn step(&mut self) {
        self.step += 1;
        for racer in &mut self.racers {
            if racer.diverged.is_some() {
                continue;
            }
            let params = std::slice::from_ref(&racer.param);
            racer.optimizer.before_gradient(params);
            let loss = match (&self.objective, racer.sampler.as_mut()) {
                (Objective::Surface(s), _) => s.loss(&racer.param),
                (Objective::Regression(d), Some(sampler)) => {
                    d.loss(&racer.param, &sampler.next_batch())
                }
                (Objective::Regression(d), None) => {
                    d.loss(&racer.param, &(0..d.x.len()).collect::<Vec<_>>())
                }
            };
            let outcome = loss.map_err(|e| e.to_string()).and_then(|l| {
                let mut grads = l.backward().map_err(|e| e.to_string())?;
                racer
                    .optimizer
                    .step(params, &mut grads)
                    .map_err(|e| e.to_string())
            });
            let p = racer.param.to_vec();
            let (x, y) = (p[0], p[1]);
            let shown = self.objective.value(x, y);
            if x.is_finite() && y.is_finite() {
                racer.path.push((x, y));
                racer.losses.push(finite(shown));
            }
            match outcome {
                Ok(report) => racer.lr = report.lr,
                Err(why) => racer.diverged = Some(format!("stopped at step {}: {why}", self.step)),
            }
            if racer.diverged.is_none()
                && (!shown.is_finite() || x.abs() > DIVERGED_BEYOND || y.abs() > DIVERGED_BEYOND)
            {
                racer.diverged = Some(format!(
                    "diverged at step {}: the loss is {shown} at ({x}, {y}); try a smaller η than {}",
                    self.step, racer.run.lr
                ));
            }
        }
    }

    /// Steps until `at` steps have been taken (a shared URL's replay).
    pub fn run_to(&mut self, at: usize) {
        while self.step < at {
            self.step();
        }
    }

    /// Every racer's path points from index `from` on, with its current state.
    pub fn frame(&self, from: usize) -> OptimFrame {
        OptimFrame {
            step: self.step,
            runs: self
                .racers
                .iter()
                .map(|r| RunFrame {
                    optimizer: r.run.optimizer,
                    from,
                    points: r.path.get(from..).unwrap_or(&[]).to_vec(),
                    losses: r.losses.get(from..).unwrap_or(&[]).to_vec(),
                    lr: r.lr,
                    diverged: r.diverged.clone(),
                })
                .collect(),
        }
    }

    /// The loss over a grid covering the problem's domain, for contour lines.
    pub fn contour(&self, columns: usize, rows: usize) -> ContourGrid {
        let ((x0, x1), (y0, y1)) = self.objective.domain();
        let (columns, rows) = (columns.clamp(2, 400), rows.clamp(2, 400));
        let values = no_grad(|| {
            (0..rows)
                .flat_map(|j| {
                    let y = y0 + (y1 - y0) * j as f32 / (rows - 1) as f32;
                    (0..columns).map(move |i| (x0 + (x1 - x0) * i as f32 / (columns - 1) as f32, y))
                })
                .map(|(x, y)| self.objective.value(x, y))
                .collect::<Vec<f32>>()
        });
        // JSON has no NaN or infinity: a non-finite sample takes the largest finite value.
        let top = values
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .fold(0.0f32, f32::max);
        let values: Vec<f32> = values
            .into_iter()
            .map(|v| if v.is_finite() { v } else { top })
            .collect();
        let (arrow_columns, arrow_rows) = (ARROW_COLUMNS, ARROW_ROWS);
        let gradients = (0..arrow_rows)
            .flat_map(|j| (0..arrow_columns).map(move |i| (i, j)))
            .map(|(i, j)| {
                // Cell centres, so no arrow sits on the border.
                let x = x0 + (x1 - x0) * (i as f32 + 0.5) / arrow_columns as f32;
                let y = y0 + (y1 - y0) * (j as f32 + 0.5) / arrow_rows as f32;
                let (gx, gy) = self.objective.gradient(x, y);
                // JSON has no NaN: a non-finite gradient becomes no arrow.
                if gx.is_finite() && gy.is_finite() {
                    (gx, gy)
                } else {
                    (0.0, 0.0)
                }
            })
            .collect();
        ContourGrid {
            x_range: (x0, x1),
            y_range: (y0, y1),
            columns,
            rows,
            values,
            minima: self.objective.minima(),
            arrow_columns,
            arrow_rows,
            gradients,
        }
    }
}
