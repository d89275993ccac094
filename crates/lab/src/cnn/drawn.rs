//! A digit drawn on the page, prepared the way MNIST's digits were (LeCun et al.): the ink's
//! bounding box scaled to fit a 20×20 box (aspect kept, grey levels by area averaging), then
//! placed in the 28×28 image with its centre of mass at the centre. Without this a large
//! off-centre drawing looks nothing like the digits the model learnt from.

/// Ink values at or below this (of 255) are background.
const INK_THRESHOLD: u8 = 16;
const BOX: usize = 20;
pub const SIDE: usize = 28;

/// `ink` is `size`×`size`, row-major, 0–255. Returns 28×28 values in [0, 1].
pub fn normalise(ink: &[u8], size: usize) -> Vec<f32> {
    let mut out = vec![0.0f32; SIDE * SIDE];
    if size == 0 || ink.len() != size * size {
        return out;
    }
    let inked = |y: usize, x: usize| ink[y * size + x] > INK_THRESHOLD;
    let rows: Vec<usize> = (0..size)
        .filter(|&y| (0..size).any(|x| inked(y, x)))
        .collect();
    let cols: Vec<usize> = (0..size)
        .filter(|&x| (0..size).any(|y| inked(y, x)))
        .collect();
    let (Some(&y0), Some(&y1), Some(&x0), Some(&x1)) =
        (rows.first(), rows.last(), cols.first(), cols.last())
    else {
        return out; // nothing drawn
    };
    let (h, w) = (y1 - y0 + 1, x1 - x0 + 1);
    let scale = BOX as f32 / h.max(w) as f32;
    let (oh, ow) = (
        ((h as f32 * scale).round() as usize).clamp(1, BOX),
        ((w as f32 * scale).round() as usize).clamp(1, BOX),
    );
    // Area averaging: each output pixel is the mean of the source pixels it covers.
    let mut small = vec![0.0f32; oh * ow];
    for (oy, row) in small.chunks_mut(ow).enumerate() {
        let sy0 = y0 + oy * h / oh;
        let sy1 = (y0 + (oy + 1) * h / oh).max(sy0 + 1);
        for (ox, v) in row.iter_mut().enumerate() {
            let sx0 = x0 + ox * w / ow;
            let sx1 = (x0 + (ox + 1) * w / ow).max(sx0 + 1);
            let mut sum = 0.0;
            for y in sy0..sy1 {
                for x in sx0..sx1 {
                    sum += ink[y * size + x] as f32;
                }
            }
            *v = sum / ((sy1 - sy0) * (sx1 - sx0)) as f32 / 255.0;
        }
    }
    // Centre of mass → image centre.
    let mass: f32 = small.iter().sum();
    let (cy, cx) = if mass > 0.0 {
        let cy = small
            .chunks(ow)
            .enumerate()
            .map(|(y, r)| y as f32 * r.iter().sum::<f32>())
            .sum::<f32>()
            / mass;
        let cx = small
            .chunks(ow)
            .map(|r| r.iter().enumerate().map(|(x, v)| x as f32 * v).sum::<f32>())
            .sum::<f32>()
            / mass;
        (cy, cx)
    } else {
        (oh as f32 / 2.0, ow as f32 / 2.0)
    };
    let top = (SIDE as f32 / 2.0 - 0.5 - cy).round() as i64;
    let left = (SIDE as f32 / 2.0 - 0.5 - cx).round() as i64;
    for (y, row) in small.chunks(ow).enumerate() {
        for (x, &v) in row.iter().enumerate() {
            let (ty, tx) = (y as i64 + top, x as i64 + left);
            if (0..SIDE as i64).contains(&ty) && (0..SIDE as i64).contains(&tx) {
                out[ty as usize * SIDE + tx as usize] = v;
            }
        }
    }
    out
}

/// The image moved right by `dx` and down by `dy` pixels; what moves in is 0.
pub fn shifted(image: &[f32], side: usize, by: (i32, i32)) -> Vec<f32> {
    shifted_rect(image, side, side, by)
}

/// An `h`×`w` plane moved right by `dx` and down by `dy`, zeros moving in.
pub(crate) fn shifted_rect(plane: &[f32], h: usize, w: usize, (dx, dy): (i32, i32)) -> Vec<f32> {
    let mut out = vec![0.0; plane.len()];
    for y in 0..h as i64 {
        for x in 0..w as i64 {
            let (sy, sx) = (y - dy as i64, x - dx as i64);
            if (0..h as i64).contains(&sy) && (0..w as i64).contains(&sx) {
                out[(y * w as i64 + x) as usize] = plane[(sy * w as i64 + sx) as usize];
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_off_centre_stroke_is_scaled_and_centred() {
        // A vertical bar 40 px tall in the top-left corner of a 112×112 canvas.
        let size = 112;
        let mut ink = vec![0u8; size * size];
        for y in 5..45 {
            for x in 5..13 {
                ink[y * size + x] = 255;
            }
        }
        let img = normalise(&ink, size);
        let rows: Vec<usize> = (0..SIDE)
            .filter(|&y| (0..SIDE).any(|x| img[y * SIDE + x] > 0.5))
            .collect();
        // 20 rows tall, centred: rows 4..24.
        assert_eq!((rows[0], rows[rows.len() - 1]), (4, 23));
        let cols: Vec<usize> = (0..SIDE)
            .filter(|&x| (0..SIDE).any(|y| img[y * SIDE + x] > 0.5))
            .collect();
        assert_eq!((cols[0], cols[cols.len() - 1]), (12, 15));
    }

    #[test]
    fn nothing_drawn_or_a_wrong_size_is_a_blank_image() {
        assert!(normalise(&[0; 100], 10).iter().all(|&v| v == 0.0));
        assert!(normalise(&[255; 99], 10).iter().all(|&v| v == 0.0));
    }

    #[test]
    fn shifting_moves_pixels_and_fills_with_zero() {
        let img: Vec<f32> = (0..9).map(|v| v as f32).collect();
        assert_eq!(
            shifted(&img, 3, (1, 0)),
            [0.0, 0.0, 1.0, 0.0, 3.0, 4.0, 0.0, 6.0, 7.0]
        );
        assert_eq!(
            shifted(&img, 3, (0, -1)),
            [3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 0.0, 0.0, 0.0]
        );
    }
}
