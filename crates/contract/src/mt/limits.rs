//! The Translation lab's limits.

use super::{MtError, MtLab, SHORTEST};
use crate::limits::{check_at, check_float, check_offered, check_range, TrainingLimits};

/// What one browser tab trains three models of in minutes.
pub struct MtLimits;

impl MtLimits {
    /// Source words of the longest sentence the grammar makes (three noun phrases of three
    /// adjectives each, and "with").
    pub const LONGEST: usize = 17;
    pub const WIDTH: (usize, usize) = (8, 128);
    pub const LAYERS: (usize, usize) = (1, 3);
    pub const HEADS: (usize, usize) = (1, 8);
    pub const BATCH: (usize, usize) = (1, 64);
    pub const STEPS: (usize, usize) = (1, 20_000);
    pub const CLIP: (f32, f32) = (1e-3, 1e3);
    pub const BEAM: (usize, usize) = (1, 8);
    /// Steps between evaluations.
    pub const EVAL_EVERY: usize = 50;
    /// Held-out sentences per length at every evaluation.
    pub const TEST_PER_LENGTH: usize = 16;
    /// Longest training slice one request may ask for.
    pub const MAX_TRAIN_BUDGET_MS: f64 = 2000.0;
    /// Characters a typed sentence, a candidate or a reference may have.
    pub const MAX_TEXT_CHARS: usize = 200;
    /// Words a candidate or a reference of the BLEU breakdown may have.
    pub const MAX_BLEU_WORDS: usize = 40;
    /// Words a translation may run to before it is cut (a model that never writes "</s>").
    pub fn max_output(source_words: usize) -> usize {
        source_words + 6
    }
    /// The byte budget of one reply's JSON (tested on the largest model within the limits).
    pub const REPLY_BYTES: usize = 512 * 1024;

    /// Every limit: each field's own, then what fields must satisfy together.
    pub fn check(spec: &MtLab) -> Result<(), MtError> {
        Self::check_fields(spec)?;
        Self::check_together(spec)
    }

    /// The limits one field meets alone (a link's keys are read one at a time against these).
    pub fn check_fields(spec: &MtLab) -> Result<(), MtError> {
        check_range("longest sentence", spec.longest, SHORTEST, Self::LONGEST)?;
        check_range("width", spec.width, Self::WIDTH.0, Self::WIDTH.1)?;
        check_range("layers", spec.layers, Self::LAYERS.0, Self::LAYERS.1)?;
        check_range("heads", spec.heads, Self::HEADS.0, Self::HEADS.1)?;
        check_range("batch", spec.batch, Self::BATCH.0, Self::BATCH.1)?;
        check_range("steps", spec.steps, Self::STEPS.0, Self::STEPS.1)?;
        check_range("warm-up", spec.warmup, 0, spec.steps)?;
        check_range("beam width", spec.beam, Self::BEAM.0, Self::BEAM.1)?;
        if let Some(clip) = spec.clip {
            check_float("clip threshold", clip, Self::CLIP.0, Self::CLIP.1)?;
        }
        if let Some(sentence) = &spec.sentence {
            check_range(
                "characters of the sentence",
                sentence.chars().count(),
                1,
                Self::MAX_TEXT_CHARS,
            )?;
        }
        check_offered(spec.run.optimizer, &super::MT_OPTIMIZERS, "Translation")?;
        // A decay may not outlast the run: its link reads it against the run's steps.
        TrainingLimits::check_settings(&spec.run, &spec.schedule, spec.steps)?;
        check_at(spec.at, spec.steps)?;
        Ok(())
    }

    /// What the sizes must satisfy together: heads that divide the Transformer's width, and
    /// a width the two directions of the encoder can share.
    pub fn check_together(spec: &MtLab) -> Result<(), MtError> {
        if !spec.width.is_multiple_of(spec.heads) {
            return Err(MtError::HeadsDoNotDivide {
                width: spec.width,
                heads: spec.heads,
            });
        }
        if !spec.width.is_multiple_of(2) {
            return Err(MtError::OddWidth(spec.width));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Violation;

    fn over(field: &str, value: usize, max: usize) -> MtError {
        MtError::Limit(Violation::above(field, value, max))
    }

    #[test]
    fn every_limit_names_itself() {
        let ok = MtLab::default();
        assert_eq!(ok.check(), Ok(()));
        let cases = [
            (
                MtLab {
                    longest: 18,
                    ..ok.clone()
                },
                over("longest sentence", 18, 17),
            ),
            (
                MtLab {
                    width: 60,
                    heads: 8,
                    ..ok.clone()
                },
                MtError::HeadsDoNotDivide {
                    width: 60,
                    heads: 8,
                },
            ),
            (
                MtLab {
                    width: 9,
                    heads: 1,
                    ..ok.clone()
                },
                MtError::OddWidth(9),
            ),
            (
                MtLab {
                    beam: 9,
                    ..ok.clone()
                },
                over("beam width", 9, 8),
            ),
            (
                MtLab {
                    at: Some(601),
                    ..ok.clone()
                },
                over("at", 601, 600),
            ),
        ];
        for (spec, why) in cases {
            assert_eq!(spec.check(), Err(why));
        }
    }
}
