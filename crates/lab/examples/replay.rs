//! Replays an optimizer-lab link natively and prints where every path is, exactly, in the form
//! of the page's results rows' `data-point` attribute: `cargo run -p lab --example replay -- 'lab=optim&v=1&at=300'`.
//! The end-to-end tests compare the page with this (same spec, same numbers, any machine).

use lab::optim::OptimSession;

fn main() {
    let fragment = std::env::args().nth(1).unwrap_or_default();
    let (spec, notes) = contract::optim::link::decode(&fragment);
    for n in &notes {
        eprintln!("note: {} — {}", n.part, n.reason);
    }
    let mut session = match OptimSession::new(&spec) {
        Ok(s) => s,
        Err(why) => {
            eprintln!("{why}");
            std::process::exit(2);
        }
    };
    session.run_to(spec.at.unwrap_or(0));
    for run in session.frame(0).runs {
        let (x, y) = run.points.last().copied().unwrap_or((f32::NAN, f32::NAN));
        // Shortest round-trip decimal form: equal text means equal bits.
        println!("{} {x},{y}", run.optimizer.slug());
    }
}
