//! Numbers as a student reads them: few significant digits, units spelled out.

/// GFLOP/s with three significant digits ("31.4", "8.07", "112").
pub fn gflops(value: f64) -> String {
    significant(value, 3)
}

/// A duration in seconds as milliseconds with three significant digits ("4.27 ms").
pub fn millis(seconds: f64) -> String {
    format!("{} ms", significant(seconds * 1e3, 3))
}

/// A speed-up factor ("1.93×").
pub fn speedup(factor: f64) -> String {
    format!("{factor:.2}×")
}

/// An axis tick: as many decimals as the value needs, no more ("0", "5", "12.5", "0.2").
pub fn tick(value: f64) -> String {
    let text = format!("{value:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".into()
    } else {
        text.to_string()
    }
}

/// A measured value with `decimals` places, in scientific form once it is too large or too
/// small to read that way (a diverging model's loss reaches 10³⁷), "—" when not a number.
/// Every evaluation exactly, `step:loss:accuracy` joined by commas: what an end-to-end test
/// compares between two runs (a data attribute, never shown).
pub fn exact_evaluations(evaluations: impl Iterator<Item = (usize, f32, f32)>) -> String {
    evaluations
        .map(|(step, loss, accuracy)| format!("{step}:{loss}:{accuracy}"))
        .collect::<Vec<_>>()
        .join(",")
}

pub fn value(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        "—".into()
    } else if v != 0.0 && !(1e-3..1e4).contains(&v.abs()) {
        format!("{v:.2e}")
    } else {
        format!("{v:.decimals$}")
    }
}

/// A count with thousands separators ("62,378,344").
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "1 step" / "250 steps".
pub fn steps(n: usize) -> String {
    if n == 1 {
        "1 step".into()
    } else {
        format!("{n} steps")
    }
}

/// A relative error in scientific notation ("3.1e-7"), or "0" when exact.
pub fn rel_error(value: f64) -> String {
    if value == 0.0 {
        "0".into()
    } else {
        format!("{value:.1e}")
    }
}

fn significant(value: f64, digits: i32) -> String {
    if !value.is_finite() {
        return "—".into();
    }
    if value == 0.0 {
        return "0".into();
    }
    let magnitude = value.abs().log10().floor() as i32;
    let decimals = (digits - 1 - magnitude).max(0) as usize;
    format!("{value:.decimals$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_switch_to_scientific_form_when_plain_would_not_read() {
        assert_eq!(value(0.0642, 3), "0.064");
        assert_eq!(value(0.0, 2), "0.00");
        assert_eq!(value(-12.5, 2), "-12.50");
        assert_eq!(value(3.7e37, 3), "3.70e37");
        assert_eq!(value(-1.3e21, 2), "-1.30e21");
        assert_eq!(value(f64::NAN, 2), "—");
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(62_378_344), "62,378,344");
    }

    #[test]
    fn three_significant_digits() {
        assert_eq!(gflops(31.4159), "31.4");
        assert_eq!(gflops(8.0712), "8.07");
        assert_eq!(gflops(112.4), "112");
        assert_eq!(gflops(f64::INFINITY), "—");
        assert_eq!(millis(0.004271), "4.27 ms");
        assert_eq!(speedup(1.9349), "1.93×");
        assert_eq!(rel_error(3.14e-7), "3.1e-7");
        assert_eq!(rel_error(0.0), "0");
        assert_eq!(tick(0.0), "0");
        assert_eq!(tick(20.0), "20");
        assert_eq!(tick(12.5), "12.5");
        assert_eq!(tick(0.6000000000000001), "0.6");
    }
}
