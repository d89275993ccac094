//! The one matrix view every lab draws tables of numbers with (a confusion matrix today;
//! attention weights, gates and gradients over time next): labelled rows and columns, a
//! colour per cell from a named ramp, masked cells drawn as masked (not as zero), and a colour
//! bar for every ramp used, so a reader knows what a colour means. Colours are plain
//! functions, tested natively.

use leptos::prelude::*;

/// A colour ramp from white (0) to a full colour (1), for values scaled into [0, 1].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ramp {
    pub rgb: (u8, u8, u8),
}

impl Ramp {
    pub const GREEN: Ramp = Ramp { rgb: (46, 160, 67) };
    pub const RED: Ramp = Ramp { rgb: (180, 35, 24) };
    pub const BLUE: Ramp = Ramp {
        rgb: (33, 102, 172),
    };

    /// The CSS colour at `t` (clamped; not a number is white).
    pub fn css(&self, t: f64) -> String {
        let t = if t.is_finite() {
            t.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let mix = |full: u8| (255.0 + (full as f64 - 255.0) * t).round() as u8;
        let (r, g, b) = self.rgb;
        format!("rgb({},{},{})", mix(r), mix(g), mix(b))
    }

    /// A CSS gradient through the ramp, for its colour bar.
    pub fn gradient(&self) -> String {
        format!(
            "linear-gradient(to right, {}, {})",
            self.css(0.0),
            self.css(1.0)
        )
    }
}

/// One cell: its text, its colour (none: left white), what a pointer over it says.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Cell {
    pub text: String,
    pub colour: Option<String>,
    pub title: String,
    /// Not part of the computation (a causal mask's future): drawn hatched.
    pub masked: bool,
    /// Written in the muted style (a margin column: totals, percentages).
    pub margin: bool,
}

/// What one ramp means: the bar drawn under the matrix.
#[derive(Clone, Debug, PartialEq)]
pub struct ColourBar {
    pub ramp: Ramp,
    pub label: String,
    /// The values at the bar's two ends, as written.
    pub low: String,
    pub high: String,
}

/// Attention weights, drawn alike in every lab that shows them: a weight on the blue ramp,
/// written as a percentage from 10% (smaller ones would only clutter the matrix).
impl Cell {
    pub fn attention_weight(weight: f32, title: String) -> Cell {
        Cell {
            text: if weight >= 0.1 {
                format!("{:.0}", weight * 100.0)
            } else {
                String::new()
            },
            colour: Some(Ramp::BLUE.css(weight as f64)),
            title,
            ..Cell::default()
        }
    }
}

impl ColourBar {
    /// The bar under an attention matrix.
    pub fn attention() -> ColourBar {
        ColourBar {
            ramp: Ramp::BLUE,
            label: "attention weight (numbers: %, shown from 10%)".into(),
            low: "0".into(),
            high: "1".into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Matrix {
    /// What the rows and the columns are ("label ↓ · predicted →"), in the corner.
    pub corner: String,
    pub row_labels: Vec<String>,
    pub column_labels: Vec<String>,
    pub cells: Vec<Vec<Cell>>,
    pub bars: Vec<ColourBar>,
}

#[component]
pub fn MatrixView(
    #[prop(into)] matrix: Signal<Matrix>,
    #[prop(optional)] testid: &'static str,
    #[prop(optional)] class: &'static str,
    /// A click on a cell (row, column).
    #[prop(optional)]
    on_cell: Option<Callback<(usize, usize)>>,
) -> impl IntoView {
    move || {
        let m = matrix.get();
        let head = m
            .column_labels
            .iter()
            .map(|l| view! { <th scope="col">{l.clone()}</th> })
            .collect::<Vec<_>>();
        let rows = m
            .cells
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let cells = row
                    .iter()
                    .enumerate()
                    .map(|(j, c)| {
                        let style = c.colour.as_ref().map(|colour| format!("background: {colour}"));
                        let click = move |_| {
                            if let Some(on_cell) = on_cell {
                                on_cell.run((i, j))
                            }
                        };
                        view! {
                            <td class="num" class:masked=c.masked class:hint=c.margin style=style title=c.title.clone() on:click=click>
                                {c.text.clone()}
                            </td>
                        }
                    })
                    .collect::<Vec<_>>();
                let label = m.row_labels.get(i).cloned().unwrap_or_default();
                view! { <tr><th scope="row">{label}</th>{cells}</tr> }
            })
            .collect::<Vec<_>>();
        let bars = m
            .bars
            .iter()
            .map(|b| {
                view! {
                    <div class="colour-bar">
                        <span class="colour-bar-label">{b.label.clone()}</span>
                        <span class="colour-bar-end">{b.low.clone()}</span>
                        <span class="colour-bar-strip" style=format!("background: {}", b.ramp.gradient())></span>
                        <span class="colour-bar-end">{b.high.clone()}</span>
                    </div>
                }
            })
            .collect::<Vec<_>>();
        view! {
            <div class=format!("matrix-view {class}")>
                <table class="matrix" data-testid=testid>
                    <thead><tr><th class="corner">{m.corner.clone()}</th>{head}</tr></thead>
                    <tbody>{rows}</tbody>
                </table>
                <div class="colour-bars">{bars}</div>
            </div>
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ramp_runs_from_white_to_its_colour_and_clamps() {
        assert_eq!(Ramp::RED.css(0.0), "rgb(255,255,255)");
        assert_eq!(Ramp::RED.css(1.0), "rgb(180,35,24)");
        assert_eq!(Ramp::RED.css(7.0), Ramp::RED.css(1.0));
        assert_eq!(Ramp::RED.css(f64::NAN), Ramp::RED.css(0.0));
        assert_eq!(Ramp::GREEN.css(0.5), "rgb(151,208,161)");
    }
}
