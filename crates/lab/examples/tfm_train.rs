//! Trains a Transformer-lab link natively and prints every held-out evaluation and the view's
//! answer: what the page should show for the same link.
//! `cargo run --release -p lab --example tfm_train -- 'lab=tfm&v=1&pos=none'`

use lab::tfm::TfmSession;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let link = std::env::args().nth(1).unwrap_or_default();
    let (spec, notes) = contract::tfm::link::decode(&link);
    for n in notes {
        eprintln!("link: {} — {}", n.part, n.reason);
    }
    let mut session = TfmSession::new(&spec)?;
    let clock = Instant::now();
    let now = || clock.elapsed().as_secs_f64() * 1000.0;
    loop {
        let speed = session.train_until(1000.0, &now, None);
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
        if let Some(speed) = speed {
            eprintln!(
                "  {speed:.0} sequences/s on {} threads",
                rayon::current_num_threads()
            );
        }
        if let Some(why) = progress.stopped {
            return Err(why.into());
        }
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
