//! Short copies. In wasm with bulk memory, a copy whose length is not known at compile time
//! becomes `memory.copy`, which V8 runs as a call out of the module: for the runs of a few
//! values that im2row copies (a kernel row: 5 values) and B's packing (a panel row: 8), the
//! call cost more than the copy. In the browser's profile of the CNN lab, these calls were a
//! seventh of the engine thread's time.

/// `dst.copy_from_slice(src)`, with runs of up to eight values moved by fixed-size copies
/// (which compile to plain loads and stores).
#[inline]
pub fn copy_run(dst: &mut [f32], src: &[f32]) {
    assert_eq!(dst.len(), src.len(), "copy_run: lengths differ");
    macro_rules! fixed {
        ($($n:literal)*) => {
            match src.len() {
                $($n => {
                    let d: &mut [f32; $n] = dst.try_into().expect("checked length");
                    let s: &[f32; $n] = src.try_into().expect("checked length");
                    *d = *s;
                })*
                _ => dst.copy_from_slice(src),
            }
        };
    }
    fixed!(1 2 3 4 5 6 7 8)
}

#[cfg(test)]
mod tests {
    use super::copy_run;

    #[test]
    fn copies_every_length() {
        for len in 0..20 {
            let src: Vec<f32> = (0..len).map(|i| i as f32 - 0.5).collect();
            let mut dst = vec![f32::NAN; len];
            copy_run(&mut dst, &src);
            assert_eq!(dst, src, "length {len}");
        }
    }

    #[test]
    #[should_panic(expected = "lengths differ")]
    fn refuses_different_lengths() {
        copy_run(&mut [0.0; 3], &[1.0; 4]);
    }
}
