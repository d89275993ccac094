//! The output size of a window slid over a map along one axis: the notes' formula
//! `(n + 2p − f)/s + 1`, and why a window cannot produce a size.

use std::fmt;

/// What to do when `(n + 2p − f)/s + 1` is not a whole number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    /// The division must be exact: the builder refuses a layer whose windows do not tile its
    /// input, instead of silently dropping the last rows as most frameworks do.
    Exact,
    /// `⌊(n + 2p − f)/s⌋ + 1`: the last input row is seen by a window but not stepped onto.
    /// Published ResNets rely on it (224 → 112 through a 7×7/2 with padding 3 is 112.5).
    Floor,
}

/// A square window (a kernel or a pooling window) of effective size `size` (a dilated kernel's
/// `d(k − 1) + 1`), stepped by `stride` over an input padded by `padding` on each side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub size: usize,
    pub stride: usize,
    pub padding: usize,
    pub rounding: Rounding,
}

impl Window {
    pub const fn exact(size: usize, stride: usize, padding: usize) -> Window {
        Window {
            size,
            stride,
            padding,
            rounding: Rounding::Exact,
        }
    }

    pub const fn floor(size: usize, stride: usize, padding: usize) -> Window {
        Window {
            rounding: Rounding::Floor,
            ..Window::exact(size, stride, padding)
        }
    }

    /// The output size over an input of `n`, or why there is none.
    pub fn output(&self, n: usize) -> Result<usize, WindowError> {
        let Window {
            size: f,
            stride: s,
            padding: p,
            rounding,
        } = *self;
        if s == 0 {
            return Err(WindowError::ZeroStride);
        }
        if f == 0 {
            return Err(WindowError::Empty);
        }
        let padded = n + 2 * p;
        if padded < f {
            return Err(WindowError::LargerThanInput { n, window: *self });
        }
        if rounding == Rounding::Exact && !(padded - f).is_multiple_of(s) {
            return Err(WindowError::NotWhole { n, window: *self });
        }
        Ok((padded - f) / s + 1)
    }

    /// Whether [`Rounding::Floor`] changed the output size over an input of `n`.
    pub fn rounds_down(&self, n: usize) -> bool {
        let padded = n + 2 * self.padding;
        self.rounding == Rounding::Floor
            && self.output(n).is_ok()
            && !(padded - self.size).is_multiple_of(self.stride)
    }

    /// `(n + 2p − f)/s + 1` over an input of `n` before any rounding (negative when the window
    /// is larger than the padded input).
    pub fn quotient(&self, n: usize) -> f64 {
        let padded = (n + 2 * self.padding) as f64;
        (padded - self.size as f64) / self.stride as f64 + 1.0
    }

    /// The formula with this window's numbers: "(7 + 2·0 − 2)/2 + 1".
    pub fn formula(&self, n: usize) -> String {
        let Window {
            size: f,
            stride: s,
            padding: p,
            ..
        } = *self;
        format!("({n} + 2·{p} − {f})/{s} + 1")
    }
}

/// Why a window produces no output size over an input of `n`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowError {
    ZeroStride,
    Empty,
    /// The output would be empty.
    LargerThanInput {
        n: usize,
        window: Window,
    },
    /// The windows do not tile the input, and the window may not round.
    NotWhole {
        n: usize,
        window: Window,
    },
}

impl fmt::Display for WindowError {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            WindowError::ZeroStride => write!(out, "stride must be at least 1"),
            WindowError::Empty => write!(out, "the window must be at least 1×1"),
            WindowError::LargerThanInput { n, window } => {
                let (f, padded) = (window.size, n + 2 * window.padding);
                write!(
                    out,
                    "output size (n + 2p − f)/s + 1 = {} = {:.2} ≤ 0: the {f}×{f} window is larger than the padded {padded}×{padded} input",
                    window.formula(n),
                    window.quotient(n)
                )
            }
            WindowError::NotWhole { n, window } => write!(
                out,
                "output size (n + 2p − f)/s + 1 = {} = {:.2} is not a whole number: the windows do not tile the input (change the padding or the stride)",
                window.formula(n),
                window.quotient(n)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_size_is_the_notes_formula() {
        // AlexNet's first convolution: (227 − 11)/4 + 1 = 55.
        assert_eq!(Window::exact(11, 4, 0).output(227), Ok(55));
        // "Same" padding p = (f − 1)/2 keeps the size.
        assert_eq!(Window::exact(5, 1, 2).output(28), Ok(28));
        assert_eq!(Window::exact(2, 2, 0).output(28), Ok(14));
    }

    #[test]
    fn a_window_that_does_not_tile_says_so_unless_it_may_round_down() {
        let exact = Window::exact(2, 2, 0);
        assert_eq!(
            exact.output(7),
            Err(WindowError::NotWhole {
                n: 7,
                window: exact
            })
        );
        assert!(!exact.rounds_down(7));
        let floor = Window::floor(7, 2, 3);
        assert_eq!(floor.output(224), Ok(112));
        assert!(floor.rounds_down(224));
        assert_eq!(floor.quotient(224), 112.5);
        assert!(!floor.rounds_down(225));
    }

    #[test]
    fn rounding_down_never_makes_an_empty_output() {
        let floor = Window::floor(7, 1, 0);
        assert_eq!(
            floor.output(4),
            Err(WindowError::LargerThanInput {
                n: 4,
                window: floor
            })
        );
        assert!(!floor.rounds_down(4));
        assert_eq!(
            Window::floor(3, 0, 1).output(4),
            Err(WindowError::ZeroStride)
        );
        assert!(!Window::floor(3, 0, 1).rounds_down(4));
    }
}
