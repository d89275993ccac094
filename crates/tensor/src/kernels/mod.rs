//! Kernels: each has a scalar version that is also the test oracle, and where it pays a
//! `simd128` version chosen at compile time (wasm) that must agree with it.

pub mod copy;
pub mod gemm;
pub mod reduce;

/// Whether this build uses wasm SIMD128 kernels (decided at compile time by `-C target-feature`).
pub const SIMD128: bool = cfg!(all(target_arch = "wasm32", target_feature = "simd128"));
