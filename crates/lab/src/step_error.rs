//! Why a training step could not be taken, in every lab: a loss that stopped being a number
//! (with the lab's own advice), or an operation that refused. The run's log keeps its text,
//! which the page shows after "Training stopped: ".

use std::fmt;

/// When a loss went bad: the step, or (the Network lab, which trains in epochs) the epoch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum When {
    Step(usize),
    Epoch(usize),
}

/// As the sentence places it: "at step 14", "in epoch 3".
impl fmt::Display for When {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            When::Step(step) => write!(out, "at step {step}"),
            When::Epoch(epoch) => write!(out, "in epoch {epoch}"),
        }
    }
}

/// What the student can change when the loss is no longer a number.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Advice {
    /// η is the likely cause (the CNN and Network labs, which offer no clipping).
    LowerLr { lr: f32 },
    /// The Translation lab.
    LowerLrOrClip,
    /// The Recurrent lab: the gradient through time exploded.
    Exploded,
    /// The Transformer lab.
    LowerLrClipOrNorm,
}

/// As the sentence ends: what to change.
impl fmt::Display for Advice {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Advice::LowerLr { lr } => write!(out, "η = {lr} is probably too large"),
            Advice::LowerLrOrClip => write!(out, "lower η or clip the gradient"),
            Advice::Exploded => write!(
                out,
                "the gradient exploded (clip it, or lower η or the gain)"
            ),
            Advice::LowerLrClipOrNorm => write!(out, "lower η, clip the gradient or add LayerNorm"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StepError {
    /// The mini-batch's loss is NaN or infinite.
    #[error("the loss became {loss} {when}: {advice}")]
    LossNotFinite {
        loss: f32,
        when: When,
        advice: Advice,
    },
    /// An operation refused its inputs' shapes (a bug: the spec's limits keep models buildable).
    #[error(transparent)]
    Shape(#[from] tensor::ShapeError),
    /// A batch could not be read from the data set.
    #[error(transparent)]
    Data(#[from] data::DataError),
    /// The optimizer could not apply step `step`'s update.
    #[error("step {step}: {error}")]
    Update {
        step: usize,
        error: nn::optim::StepError,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The English every lab showed before the error was a value.
    #[test]
    fn each_lab_s_advice_reads_as_before() {
        let nan = |when, advice| {
            StepError::LossNotFinite {
                loss: f32::NAN,
                when,
                advice,
            }
            .to_string()
        };
        assert_eq!(
            nan(When::Step(14), Advice::LowerLr { lr: 2.0 }),
            "the loss became NaN at step 14: η = 2 is probably too large"
        );
        assert_eq!(
            nan(When::Epoch(3), Advice::LowerLr { lr: 10.0 }),
            "the loss became NaN in epoch 3: η = 10 is probably too large"
        );
        assert_eq!(
            nan(When::Step(5), Advice::LowerLrOrClip),
            "the loss became NaN at step 5: lower η or clip the gradient"
        );
        assert_eq!(
            nan(When::Step(5), Advice::Exploded),
            "the loss became NaN at step 5: the gradient exploded (clip it, or lower η or the gain)"
        );
        assert_eq!(
            nan(When::Step(5), Advice::LowerLrClipOrNorm),
            "the loss became NaN at step 5: lower η, clip the gradient or add LayerNorm"
        );
    }
}
