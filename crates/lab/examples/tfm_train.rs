//! Trains a Transformer-lab link natively and prints every held-out evaluation and the view's
//! answer: what the page should show for the same link.
//! `cargo run --release -p lab --example tfm_train -- 'lab=tfm&v=1&pos=none'`

use lab::tfm::TfmSession;
use lab::training::train_until;

mod common;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let spec: contract::tfm::TfmLab = common::link_spec();
    let mut session = TfmSession::new(&spec)?;
    let now = common::clock();
    loop {
        let speed = train_until(&mut session, 1000.0, &now, None);
        let progress = session.progress(speed, false);
        for e in &progress.evaluations {
            println!(
                "step {:>5}  loss {:.4}  token accuracy {:.3}  exact {}  entropy {:.3}  ‖∂L/∂W_q‖ {:.2e}  ‖∂L/∂W_k‖ {:.2e}",
                e.step,
                e.loss,
                e.token_accuracy,
                e.exact.map_or("—".into(), |x| format!("{x:.3}")),
                e.entropy,
                e.grad_query,
                e.grad_key
            );
        }
        common::end_slice(speed, "sequences", progress.stopped)?;
        if progress.step >= progress.total_steps {
            let view = session.view()?;
            println!(
                "{}  →  {}  (gap {:?})",
                view.tokens.join(" "),
                view.predicted.join(" "),
                view.permutation_gap
            );
            return Ok(());
        }
    }
}
