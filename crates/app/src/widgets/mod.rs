//! Pieces every lab draws with: the maths of charts (ticks, contour lines, colours) as plain
//! Rust with native tests; the drawing itself stays in the labs' views.

pub mod axis;
pub mod contour;
pub mod heatmap;
pub mod line_chart;
pub mod matrix;
pub mod palette;
pub mod raster;
pub mod transport;
