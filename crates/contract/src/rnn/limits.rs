//! The Recurrent lab's limits.

use super::{RnnError, RnnLab};
use crate::limits::{check_at, check_float, check_offered, check_range, TrainingLimits};

/// What one browser tab trains in seconds to minutes: a step of the largest model within them
/// takes well under a second.
pub struct RnnLimits;

impl RnnLimits {
    /// Distractors or clause words.
    pub const SPAN: (usize, usize) = (2, 100);
    pub const HIDDEN: (usize, usize) = (1, 128);
    pub const LAYERS: (usize, usize) = (1, 3);
    pub const BATCH: (usize, usize) = (1, 128);
    pub const STEPS: (usize, usize) = (1, 20_000);
    pub const CLIP_AT: (f32, f32) = (1e-3, 1e3);
    pub const GAIN: (f32, f32) = (0.1, 5.0);
    /// Multiply-adds of one step's forward pass (every gate's product at every time step of
    /// every layer and direction, over the batch): 60 M keeps a step near a few hundred ms in
    /// the browser.
    pub const MAX_STEP_MULT_ADDS: u64 = 60_000_000;
    /// Steps between evaluations.
    pub const EVAL_EVERY: usize = 25;
    /// Held-out sequences every evaluation reads.
    pub const TEST_SEQUENCES: usize = 256;
    /// Sequences whose mean gradient with respect to each h_k is drawn.
    pub const PROBE_SEQUENCES: usize = 32;
    /// Longest training slice one request may ask for.
    pub const MAX_TRAIN_BUDGET_MS: f64 = 2000.0;
    /// Characters a sentence to score, complete or start a sample may have.
    pub const MAX_TEXT_CHARS: usize = 120;
    /// Characters one sample may add.
    pub const MAX_SAMPLE_CHARS: usize = 400;
    pub const TEMPERATURE: (f32, f32) = (0.05, 5.0);
    /// Completions the missing-word search lists, best first.
    pub const FILL_CANDIDATES: usize = 5;
    /// The byte budget of one reply's JSON (tested on the largest model within the limits).
    pub const REPLY_BYTES: usize = 256 * 1024;

    /// Every limit: each field's own, then what fields must satisfy together.
    pub fn check(spec: &RnnLab) -> Result<(), RnnError> {
        Self::check_fields(spec)?;
        Self::check_together(spec)
    }

    /// The limits one field meets alone (a link's keys are read one at a time against these).
    pub fn check_fields(spec: &RnnLab) -> Result<(), RnnError> {
        check_range("span", spec.span, Self::SPAN.0, Self::SPAN.1)?;
        check_range("hidden units", spec.hidden, Self::HIDDEN.0, Self::HIDDEN.1)?;
        check_range("layers", spec.layers, Self::LAYERS.0, Self::LAYERS.1)?;
        check_range("batch", spec.batch, Self::BATCH.0, Self::BATCH.1)?;
        check_range("steps", spec.steps, Self::STEPS.0, Self::STEPS.1)?;
        check_range("truncation", spec.truncate, 0, spec.length())?;
        check_float(
            "clip threshold",
            spec.clip_at,
            Self::CLIP_AT.0,
            Self::CLIP_AT.1,
        )?;
        check_float("recurrent gain", spec.gain, Self::GAIN.0, Self::GAIN.1)?;
        if spec.task.answers_every_step() && spec.bidirectional {
            return Err(RnnError::BidirectionalReadsAhead(spec.task));
        }
        check_offered(spec.run.optimizer, &super::RNN_OPTIMIZERS, "Recurrent")?;
        // A decay may not outlast the run: its link reads it against the run's steps.
        TrainingLimits::check_settings(&spec.run, &spec.schedule, spec.steps)?;
        check_at(spec.at, spec.steps)?;
        Ok(())
    }

    /// What the sizes must satisfy together: one step's work.
    pub fn check_together(spec: &RnnLab) -> Result<(), RnnError> {
        let work = Self::step_mult_adds(spec);
        if work > Self::MAX_STEP_MULT_ADDS {
            return Err(RnnError::StepTooCostly { work });
        }
        Ok(())
    }

    /// Forward multiply-adds of one step: batch × length × layers × directions × maps ×
    /// (inputs + hidden) × hidden, summed over the compared runs.
    pub fn step_mult_adds(spec: &RnnLab) -> u64 {
        let cells = std::iter::once(spec.cell).chain(spec.compared_cells());
        cells
            .map(|cell| Self::one_run_mult_adds(spec, 1 + cell.gates().len() as u64))
            .sum()
    }

    fn one_run_mult_adds(spec: &RnnLab, maps: u64) -> u64 {
        let directions = if spec.bidirectional { 2 } else { 1 };
        let widest_input = (spec.hidden * directions).max(32) as u64;
        spec.batch as u64
            * spec.length() as u64
            * spec.layers as u64
            * directions as u64
            * maps
            * (widest_input + spec.hidden as u64)
            * spec.hidden as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::{Bound, Violation};

    #[test]
    fn every_limit_names_itself() {
        let ok = RnnLab::default();
        assert_eq!(ok.check(), Ok(()));
        let big = RnnLab {
            hidden: 128,
            layers: 3,
            batch: 128,
            span: 100,
            bidirectional: true,
            ..ok.clone()
        };
        assert!(matches!(big.check(), Err(RnnError::StepTooCostly { .. })));
        let long = RnnLab {
            span: 101,
            ..ok.clone()
        };
        assert_eq!(
            long.check(),
            Err(RnnError::Limit(Violation::above("span", 101, 100)))
        );
        let nan = RnnLab {
            clip_at: f32::NAN,
            ..ok.clone()
        };
        assert!(matches!(
            nan.check(),
            Err(RnnError::Limit(Violation {
                bound: Bound::NotFinite,
                ..
            }))
        ));
        // A decay that outlasts its run: refused, as its link would not carry it.
        let outlasting = RnnLab {
            steps: 300,
            schedule: crate::training::LrSchedule::LinearDecay {
                final_ratio: 0.01,
                steps: 500,
            },
            ..ok.clone()
        };
        assert_eq!(
            outlasting.check(),
            Err(RnnError::Limit(Violation::above("decay steps", 500, 300)))
        );
        let far = RnnLab {
            at: Some(601),
            ..ok
        };
        assert_eq!(
            far.check(),
            Err(RnnError::Limit(Violation::above("at", 601, 600)))
        );
    }
}
