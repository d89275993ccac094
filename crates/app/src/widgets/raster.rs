//! Small images on canvases: digits, feature maps, kernels, gradient overlays. Colour maps are
//! plain functions (tested natively); painting puts RGBA bytes on a canvas whose CSS size
//! scales it up with `image-rendering: pixelated`.

use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

pub type Rgba = [u8; 4];

/// Ink on paper: 0 → white, 1 → near-black (how digits are drawn everywhere in the lab).
pub fn ink(t: f32) -> Rgba {
    let v = (255.0 - t.clamp(0.0, 1.0) * 235.0) as u8;
    [v, v, v, 255]
}

/// Signed values, zero white: negative blue, positive red, by |t| ≤ 1.
pub fn diverging(t: f32) -> Rgba {
    let t = if t.is_finite() {
        t.clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let fade = |full: f32| (255.0 + (full - 255.0) * t.abs()) as u8;
    if t >= 0.0 {
        [fade(178.0), fade(24.0), fade(43.0), 255]
    } else {
        [fade(33.0), fade(102.0), fade(172.0), 255]
    }
}

/// Scale of a diverging map: the largest magnitude (never 0).
pub fn magnitude(min: f32, max: f32) -> f32 {
    let m = min.abs().max(max.abs());
    if m > 0.0 && m.is_finite() {
        m
    } else {
        1.0
    }
}

pub fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok().flatten()?.dyn_into().ok()
}

/// Resizes the canvas to `w`×`h` and paints `pixels` (w·h RGBA) on it.
pub fn paint(canvas: &HtmlCanvasElement, w: usize, h: usize, pixels: &[u8]) -> Option<()> {
    if w == 0 || h == 0 || pixels.len() != w * h * 4 {
        return None;
    }
    if canvas.width() != w as u32 || canvas.height() != h as u32 {
        canvas.set_width(w as u32);
        canvas.set_height(h as u32);
    }
    // ImageData refuses views of shared memory (ours is, for the threads): copy to a JS array.
    let array = js_sys::Uint8ClampedArray::new_with_length(pixels.len() as u32);
    array.copy_from(pixels);
    let image = ImageData::new_with_js_u8_clamped_array_and_sh(&array, w as u32, h as u32).ok()?;
    context(canvas)?.put_image_data(&image, 0.0, 0.0).ok()
}

/// A 28×28 (or any square) byte image as ink.
pub fn digit_pixels(bytes: &[u8]) -> Vec<u8> {
    bytes.iter().flat_map(|&b| ink(b as f32 / 255.0)).collect()
}

/// Channels tiled in a grid with a 1-pixel gap: (columns, rows, width, height) in pixels.
pub fn tiling(channels: usize, h: usize, w: usize) -> (usize, usize, usize, usize) {
    let columns = if h * w == 1 {
        channels.clamp(1, 32)
    } else {
        channels.clamp(1, 8)
    };
    let rows = channels.div_ceil(columns).max(1);
    (columns, rows, columns * (w + 1) - 1, rows * (h + 1) - 1)
}

/// The unit under pixel (px, py) of a tiled layer image, if it is on a tile.
pub fn unit_at(
    channels: usize,
    h: usize,
    w: usize,
    px: usize,
    py: usize,
) -> Option<(usize, usize, usize)> {
    let (columns, _, _, _) = tiling(channels, h, w);
    let (tx, x) = (px / (w + 1), px % (w + 1));
    let (ty, y) = (py / (h + 1), py % (h + 1));
    let channel = ty * columns + tx;
    (x < w && y < h && tx < columns && channel < channels).then_some((channel, y, x))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diverging_is_white_at_zero_and_saturates() {
        assert_eq!(diverging(0.0), [255, 255, 255, 255]);
        assert_eq!(diverging(1.0), [178, 24, 43, 255]);
        assert_eq!(diverging(-7.0), [33, 102, 172, 255]);
        assert_eq!(diverging(f32::NAN), [255, 255, 255, 255]);
    }

    #[test]
    fn tiles_and_clicks_agree() {
        // 16 channels of 14×14: two rows of eight.
        assert_eq!(tiling(16, 14, 14), (8, 2, 119, 29));
        assert_eq!(unit_at(16, 14, 14, 0, 0), Some((0, 0, 0)));
        assert_eq!(unit_at(16, 14, 14, 14, 3), None); // the gap
        assert_eq!(unit_at(16, 14, 14, 15 + 2, 15 + 13), Some((9, 13, 2)));
        // A dense layer's units are 1×1 tiles, 32 to a row.
        assert_eq!(tiling(64, 1, 1), (32, 2, 63, 3));
        assert_eq!(unit_at(64, 1, 1, 2, 2), Some((33, 0, 0)));
    }
}
