//! The Transformer lab's limits.

use super::{Architecture, TfmError, TfmLab, TfmTask};
use crate::limits::{check_at, check_float, check_offered, check_range, TrainingLimits};

/// What one browser tab trains in seconds to minutes.
pub struct TfmLimits;

impl TfmLimits {
    /// Input symbols of the copying, reversing and sorting tasks.
    pub const LENGTH: (usize, usize) = (2, 24);
    /// Counts are written as one digit each.
    pub const COUNT_LENGTH: usize = 9;
    /// Digits per number of the addition task.
    pub const ADDITION_DIGITS: usize = 8;
    /// Characters per window of the language model.
    pub const LM_LENGTH: (usize, usize) = (4, 64);
    pub const LAYERS: (usize, usize) = (1, 4);
    pub const HEADS: (usize, usize) = (1, 8);
    pub const WIDTH: (usize, usize) = (4, 128);
    pub const FF: (usize, usize) = (4, 512);
    pub const BATCH: (usize, usize) = (1, 128);
    pub const STEPS: (usize, usize) = (1, 20_000);
    pub const CLIP: (f32, f32) = (1e-3, 1e3);
    /// Multiply-adds of one step's forward pass (projections, both attention products, the
    /// feed-forward network and the output layer over the batch), the contrast run included:
    /// 60 M keeps a step near a few hundred ms in the browser.
    pub const MAX_STEP_MULT_ADDS: u64 = 60_000_000;
    /// Steps between evaluations.
    pub const EVAL_EVERY: usize = 25;
    /// Held-out sequences every evaluation reads, at most: fewer for a large model
    /// (`test_sequences`), never fewer than the least.
    pub const TEST_SEQUENCES: usize = 256;
    pub const LEAST_TEST_SEQUENCES: usize = 16;
    /// Multiply-adds one evaluation may spend reading the held-out set and writing its
    /// answers (greedily, one token per pass), so an evaluation stays near a training step.
    pub const EVAL_MULT_ADDS: u64 = 1_500_000_000;
    /// Sequences whose gradient with respect to W_q and W_k is measured at an evaluation.
    pub const PROBE_SEQUENCES: usize = 32;
    /// Longest training slice one request may ask for.
    pub const MAX_TRAIN_BUDGET_MS: f64 = 2000.0;
    /// Characters a typed input or a sampling prompt may have.
    pub const MAX_TEXT_CHARS: usize = 120;
    /// Characters one sample may add.
    pub const MAX_SAMPLE_CHARS: usize = 400;
    pub const TEMPERATURE: (f32, f32) = (0.05, 5.0);
    /// The byte budget of one reply's JSON (tested on the largest model within the limits).
    pub const REPLY_BYTES: usize = 512 * 1024;

    /// Every limit: each field's own, then what fields must satisfy together.
    pub fn check(spec: &TfmLab) -> Result<(), TfmError> {
        Self::check_fields(spec)?;
        Self::check_together(spec)
    }

    /// The limits one field meets alone (a link's keys are read one at a time against these).
    pub fn check_fields(spec: &TfmLab) -> Result<(), TfmError> {
        match spec.task {
            TfmTask::Language => {
                check_range("length", spec.length, Self::LM_LENGTH.0, Self::LM_LENGTH.1)?;
                if spec.architecture == Architecture::Encoder {
                    return Err(TfmError::EncoderLanguageModel);
                }
            }
            TfmTask::Count => check_range("length", spec.length, 1, Self::COUNT_LENGTH)?,
            TfmTask::Addition => check_range("length", spec.length, 1, Self::ADDITION_DIGITS)?,
            // The length is unused; kept within the others' range so a link stays tidy.
            TfmTask::ModularAddition => {
                check_range("length", spec.length, Self::LENGTH.0, Self::LENGTH.1)?
            }
            _ => check_range("length", spec.length, Self::LENGTH.0, Self::LENGTH.1)?,
        }
        check_range("layers", spec.layers, Self::LAYERS.0, Self::LAYERS.1)?;
        check_range("heads", spec.heads, Self::HEADS.0, Self::HEADS.1)?;
        check_range("d_model", spec.width, Self::WIDTH.0, Self::WIDTH.1)?;
        check_range("d_ff", spec.ff, Self::FF.0, Self::FF.1)?;
        check_range("batch", spec.batch, Self::BATCH.0, Self::BATCH.1)?;
        check_range("steps", spec.steps, Self::STEPS.0, Self::STEPS.1)?;
        check_range("warm-up", spec.warmup, 0, spec.steps)?;
        if let Some(clip) = spec.clip {
            check_float("clip threshold", clip, Self::CLIP.0, Self::CLIP.1)?;
        }
        check_offered(spec.run.optimizer, &super::TFM_OPTIMIZERS, "Transformer")?;
        // A decay may not outlast the run: its link reads it against the run's steps.
        TrainingLimits::check_settings(&spec.run, &spec.schedule, spec.steps)?;
        check_at(spec.at, spec.steps)?;
        Ok(())
    }

    /// What the sizes must satisfy together: heads that divide d_model, and one step's work.
    pub fn check_together(spec: &TfmLab) -> Result<(), TfmError> {
        if !spec.width.is_multiple_of(spec.heads) {
            return Err(TfmError::HeadsDoNotDivide {
                width: spec.width,
                heads: spec.heads,
            });
        }
        let work = Self::step_mult_adds(spec);
        if work > Self::MAX_STEP_MULT_ADDS {
            return Err(TfmError::StepTooCostly { work });
        }
        Ok(())
    }

    /// Held-out sequences an evaluation reads: as many as `EVAL_MULT_ADDS` pays for (one
    /// teacher-forced pass, and the decoder's answer pass k over its first input + k + 1
    /// tokens), between `LEAST_TEST_SEQUENCES` and `TEST_SEQUENCES`.
    pub fn test_sequences(spec: &TfmLab) -> usize {
        let l = spec.sequence_length() as u64;
        let (input, output) = spec.task.input_output(spec.length);
        let written: u64 = match (spec.task, spec.architecture) {
            (TfmTask::Language, _) => 0,
            (_, Architecture::Encoder) => l,
            _ => (0..output as u64).map(|k| input as u64 + k + 2).sum(),
        };
        let per_sequence = (l + written) * Self::per_token_mult_adds(spec);
        let affordable = (Self::EVAL_MULT_ADDS / per_sequence.max(1)).clamp(
            Self::LEAST_TEST_SEQUENCES as u64,
            Self::TEST_SEQUENCES as u64,
        ) as usize;
        match spec.task {
            // Only the held-out 30% of the pairs exist to test on.
            TfmTask::ModularAddition => affordable.min(super::held_out_pairs()),
            _ => affordable,
        }
    }

    fn per_token_mult_adds(spec: &TfmLab) -> u64 {
        let (l, d, ff) = (
            spec.sequence_length() as u64,
            spec.width as u64,
            spec.ff as u64,
        );
        spec.layers as u64 * (4 * d * d + 2 * l * d + 2 * d * ff)
            + d * spec.task.vocabulary() as u64
    }

    /// Forward multiply-adds of one step: per layer and token, 4·d² for the projections,
    /// 2·L·d for QKᵀ and ·V, 2·d·d_ff for the feed-forward network; d·vocab for the output;
    /// twice that with the contrast run.
    pub fn step_mult_adds(spec: &TfmLab) -> u64 {
        let (l, d, ff) = (
            spec.sequence_length() as u64,
            spec.width as u64,
            spec.ff as u64,
        );
        let per_token = spec.layers as u64 * (4 * d * d + 2 * l * d + 2 * d * ff)
            + d * spec.task.vocabulary() as u64;
        let runs = if spec.contrast { 2 } else { 1 };
        runs * spec.batch as u64 * l * per_token
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Violation;

    #[test]
    fn every_limit_names_itself() {
        let ok = TfmLab::default();
        assert_eq!(ok.check(), Ok(()));
        let big = TfmLab {
            width: 128,
            ff: 512,
            layers: 4,
            batch: 128,
            length: 24,
            ..ok.clone()
        };
        assert!(matches!(big.check(), Err(TfmError::StepTooCostly { .. })));
        let odd = TfmLab {
            width: 30,
            ..ok.clone()
        };
        assert_eq!(
            odd.check(),
            Err(TfmError::HeadsDoNotDivide {
                width: 30,
                heads: 4
            })
        );
        let count = TfmLab {
            task: TfmTask::Count,
            length: 12,
            ..ok.clone()
        };
        assert_eq!(
            count.check(),
            Err(TfmError::Limit(Violation::above("length", 12, 9)))
        );
        let lm = TfmLab {
            task: TfmTask::Language,
            length: 32,
            architecture: Architecture::Encoder,
            ..ok.clone()
        };
        assert_eq!(lm.check(), Err(TfmError::EncoderLanguageModel));
        assert_eq!(TfmLimits::test_sequences(&ok), 256);
        assert_eq!(TfmLimits::test_sequences(&big), 16);
        let far = TfmLab {
            at: Some(801),
            ..ok
        };
        assert_eq!(
            far.check(),
            Err(TfmError::Limit(Violation::above("at", 801, 800)))
        );
    }
}
