//! Seeded initial weights. Xavier/Glorot for tanh/sigmoid layers, He/Kaiming for ReLU layers,
//! both the uniform variants (bounds below), drawn from the experiment's one generator.

use tensor::rng::Rng;
use tensor::Tensor;

/// U(−√(6/(fan_in+fan_out)), +√(6/(fan_in+fan_out))) — keeps activation variance through tanh.
pub fn xavier_uniform(shape: &[usize], fan_in: usize, fan_out: usize, rng: &mut Rng) -> Tensor {
    let bound = (6.0 / (fan_in + fan_out).max(1) as f32).sqrt();
    Tensor::uniform(shape, -bound, bound, rng).requires_grad()
}

/// U(−√(6/fan_in), +√(6/fan_in)) — keeps activation variance through ReLU.
pub fn he_uniform(shape: &[usize], fan_in: usize, rng: &mut Rng) -> Tensor {
    let bound = (6.0 / fan_in.max(1) as f32).sqrt();
    Tensor::uniform(shape, -bound, bound, rng).requires_grad()
}

/// A trainable tensor of zeros (biases, β).
pub fn zeros(shape: &[usize]) -> Tensor {
    Tensor::zeros(shape).requires_grad()
}

/// A trainable tensor of ones (γ).
pub fn ones(shape: &[usize]) -> Tensor {
    Tensor::ones(shape).requires_grad()
}
