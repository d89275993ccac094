//! Looking inside the session's model for one digit: every layer's feature maps, the class
//! probabilities, the first layer's kernels, what moving the digit does to each layer
//! (equivariance and invariance, the notes' definitions), and a unit's receptive fields:
//! the theoretical one from the chain of windows, the effective one from the gradient.

use super::drawn::{normalise, shifted, shifted_rect, SIDE};
use super::model::layer_tap;
use super::{argmax, CnnSession, CnnSessionError};
use contract::limits::check_range;
use contract::cnn::arch::FeatureShape;
use contract::cnn::limits::CnnLimits;
use contract::cnn::view::{
    CnnView, DigitSource, Kernels, LayerMaps, Quantised, ReceptiveFieldView, ShiftReport, ShiftRow,
};
use data::mnist::Split;
use std::collections::BTreeMap;
use tensor::taps::capture;
use tensor::{no_grad, Tensor};

/// A gradient under this fraction of the largest is outside the effective field's box.
pub const EFFECTIVE_FRACTION: f32 = 0.01;

impl CnnSession {
    /// Changes the digit looked at (and its shift) without touching training.
    pub fn look(&mut self, digit: DigitSource, shift: (i32, i32)) -> Result<(), CnnSessionError> {
        let limit = CnnLimits::MAX_SHIFT;
        if shift.0.unsigned_abs() > limit.unsigned_abs()
            || shift.1.unsigned_abs() > limit.unsigned_abs()
        {
            return Err(CnnSessionError::Shift(shift));
        }
        match &digit {
            DigitSource::Test { index } => {
                check_range("digit", *index, 0, contract::cnn::TEST_DIGITS - 1)?
            }
            DigitSource::Drawn { size, ink } => {
                check_range("drawing size", *size, 1, CnnLimits::MAX_DRAWN_SIDE)?;
                if ink.len() != size * size {
                    return Err(CnnSessionError::InkCount {
                        size: *size,
                        got: ink.len(),
                    });
                }
            }
        }
        self.looked = digit;
        self.shift = shift;
        Ok(())
    }

    /// The looked-at digit, unmoved, 28×28 in [0, 1], and its label if it is a test digit.
    fn digit_image(&self) -> (Vec<f32>, Option<usize>) {
        match &self.looked {
            DigitSource::Test { index } => {
                let at = self.mnist.split(Split::Test).start + index;
                match self.mnist.batch(&[at]) {
                    Ok((t, labels)) => (t.to_vec(), labels.first().copied()),
                    Err(_) => (vec![0.0; SIDE * SIDE], None),
                }
            }
            DigitSource::Drawn { size, ink } => (normalise(ink, *size), None),
        }
    }

    /// Every layer's output and the probabilities for one image.
    fn forward_taps(&self, image: &[f32]) -> (Vec<f32>, BTreeMap<String, Tensor>) {
        let names: Vec<String> = (0..self.spec.layers.len()).map(layer_tap).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let Ok(x) = Tensor::from_vec(image.to_vec(), &[1, 1, SIDE, SIDE]) else {
            return (vec![], BTreeMap::new());
        };
        let (logits, taps) = no_grad(|| capture(&refs, || self.model.logits(&x, false)));
        let probabilities = logits
            .and_then(|l| l.softmax())
            .map(|p| p.to_vec())
            .unwrap_or_default();
        (probabilities, taps)
    }

    pub fn view(&self) -> CnnView {
        let (original, label) = self.digit_image();
        let moved = shifted(&original, SIDE, self.shift);
        let (probabilities, taps) = self.forward_taps(&moved);
        let shapes: Vec<Option<(usize, usize, usize)>> = (0..self.spec.layers.len())
            .map(|i| match *taps.get(&layer_tap(i))?.shape() {
                [_, c, h, w] => Some((c, h, w)),
                [_, n] => Some((n, 1, 1)),
                _ => None,
            })
            .collect();
        // A wide model's view shows the first channels of each layer, the same share of each,
        // so a reply stays within its budget (at least one channel of every layer).
        let values: usize = shapes.iter().flatten().map(|(c, h, w)| c * h * w).sum();
        let share = (CnnLimits::MAX_VIEW_MAP_VALUES as f64 / values.max(1) as f64).min(1.0);
        let layers = shapes
            .iter()
            .enumerate()
            .filter_map(|(i, shape)| {
                let (total, h, w) = (*shape)?;
                let channels = ((total as f64 * share).floor() as usize).clamp(1, total);
                let t = taps.get(&layer_tap(i))?;
                let sent = t.to_vec();
                Some(LayerMaps {
                    layer: i,
                    channels,
                    total_channels: total,
                    h,
                    w,
                    maps: Quantised::from_values(sent.get(..channels * h * w).unwrap_or(&sent)),
                })
            })
            .collect();
        let kernels = self.model.first_kernels().and_then(|k| match *k.shape() {
            [outputs, inputs, size, _] => Some(Kernels {
                outputs,
                inputs,
                size,
                values: Quantised::from_values(&k.to_vec()),
            }),
            _ => None,
        });
        let shift = (self.shift != (0, 0)).then(|| {
            let (original_probabilities, original_taps) = self.forward_taps(&original);
            self.shift_report(
                &taps,
                &original_taps,
                &probabilities,
                original_probabilities,
            )
        });
        CnnView {
            step: self.log.step,
            input: moved.iter().map(|v| (v * 255.0).round() as u8).collect(),
            label,
            digit: self.looked.clone(),
            probabilities,
            layers,
            kernels,
            shift,
        }
    }

    fn shift_report(
        &self,
        moved: &BTreeMap<String, Tensor>,
        original: &BTreeMap<String, Tensor>,
        probabilities: &[f32],
        original_probabilities: Vec<f32>,
    ) -> ShiftReport {
        let table = self.spec.table();
        let (dx, dy) = self.shift;
        let rows = (0..self.spec.layers.len())
            .filter_map(|i| {
                let a = moved.get(&layer_tap(i))?.to_vec();
                let b = original.get(&layer_tap(i))?.to_vec();
                let row = table.rows.get(i)?;
                let (map_shift, equivariance) = match (row.output?, row.receptive_field) {
                    (FeatureShape::Map { c, h, w }, Some(rf)) => {
                        // A jump past any shift (long stride chains saturate) is never whole.
                        let j = i32::try_from(rf.jump).unwrap_or(i32::MAX).max(1);
                        let map_shift = (dx as f32 / j as f32, dy as f32 / j as f32);
                        let whole = dx % j == 0 && dy % j == 0;
                        let eq = whole.then(|| {
                            let moved_back: Vec<f32> = b
                                .chunks(h * w)
                                .flat_map(|plane| shifted_rect(plane, h, w, (dx / j, dy / j)))
                                .collect();
                            // Compare only where both maps have data (not what moved in).
                            let mask = valid_mask(c, h, w, (dx / j, dy / j));
                            correlation(&a, &moved_back, Some(&mask))
                        });
                        (map_shift, eq)
                    }
                    _ => ((0.0, 0.0), None),
                };
                Some(ShiftRow {
                    layer: i,
                    map_shift,
                    equivariance,
                    invariance: correlation(&a, &b, None),
                })
            })
            .collect();
        let probability_change = 0.5
            * probabilities
                .iter()
                .zip(&original_probabilities)
                .map(|(p, q)| (p - q).abs())
                .sum::<f32>();
        ShiftReport {
            shift: self.shift,
            rows,
            original_probabilities,
            probability_change,
        }
    }

    /// The prediction for the looked-at digit.
    pub fn predicted(&self) -> usize {
        argmax(&self.view().probabilities)
    }

    /// Both receptive fields of unit (`channel`, `y`, `x`) of layer `layer`'s output.
    pub fn receptive_field(
        &self,
        layer: usize,
        channel: usize,
        y: usize,
        x: usize,
    ) -> Result<ReceptiveFieldView, CnnSessionError> {
        check_range("layer", layer, 0, self.spec.layers.len().saturating_sub(1))?;
        let (original, _) = self.digit_image();
        let image = shifted(&original, SIDE, self.shift);
        let input = Tensor::from_vec(image, &[1, 1, SIDE, SIDE])?.requires_grad();
        let name = layer_tap(layer);
        let (_, taps) = capture(&[name.as_str()], || self.model.logits(&input, false));
        let out = taps
            .get(&name)
            .ok_or(CnnSessionError::NoOutput { layer })?;
        let (channels, h, w) = match *out.shape() {
            [_, c, h, w] => (c, h, w),
            [_, n] => (n, 1, 1),
            _ => return Err(CnnSessionError::UnexpectedShape { layer }),
        };
        check_range("channel", channel, 0, channels - 1)?;
        check_range("row", y, 0, h - 1)?;
        check_range("column", x, 0, w - 1)?;
        let unit = (channel * h + y) * w + x;
        let value = out.data()[unit];
        let mut cotangent = vec![0.0; out.numel()];
        cotangent[unit] = 1.0;
        let grads = out.backward_with(cotangent)?;
        let gradient: Vec<f32> = grads
            .get(&input)
            .map(|g| g.iter().map(|v| v.abs()).collect())
            .unwrap_or_else(|| vec![0.0; SIDE * SIDE]);
        let largest = gradient.iter().copied().fold(0.0f32, f32::max);
        let effective_box = (largest > 0.0)
            .then(|| bounding_box(&gradient, SIDE, largest * EFFECTIVE_FRACTION))
            .flatten();
        let row = self.spec.table().rows.get(layer).cloned();
        let (theoretical_size, theoretical) = match row.and_then(|r| r.receptive_field) {
            Some(rf) => {
                let (y0, y1) = rf.span(y, SIDE);
                let (x0, x1) = rf.span(x, SIDE);
                (rf.size, (y0, y1, x0, x1))
            }
            // After a dense layer every unit sees the whole image.
            None => (SIDE as u64, (0, SIDE, 0, SIDE)),
        };
        Ok(ReceptiveFieldView {
            layer,
            channel,
            y,
            x,
            value,
            theoretical_size,
            theoretical,
            effective: Quantised::from_values(&gradient),
            effective_box,
        })
    }
}

/// Positions of a c×h×w map that a (dx, dy) move fills from inside the map.
fn valid_mask(c: usize, h: usize, w: usize, (dx, dy): (i32, i32)) -> Vec<bool> {
    let mut mask = Vec::with_capacity(c * h * w);
    for _ in 0..c {
        for y in 0..h as i64 {
            for x in 0..w as i64 {
                let (sy, sx) = (y - dy as i64, x - dx as i64);
                mask.push((0..h as i64).contains(&sy) && (0..w as i64).contains(&sx));
            }
        }
    }
    mask
}

/// Pearson correlation of two equal-length vectors (over `mask`); 1 for two identical
/// constants, 0 when only one of them is constant.
pub fn correlation(a: &[f32], b: &[f32], mask: Option<&[bool]>) -> f32 {
    let pairs: Vec<(f64, f64)> = a
        .iter()
        .zip(b)
        .enumerate()
        .filter(|(i, _)| mask.is_none_or(|m| m.get(*i).copied().unwrap_or(false)))
        .map(|(_, (&x, &y))| (x as f64, y as f64))
        .collect();
    let n = pairs.len() as f64;
    if n == 0.0 {
        return 0.0;
    }
    let (ma, mb) = (
        pairs.iter().map(|p| p.0).sum::<f64>() / n,
        pairs.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in &pairs {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    if saa == 0.0 && sbb == 0.0 {
        return if pairs.iter().all(|(x, y)| x == y) {
            1.0
        } else {
            0.0
        };
    }
    if saa == 0.0 || sbb == 0.0 {
        return 0.0;
    }
    (sab / (saa.sqrt() * sbb.sqrt())) as f32
}

/// `[y0, y1) × [x0, x1)` around every value ≥ `threshold`.
fn bounding_box(
    values: &[f32],
    side: usize,
    threshold: f32,
) -> Option<(usize, usize, usize, usize)> {
    let mut found: Option<(usize, usize, usize, usize)> = None;
    for (i, &v) in values.iter().enumerate() {
        if v >= threshold && v > 0.0 {
            let (y, x) = (i / side, i % side);
            found = Some(match found {
                None => (y, y + 1, x, x + 1),
                Some((y0, y1, x0, x1)) => (y0.min(y), y1.max(y + 1), x0.min(x), x1.max(x + 1)),
            });
        }
    }
    found
}
