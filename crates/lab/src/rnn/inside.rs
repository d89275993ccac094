//! Inside the cell: one held-out sequence through the first layer's forward cell, step by
//! step, with every gate, the LSTM's memory cell and the state recorded at every time step.

use super::RnnSession;
use contract::limits::{check_range, Violation};
use contract::cnn::view::Quantised;
use contract::rnn::protocol::{InsideView, Trace, TraceKind};
use nn::layers::State;
use tensor::taps::capture;
use tensor::{no_grad, Result, Tensor};

impl RnnSession {
    /// Follows held-out sequence `example` (refused past the held-out set).
    pub fn look_inside(&mut self, example: usize) -> std::result::Result<(), Violation> {
        check_range("example", example, 0, self.test.len() - 1)?;
        self.inside_example = example;
        Ok(())
    }

    pub fn inside(&self) -> InsideView {
        let sequence = &self.test[self.inside_example];
        let traces = no_grad(|| self.traces(&sequence.tokens)).unwrap_or_default();
        let probabilities = no_grad(|| {
            let xs = self.model.one_hot(&[sequence.tokens.as_slice()])?;
            self.model.pass(&xs)?.logits.softmax().map(|p| p.to_vec())
        })
        .unwrap_or_default();
        InsideView {
            example: self.inside_example,
            step: self.log.step,
            tokens: sequence
                .tokens
                .iter()
                .map(|&t| self.token_names.get(t).cloned().unwrap_or_default())
                .collect(),
            classes: self.class_names.clone(),
            answer: sequence.answer,
            probabilities,
            traces,
        }
    }

    fn traces(&self, tokens: &[usize]) -> Result<Vec<Trace>> {
        let cell = &self.model.layers[0].forward;
        let gates = self.spec.cell.gates();
        let names: Vec<String> = gates
            .iter()
            .map(|g| format!("{}.{g}_gate", cell.name))
            .collect();
        let wanted: Vec<&str> = names.iter().map(String::as_str).collect();
        let xs = self.model.one_hot(&[tokens])?;
        let mut rows: Vec<Vec<f32>> = vec![Vec::new(); gates.len() + 2];
        let mut state: State = cell.zero_state(1);
        for x in &xs {
            let (next, taken) = capture(&wanted, || cell.step(x, &state));
            state = next?;
            for (row, name) in rows.iter_mut().zip(&names) {
                row.extend(taken.get(name).map(Tensor::to_vec).unwrap_or_default());
            }
            if let Some(m) = &state.m {
                rows[gates.len()].extend(m.to_vec());
            }
            rows[gates.len() + 1].extend(state.h.to_vec());
        }
        let mut kinds: Vec<TraceKind> = gates.iter().map(|g| TraceKind::of_gate(g)).collect();
        kinds.push(TraceKind::Memory);
        kinds.push(TraceKind::State);
        Ok(kinds
            .into_iter()
            .zip(rows)
            .filter(|(_, values)| !values.is_empty())
            .map(|(kind, values)| Trace {
                kind,
                units: cell.hidden,
                values: Quantised::from_values(&values),
            })
            .collect())
    }
}
