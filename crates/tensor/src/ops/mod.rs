//! Ops: each file holds a family of primitives, each primitive's forward and backward side by
//! side. Composite ops (built from primitives) live with their family and need no backward.

pub mod binary;
pub mod conv;
pub mod layout;
pub mod loss;
pub mod matmul;
pub mod norm;
pub mod pool;
pub mod reduce;
pub mod softmax;
pub mod unary;
