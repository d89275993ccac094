//! The optimizer lab's session: its paths are the `nn` optimizers' paths, replays are exact,
//! divergence is reported (and survives JSON), and the regression problem behaves like data.
#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use contract::optim::protocol::{OptimProtocol, OptimReply};
use contract::optim::{OptimLab, Problem};
use contract::training::{LrSchedule, OptimizerName, Run};
use contract::FromEngine;
use lab::optim::OptimSession;
use nn::{Optimizer, OptimizerKind, Schedule};
use tensor::Tensor;

fn race(problem: Problem, names: &[OptimizerName]) -> OptimLab {
    OptimLab {
        problem,
        runs: names.iter().map(|&n| Run::default_for(n)).collect(),
        ..OptimLab::default()
    }
}

#[test]
fn each_path_is_the_nn_optimizer_s_path() {
    let spec = race(
        Problem::Rosenbrock,
        &[
            OptimizerName::Sgd,
            OptimizerName::Nesterov,
            OptimizerName::Adam,
        ],
    );
    let mut session = OptimSession::new(&spec).unwrap();
    session.run_to(200);
    let frame = session.frame(0);
    let surface = data::surfaces::Surface::Rosenbrock;
    for (run, got) in spec.runs.iter().zip(&frame.runs) {
        let kind = match run.optimizer {
            OptimizerName::Sgd => OptimizerKind::Sgd,
            OptimizerName::Nesterov => OptimizerKind::Nesterov { alpha: run.alpha },
            _ => OptimizerKind::Adam {
                beta1: run.beta1,
                beta2: run.beta2,
                delta: run.delta,
            },
        };
        let (x, y) = surface.default_start();
        let p = Tensor::from_vec(vec![x, y], &[2]).unwrap().requires_grad();
        let mut opt = Optimizer::new(kind, Schedule::Constant { lr: run.lr });
        let mut path = vec![(x, y)];
        for _ in 0..200 {
            opt.before_gradient(std::slice::from_ref(&p));
            let mut g = surface.loss(&p).unwrap().backward().unwrap();
            opt.step(std::slice::from_ref(&p), &mut g).unwrap();
            let v = p.to_vec();
            path.push((v[0], v[1]));
        }
        assert_eq!(got.points, path, "{:?}", run.optimizer);
    }
}

#[test]
fn a_replay_gives_the_same_numbers_and_frames_add_up() {
    let spec = OptimLab {
        seed: 9,
        schedule: LrSchedule::LinearDecay {
            final_ratio: 0.1,
            steps: 100,
        },
        ..race(Problem::Regression, &OptimizerName::ALL)
    };
    let mut a = OptimSession::new(&spec).unwrap();
    a.run_to(300);
    let mut b = OptimSession::new(&spec).unwrap();
    b.run_to(120);
    let early = b.frame(0);
    b.run_to(300);
    let late = b.frame(121);
    let whole = a.frame(0);
    assert_eq!(b.frame(0), whole, "same spec, same numbers");
    for ((w, e), l) in whole.runs.iter().zip(&early.runs).zip(&late.runs) {
        assert_eq!([e.points.clone(), l.points.clone()].concat(), w.points);
    }
}

#[test]
fn a_diverging_optimizer_stops_with_a_reason_that_survives_json() {
    let mut spec = race(
        Problem::Rosenbrock,
        &[OptimizerName::Sgd, OptimizerName::Adam],
    );
    spec.runs[0].lr = 5.0;
    let mut session = OptimSession::new(&spec).unwrap();
    session.run_to(50);
    let frame = session.frame(0);
    let reason = frame.runs[0].diverged.clone().unwrap();
    assert!(reason.contains("step") && reason.contains("η"), "{reason}");
    assert!(frame.runs[1].diverged.is_none(), "Adam is unaffected");
    assert!(frame.runs[0]
        .points
        .iter()
        .all(|(x, y)| x.is_finite() && y.is_finite()));
    let text = FromEngine::reply::<OptimProtocol>(1, &OptimReply::Frame(frame.clone())).to_json();
    let Ok(FromEngine::Reply { body, .. }) = FromEngine::from_json(&text) else {
        panic!("{text}")
    };
    assert_eq!(body.read::<OptimReply>(), Ok(OptimReply::Frame(frame)));
}

#[test]
fn on_regression_gd_finds_the_line_and_sgd_wanders_near_it() {
    let mut spec = race(
        Problem::Regression,
        &[OptimizerName::Gd, OptimizerName::Sgd],
    );
    for run in &mut spec.runs {
        run.lr = 0.1;
    }
    let mut session = OptimSession::new(&spec).unwrap();
    session.run_to(400);
    let frame = session.frame(0);
    let (gd, sgd) = (
        frame.runs[0].points.last().unwrap(),
        frame.runs[1].points.last().unwrap(),
    );
    assert!(
        (gd.0 - 2.0).abs() < 0.3 && (gd.1 + 1.0).abs() < 0.3,
        "GD ends at {gd:?}"
    );
    assert!(
        (sgd.0 - 2.0).abs() < 1.0 && (sgd.1 + 1.0).abs() < 1.0,
        "SGD ends at {sgd:?}"
    );
    // SGD's path is rougher: its steps change direction more often than GD's.
    let turns = |p: &[(f32, f32)]| {
        p.windows(3)
            .filter(|w| (w[1].0 - w[0].0) * (w[2].0 - w[1].0) < 0.0)
            .count()
    };
    assert!(turns(&frame.runs[1].points) > turns(&frame.runs[0].points) + 20);
}

#[test]
fn the_contour_grid_covers_the_domain() {
    let session = OptimSession::new(&race(Problem::Himmelblau, &[OptimizerName::Adam])).unwrap();
    let grid = session.contour(41, 31);
    assert_eq!(
        (grid.columns, grid.rows, grid.values.len()),
        (41, 31, 41 * 31)
    );
    let surface = data::surfaces::Surface::Himmelblau;
    assert_eq!(grid.values[0], surface.value(-5.0, -5.0));
    assert_eq!(grid.values[41 * 31 - 1], surface.value(5.0, 5.0));
    assert_eq!(grid.minima.len(), 4);
    assert!(OptimSession::new(&OptimLab {
        runs: vec![],
        ..OptimLab::default()
    })
    .is_err());
}
