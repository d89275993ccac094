//! Layers: each owns its named parameters and a forward pass built from tensor ops (so none
//! needs a backward of its own). A model lists its parameters for the optimizer with
//! [`Parameters::parameters`]; names let a UI show them ("conv1.weight").

mod attention;
mod conv;
mod linear;
mod norm;
mod recurrent;
mod transformer;

pub use attention::{
    causal_mask, scaled_dot_product_attention, AdditiveAttention, MultiHeadAttention,
};
pub use conv::Conv2d;
pub use linear::{Dropout, Embedding, Linear};
pub use norm::{BatchNorm, LayerNorm};
pub use recurrent::{Bidirectional, Cell, CellKind, State};
pub use transformer::{
    learned_positions, sinusoidal_positions, BlockShape, Norming, TransformerDecoderBlock,
    TransformerEncoderBlock,
};

use tensor::Tensor;

/// Something with trainable tensors.
pub trait Parameters {
    /// (name, tensor) pairs, in a fixed order.
    fn parameters(&self) -> Vec<(String, Tensor)>;
}

/// Prefixes every name of `inner` with `prefix.` (for nesting layers).
pub fn prefixed(prefix: &str, inner: &dyn Parameters) -> Vec<(String, Tensor)> {
    inner
        .parameters()
        .into_iter()
        .map(|(n, t)| (format!("{prefix}.{n}"), t))
        .collect()
}

/// The tensors of every parameter of `layers`, in order, without their names (what an optimizer
/// steps).
pub fn parameter_tensors(layers: &[&dyn Parameters]) -> Vec<Tensor> {
    layers
        .iter()
        .flat_map(|layer| layer.parameters())
        .map(|(_, tensor)| tensor)
        .collect()
}

/// x + f(x): the residual connection.
pub fn residual(
    x: &Tensor,
    f: impl FnOnce(&Tensor) -> tensor::Result<Tensor>,
) -> tensor::Result<Tensor> {
    x.add(&f(x)?)
}
