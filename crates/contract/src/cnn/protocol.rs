//! What the CNN lab's page asks of its session and what comes back.

use super::view::{CnnView, DigitSource, Evaluation, GalleryDigit, ReceptiveFieldView};
use super::CnnLab;
use crate::training::{Progress, TrainFor};
use serde::{Deserialize, Serialize};

crate::declare_protocol!(
    /// The CNN lab's protocol.
    ///
    /// A start builds the model at step 0 (`spec.at` is the page's to replay with
    /// `CnnRequest::Train`, in slices it can follow and interrupt).
    CnnProtocol, super::SLUG, CnnLab, CnnRequest, CnnReply
);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CnnRequest {
    /// Train a slice, then report the progress and the view.
    Train(TrainFor),
    /// Look inside the model for another digit or shift (training state unchanged).
    Look {
        digit: DigitSource,
        shift: (i32, i32),
    },
    /// The receptive fields of one unit of one layer's output, for the looked-at digit.
    Receptive {
        layer: usize,
        channel: usize,
        y: usize,
        x: usize,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CnnReply {
    /// The model is built: progress at step 0, the view of the chosen digit, and test digits
    /// to choose from.
    Started {
        progress: Progress<Evaluation>,
        view: CnnView,
        gallery: Vec<GalleryDigit>,
    },
    /// Training went on: new steps and evaluations, and the view after them.
    Trained {
        progress: Progress<Evaluation>,
        view: CnnView,
    },
    Viewed(CnnView),
    ReceptiveField(ReceptiveFieldView),
}
