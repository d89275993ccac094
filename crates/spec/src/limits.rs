//! Named limits. Every request that crosses into the engine is checked against these, and the
//! message for a violation names the field, the value and the limit.

/// Matrix sizes the Engine panel offers for its measurement (N for an N×N·N×N product).
pub const MATMUL_BENCH_SIZES: [usize; 5] = [128, 256, 384, 512, 1024];

/// Smallest N the matrix-product measurement accepts: below it a product takes less time than
/// a timer tick and the figure would be noise.
pub const MATMUL_BENCH_MIN_N: usize = 16;

/// Largest N the matrix-product measurement accepts: 3 N² f32 values (A, B, C) plus a second C
/// for the determinism check stay under 70 MiB, and one product under a few seconds.
pub const MATMUL_BENCH_MAX_N: usize = 2048;

/// A limit that a request exceeded, with what the user asked for.
pub fn check_range(field: &str, value: usize, min: usize, max: usize) -> Result<(), String> {
    if value < min {
        Err(format!("{field} = {value} is below the minimum of {min}"))
    } else if value > max {
        Err(format!("{field} = {value} exceeds the limit of {max}"))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offered_sizes_are_within_limits() {
        for n in MATMUL_BENCH_SIZES {
            assert!(check_range("n", n, MATMUL_BENCH_MIN_N, MATMUL_BENCH_MAX_N).is_ok());
        }
    }

    #[test]
    fn violation_names_field_value_and_limit() {
        let err = check_range("n", 5000, 16, 2048).unwrap_err();
        assert_eq!(err, "n = 5000 exceeds the limit of 2048");
        let err = check_range("n", 3, 16, 2048).unwrap_err();
        assert_eq!(err, "n = 3 is below the minimum of 16");
    }
}
