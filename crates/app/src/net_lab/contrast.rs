//! The Network lab's contrast run (batch normalisation the other way, same seed) as the page
//! has it: its latest frame, every epoch's losses and histograms gathered in it.

use contract::net::protocol::ContrastFrame;

/// What the page has of the contrast run: its latest frame, with every epoch's losses and
/// histograms so far gathered in it.
#[derive(Clone, Debug, PartialEq)]
pub struct ContrastRun(pub ContrastFrame);

impl ContrastRun {
    pub fn epoch(&self) -> usize {
        self.0.epoch
    }

    pub(super) fn append(this: &mut Option<ContrastRun>, frame: ContrastFrame) {
        let Some(ContrastRun(run)) = this else {
            *this = Some(ContrastRun(frame));
            return;
        };
        let last = run.curve.last().map(|c| c.epoch);
        run.curve
            .extend(frame.curve.into_iter().filter(|c| last.is_none_or(|l| c.epoch > l)));
        let last = run.histograms.last().map(|h| h.epoch);
        run.histograms
            .extend(frame.histograms.into_iter().filter(|h| last.is_none_or(|l| h.epoch > l)));
        run.epoch = frame.epoch;
        run.norms = frame.norms;
        run.stopped = frame.stopped;
    }
}
