//! The notes' matrix calculus on the live network. A layer maps its input a_prev ∈ ℝⁿ to
//! a = φ(Wᵀa_prev + b) ∈ ℝᵐ; its Jacobian ∂a/∂a_prev is m × n in the notes' numerator layout.
//! The engine builds it row by row from vector–Jacobian products (backward with cotangent eᵢ
//! gives row i), and again column by column from central differences. Then the notes' two
//! identities, with z the network's input features:
//! ① y = Ax ⇒ ∂y/∂z = A ∂x/∂z, with x = a_prev(z), A = Wᵀ and y = Ax (the pre-activation
//!   without its bias, which does not depend on z);
//! ② α = yᵀx ⇒ ∂α/∂z = xᵀ ∂y/∂z + yᵀ ∂x/∂z, with x = a_prev(z) and y = W a(z) ∈ ℝⁿ.

use super::{NetSession, NetSessionError};
use contract::net::protocol::{IdentityCheck, JacobianView};
use tensor::{no_grad, Result, Tensor};

/// ∂out/∂input, m × n row-major, by one vector–Jacobian product per output.
fn jacobian(out: &Tensor, input: &Tensor) -> Result<Vec<f32>> {
    let m = out.numel();
    let mut rows = Vec::with_capacity(m * input.numel());
    for i in 0..m {
        let mut cotangent = vec![0.0; m];
        cotangent[i] = 1.0;
        let grads = out.backward_with(cotangent)?;
        match grads.get(input) {
            Some(g) => rows.extend_from_slice(g),
            None => rows.extend(std::iter::repeat_n(0.0, input.numel())),
        }
    }
    Ok(rows)
}

/// a · b for row-major a (m × k) and b (k × n).
fn product(a: &[f32], b: &[f32], m: usize, k: usize, n: usize) -> Vec<f32> {
    (0..m * n)
        .map(|ij| (0..k).map(|t| a[ij / n * k + t] * b[t * n + ij % n]).sum())
        .collect()
}

fn largest_difference(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).fold(0.0f32, |worst, (x, y)| {
        let d = (x - y).abs();
        if d.is_nan() || d > worst {
            d
        } else {
            worst
        }
    })
}

impl NetSession {
    /// Layer `layer`'s output at its input, as a function for the differences.
    fn layer_output(&self, layer: usize, input: &[f32]) -> Result<Vec<f32>> {
        let l = &self.layers[layer - 1];
        let x = Tensor::from_vec(input.to_vec(), &[1, input.len()])?;
        let mut z = x.matmul(&l.weight)?.add(&l.bias)?;
        if let Some(norm) = &l.norm {
            z = norm.forward(&z, false)?;
        }
        Ok(self.activate(z, layer == self.layers.len()).to_vec())
    }

    /// The network's layers up to `layer` from the point's features `z` (a leaf), keeping the
    /// input and output of that layer.
    fn up_to(&self, z: &Tensor, layer: usize) -> Result<(Tensor, Tensor)> {
        let mut h = z.clone();
        let mut previous = h.clone();
        for (i, l) in self.layers.iter().enumerate().take(layer) {
            previous = h.clone();
            let mut pre = h.matmul(&l.weight)?.add(&l.bias)?;
            if let Some(norm) = &l.norm {
                pre = norm.forward(&pre, false)?;
            }
            h = self.activate(pre, i + 1 == self.layers.len());
        }
        Ok((previous, h))
    }

    /// Layer `layer`'s Jacobian at training point `point`, both ways, and the identities.
    pub fn jacobian(&self, layer: usize, point: usize) -> std::result::Result<JacobianView, NetSessionError> {
        contract::limits::check_range("layer", layer, 1, self.layers.len())?;
        contract::limits::check_range("point", point, 0, self.train.len().saturating_sub(1))?;
        let features = self.train_inputs.index_select(&[point])?.to_vec();
        // ∂a/∂a_prev by vector–Jacobian products, with a_prev a leaf.
        let a_prev = no_grad(|| self.up_to(&Tensor::from_vec(features.clone(), &[1, features.len()])?, layer - 1))
            ?
            .1
            .to_vec();
        let (n, m) = (a_prev.len(), self.layers[layer - 1].weight.shape()[1]);
        let input = Tensor::from_vec(a_prev.clone(), &[1, n])?.requires_grad();
        let l = &self.layers[layer - 1];
        let mut pre = input.matmul(&l.weight).and_then(|z| z.add(&l.bias))?;
        if let Some(norm) = &l.norm {
            pre = norm.forward(&pre, false)?;
        }
        let out = self.activate(pre, layer == self.layers.len());
        let by_autograd = jacobian(&out, &input)?;
        // The same by central differences, one input at a time.
        let h = 1e-3f32;
        let mut by_differences = vec![0.0f32; m * n];
        for j in 0..n {
            let at = |delta: f32| {
                let mut x = a_prev.clone();
                x[j] += delta;
                no_grad(|| self.layer_output(layer, &x))
            };
            let (up, down) = (at(h)?, at(-h)?);
            for i in 0..m {
                by_differences[i * n + j] = (up[i] - down[i]) / (2.0 * h);
            }
        }
        Ok(JacobianView {
            layer,
            point,
            epoch: self.epoch(),
            outputs: m,
            inputs: n,
            by_autograd,
            by_differences,
            identities: self.identities(layer, &features)?,
        })
    }

    fn identities(&self, layer: usize, features: &[f32]) -> Result<Vec<IdentityCheck>> {
        let f = features.len();
        let z = Tensor::from_vec(features.to_vec(), &[1, f])?.requires_grad();
        let (x, a) = self.up_to(&z, layer)?;
        let w = &self.layers[layer - 1].weight; // n × m: Wᵀ is A
        let (n, m) = (w.shape()[0], w.shape()[1]);
        let dx_dz = jacobian(&x, &z)?; // n × f
        // ① y = Ax with A = Wᵀ (m × n): ∂y/∂z against A ∂x/∂z.
        let y = x.matmul(w)?; // [1, m] = (Wᵀx)ᵀ
        let dy_dz = jacobian(&y, &z)?;
        let wt: Vec<f32> = {
            let data = w.to_vec();
            (0..m * n).map(|ij| data[(ij % n) * m + ij / n]).collect()
        };
        let a_dx = product(&wt, &dx_dz, m, n, f);
        // ② α = yᵀx with y = W a ∈ ℝⁿ.
        let y2 = a.matmul(&w.transpose(0, 1)?)?; // [1, n]
        let alpha = y2.mul(&x)?.sum_all();
        let dalpha = jacobian(&alpha, &z)?; // 1 × f
        let dy2_dz = jacobian(&y2, &z)?; // n × f
        let (xs, ys) = (x.to_vec(), y2.to_vec());
        let right: Vec<f32> = (0..f)
            .map(|k| {
                (0..n)
                    .map(|i| xs[i] * dy2_dz[i * f + k] + ys[i] * dx_dz[i * f + k])
                    .sum()
            })
            .collect();
        let x_is = if layer == 1 {
            "x = z itself (layer 1's input)".to_string()
        } else {
            format!("x: the output of hidden layer {}", layer - 1)
        };
        Ok(vec![
            IdentityCheck {
                identity: "y = Ax ⇒ ∂y/∂z = A ∂x/∂z".into(),
                meaning: format!(
                    "z: the point's input features; {x_is}; A = Wᵀ of layer {layer} ({m} × {n}); y = Ax"
                ),
                difference: largest_difference(&dy_dz, &a_dx),
                left: dy_dz,
                right: a_dx,
            },
            IdentityCheck {
                identity: "α = yᵀx ⇒ ∂α/∂z = xᵀ ∂y/∂z + yᵀ ∂x/∂z".into(),
                meaning: format!(
                    "z: the input features; {x_is}; y = W a ∈ ℝ{n}, with a the output of layer {layer}"
                ),
                difference: largest_difference(&dalpha, &right),
                left: dalpha,
                right,
            },
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use contract::limits::{Bound, Number, Violation};
    use contract::net::{Activation, Feature, NetLab};

    #[test]
    fn autograd_jacobians_match_differences_and_the_identities_hold() {
        for activation in [Activation::Tanh, Activation::Sigmoid, Activation::Linear] {
            let spec = NetLab {
                activation,
                features: vec![Feature::X1, Feature::X2, Feature::SinX1],
                hidden: vec![5, 4],
                ..NetLab::default()
            };
            let mut session = NetSession::new(&spec).expect("valid");
            session.train_epochs(2, &|| 0.0);
            for layer in 1..=3 {
                let j = session.jacobian(layer, 11).expect("a layer and a point");
                let (m, n) = [(5, 3), (4, 5), (1, 4)][layer - 1];
                assert_eq!((j.outputs, j.inputs), (m, n), "numerator layout: outputs × inputs");
                assert_eq!(j.by_autograd.len(), m * n);
                let worst = largest_difference(&j.by_autograd, &j.by_differences);
                assert!(worst < 2e-3, "{activation:?} layer {layer}: {worst}");
                for check in &j.identities {
                    assert!(check.difference < 1e-5, "{}: {}", check.identity, check.difference);
                    assert_eq!(check.left.len(), check.right.len());
                }
                assert_eq!(j.identities[0].left.len(), m * 3, "∂y/∂z is m × (features)");
                assert_eq!(j.identities[1].left.len(), 3, "∂α/∂z is a row: the notes' case ②");
            }
        }
        let session = NetSession::new(&NetLab::default()).expect("valid");
        assert!(matches!(
            session.jacobian(4, 0),
            Err(NetSessionError::Limit(Violation { field, value: Number::Int(4), bound: Bound::Max(Number::Int(3)) }))
                if field == "layer"
        ));
    }

    #[test]
    fn a_tanh_layer_has_the_jacobian_of_its_formula() {
        // ∂a/∂a_prev = diag(1 − a²) Wᵀ for a = tanh(Wᵀ a_prev + b).
        let session = NetSession::new(&NetLab::default()).expect("valid");
        let j = session.jacobian(1, 0).expect("valid");
        let p = session.train[0];
        let w = session.layers[0].weight.to_vec(); // 2 × 4
        let a = session.layer_output(1, &[p.x1, p.x2]).expect("forward");
        for i in 0..4 {
            for k in 0..2 {
                let expected = (1.0 - a[i] * a[i]) * w[k * 4 + i];
                assert!((j.by_autograd[i * 2 + k] - expected).abs() < 1e-6);
            }
        }
    }
}
