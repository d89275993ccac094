//! Which input pixels one unit of a feature map can see: its theoretical receptive field.

use super::window::Window;
use serde::{Deserialize, Serialize};

/// Which input pixels one unit of a feature map sees, along one axis: unit `i` sees input
/// positions `first + i·jump .. first + i·jump + size` (before clipping to the image).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceptiveField {
    pub size: u64,
    /// Distance in input pixels between neighbouring units (the product of the strides).
    /// Saturating: sixteen strided layers can exceed any integer type (a link may hold them).
    pub jump: u64,
    /// Input position of the first pixel unit 0 sees; negative means it starts in the padding.
    pub first: i64,
}

impl ReceptiveField {
    /// One input pixel sees itself.
    pub const INPUT: ReceptiveField = ReceptiveField {
        size: 1,
        jump: 1,
        first: 0,
    };

    /// After a window of effective size `f`, stride `s` and padding `p`: each new unit spans
    /// f input units of the previous layer, each of which spans `size`, `jump` apart.
    pub fn through(&self, f: usize, s: usize, p: usize) -> ReceptiveField {
        let back = (p as u64).saturating_mul(self.jump);
        ReceptiveField {
            size: self
                .size
                .saturating_add((f.saturating_sub(1) as u64).saturating_mul(self.jump)),
            jump: self.jump.saturating_mul(s as u64),
            first: self
                .first
                .saturating_sub(i64::try_from(back).unwrap_or(i64::MAX)),
        }
    }

    pub fn through_window(&self, window: Window) -> ReceptiveField {
        self.through(window.size, window.stride, window.padding)
    }

    /// The input range `[start, end)` that unit `i` sees, clipped to `0..n`.
    pub fn span(&self, i: usize, n: usize) -> (usize, usize) {
        let offset = (i as u64).saturating_mul(self.jump);
        let start = self
            .first
            .saturating_add(i64::try_from(offset).unwrap_or(i64::MAX));
        let end = start.saturating_add(i64::try_from(self.size).unwrap_or(i64::MAX));
        (
            start.clamp(0, n as i64) as usize,
            end.clamp(0, n as i64) as usize,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_clips_to_the_image() {
        let rf = ReceptiveField {
            size: 5,
            jump: 1,
            first: -2,
        };
        assert_eq!(rf.span(0, 28), (0, 3));
        assert_eq!(rf.span(10, 28), (8, 13));
        assert_eq!(rf.span(27, 28), (25, 28));
    }
}
