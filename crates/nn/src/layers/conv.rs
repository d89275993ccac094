//! The 2-D convolution layer (pooling needs no parameters: use `Tensor::max_pool2d` /
//! `avg_pool2d` directly).

use super::Parameters;
use crate::init;
use tensor::ops::conv::Conv2dOptions;
use tensor::rng::Rng;
use tensor::{Result, Tensor};

pub struct Conv2d {
    pub weight: Tensor,
    pub bias: Tensor,
    pub options: Conv2dOptions,
}

impl Conv2d {
    /// He-initialised `outputs`×`inputs`×k×k kernels (convolutions here feed ReLUs).
    pub fn new(
        inputs: usize,
        outputs: usize,
        k: usize,
        options: Conv2dOptions,
        rng: &mut Rng,
    ) -> Conv2d {
        let fan_in = inputs * k * k;
        Conv2d {
            weight: init::he_uniform(&[outputs, inputs, k, k], fan_in, rng),
            bias: init::zeros(&[outputs]),
            options,
        }
    }

    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        x.conv2d(&self.weight, Some(&self.bias), self.options)
    }
}

impl Parameters for Conv2d {
    fn parameters(&self) -> Vec<(String, Tensor)> {
        vec![
            ("weight".to_string(), self.weight.clone()),
            ("bias".to_string(), self.bias.clone()),
        ]
    }
}
