//! Contour lines of a sampled function by marching squares, and the levels to draw.

/// A straight piece of one level line, in grid coordinates (column, row), fractional.
pub type Segment = ((f32, f32), (f32, f32));

/// `count` levels at evenly spaced quantiles of the finite values: every surface (bowl,
/// saddle, Rosenbrock's steep walls) gets lines where its values actually are.
pub fn quantile_levels(values: &[f32], count: usize) -> Vec<f32> {
    let mut sorted: Vec<f32> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() || count == 0 {
        return Vec::new();
    }
    sorted.sort_by(f32::total_cmp);
    let mut levels: Vec<f32> = (1..=count)
        .map(|i| {
            // Squared spacing: more lines near the minimum, where the paths end up.
            let q = (i as f32 / (count + 1) as f32).powi(2);
            sorted[((sorted.len() - 1) as f32 * q) as usize]
        })
        .collect();
    levels.dedup();
    levels
}

/// The segments where the grid (row-major, `columns` × `rows`) crosses `level`.
pub fn marching_squares(values: &[f32], columns: usize, rows: usize, level: f32) -> Vec<Segment> {
    let at = |c: usize, r: usize| values[r * columns + c];
    let mut segments = Vec::new();
    for r in 0..rows.saturating_sub(1) {
        for c in 0..columns.saturating_sub(1) {
            // Corners: 0 (c, r), 1 (c+1, r), 2 (c+1, r+1), 3 (c, r+1).
            let v = [at(c, r), at(c + 1, r), at(c + 1, r + 1), at(c, r + 1)];
            if v.iter().any(|x| !x.is_finite()) {
                continue;
            }
            let corner = [
                (c as f32, r as f32),
                (c as f32 + 1.0, r as f32),
                (c as f32 + 1.0, r as f32 + 1.0),
                (c as f32, r as f32 + 1.0),
            ];
            // Where the level crosses each edge (edges i: corner i → corner i+1).
            let crossings: Vec<(f32, f32)> = (0..4)
                .filter_map(|i| {
                    let (a, b) = (v[i], v[(i + 1) % 4]);
                    if (a < level) == (b < level) {
                        return None;
                    }
                    let t = (level - a) / (b - a);
                    let (p, q) = (corner[i], corner[(i + 1) % 4]);
                    Some((p.0 + t * (q.0 - p.0), p.1 + t * (q.1 - p.1)))
                })
                .collect();
            // Two crossings: one segment; four (a saddle cell): pair them in order.
            for pair in crossings.chunks_exact(2) {
                segments.push((pair[0], pair[1]));
            }
        }
    }
    segments
}

/// A colour for t in [0, 1] on a perceptually even blue → yellow ramp (viridis-like), as RGB.
pub fn ramp(t: f32) -> (u8, u8, u8) {
    const STOPS: [(f32, f32, f32); 5] = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (253.0, 231.0, 37.0),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        1.0
    } * (STOPS.len() - 1) as f32;
    let i = (t.floor() as usize).min(STOPS.len() - 2);
    let f = t - i as f32;
    let mix = |a: f32, b: f32| (a + (b - a) * f).round() as u8;
    (
        mix(STOPS[i].0, STOPS[i + 1].0),
        mix(STOPS[i].1, STOPS[i + 1].1),
        mix(STOPS[i].2, STOPS[i + 1].2),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bowl_s_level_line_is_a_closed_ring_at_the_right_radius() {
        // f = x² + y² on a 21×21 grid over [-1, 1]²; level 0.25 ⇒ radius 0.5 = 5 cells from the centre.
        let n = 21;
        let values: Vec<f32> = (0..n * n)
            .map(|i| {
                let (x, y) = ((i % n) as f32 / 10.0 - 1.0, (i / n) as f32 / 10.0 - 1.0);
                x * x + y * y
            })
            .collect();
        let segments = marching_squares(&values, n, n, 0.25);
        assert!(segments.len() > 20);
        for (a, b) in segments {
            for (c, r) in [a, b] {
                let radius = ((c - 10.0).powi(2) + (r - 10.0).powi(2)).sqrt();
                assert!((radius - 5.0).abs() < 0.3, "point at radius {radius}");
            }
        }
    }

    #[test]
    fn levels_follow_the_data_and_colours_span_the_ramp() {
        let values: Vec<f32> = (0..100).map(|i| i as f32).chain([f32::NAN]).collect();
        let levels = quantile_levels(&values, 4);
        assert_eq!(levels.len(), 4);
        assert!(levels.windows(2).all(|w| w[0] < w[1]) && levels[0] < 10.0);
        assert_eq!(ramp(0.0), (68, 1, 84));
        assert_eq!(ramp(1.0), (253, 231, 37));
        assert_eq!(ramp(f32::NAN), (253, 231, 37));
    }
}
