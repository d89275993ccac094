//! Trains a CNN-lab link natively and prints every test evaluation: what the page should show
//! for the same link. `cargo run --release -p lab --example cnn_train -- 'lab=cnn&v=1&epochs=2'`

use data::mnist::Mnist;
use lab::cnn::CnnSession;
use std::rc::Rc;

mod common;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let spec: contract::cnn::CnnLab = common::link_spec();
    let mnist = Rc::new(Mnist::load_bundled().map_err(|e| e.to_string())?);
    let mut session = CnnSession::new(&spec, mnist)?;
    let now = common::clock();
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
        common::end_slice(eps, "examples", progress.stopped)?;
    }
    Ok(())
}
