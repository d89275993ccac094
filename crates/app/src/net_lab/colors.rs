//! TensorFlow Playground's colour scale, used for every map, point and weight in this lab:
//! −1 orange, 0 light grey, +1 blue (its `#f59322`, `#e8eaeb`, `#0877bd`), and the painting of
//! a neuron's map with it.

use crate::widgets::raster::{self, Rgba};
use contract::net::protocol::Map;
use web_sys::HtmlCanvasElement;

const NEGATIVE: [f32; 3] = [245.0, 147.0, 34.0];
const MIDDLE: [f32; 3] = [232.0, 234.0, 235.0];
const POSITIVE: [f32; 3] = [8.0, 119.0, 189.0];

pub const NEGATIVE_CSS: &str = "#f59322";
pub const POSITIVE_CSS: &str = "#0877bd";

/// The colour of a value in [−1, 1] (clamped; not a number is the middle).
pub fn of(value: f32) -> Rgba {
    let t = if value.is_finite() {
        value.clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let end = if t < 0.0 { NEGATIVE } else { POSITIVE };
    let mix = |i: usize| (MIDDLE[i] + (end[i] - MIDDLE[i]) * t.abs()).round() as u8;
    [mix(0), mix(1), mix(2), 255]
}

/// CSS for the same colour.
pub fn css(value: f32) -> String {
    let [r, g, b, _] = of(value);
    format!("rgb({r},{g},{b})")
}

/// The pixels of a map: the colour of each sample's value, or of its sign when `discrete`.
pub fn pixels(map: &Map, discrete: bool) -> Vec<u8> {
    map.bytes
        .iter()
        .flat_map(|&b| {
            let v = Map::value(b);
            of(if discrete { v.signum() } else { v })
        })
        .collect()
}

pub fn paint(canvas: &HtmlCanvasElement, map: &Map, discrete: bool) {
    let _ = raster::paint(canvas, map.side, map.side, &pixels(map, discrete));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_runs_orange_grey_blue() {
        assert_eq!(of(-1.0), [245, 147, 34, 255]);
        assert_eq!(of(0.0), [232, 234, 235, 255]);
        assert_eq!(of(1.0), [8, 119, 189, 255]);
        assert_eq!(of(5.0), of(1.0));
        assert_eq!(of(f32::NAN), of(0.0));
        let map = Map {
            side: 1,
            bytes: vec![Map::byte(0.2)],
        };
        assert_eq!(pixels(&map, true), of(1.0).to_vec());
    }
}
