//! Backpropagation for one training point, as the notes teach it: the forward pass layer by
//! layer (z = Wᵀa_prev + b, a = φ(z)), the loss J = ½(ŷ − y)², then the chain rule backwards
//! (∂J/∂z = ∂J/∂a ⊙ φ′(z), ∂J/∂W = a_prev (∂J/∂z)ᵀ, ∂J/∂a_prev = W ∂J/∂z). The gradients shown
//! are the engine's autograd; the same chain rule is also worked by hand here, and the largest
//! difference between the two is reported (and tested to be round-off).

use super::{NetSession, NetSessionError};
use contract::net::protocol::{Backprop, LayerTrace, LayerWeights, Sample};
use contract::net::Activation;
use tensor::Tensor;

/// φ′(z), from z and a = φ(z).
fn slope(activation: Activation, z: f32, a: f32) -> f32 {
    match activation {
        Activation::Relu => f32::from(z > 0.0),
        Activation::Tanh => 1.0 - a * a,
        Activation::Sigmoid => a * (1.0 - a),
        Activation::Linear => 1.0,
    }
}

impl NetSession {
    /// Training point `point` through the network as it is now, forward and backward.
    pub fn explain(&self, point: usize) -> Result<Backprop, NetSessionError> {
        if self.spec.batch_norm {
            return Err(NetSessionError::ExplainWithBatchNorm);
        }
        let count = self.train.len();
        contract::limits::check_range("point", point, 0, count.saturating_sub(1))?;
        let inputs = self.train_inputs.index_select(&[point])?;
        let target = self.train_targets.index_select(&[point])?;
        // Forward, keeping every layer's z and a (their gradients too).
        let mut zs = Vec::with_capacity(self.layers.len());
        let mut activations = vec![inputs.clone()];
        for (i, layer) in self.layers.iter().enumerate() {
            let previous = activations.last().unwrap_or(&inputs);
            let z = previous
                .matmul(&layer.weight)
                .and_then(|z| z.add(&layer.bias))
                ?;
            z.retain_grad();
            let a = self.activate(z.clone(), i + 1 == self.layers.len());
            a.retain_grad();
            zs.push(z);
            activations.push(a);
        }
        let output = activations.last().unwrap_or(&inputs);
        let loss = Self::data_loss(output, &target)?;
        let grads = loss.backward()?;
        let grad = |t: &Tensor| {
            grads
                .get(t)
                .map_or_else(|| vec![0.0; t.numel()], <[f32]>::to_vec)
        };

        // The same chain rule by hand, from the forward values alone.
        let y = target.to_vec()[0];
        let mut da_by_hand = vec![output.to_vec()[0] - y];
        let mut agreement = 0.0f32;
        let mut traces = Vec::with_capacity(self.layers.len());
        for (i, layer) in self.layers.iter().enumerate().rev() {
            let activation = self.activation(i + 1 == self.layers.len());
            let (z, a, previous) = (zs[i].to_vec(), activations[i + 1].to_vec(), activations[i].to_vec());
            let weights = layer.weight.to_vec();
            let outputs = z.len();
            let slopes: Vec<f32> = z.iter().zip(&a).map(|(&z, &a)| slope(activation, z, a)).collect();
            let dz_by_hand: Vec<f32> = da_by_hand.iter().zip(&slopes).map(|(d, s)| d * s).collect();
            let dw_by_hand: Vec<f32> = previous
                .iter()
                .flat_map(|&p| dz_by_hand.iter().map(move |&d| p * d))
                .collect();
            let (dz, dw, db, da) = (
                grad(&zs[i]),
                grad(&layer.weight),
                grad(&layer.bias),
                grad(&activations[i + 1]),
            );
            for (got, want) in [(&dz, &dz_by_hand), (&dw, &dw_by_hand), (&db, &dz_by_hand), (&da, &da_by_hand)] {
                for (g, w) in got.iter().zip(want.iter()) {
                    // NaN propagates (f32::max would drop it).
                    let d = (g - w).abs();
                    if d.is_nan() || d > agreement {
                        agreement = d;
                    }
                }
            }
            // ∂J/∂a_prev = W ∂J/∂z (W is inputs × outputs).
            da_by_hand = previous
                .iter()
                .enumerate()
                .map(|(k, _)| (0..outputs).map(|j| weights[k * outputs + j] * dz_by_hand[j]).sum())
                .collect();
            traces.push(LayerTrace {
                z,
                a,
                da,
                slope: slopes,
                dz,
                dw,
                db,
                weights: LayerWeights {
                    inputs: previous.len(),
                    outputs,
                    weights,
                    biases: layer.bias.to_vec(),
                    gamma: Vec::new(),
                    beta: Vec::new(),
                },
            });
        }
        traces.reverse();
        let p = self.train[point];
        Ok(Backprop {
            point,
            sample: Sample(p.x1, p.x2, p.label),
            epoch: self.epoch(),
            inputs: inputs.to_vec(),
            layers: traces,
            loss: loss.item()?,
            lr: self.optimizer.schedule.lr(self.optimizer.steps_taken()),
            agreement,
        })
    }
}
