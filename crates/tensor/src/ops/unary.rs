//! Elementwise unary ops. Each variant states its forward f(x) and its derivative f'(x)
//! (written with the output y = f(x) where that is cheaper), side by side.

use crate::autograd::Backward;
use crate::parallel::{for_each_chunk_mut, ELEMENT_CHUNK};
use crate::tensor::Tensor;

#[derive(Clone, Copy, Debug)]
enum Unary {
    Neg,
    Exp,
    Log,
    Sqrt,
    Abs,
    Relu,
    Sigmoid,
    Tanh,
    /// tanh approximation of GELU (as in BERT/GPT-2).
    Gelu,
    /// x^p for a constant p.
    Powf(f32),
    /// c·x for a constant c.
    Scale(f32),
    /// x + c for a constant c.
    Shift(f32),
}

/// σ(x), stable for large |x|: never exponentiates a large positive number.
pub(crate) fn sigmoid(x: f32) -> f32 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

const SQRT_2_OVER_PI: f32 = 0.797_884_6;
const GELU_C: f32 = 0.044_715;

impl Unary {
    fn name(self) -> &'static str {
        match self {
            Unary::Neg => "neg",
            Unary::Exp => "exp",
            Unary::Log => "log",
            Unary::Sqrt => "sqrt",
            Unary::Abs => "abs",
            Unary::Relu => "relu",
            Unary::Sigmoid => "sigmoid",
            Unary::Tanh => "tanh",
            Unary::Gelu => "gelu",
            Unary::Powf(_) => "powf",
            Unary::Scale(_) => "scale",
            Unary::Shift(_) => "shift",
        }
    }

    #[inline]
    fn forward(self, x: f32) -> f32 {
        match self {
            Unary::Neg => -x,
            Unary::Exp => x.exp(),
            Unary::Log => x.ln(),
            Unary::Sqrt => x.sqrt(),
            Unary::Abs => x.abs(),
            // NaN passes through (f32::max would turn it into 0 and hide a diverging run).
            Unary::Relu => {
                if x > 0.0 || x.is_nan() {
                    x
                } else {
                    0.0
                }
            }
            Unary::Sigmoid => sigmoid(x),
            Unary::Tanh => x.tanh(),
            Unary::Gelu => 0.5 * x * (1.0 + (SQRT_2_OVER_PI * (x + GELU_C * x * x * x)).tanh()),
            Unary::Powf(p) => x.powf(p),
            Unary::Scale(c) => c * x,
            Unary::Shift(c) => x + c,
        }
    }

    /// f'(x), given x and y = f(x).
    #[inline]
    fn derivative(self, x: f32, y: f32) -> f32 {
        match self {
            Unary::Neg => -1.0,
            Unary::Exp => y,
            Unary::Log => 1.0 / x,
            Unary::Sqrt => 0.5 / y,
            Unary::Abs => x.signum() * f32::from(u8::from(x != 0.0)),
            // The subgradient 0 at x = 0, as every framework picks.
            Unary::Relu => f32::from(u8::from(x > 0.0)),
            Unary::Sigmoid => y * (1.0 - y),
            Unary::Tanh => 1.0 - y * y,
            Unary::Gelu => {
                let inner = SQRT_2_OVER_PI * (x + GELU_C * x * x * x);
                let t = inner.tanh();
                let d_inner = SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_C * x * x);
                0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * d_inner
            }
            Unary::Powf(p) => p * x.powf(p - 1.0),
            Unary::Scale(c) => c,
            Unary::Shift(_) => 1.0,
        }
    }
}

/// Expands to one `match` on the op with a loop per arm, the op a constant inside each: a
/// `match` per element (what `op.forward(x)` in the loop compiles to) measured ~9× slower for
/// ReLU in the browser (1.5 ms vs 0.17 ms for 400k values).
///
/// The variants are listed once, those without and those with a constant; the `match` being
/// exhaustive, a variant missing from the lists does not compile.
macro_rules! per_op {
    ($op:expr, |$o:ident| $body:expr) => {
        per_op!(@arms $op, |$o| $body;
            Neg Exp Log Sqrt Abs Relu Sigmoid Tanh Gelu;
            Powf Scale Shift)
    };
    (@arms $op:expr, |$o:ident| $body:expr; $($plain:ident)*; $($with_constant:ident)*) => {
        match $op {
            $(Unary::$plain => {
                let $o = Unary::$plain;
                $body
            })*
            $(Unary::$with_constant(c) => {
                let $o = Unary::$with_constant(c);
                $body
            })*
        }
    };
}

/// out[i] = op(src[i]).
fn forward_into(op: Unary, src: &[f32], out: &mut [f32]) {
    per_op!(op, |k| out
        .iter_mut()
        .zip(src)
        .for_each(|(o, &x)| *o = k.forward(x)))
}

/// out[i] = grad[i] · op′(x[i]) (y = op(x) where the derivative is cheaper from it).
fn derivative_into(op: Unary, grad: &[f32], x: &[f32], y: &[f32], out: &mut [f32]) {
    per_op!(op, |k| out
        .iter_mut()
        .zip(grad.iter().zip(x.iter().zip(y)))
        .for_each(|(o, (g, (&x, &y)))| *o = g * k.derivative(x, y)))
}

struct UnaryBackward(Unary);

impl Backward for UnaryBackward {
    fn backward(&self, grad: &[f32], out: &Tensor, inputs: &[Tensor]) -> Vec<Option<Vec<f32>>> {
        let (x_guard, y_guard) = (inputs[0].data(), out.data());
        let (x, y): (&[f32], &[f32]) = (&x_guard, &y_guard);
        let mut g = vec![0.0f32; grad.len()];
        for_each_chunk_mut(&mut g, ELEMENT_CHUNK, |c, out| {
            let start = c * ELEMENT_CHUNK;
            let range = start..start + out.len();
            derivative_into(
                self.0,
                &grad[range.clone()],
                &x[range.clone()],
                &y[range],
                out,
            );
        });
        vec![Some(g)]
    }
}

fn unary(op: Unary, x: &Tensor) -> Tensor {
    let guard = x.data();
    let src: &[f32] = &guard;
    let mut data = vec![0.0f32; src.len()];
    for_each_chunk_mut(&mut data, ELEMENT_CHUNK, |c, out| {
        let start = c * ELEMENT_CHUNK;
        let end = start + out.len();
        forward_into(op, &src[start..end], out);
    });
    drop(guard);
    Tensor::from_op(op.name(), data, x.shape().to_vec(), &[x], UnaryBackward(op))
}

impl Tensor {
    pub fn neg(&self) -> Tensor {
        unary(Unary::Neg, self)
    }
    pub fn exp(&self) -> Tensor {
        unary(Unary::Exp, self)
    }
    pub fn log(&self) -> Tensor {
        unary(Unary::Log, self)
    }
    pub fn sqrt(&self) -> Tensor {
        unary(Unary::Sqrt, self)
    }
    pub fn abs(&self) -> Tensor {
        unary(Unary::Abs, self)
    }
    pub fn relu(&self) -> Tensor {
        unary(Unary::Relu, self)
    }
    pub fn sigmoid(&self) -> Tensor {
        unary(Unary::Sigmoid, self)
    }
    pub fn tanh(&self) -> Tensor {
        unary(Unary::Tanh, self)
    }
    pub fn gelu(&self) -> Tensor {
        unary(Unary::Gelu, self)
    }
    /// x^p elementwise for a constant exponent.
    pub fn powf(&self, p: f32) -> Tensor {
        unary(Unary::Powf(p), self)
    }
    /// c·x elementwise.
    pub fn scale(&self, c: f32) -> Tensor {
        unary(Unary::Scale(c), self)
    }
    /// x + c elementwise.
    pub fn shift(&self, c: f32) -> Tensor {
        unary(Unary::Shift(c), self)
    }
    /// x², as x·x: one correctly rounded multiplication on every target, where powf comes
    /// from each platform's libm and may round differently (a shared URL must replay exactly).
    pub fn square(&self) -> Tensor {
        self.mul(self).expect("a tensor has its own shape")
    }
}
