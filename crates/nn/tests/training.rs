//! Proven by training: real models reach the accuracy the course promises. Outcomes are
//! asserted, never timings.
#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use data::mnist::{Mnist, Split};
use data::points::Points;
use data::sampler::Sampler;
use nn::{Optimizer, OptimizerKind, Schedule};
use tensor::bench::SmallCnn;
use tensor::rng::Rng;
use tensor::{no_grad, Tensor};

fn accuracy(logits: &Tensor, labels: &[usize]) -> f32 {
    let predicted = logits.argmax(1).unwrap();
    predicted.iter().zip(labels).filter(|(p, l)| p == l).count() as f32 / labels.len() as f32
}

#[test]
fn a_small_cnn_reaches_97_percent_on_the_mnist_test_split() {
    let mnist = Mnist::load_bundled().unwrap();
    let model = SmallCnn::new(7);
    let train = mnist.split(Split::Train);
    let steps = 5 * train.len().div_ceil(64);
    // The notes' linear decay: large steps first, small ones to settle.
    let mut opt = Optimizer::new(
        OptimizerKind::adam(),
        Schedule::LinearDecay {
            lr0: 3e-3,
            lr_final: 1e-4,
            steps,
        },
    );
    let mut sampler = Sampler::new(train.len(), 64, false, 8);
    for _ in 0..steps {
        let indices: Vec<usize> = sampler
            .next_batch()
            .iter()
            .map(|i| train.start + i)
            .collect();
        let (images, labels) = mnist.batch(&indices).unwrap();
        let mut grads = model.loss(&images, &labels).unwrap().backward().unwrap();
        opt.step(&model.params, &mut grads).unwrap();
    }
    let test: Vec<usize> = mnist.split(Split::Test).collect();
    let mut correct = 0.0;
    for chunk in test.chunks(500) {
        let (images, labels) = mnist.batch(chunk).unwrap();
        let logits = no_grad(|| model.logits(&images).unwrap());
        correct += accuracy(&logits, &labels) * chunk.len() as f32;
    }
    let acc = correct / test.len() as f32;
    println!("small CNN, 5 epochs of 8,000 digits: test accuracy {acc:.4}");
    assert!(acc >= 0.97, "test accuracy {acc}");
}

#[test]
fn an_mlp_separates_two_spirals() {
    let points = Points::spirals(200, 2, 0.02, 1);
    let mut rng = Rng::new(2);
    let mut layer = |i: usize, o: usize| {
        let bound = (6.0 / i as f32).sqrt();
        (
            Tensor::uniform(&[i, o], -bound, bound, &mut rng).requires_grad(),
            Tensor::zeros(&[o]).requires_grad(),
        )
    };
    let (w1, b1) = layer(2, 32);
    let (w2, b2) = layer(32, 32);
    let (w3, b3) = layer(32, 2);
    let params = [
        w1.clone(),
        b1.clone(),
        w2.clone(),
        b2.clone(),
        w3.clone(),
        b3.clone(),
    ];
    let forward = |x: &Tensor| {
        let h = x.matmul(&w1).unwrap().add(&b1).unwrap().tanh();
        let h = h.matmul(&w2).unwrap().add(&b2).unwrap().tanh();
        h.matmul(&w3).unwrap().add(&b3).unwrap()
    };
    let all: Vec<usize> = (0..points.xy.len()).collect();
    let (x, labels) = points.batch(&all);
    let mut opt = Optimizer::new(OptimizerKind::adam(), Schedule::Constant { lr: 0.02 });
    for _ in 0..1500 {
        let mut grads = forward(&x)
            .cross_entropy(&labels, None)
            .unwrap()
            .backward()
            .unwrap();
        opt.step(&params, &mut grads).unwrap();
    }
    let acc = accuracy(&no_grad(|| forward(&x)), &labels);
    println!("MLP 2-32-32-2 on two spirals: accuracy {acc:.4}");
    assert!(acc >= 0.95, "accuracy {acc}");
}
