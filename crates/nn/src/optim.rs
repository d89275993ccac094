//! The optimizers of the course notes, one update rule each, written as the notes write them.
//! ε (the notes' learning rate) comes from a [`Schedule`] at every step, so it can change
//! mid-run without touching the optimizer's state; so can the schedule itself.
//!
//! GD, SGD and mini-batch GD are the same rule (`Sgd`) fed by different samplers.

use crate::clip::Clip;
use crate::schedule::Schedule;
use std::fmt;
use tensor::{Gradients, Tensor};

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum OptimizerKind {
    /// θ ← θ − ε g
    Sgd,
    /// v ← α v − ε g;  θ ← θ + v.
    /// (The notes' first line reads θ ← θ + α v: OCR of the standard form θ ← θ + v, which their
    /// Nesterov section uses.)
    Momentum { alpha: f32 },
    /// Nesterov: the gradient is taken at the look-ahead θ̃ = θ + α v (see
    /// [`Optimizer::before_gradient`]); then v ← α v − ε g̃;  θ ← θ + v.
    Nesterov { alpha: f32 },
    /// AdaGrad: γ ← γ + g ⊙ g;  θ ← θ − ε g / √(δ + γ)   (δ small, inside the root as in the notes).
    AdaGrad { delta: f32 },
    /// RMSProp: s ← β s + (1 − β) g ⊙ g;  θ ← θ − ε g / √(δ + s).
    /// (The notes' OCR reads s ← β s + (1 − β) s; the published rule averages g ⊙ g. The notes'
    /// "correction" ŝ = s / (1 − β) is the bias correction that Adam then adds; Hinton's
    /// RMSProp has none, and neither does this one.)
    RmsProp { beta: f32, delta: f32 },
    /// Adam: m ← β₁ m + (1 − β₁) g;  v ← β₂ v + (1 − β₂) g ⊙ g;
    /// m̂ = m / (1 − β₁ᵗ);  v̂ = v / (1 − β₂ᵗ);  θ ← θ − ε m̂ / √(δ + v̂), t = 1, 2, …
    /// (The notes' bias correction reads "/(1 − β)": the published form divides by 1 − βᵗ.
    /// δ sits inside the root, as the notes write it.)
    Adam { beta1: f32, beta2: f32, delta: f32 },
}

impl OptimizerKind {
    pub fn name(&self) -> &'static str {
        match self {
            OptimizerKind::Sgd => "SGD",
            OptimizerKind::Momentum { .. } => "Momentum",
            OptimizerKind::Nesterov { .. } => "Nesterov",
            OptimizerKind::AdaGrad { .. } => "AdaGrad",
            OptimizerKind::RmsProp { .. } => "RMSProp",
            OptimizerKind::Adam { .. } => "Adam",
        }
    }

    /// The usual defaults.
    pub fn momentum() -> Self {
        OptimizerKind::Momentum { alpha: 0.9 }
    }
    pub fn nesterov() -> Self {
        OptimizerKind::Nesterov { alpha: 0.9 }
    }
    pub fn adagrad() -> Self {
        OptimizerKind::AdaGrad { delta: 1e-7 }
    }
    pub fn rmsprop() -> Self {
        OptimizerKind::RmsProp {
            beta: 0.9,
            delta: 1e-7,
        }
    }
    pub fn adam() -> Self {
        OptimizerKind::Adam {
            beta1: 0.9,
            beta2: 0.999,
            delta: 1e-8,
        }
    }
}

/// Why a step was refused. The parameters are left exactly as they were.
#[derive(Clone, Debug, PartialEq)]
pub enum StepError {
    /// A gradient held NaN or ±∞ (a diverging run): updating would destroy the parameters.
    NonFiniteGradient { parameter: usize },
    /// The parameters changed in number or size since the optimizer's state was made.
    ParametersChanged {
        expected: Vec<usize>,
        got: Vec<usize>,
    },
}

impl fmt::Display for StepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StepError::NonFiniteGradient { parameter } => write!(
                f,
                "the gradient of parameter {parameter} is not finite (NaN or infinite): the step was skipped and the parameters kept"
            ),
            StepError::ParametersChanged { expected, got } => write!(
                f,
                "the optimizer was made for parameters of sizes {expected:?} but was given {got:?}"
            ),
        }
    }
}

impl std::error::Error for StepError {}

/// What one step did, for a UI to plot.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepReport {
    /// ε used for this step.
    pub lr: f32,
    /// ‖g‖₂ over all parameters before clipping.
    pub grad_norm: f32,
}

pub struct Optimizer {
    pub kind: OptimizerKind,
    pub schedule: Schedule,
    pub clip: Option<Clip>,
    /// L2 weight decay λ: g ← g + λ θ before the update (0 = off).
    pub weight_decay: f32,
    /// Linear warm-up: η grows from η/W to the schedule's η over the first W steps
    /// (0 = none), as Transformers are usually trained (Vaswani et al. §5.3).
    pub warmup: usize,
    steps: usize,
    /// Per parameter: the first and second moment buffers (velocity, γ, s, m, v as the rule needs).
    state: Vec<[Vec<f32>; 2]>,
    /// Parameter values saved by `before_gradient` (Nesterov), restored exactly by `step`.
    saved: Option<Vec<Vec<f32>>>,
}

impl Optimizer {
    pub fn new(kind: OptimizerKind, schedule: Schedule) -> Self {
        Optimizer {
            kind,
            schedule,
            clip: None,
            weight_decay: 0.0,
            warmup: 0,
            steps: 0,
            state: Vec::new(),
            saved: None,
        }
    }

    pub fn with_clip(mut self, clip: Clip) -> Self {
        self.clip = Some(clip);
        self
    }

    pub fn with_weight_decay(mut self, lambda: f32) -> Self {
        self.weight_decay = lambda;
        self
    }

    pub fn with_warmup(mut self, steps: usize) -> Self {
        self.warmup = steps;
        self
    }

    /// η of update k: the schedule's, times (k + 1)/W during a warm-up of W steps.
    pub fn lr_at(&self, k: usize) -> f32 {
        let lr = self.schedule.lr(k);
        if k < self.warmup {
            lr * ((k + 1) as f32 / self.warmup as f32)
        } else {
            lr
        }
    }

    /// Updates taken so far (k of the schedule).
    pub fn steps_taken(&self) -> usize {
        self.steps
    }

    /// Call before computing the gradient. Nesterov moves the parameters to the look-ahead point
    /// θ̃ = θ + α v, where the gradient must be taken; every other rule does nothing.
    pub fn before_gradient(&mut self, params: &[Tensor]) {
        let OptimizerKind::Nesterov { alpha } = self.kind else {
            return;
        };
        if self.saved.is_some() || self.state.len() != params.len() {
            return; // already shifted, or no velocity yet (v = 0: θ̃ = θ)
        }
        self.saved = Some(params.iter().map(Tensor::to_vec).collect());
        for (p, [v, _]) in params.iter().zip(&self.state) {
            p.update(|p| p.iter_mut().zip(v).for_each(|(p, v)| *p += alpha * v));
        }
    }

    /// One update from the gradients of a backward pass (a parameter without one counts as 0).
    pub fn step(
        &mut self,
        params: &[Tensor],
        grads: &mut Gradients,
    ) -> Result<StepReport, StepError> {
        let grads = params
            .iter()
            .map(|p| grads.take(p).unwrap_or_else(|| vec![0.0; p.numel()]))
            .collect();
        self.step_with(params, grads)
    }

    /// One update from explicit gradients, one vector per parameter.
    pub fn step_with(
        &mut self,
        params: &[Tensor],
        mut grads: Vec<Vec<f32>>,
    ) -> Result<StepReport, StepError> {
        // Back to θ from the look-ahead point (bit-exact: the saved copy, not θ̃ − α v).
        if let Some(saved) = self.saved.take() {
            for (p, s) in params.iter().zip(saved) {
                p.update(|p| p.copy_from_slice(&s));
            }
        }
        let sizes: Vec<usize> = params.iter().map(Tensor::numel).collect();
        if self.state.is_empty() {
            self.state = sizes
                .iter()
                .map(|&n| [vec![0.0; n], vec![0.0; n]])
                .collect();
        }
        let state_sizes: Vec<usize> = self.state.iter().map(|[a, _]| a.len()).collect();
        let grad_sizes: Vec<usize> = grads.iter().map(Vec::len).collect();
        if state_sizes != sizes {
            return Err(StepError::ParametersChanged {
                expected: state_sizes,
                got: sizes,
            });
        }
        if grad_sizes != sizes {
            return Err(StepError::ParametersChanged {
                expected: sizes,
                got: grad_sizes,
            });
        }
        if let Some(parameter) = grads.iter().position(|g| g.iter().any(|v| !v.is_finite())) {
            return Err(StepError::NonFiniteGradient { parameter });
        }
        let grad_norm = match self.clip {
            Some(clip) => clip.apply(&mut grads),
            None => crate::clip::global_norm(&grads),
        };
        let lr = self.lr_at(self.steps);
        self.steps += 1;
        let t = self.steps as i32;
        for ((p, g), [s1, s2]) in params.iter().zip(&mut grads).zip(&mut self.state) {
            p.update(|p| {
                if self.weight_decay != 0.0 {
                    g.iter_mut()
                        .zip(p.iter())
                        .for_each(|(g, p)| *g += self.weight_decay * p);
                }
                apply(self.kind, t, lr, p, g, s1, s2);
            });
        }
        Ok(StepReport { lr, grad_norm })
    }
}

/// βᵗ by squaring, in our own fixed order of IEEE multiplications: `powi` lowers to each
/// platform's runtime routine, which may round differently (a shared URL must replay exactly).
fn power(base: f32, t: i32) -> f32 {
    let (mut acc, mut base, mut e) = (1.0f32, base, t.max(0) as u32);
    while e > 0 {
        if e & 1 == 1 {
            acc *= base;
        }
        base *= base;
        e >>= 1;
    }
    acc
}

/// One rule on one parameter: θ = p, g, and the rule's two state buffers.
fn apply(
    kind: OptimizerKind,
    t: i32,
    lr: f32,
    p: &mut [f32],
    g: &[f32],
    s1: &mut [f32],
    s2: &mut [f32],
) {
    match kind {
        OptimizerKind::Sgd => p.iter_mut().zip(g).for_each(|(p, g)| *p -= lr * g),
        OptimizerKind::Momentum { alpha } | OptimizerKind::Nesterov { alpha } => {
            for ((p, g), v) in p.iter_mut().zip(g).zip(s1.iter_mut()) {
                *v = alpha * *v - lr * g;
                *p += *v;
            }
        }
        OptimizerKind::AdaGrad { delta } => {
            for ((p, g), gamma) in p.iter_mut().zip(g).zip(s1.iter_mut()) {
                *gamma += g * g;
                *p -= lr * g / (delta + *gamma).sqrt();
            }
        }
        OptimizerKind::RmsProp { beta, delta } => {
            for ((p, g), s) in p.iter_mut().zip(g).zip(s1.iter_mut()) {
                *s = beta * *s + (1.0 - beta) * g * g;
                *p -= lr * g / (delta + *s).sqrt();
            }
        }
        OptimizerKind::Adam {
            beta1,
            beta2,
            delta,
        } => {
            let (c1, c2) = (1.0 - power(beta1, t), 1.0 - power(beta2, t));
            for (((p, g), m), v) in p.iter_mut().zip(g).zip(s1.iter_mut()).zip(s2.iter_mut()) {
                *m = beta1 * *m + (1.0 - beta1) * g;
                *v = beta2 * *v + (1.0 - beta2) * g * g;
                let (m_hat, v_hat) = (*m / c1, *v / c2);
                *p -= lr * m_hat / (delta + v_hat).sqrt();
            }
        }
    }
}
