//! How far back the gradient reaches: the notes' backpropagation through time,
//! ∂h_t/∂h_k = ∏_{i=k+1}^{t} Wᵀ diag(φ′(h_{i−1})), measured on the live network.

use super::RnnSession;
use contract::rnn::limits::RnnLimits;
use tensor::{Result, Tensor};

/// ‖v‖₂ of a gradient, accumulated in f64.
fn norm(values: &[f32]) -> f32 {
    values.iter().map(|&v| v as f64 * v as f64).sum::<f64>().sqrt() as f32
}

impl RnnSession {
    /// For the last layer's forward states h_1 … h_T: ‖∂L/∂h_k‖ with L the mean loss over the
    /// probe sequences (the first held-out ones), and ‖∂h_T/∂h_k‖ (Frobenius: one
    /// vector–Jacobian product per unit of h_T) for the first probe sequence. Both go through
    /// the same truncation as training.
    pub(crate) fn gradients_through_time(&self) -> Result<(Vec<f32>, Vec<f32>)> {
        let probe = &self.test[..RnnLimits::PROBE_SEQUENCES.min(self.test.len())];
        let rows: Vec<&[usize]> = probe.iter().map(|s| s.tokens.as_slice()).collect();
        let answers: Vec<usize> = probe.iter().map(|s| s.answer).collect();
        let pass = self.model.pass(&self.model.one_hot(&rows)?)?;
        pass.top_states.iter().for_each(Tensor::retain_grad);
        let grads = pass.logits.cross_entropy(&answers, None)?.backward()?;
        let through_time = pass
            .top_states
            .iter()
            .map(|h| grads.get(h).map_or(0.0, norm))
            .collect();
        Ok((through_time, self.state_jacobian_norms(&rows[..1])?))
    }

    /// ‖∂h_T/∂h_k‖_F for k = 1 … T, for one sequence.
    fn state_jacobian_norms(&self, one: &[&[usize]]) -> Result<Vec<f32>> {
        let pass = self.model.pass(&self.model.one_hot(one)?)?;
        let states = &pass.top_states;
        states.iter().for_each(Tensor::retain_grad);
        let Some(last) = states.last() else {
            return Ok(Vec::new());
        };
        let units = last.numel();
        let mut squares = vec![0.0f64; states.len()];
        for unit in 0..units {
            let mut cotangent = vec![0.0; units];
            cotangent[unit] = 1.0;
            let grads = last.backward_with(cotangent)?;
            for (sum, h) in squares.iter_mut().zip(states) {
                if let Some(g) = grads.get(h) {
                    *sum += g.iter().map(|&v| v as f64 * v as f64).sum::<f64>();
                }
            }
        }
        Ok(squares.into_iter().map(|s| s.sqrt() as f32).collect())
    }
}
