//! Optimizers step by step against hand-computed updates, and over 30-40 steps against
//! reference trajectories from an independent NumPy implementation (fixtures/generate.py).
#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use nn::optim::StepError;
use nn::{Clip, Optimizer, OptimizerKind, Schedule};
use serde_json::Value;
use tensor::Tensor;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

fn point(x: f32, y: f32) -> Tensor {
    Tensor::from_vec(vec![x, y], &[2]).unwrap().requires_grad()
}

/// The surfaces as tensor expressions: their gradients come from the autograd engine.
fn surface(name: &str, p: &Tensor) -> Tensor {
    let x = p.narrow(0, 0, 1).unwrap();
    let y = p.narrow(0, 1, 1).unwrap();
    match name {
        // (1 − x)² + 100 (y − x²)²
        "rosenbrock" => x
            .neg()
            .shift(1.0)
            .square()
            .add(&y.sub(&x.square()).unwrap().square().scale(100.0))
            .unwrap(),
        // x²/2 + 10 y²
        "ravine" => x.square().scale(0.5).add(&y.square().scale(10.0)).unwrap(),
        // x² + y²
        "bowl" => x.square().add(&y.square()).unwrap(),
        other => panic!("unknown surface {other}"),
    }
    .sum_all()
}

fn one_step(opt: &mut Optimizer, p: &Tensor, surface_name: &str) {
    opt.before_gradient(std::slice::from_ref(p));
    let mut grads = surface(surface_name, p).backward().unwrap();
    opt.step(std::slice::from_ref(p), &mut grads).unwrap();
}

fn kind_of(case: &Value) -> OptimizerKind {
    let h = |k: &str| case["hyper"][k].as_f64().unwrap() as f32;
    match case["optimizer"].as_str().unwrap() {
        "sgd" => OptimizerKind::Sgd,
        "momentum" => OptimizerKind::Momentum { alpha: h("alpha") },
        "nesterov" => OptimizerKind::Nesterov { alpha: h("alpha") },
        "adagrad" => OptimizerKind::AdaGrad { delta: h("delta") },
        "rmsprop" => OptimizerKind::RmsProp {
            beta: h("beta"),
            delta: h("delta"),
        },
        "adam" => OptimizerKind::Adam {
            beta1: h("beta1"),
            beta2: h("beta2"),
            delta: h("delta"),
        },
        other => panic!("unknown optimizer {other}"),
    }
}

fn schedule_of(s: &Value) -> Schedule {
    let f = |k: &str| s[k].as_f64().unwrap() as f32;
    match s["kind"].as_str().unwrap() {
        "constant" => Schedule::Constant { lr: f("lr") },
        "linear_decay" => Schedule::LinearDecay {
            lr0: f("lr0"),
            lr_final: f("lr_final"),
            steps: s["steps"].as_u64().unwrap() as usize,
        },
        other => panic!("unknown schedule {other}"),
    }
}

#[test]
fn trajectories_match_the_numpy_reference() {
    let all: Value = serde_json::from_str(include_str!("fixtures/trajectories.json")).unwrap();
    for case in all["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let start: Vec<f32> = case["start"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap() as f32)
            .collect();
        let p = point(start[0], start[1]);
        let mut opt = Optimizer::new(kind_of(case), schedule_of(&case["schedule"]));
        if let Some(wd) = case.get("weight_decay") {
            opt = opt.with_weight_decay(wd.as_f64().unwrap() as f32);
        }
        if let Some(c) = case.get("clip_norm") {
            opt = opt.with_clip(Clip::GlobalNorm {
                max_norm: c.as_f64().unwrap() as f32,
            });
        }
        for (k, want) in case["path"].as_array().unwrap().iter().enumerate() {
            one_step(&mut opt, &p, case["surface"].as_str().unwrap());
            let got = p.to_vec();
            for (axis, w) in want.as_array().unwrap().iter().enumerate() {
                let w = w.as_f64().unwrap() as f32;
                // f32 against f64 over ≤ 40 steps of a contracting (or clipped) map: errors stay
                // near f32's relative precision times the step count, far below 1e-3.
                assert!(
                    (got[axis] - w).abs() <= 1e-3 * (1.0 + w.abs()),
                    "{name}, step {}: axis {axis} is {} but the reference has {w}",
                    k + 1,
                    got[axis]
                );
            }
        }
    }
}

/// One step on f(x, y) = x² + y² from (1, 2), gradient (2, 4), worked out by hand.
#[test]
fn single_steps_by_hand() {
    let step = |kind: OptimizerKind, lr: f32, steps: usize| {
        let p = point(1.0, 2.0);
        let mut opt = Optimizer::new(kind, Schedule::Constant { lr });
        for _ in 0..steps {
            opt.before_gradient(std::slice::from_ref(&p));
            let mut g = p.square().sum_all().backward().unwrap();
            opt.step(std::slice::from_ref(&p), &mut g).unwrap();
        }
        p.to_vec()
    };
    let close = |got: Vec<f32>, want: [f32; 2]| {
        assert!(
            got.iter().zip(want).all(|(g, w)| (g - w).abs() < 1e-6),
            "{got:?} vs {want:?}"
        )
    };
    // SGD: θ − 0.1·(2, 4)
    close(step(OptimizerKind::Sgd, 0.1, 1), [0.8, 1.6]);
    // Momentum, two steps: v1 = −0.1·(2,4) = (−.2,−.4), θ1 = (.8,1.6); g1 = (1.6,3.2);
    // v2 = .9·v1 − .1·g1 = (−.34,−.68), θ2 = (.46,.92)
    close(
        step(OptimizerKind::Momentum { alpha: 0.9 }, 0.1, 2),
        [0.46, 0.92],
    );
    // Nesterov, two steps: θ̃ = θ1 + .9·v1 = (.62,1.24), g̃ = (1.24,2.48);
    // v2 = (−.18−.124, −.36−.248) = (−.304,−.608), θ2 = (.496,.992)
    close(
        step(OptimizerKind::Nesterov { alpha: 0.9 }, 0.1, 2),
        [0.496, 0.992],
    );
    // AdaGrad: γ = (4,16), θ − 0.1·(2/2, 4/4) = (0.9, 1.9)   (δ = 0)
    close(
        step(OptimizerKind::AdaGrad { delta: 0.0 }, 0.1, 1),
        [0.9, 1.9],
    );
    // RMSProp: s = 0.1·(4,16) = (.4,1.6), θ − 0.1·(2/√.4, 4/√1.6) = θ − 0.1·√10·(1,1)
    let r = 0.1 * 10f32.sqrt();
    close(
        step(
            OptimizerKind::RmsProp {
                beta: 0.9,
                delta: 0.0,
            },
            0.1,
            1,
        ),
        [1.0 - r, 2.0 - r],
    );
    // Adam, first step: m̂ = g, v̂ = g², so θ − ε·sign(g) = (0.9, 1.9)   (δ = 0)
    close(
        step(
            OptimizerKind::Adam {
                beta1: 0.9,
                beta2: 0.999,
                delta: 0.0,
            },
            0.1,
            1,
        ),
        [0.9, 1.9],
    );
}

#[test]
fn a_non_finite_gradient_is_refused_and_the_parameters_kept() {
    let p = point(1.0, 2.0);
    let mut opt = Optimizer::new(OptimizerKind::adam(), Schedule::Constant { lr: 0.1 });
    let err = opt
        .step_with(std::slice::from_ref(&p), vec![vec![f32::NAN, 1.0]])
        .unwrap_err();
    assert_eq!(err, StepError::NonFiniteGradient { parameter: 0 });
    assert!(err.to_string().contains("not finite"));
    assert_eq!(p.to_vec(), vec![1.0, 2.0]);
    assert_eq!(opt.steps_taken(), 0);
    let err = opt
        .step_with(std::slice::from_ref(&p), vec![vec![1.0]])
        .unwrap_err();
    assert!(matches!(err, StepError::ParametersChanged { .. }));
}

#[test]
fn the_learning_rate_changes_mid_run_without_losing_state() {
    // Momentum for 5 steps at ε = 0.5, then ε = 0.125 (both exact in binary). The velocity must
    // carry over: the run equals one whose schedule drops at step 5, and differs from a run
    // that restarts its optimizer at the change (velocity lost).
    let run = |switch: &dyn Fn(&mut Optimizer)| {
        let p = point(1.0, 2.0);
        let mut opt = Optimizer::new(OptimizerKind::momentum(), Schedule::Constant { lr: 0.5 });
        for k in 0..8 {
            if k == 5 {
                switch(&mut opt);
            }
            one_step(&mut opt, &p, "bowl");
        }
        p.to_vec()
    };
    let changed = run(&|opt| opt.schedule = Schedule::Constant { lr: 0.125 });
    let scheduled = run(&|opt| {
        opt.schedule = Schedule::Step {
            lr0: 0.5,
            gamma: 0.25,
            every: 5,
        }
    });
    let restarted = run(&|opt| {
        *opt = Optimizer::new(OptimizerKind::momentum(), Schedule::Constant { lr: 0.125 })
    });
    assert_eq!(changed, scheduled);
    assert_ne!(
        changed, restarted,
        "the velocity matters, so keeping it is observable"
    );
}

/// δ sits inside the root (as the notes write AdaGrad and Adam): with δ = 1 and g = (2, 4),
/// AdaGrad's first step is ε·g/√(1 + g²), not ε·g/(|g| + 1).
#[test]
fn delta_sits_inside_the_root() {
    let p = point(1.0, 2.0);
    let mut opt = Optimizer::new(
        OptimizerKind::AdaGrad { delta: 1.0 },
        Schedule::Constant { lr: 0.1 },
    );
    let mut g = surface("bowl", &p).backward().unwrap();
    opt.step(std::slice::from_ref(&p), &mut g).unwrap();
    let want = [
        1.0 - 0.1 * 2.0 / 5f32.sqrt(),
        2.0 - 0.1 * 4.0 / 17f32.sqrt(),
    ];
    assert!(
        p.to_vec()
            .iter()
            .zip(want)
            .all(|(g, w)| (g - w).abs() < 1e-6),
        "{:?}",
        p.to_vec()
    );
}

/// Adam's bias correction divides by 1 − βᵗ: after two steps on a constant gradient g,
/// m̂ = g and v̂ = g², so each step moves exactly ε·g/√(δ + g²) (δ = 0: ε·sign(g)).
#[test]
fn adam_bias_correction_uses_the_step_count() {
    let p = point(0.0, 0.0);
    let mut opt = Optimizer::new(
        OptimizerKind::Adam {
            beta1: 0.9,
            beta2: 0.999,
            delta: 0.0,
        },
        Schedule::Constant { lr: 0.1 },
    );
    for _ in 0..2 {
        opt.step_with(std::slice::from_ref(&p), vec![vec![3.0, -0.5]])
            .unwrap();
    }
    // With 1 − β instead of 1 − βᵗ the second step would be 1.9/1 × larger in m̂ and differ.
    let got = p.to_vec();
    assert!(
        (got[0] + 0.2).abs() < 1e-6 && (got[1] - 0.2).abs() < 1e-6,
        "{got:?}"
    );
}

#[test]
fn warm_up_grows_eta_linearly_then_hands_over_to_the_schedule() {
    let opt = Optimizer::new(OptimizerKind::Sgd, Schedule::Constant { lr: 0.4 }).with_warmup(4);
    let lrs: Vec<f32> = (0..6).map(|k| opt.lr_at(k)).collect();
    assert_eq!(lrs, vec![0.1, 0.2, 0.3, 0.4, 0.4, 0.4]);
    // Plain SGD moves by exactly η·g, so the first update shows the warm-up's η.
    let p = point(1.0, 2.0);
    let mut opt = opt;
    opt.step_with(std::slice::from_ref(&p), vec![vec![1.0, -1.0]])
        .unwrap();
    assert_eq!(p.to_vec(), vec![0.9, 2.1]);
}
