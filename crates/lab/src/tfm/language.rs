//! The language model's text: characters drawn one at a time after a prompt, at a
//! temperature, each from softmax(logits / T) of the last window the model can read.

use super::{TfmSession, TfmSessionError};
use crate::sample::draw;
use contract::limits::{check_float, check_range};
use contract::tfm::limits::TfmLimits;
use contract::tfm::TfmTask;
use data::language;
use tensor::no_grad;
use tensor::rng::Rng;

impl TfmSession {
    /// `length` characters after `prompt` (a new line starts the text, as sentences do in the
    /// corpus); the same seed draws the same text.
    pub fn sample(
        &self,
        prompt: &str,
        length: usize,
        temperature: f32,
        seed: u64,
    ) -> Result<String, TfmSessionError> {
        if self.spec.task != TfmTask::Language {
            return Err(TfmSessionError::NotLanguageModel);
        }
        check_range("sample length", length, 1, TfmLimits::MAX_SAMPLE_CHARS)?;
        check_float(
            "temperature",
            temperature,
            TfmLimits::TEMPERATURE.0,
            TfmLimits::TEMPERATURE.1,
        )?;
        let prompt = prompt.to_lowercase();
        check_range("prompt length", prompt.chars().count(), 0, TfmLimits::MAX_TEXT_CHARS)?;
        let mut ids = language::encode(&format!("\n{prompt}")).map_err(|unknown| {
            let shown: String = unknown.iter().take(5).collect();
            TfmSessionError::PromptUnreadable(shown)
        })?;
        let window = self.model.length;
        let mut rng = Rng::new(seed);
        let mut drawn = Vec::with_capacity(length);
        for _ in 0..length {
            let context = &ids[ids.len().saturating_sub(window)..];
            let logits = no_grad(|| self.model.logits(context, 1))?;
            let vocab = self.model.vocab;
            let last: Vec<f32> = logits.to_vec()[(context.len() - 1) * vocab..].to_vec();
            let top = last.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let weights: Vec<f64> = last
                .iter()
                .map(|&v| (((v - top) / temperature) as f64).exp())
                .collect();
            let u = rng.next_f32() as f64 * weights.iter().sum::<f64>();
            let next = draw(&weights, u).unwrap_or(vocab - 1);
            drawn.push(next);
            ids.push(next);
        }
        let alphabet: Vec<char> = language::ALPHABET.chars().collect();
        Ok(drawn.iter().map(|&i| alphabet[i]).collect())
    }
}
