//! A grid of values as a canvas: rows × columns, each cell coloured on the viridis-like ramp,
//! either by log₁₀ of the value (gradient norms, which fall by decades) or linearly between
//! two bounds (gates in [0, 1], states). The arithmetic is plain Rust, tested natively.

use crate::widgets::contour::ramp;
use crate::widgets::raster;
use leptos::html::Canvas;
use leptos::prelude::*;

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Grid {
    pub rows: usize,
    pub columns: usize,
    /// Row-major.
    pub values: Vec<f32>,
}

/// How values become colours.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scale {
    /// log₁₀ of the value between these powers of ten (0 and below: the bottom colour).
    Log {
        low: f32,
        high: f32,
    },
    Linear {
        low: f32,
        high: f32,
    },
    /// Signed values, zero white: blue below, red above, by |v| ≤ `magnitude`.
    Signed {
        magnitude: f32,
    },
}

impl Scale {
    /// The decades the grid's positive finite values span (at least one).
    pub fn log_of(values: &[f32]) -> Scale {
        let logs = values
            .iter()
            .filter(|v| v.is_finite() && **v > 0.0)
            .map(|v| v.log10());
        let (low, high) = logs.fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), l| {
            (a.min(l), b.max(l))
        });
        if low > high {
            return Scale::Log {
                low: -1.0,
                high: 0.0,
            };
        }
        let (low, high) = (low.floor(), high.ceil());
        Scale::Log {
            low,
            high: if high > low { high } else { low + 1.0 },
        }
    }

    /// Where a value falls on the ramp, 0 to 1 (not a number: `None`).
    pub fn position(&self, v: f32) -> Option<f32> {
        if v.is_nan() {
            return None;
        }
        Some(match *self {
            Scale::Log { low, high } if v > 0.0 => {
                ((v.log10() - low) / (high - low)).clamp(0.0, 1.0)
            }
            Scale::Log { .. } => 0.0,
            Scale::Linear { low, high } => ((v - low) / (high - low).max(1e-12)).clamp(0.0, 1.0),
            // −magnitude → 0, zero → ½, +magnitude → 1.
            Scale::Signed { magnitude } => (0.5 + 0.5 * v / magnitude.max(1e-12)).clamp(0.0, 1.0),
        })
    }

    /// The colour of a position on this scale's ramp.
    pub fn colour(&self, t: f32) -> [u8; 4] {
        match self {
            Scale::Signed { .. } => raster::diverging(2.0 * t - 1.0),
            _ => {
                let (r, g, b) = ramp(t);
                [r, g, b, 255]
            }
        }
    }

    /// The bar's end labels.
    pub fn ends(&self) -> (String, String) {
        match *self {
            Scale::Log { low, high } => (power_of_ten(low), power_of_ten(high)),
            Scale::Linear { low, high } => (format!("{low:.2}"), format!("{high:.2}")),
            Scale::Signed { magnitude } => (format!("−{magnitude:.2}"), format!("+{magnitude:.2}")),
        }
    }
}

/// 10 raised to a whole number, written as the notes would: 10⁻³.
pub fn power_of_ten(exponent: f32) -> String {
    let digits: String = format!("{exponent:.0}")
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            _ => '⁹',
        })
        .collect();
    format!("10{digits}")
}

/// The grid's pixels (RGBA); not-a-number cells grey.
pub fn pixels(grid: &Grid, scale: Scale) -> Vec<u8> {
    grid.values
        .iter()
        .flat_map(|&v| match scale.position(v) {
            Some(t) => scale.colour(t),
            None => [200, 200, 200, 255],
        })
        .collect()
}

/// A scale's colours as a CSS gradient, for the colour bar.
pub fn bar_gradient(scale: Scale) -> String {
    let stops: Vec<String> = (0..=4)
        .map(|i| {
            let [r, g, b, _] = scale.colour(i as f32 / 4.0);
            format!("rgb({r},{g},{b})")
        })
        .collect();
    format!("linear-gradient(to right, {})", stops.join(", "))
}

/// A grid on a canvas with its colour bar; a click reports (row, column).
#[component]
pub fn Heatmap(
    #[prop(into)] grid: Signal<Grid>,
    #[prop(into)] scale: Signal<Scale>,
    /// What the colour means ("‖∂L/∂h_k‖").
    bar_label: &'static str,
    aria: &'static str,
    testid: &'static str,
    #[prop(optional)] on_pick: Option<Callback<(usize, usize)>>,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let g = grid.get();
        let s = scale.get();
        if let Some(canvas) = canvas.get() {
            let _ = raster::paint(&canvas, g.columns, g.rows, &pixels(&g, s));
        }
    });
    let click = move |ev: web_sys::MouseEvent| {
        let (Some(on_pick), Some(canvas)) = (on_pick, canvas.get_untracked()) else {
            return;
        };
        let (rows, columns) = grid.with_untracked(|g| (g.rows, g.columns));
        let (w, h) = (
            canvas.client_width().max(1) as f64,
            canvas.client_height().max(1) as f64,
        );
        let column = ((ev.offset_x() as f64 / w) * columns as f64).floor() as usize;
        let row = ((ev.offset_y() as f64 / h) * rows as f64).floor() as usize;
        if row < rows && column < columns {
            on_pick.run((row, column));
        }
    };
    view! {
        <div class="heatmap">
            <canvas node_ref=canvas data-testid=testid width="1" height="1" aria-label=aria
                class:pickable=on_pick.is_some() on:click=click></canvas>
            <div class="colour-bar">
                <span class="bar-label">{bar_label}</span>
                <span>{move || scale.get().ends().0}</span>
                <span class="bar" style:background=move || bar_gradient(scale.get())></span>
                <span>{move || scale.get().ends().1}</span>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_scales_span_whole_decades_and_place_values_on_them() {
        let scale = Scale::log_of(&[0.0, 3e-4, 0.5, f32::NAN, 20.0]);
        assert_eq!(
            scale,
            Scale::Log {
                low: -4.0,
                high: 2.0
            }
        );
        assert_eq!(scale.position(1e-4), Some(0.0));
        assert_eq!(scale.position(100.0), Some(1.0));
        assert!((scale.position(1.0).unwrap() - 4.0 / 6.0).abs() < 1e-6);
        assert_eq!(scale.position(0.0), Some(0.0), "no gradient: the bottom");
        assert_eq!(scale.position(f32::NAN), None);
        assert_eq!(
            Scale::log_of(&[1.0]),
            Scale::Log {
                low: 0.0,
                high: 1.0
            }
        );
        assert_eq!(scale.ends(), ("10⁻⁴".to_string(), "10²".to_string()));
        assert_eq!(power_of_ten(-10.0), "10⁻¹⁰");
        let grid = Grid {
            rows: 1,
            columns: 2,
            values: vec![1e-4, f32::NAN],
        };
        assert_eq!(&pixels(&grid, scale)[4..], &[200, 200, 200, 255]);
        let signed = Scale::Signed { magnitude: 2.0 };
        assert_eq!(signed.position(0.0), Some(0.5));
        assert_eq!(signed.colour(0.5), [255, 255, 255, 255], "zero is white");
        assert_eq!(signed.position(-4.0), Some(0.0));
    }
}
