//! The notes' networks, layer by layer (filled in next).
