//! The tensor crate against an independent implementation: NumPy in float64, from the inputs
//! rounded to f32 (fixtures/generate.py writes fixtures/reference.json). Compiled in, so the
//! same checks run natively and in headless Chromium.
//!
//! Tolerance: |ours − reference| ≤ 1e-5 + 1e-4·|reference|. Our f32 results carry a relative
//! rounding error of about (terms summed)·2⁻²⁴ ≈ 1e-5 for the ≤ 100-term sums here; an indexing
//! or formula error is off by O(|reference|).
#![allow(clippy::unwrap_used)] // clippy does not see wasm_bindgen_test functions as tests

use serde_json::Value;
use tensor::ops::conv::Conv2dOptions;
use tensor::ops::pool::Pool2dOptions;
use tensor::Tensor;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_dedicated_worker);

fn cases() -> Value {
    let all: Value =
        serde_json::from_str(include_str!("fixtures/reference.json")).expect("fixture is JSON");
    all["cases"].clone()
}

/// A fixture's JSON array, each element read by `element`.
fn array<T>(v: &Value, element: impl Fn(&Value) -> T) -> Vec<T> {
    v.as_array().expect("array").iter().map(element).collect()
}

fn numbers(v: &Value) -> Vec<f32> {
    array(v, |x| x.as_f64().expect("number") as f32)
}

fn usizes(v: &Value) -> Vec<usize> {
    array(v, |x| x.as_u64().expect("integer") as usize)
}

fn shape(v: &Value) -> Vec<usize> {
    usizes(&v["shape"])
}

fn tensor(v: &Value) -> Tensor {
    Tensor::from_vec(numbers(&v["data"]), &shape(v)).expect("fixture shape")
}

fn assert_close(what: &str, got: &[f32], reference: &Value) {
    let want = numbers(&reference["data"]);
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert!(
            (g - w).abs() <= 1e-5 + 1e-4 * w.abs(),
            "{what}[{i}]: {g} vs reference {w}"
        );
    }
}

#[test]
fn matmul_matches_numpy() {
    let c = cases();
    for name in ["matmul", "matmul_batched_broadcast"] {
        let case = &c[name];
        let got = tensor(&case["a"]).matmul(&tensor(&case["b"])).unwrap();
        assert_eq!(got.shape(), shape(&case["out"]), "{name}");
        assert_close(name, &got.data(), &case["out"]);
    }
}

#[test]
fn conv2d_forward_and_backward_match_numpy() {
    let case = &cases()["conv2d"];
    let pair = |k: &str| {
        let v = usizes(&case[k]);
        (v[0], v[1])
    };
    let opt = Conv2dOptions {
        stride: pair("stride"),
        padding: pair("padding"),
        dilation: pair("dilation"),
    };
    let x = tensor(&case["x"]).requires_grad();
    let w = tensor(&case["w"]).requires_grad();
    let b = tensor(&case["bias"]).requires_grad();
    let y = x.conv2d(&w, Some(&b), opt).unwrap();
    assert_eq!(y.shape(), shape(&case["out"]));
    assert_close("conv2d out", &y.data(), &case["out"]);
    let grads = y
        .backward_with(numbers(&case["cotangent"]["data"]))
        .unwrap();
    assert_close("conv2d dx", grads.get(&x).unwrap(), &case["dx"]);
    assert_close("conv2d dw", grads.get(&w).unwrap(), &case["dw"]);
    assert_close("conv2d dbias", grads.get(&b).unwrap(), &case["dbias"]);
}

#[test]
fn pooling_matches_numpy() {
    let c = cases();
    for name in ["max_pool2d", "avg_pool2d"] {
        let case = &c[name];
        let k = case["kernel"].as_u64().unwrap() as usize;
        let s = case["stride"].as_u64().unwrap() as usize;
        let p = case["padding"].as_u64().unwrap() as usize;
        let opt = Pool2dOptions {
            kernel: (k, k),
            stride: (s, s),
            padding: (p, p),
        };
        let x = tensor(&case["x"]);
        let y = if name == "max_pool2d" {
            x.max_pool2d(opt)
        } else {
            x.avg_pool2d(opt)
        }
        .unwrap();
        assert_eq!(y.shape(), shape(&case["out"]), "{name}");
        assert_close(name, &y.data(), &case["out"]);
    }
}

#[test]
fn softmax_cross_entropy_matches_numpy() {
    let case = &cases()["cross_entropy"];
    let logits = tensor(&case["logits"]).requires_grad();
    let loss = logits
        .cross_entropy(&usizes(&case["targets"]), None)
        .unwrap();
    let want = case["loss"].as_f64().unwrap() as f32;
    assert!((loss.item().unwrap() - want).abs() <= 1e-5 + 1e-4 * want.abs());
    assert_close(
        "dlogits",
        loss.backward().unwrap().get(&logits).unwrap(),
        &case["dlogits"],
    );
}

#[test]
fn layer_norm_matches_numpy() {
    let case = &cases()["layer_norm"];
    let eps = case["eps"].as_f64().unwrap() as f32;
    let x = tensor(&case["x"]).requires_grad();
    let centred = x.sub(&x.mean_axes(&[1], true).unwrap()).unwrap();
    let var = centred.square().mean_axes(&[1], true).unwrap();
    let y = centred.div(&var.shift(eps).sqrt()).unwrap();
    assert_close("layer_norm out", &y.data(), &case["out"]);
    let grads = y
        .backward_with(numbers(&case["cotangent"]["data"]))
        .unwrap();
    assert_close("layer_norm dx", grads.get(&x).unwrap(), &case["dx"]);
}

#[test]
fn two_layer_network_matches_numpy() {
    let case = &cases()["two_layer_net"];
    let param = |k: &str| tensor(&case[k]).requires_grad();
    let (w1, b1, w2, b2) = (param("w1"), param("b1"), param("w2"), param("b2"));
    let hidden = tensor(&case["x"])
        .matmul(&w1)
        .unwrap()
        .add(&b1)
        .unwrap()
        .relu();
    let logits = hidden.matmul(&w2).unwrap().add(&b2).unwrap();
    let loss = logits
        .cross_entropy(&usizes(&case["targets"]), None)
        .unwrap();
    let want = case["loss"].as_f64().unwrap() as f32;
    assert!((loss.item().unwrap() - want).abs() <= 1e-5 + 1e-4 * want.abs());
    let grads = loss.backward().unwrap();
    for (name, p) in [("dw1", &w1), ("db1", &b1), ("dw2", &w2), ("db2", &b2)] {
        assert_close(name, grads.get(p).unwrap(), &case[name]);
    }
}
