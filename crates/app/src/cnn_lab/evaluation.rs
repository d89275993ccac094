//! After (and during) training: the confusion matrix over the 2,000 test digits and the
//! mistakes the network is most sure of.

use super::inside::Thumb;
use super::state::CnnSession;
use crate::widgets::matrix::{Cell, ColourBar, Matrix, MatrixView, Ramp};
use contract::cnn::view::Evaluation;
use leptos::prelude::*;

/// Right answers: green by the share of the label's digits.
const RIGHT: Ramp = Ramp {
    rgb: (119, 195, 131),
};
/// Mistakes: red by their count against the largest mistake.
const WRONG: Ramp = Ramp {
    rgb: (203, 101, 93),
};

/// The confusion matrix as the shared matrix view draws it: rows are labels, columns
/// predictions, and a margin column with the share of each label read right.
fn confusion(e: &Evaluation) -> Matrix {
    let largest_off = e
        .confusion
        .iter()
        .enumerate()
        .flat_map(|(i, r)| r.iter().enumerate().filter(move |(j, _)| *j != i).map(|(_, &c)| c))
        .max()
        .unwrap_or(0)
        .max(1);
    let cells = e
        .confusion
        .iter()
        .enumerate()
        .map(|(label, row)| {
            let total = row.iter().sum::<u32>().max(1) as f64;
            let mut cells: Vec<Cell> = row
                .iter()
                .enumerate()
                .map(|(predicted, &c)| Cell {
                    text: if c > 0 { c.to_string() } else { String::new() },
                    colour: if predicted == label {
                        Some(RIGHT.css(c as f64 / total))
                    } else {
                        (c > 0).then(|| WRONG.css(c as f64 / largest_off as f64))
                    },
                    title: format!("{c} digits labelled {label} predicted as {predicted}"),
                    ..Cell::default()
                })
                .collect();
            let right = row.get(label).copied().unwrap_or(0) as f64 / total;
            cells.push(Cell {
                text: format!("{:.1}%", right * 100.0),
                title: format!("{:.1}% of the {label}s are read as {label}", right * 100.0),
                margin: true,
                ..Cell::default()
            });
            cells
        })
        .collect();
    Matrix {
        corner: "label ↓ · predicted →".into(),
        row_labels: (0..e.confusion.len()).map(|l| l.to_string()).collect(),
        column_labels: (0..e.confusion.len())
            .map(|p| p.to_string())
            .chain(["right".to_string()])
            .collect(),
        cells,
        bars: vec![
            ColourBar {
                ramp: RIGHT,
                label: "read right, share of the label's digits".into(),
                low: "0%".into(),
                high: "100%".into(),
            },
            ColourBar {
                ramp: WRONG,
                label: "mistakes, digits".into(),
                low: "0".into(),
                high: largest_off.to_string(),
            },
        ],
    }
}

#[component]
pub fn EvaluationView(state: ReadSignal<CnnSession>, on_look: Callback<usize>) -> impl IntoView {
    // Rebuilt when a new evaluation arrives, not on every engine message (buttons stay put).
    let latest = Memo::new(move |_| state.with(|s| s.lab.history.evaluations.last().cloned()));
    move || {
        let Some(e) = latest.get() else {
            return view! { <p class="hint">"The test digits are evaluated every 4,000 training digits; train to see where the network goes wrong."</p> }.into_any();
        };
        let wrong = e
            .wrong
            .iter()
            .map(|w| {
                let index = w.index;
                view! {
                    <button class="wrong" title=format!("test digit {index}") on:click=move |_| on_look.run(index)>
                        <Thumb pixels=w.pixels.clone() scale=2 />
                        <span>{format!("a {} read as {}", w.label, w.predicted)}</span>
                        <span class="hint">{format!("{:.0}% sure", w.confidence * 100.0)}</span>
                    </button>
                }
            })
            .collect::<Vec<_>>();
        view! {
            <div class="evaluation">
                <div>
                    <h3>{format!("Confusion matrix at step {} ({:.2}% right)", e.step, e.accuracy * 100.0)}</h3>
                    <MatrixView matrix=confusion(&e) testid="confusion" class="confusion" />
                </div>
                <div>
                    <h3>"Most confidently wrong"</h3>
                    <div class="wrong-list" data-testid="wrong-digits">{wrong}</div>
                    <p class="hint">"Click one to look inside the network for it."</p>
                </div>
            </div>
        }.into_any()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_confusion_matrix_colours_right_and_wrong_on_their_own_scales() {
        let e = Evaluation {
            step: 10,
            loss: 0.1,
            accuracy: 0.9,
            confusion: vec![vec![9, 1], vec![2, 8]],
            wrong: vec![],
            train_ms: 0.0,
        };
        let m = confusion(&e);
        assert_eq!(m.column_labels, ["0", "1", "right"]);
        assert_eq!(m.cells[0][0].colour, Some(RIGHT.css(0.9)));
        // The largest mistake (2) is the red end of its bar.
        assert_eq!(m.cells[1][0].colour, Some(WRONG.css(1.0)));
        assert_eq!(m.bars[1].high, "2");
        assert_eq!((m.cells[0][2].text.as_str(), m.cells[0][2].margin), ("90.0%", true));
    }
}
