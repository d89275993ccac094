//! Trains a CNN-lab link natively and prints every test evaluation: what the page should show
//! for the same link. `cargo run --release -p lab --example cnn_train -- 'lab=cnn&v=1&epochs=2'`

use data::mnist::Mnist;
use lab::cnn::CnnSession;
use std::rc::Rc;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let link = std::env::args().nth(1).unwrap_or_default();
    let (spec, notes) = contract::cnn::link::decode(&link);
    for n in notes {
        eprintln!("link: {} — {}", n.part, n.reason);
    }
    let mnist = Rc::new(Mnist::load_bundled().map_err(|e| e.to_string())?);
    let mut session = CnnSession::new(&spec, mnist)?;
    let clock = Instant::now();
    let now = || clock.elapsed().as_secs_f64() * 1000.0;
    while !session.finished() {
        let eps = session.train_for(1000.0, &now);
        let progress = session.progress(eps);
        for e in &progress.evaluations {
            println!(
                "step {:>5}  test loss {:.4}  accuracy {:.4}  training {:.1} s",
                e.step,
                e.loss,
                e.accuracy,
                e.train_ms / 1000.0
            );
        }
        if let Some(eps) = eps {
            eprintln!(
                "  {eps:.0} examples/s on {} threads",
                rayon::current_num_threads()
            );
        }
        if let Some(why) = progress.stopped {
            return Err(why.into());
        }
    }
    Ok(())
}
