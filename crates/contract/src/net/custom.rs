//! The student's own points: a data set typed, pasted or clicked in, carried whole in the link.
//! Points are kept to a hundredth of a unit (so a link writes each in a few characters) and
//! labelled −1 or +1. `parse_csv` reads `x, y, label` rows and reports every row it cannot use
//! by its line number; nothing else is lost.

use super::limits::NetLimits;
use super::DOMAIN;
use serde::{Deserialize, Serialize};

/// One point: coordinates in hundredths, and its class (+1 when `positive`, else −1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomPoint {
    pub x: i16,
    pub y: i16,
    pub positive: bool,
}

impl CustomPoint {
    /// The point nearest (x, y) on the hundredths grid, if it lies on the plane.
    pub fn at(x: f32, y: f32, positive: bool) -> Option<CustomPoint> {
        let limit = DOMAIN * 100.0;
        let (x, y) = ((x * 100.0).round(), (y * 100.0).round());
        (x.abs() <= limit && y.abs() <= limit).then_some(CustomPoint {
            x: x as i16,
            y: y as i16,
            positive,
        })
    }

    pub fn x1(&self) -> f32 {
        self.x as f32 / 100.0
    }

    pub fn x2(&self) -> f32 {
        self.y as f32 / 100.0
    }

    pub fn label(&self) -> f32 {
        if self.positive {
            1.0
        } else {
            -1.0
        }
    }

    /// `x_y_p` or `x_y_n` (hundredths), as the link writes it.
    pub fn code(&self) -> String {
        format!(
            "{}_{}_{}",
            self.x,
            self.y,
            if self.positive { 'p' } else { 'n' }
        )
    }

    pub fn from_code(code: &str) -> Option<CustomPoint> {
        let mut parts = code.split('_');
        let (x, y, class) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let (x, y) = (x.parse::<i16>().ok()?, y.parse::<i16>().ok()?);
        let limit = (DOMAIN * 100.0) as u16;
        let positive = match class {
            "p" => true,
            "n" => false,
            _ => return None,
        };
        // unsigned_abs: −32768 has no i16 magnitude (abs() overflows on it).
        (x.unsigned_abs() <= limit && y.unsigned_abs() <= limit).then_some(CustomPoint {
            x,
            y,
            positive,
        })
    }
}

/// What a pasted text gave: the points, and one message per row not used.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Parsed {
    pub points: Vec<CustomPoint>,
    pub problems: Vec<String>,
}

/// Reads `x, y, label` rows (commas, semicolons, tabs or spaces between; a header row and
/// blank lines are skipped). Labels: 1 or +1 for one class, −1 or 0 for the other.
pub fn parse_csv(text: &str) -> Parsed {
    let mut out = Parsed::default();
    if text.len() > NetLimits::MAX_CSV_BYTES {
        out.problems.push(format!(
            "the text is {} bytes, over the limit of {}; nothing was read",
            text.len(),
            NetLimits::MAX_CSV_BYTES
        ));
        return out;
    }
    let mut left_out = 0usize;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let fields: Vec<&str> = line
            .split([',', ';', '\t', ' '])
            .filter(|f| !f.is_empty())
            .collect();
        if fields.is_empty() {
            continue;
        }
        let numbers: Vec<Option<f32>> = fields
            .iter()
            .map(|f| {
                f.replace('−', "-")
                    .parse::<f32>()
                    .ok()
                    .filter(|v| v.is_finite())
            })
            .collect();
        if n == 1 && numbers.iter().all(Option::is_none) {
            continue; // a header
        }
        let (x, y, label) = match (fields.len(), numbers.as_slice()) {
            (3, [Some(x), Some(y), Some(label)]) => (*x, *y, *label),
            (3, _) => {
                out.problems.push(format!(
                    "line {n}: \"{line}\" has a value that is not a finite number"
                ));
                continue;
            }
            (count, _) => {
                out.problems.push(format!(
                    "line {n}: expected 3 values (x, y, label), found {count}"
                ));
                continue;
            }
        };
        let positive = if label == 1.0 {
            true
        } else if label == -1.0 || label == 0.0 {
            false
        } else {
            out.problems
                .push(format!("line {n}: the label {label} is not 1, −1 or 0"));
            continue;
        };
        let Some(point) = CustomPoint::at(x, y, positive) else {
            out.problems.push(format!(
                "line {n}: ({x}, {y}) lies outside the plane [−{DOMAIN}, {DOMAIN}]²"
            ));
            continue;
        };
        if out.points.len() == NetLimits::MAX_CUSTOM_POINTS {
            left_out += 1;
            continue;
        }
        out.points.push(point);
    }
    if left_out > 0 {
        out.problems.push(format!(
            "{left_out} more rows were left out: a link carries at most {} points",
            NetLimits::MAX_CUSTOM_POINTS
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_read_and_every_bad_row_is_named_by_its_line() {
        let text = "x,y,label\n1.5, -2.25, 1\n\n0;0;0\n3 4\n2,2,NaN\n7,0,1\n1,1,2\n-1\t-1\t-1\n";
        let parsed = parse_csv(text);
        assert_eq!(
            parsed.points,
            vec![
                CustomPoint {
                    x: 150,
                    y: -225,
                    positive: true
                },
                CustomPoint {
                    x: 0,
                    y: 0,
                    positive: false
                },
                CustomPoint {
                    x: -100,
                    y: -100,
                    positive: false
                },
            ]
        );
        assert_eq!(parsed.problems.len(), 4);
        assert!(parsed.problems[0].starts_with("line 5: expected 3 values"));
        assert!(
            parsed.problems[1].starts_with("line 6:")
                && parsed.problems[1].contains("not a finite number")
        );
        assert!(
            parsed.problems[2].starts_with("line 7:")
                && parsed.problems[2].contains("outside the plane")
        );
        assert!(parsed.problems[3].starts_with("line 8: the label 2"));
    }

    #[test]
    fn hostile_sizes_get_a_limit_message() {
        let many = "1,1,1\n".repeat(1000);
        let parsed = parse_csv(&many);
        assert_eq!(parsed.points.len(), NetLimits::MAX_CUSTOM_POINTS);
        assert!(parsed.problems[0].contains("750 more rows were left out"));
        let huge = "1,1,1\n".repeat(1_000_000);
        let parsed = parse_csv(&huge);
        assert!(parsed.points.is_empty());
        assert!(parsed.problems[0].contains("over the limit of"));
    }

    #[test]
    fn codes_round_trip_and_refuse_what_is_off_the_plane() {
        let p = CustomPoint {
            x: -600,
            y: 35,
            positive: true,
        };
        assert_eq!(CustomPoint::from_code(&p.code()), Some(p));
        assert_eq!(CustomPoint::from_code("601_0_p"), None);
        assert_eq!(CustomPoint::from_code("-32768_0_p"), None);
        assert_eq!(CustomPoint::from_code("0_-32768_n"), None);
        assert_eq!(CustomPoint::from_code("1_2_x"), None);
        assert_eq!(CustomPoint::from_code("1_2_p_4"), None);
        assert_eq!(CustomPoint::at(6.004, 0.0, false).map(|p| p.x), Some(600));
        assert_eq!(CustomPoint::at(6.01, 0.0, false), None);
    }
}
