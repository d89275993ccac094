//! Trains a Translation-lab link natively and prints every model's held-out BLEU, overall and
//! per source length, and its training speed: what the page should show for the same link.
//! `cargo run --release -p lab --example mt_train -- 'lab=mt&v=1&len=17'`

use lab::mt::MtSession;

mod common;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let spec: contract::mt::MtLab = common::link_spec();
    let mut session = MtSession::new(&spec)?;
    let now = common::clock();
    let first: Vec<usize> = spec.lengths().collect();
    println!("lengths {first:?}");
    loop {
        let speed = session.train_until(2000.0, &now, None);
        let progress = session.progress(speed);
        for m in &progress.models {
            for e in &m.progress.evaluations {
                let by_length: Vec<String> = e
                    .bleu_by_length
                    .iter()
                    .map(|b| format!("{:.0}", b * 100.0))
                    .collect();
                println!(
                    "step {:>5}  {:<11} loss {:.3}  BLEU {:.3}  exact {:.2}  by length [{}]",
                    e.step,
                    m.model.short(),
                    e.loss,
                    e.bleu,
                    e.exact,
                    by_length.join(" ")
                );
            }
            if let Some(why) = &m.progress.stopped {
                println!("{} stopped: {why}", m.model.short());
            }
        }
        if let Some(speed) = speed {
            let each: Vec<String> = progress
                .models
                .iter()
                .map(|m| {
                    format!(
                        "{} {:.0}",
                        m.model.short(),
                        m.progress.examples_per_second.unwrap_or(0.0)
                    )
                })
                .collect();
            eprintln!(
                "  step {}: {speed:.0} pairs/s through all three ({}) on {} threads, {:.0} s",
                session.step(),
                each.join(", "),
                rayon::current_num_threads(),
                now() / 1000.0
            );
        }
        if session.step() >= spec.steps {
            for s in &progress.samples {
                println!("{}  →  {}", s.source, s.reference);
                for (m, o) in progress.models.iter().zip(&s.outputs) {
                    println!("    {:<11} {o}", m.model.short());
                }
            }
            return Ok(());
        }
    }
}
