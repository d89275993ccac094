//! Trains a Recurrent-lab link natively and prints every held-out evaluation, how far back its
//! gradient reaches, and the largest gradient norm: what the page should show for the same
//! link. `cargo run --release -p lab --example rnn_train -- 'lab=rnn&v=1&span=40&cell=rnn'`

use lab::rnn::RnnSession;
use lab::training::train_until;

mod common;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let spec: contract::rnn::RnnLab = common::link_spec();
    let mut session = RnnSession::new(&spec)?;
    let now = common::clock();
    let mut largest = 0.0f32;
    loop {
        let speed = train_until(&mut session, 1000.0, &now, None);
        let progress = session.progress(speed, false);
        largest = session
            .take_clipping()
            .iter()
            .fold(largest, |m, c| m.max(c.before));
        for e in &progress.evaluations {
            let reach = match (e.through_time.first(), e.through_time.last()) {
                (Some(first), Some(last)) if *last > 0.0 => first / last,
                _ => f32::NAN,
            };
            println!(
                "step {:>5}  held-out loss {:.4}  accuracy {:.3}  ‖∂L/∂h_1‖/‖∂L/∂h_T‖ {reach:.2e}  largest ‖g‖ {largest:.3e}",
                e.step, e.loss, e.accuracy
            );
        }
        common::end_slice(speed, "sequences", progress.stopped)?;
        if progress.step >= progress.total_steps {
            return Ok(());
        }
    }
}
