//! The shareable URL of an experiment: readable, stable keys in the fragment, defaults omitted,
//! a version key. `#lab=optim&v=1&problem=rosenbrock&opt=sgd,momentum,adam&adam.lr=0.02&seed=7`
//!
//! Decoding never fails: each part it cannot use (unknown key, unreadable value, a value over a
//! limit, a newer version) is left out or replaced by the nearest valid value, and reported as a
//! [`UrlNote`] the page shows. Floats are written in Rust's shortest round-trip form, so
//! `decode(encode(s)) == s` exactly.

use crate::experiment::{Knob, LrSchedule, OptimLab, OptimizerName, Problem, Run};
use crate::limits::{check_float, check_range, OptimLimits};

/// The version this code writes; fragments of another version are read as far as possible.
pub const VERSION: u32 = 1;
/// Longest fragment considered (a hostile URL must not make the page parse megabytes).
pub const MAX_FRAGMENT: usize = 4096;

/// One part of a URL that was not used as written, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlNote {
    pub part: String,
    pub reason: String,
}

pub(crate) fn note(part: &str, reason: impl Into<String>) -> UrlNote {
    UrlNote {
        part: part.to_string(),
        reason: reason.into(),
    }
}

/// The fragment (without '#') for a spec; defaults are omitted.
pub fn encode(spec: &OptimLab) -> String {
    let defaults = OptimLab::default();
    let mut parts = vec![format!("lab=optim"), format!("v={VERSION}")];
    if spec.problem != defaults.problem {
        parts.push(format!("problem={}", spec.problem.slug()));
    }
    let names: Vec<&str> = spec.runs.iter().map(|r| r.optimizer.slug()).collect();
    let default_names: Vec<&str> = defaults.runs.iter().map(|r| r.optimizer.slug()).collect();
    if names != default_names {
        parts.push(format!("opt={}", names.join(",")));
    }
    for run in &spec.runs {
        let base = Run::default_for(run.optimizer);
        for knob in Knob::ALL {
            if run.get(knob) != base.get(knob) {
                parts.push(format!(
                    "{}.{}={}",
                    run.optimizer.slug(),
                    knob.slug(),
                    run.get(knob)
                ));
            }
        }
    }
    if let Some((x, y)) = spec.start {
        parts.push(format!("start={x},{y}"));
    }
    if let LrSchedule::LinearDecay { final_ratio, steps } = spec.schedule {
        parts.push(format!("decay={final_ratio},{steps}"));
    }
    if spec.points != defaults.points {
        parts.push(format!("points={}", spec.points));
    }
    if spec.batch != defaults.batch {
        parts.push(format!("batch={}", spec.batch));
    }
    if spec.seed != defaults.seed {
        parts.push(format!("seed={}", spec.seed));
    }
    if let Some(at) = spec.at {
        parts.push(format!("at={at}"));
    }
    parts.join("&")
}

fn parse_pair<T: std::str::FromStr>(value: &str) -> Option<(T, T)> {
    let (a, b) = value.split_once(',')?;
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
}

/// A fragment's `key=value` parts (a part without `=` has an empty value); a fragment over
/// [`MAX_FRAGMENT`] is not read at all, and says so.
pub(crate) fn key_values<'a>(
    fragment: &'a str,
    notes: &mut Vec<UrlNote>,
) -> Vec<(&'a str, &'a str)> {
    let fragment = fragment.trim_start_matches('#');
    if fragment.len() > MAX_FRAGMENT {
        notes.push(note(
            "the whole link",
            format!("it is longer than {MAX_FRAGMENT} characters; the default experiment is shown"),
        ));
        return Vec::new();
    }
    fragment
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .collect()
}

/// The experiment a fragment describes, as near as it can be read, and what was not used.
pub fn decode(fragment: &str) -> (OptimLab, Vec<UrlNote>) {
    let mut notes = Vec::new();
    let mut spec = OptimLab::default();
    let pairs = key_values(fragment, &mut notes);
    // The optimizer list first: per-optimizer keys refer to it.
    if let Some((_, list)) = pairs.iter().find(|(k, _)| *k == "opt") {
        let mut runs = Vec::new();
        for name in list.split(',').filter(|n| !n.is_empty()) {
            match OptimizerName::from_slug(name) {
                Some(o) if runs.iter().any(|r: &Run| r.optimizer == o) => {
                    notes.push(note(&format!("opt={name}"), "listed twice; kept once"))
                }
                Some(_) if runs.len() == OptimLimits::MAX_RUNS => notes.push(note(
                    &format!("opt={name}"),
                    format!("more than {} optimizers", OptimLimits::MAX_RUNS),
                )),
                Some(o) => runs.push(Run::default_for(o)),
                None => notes.push(note(&format!("opt={name}"), "not an optimizer of this lab")),
            }
        }
        if runs.is_empty() {
            notes.push(note(
                &format!("opt={list}"),
                "no optimizer left; the default race is shown",
            ));
        } else {
            spec.runs = runs;
        }
    }
    for &(key, value) in &pairs {
        let part = format!("{key}={value}");
        match key {
            "lab" if value == "optim" => {}
            "lab" => notes.push(note(
                &part,
                "this link is for another lab; showing the optimizer lab",
            )),
            "v" => match value.parse::<u32>() {
                Ok(VERSION) => {}
                Ok(v) if v > VERSION => notes.push(note(
                    &part,
                    "made by a newer version of the playground; read as far as possible",
                )),
                _ => notes.push(note(&part, "unknown version; read as far as possible")),
            },
            "opt" => {}
            "problem" => match Problem::from_slug(value) {
                Some(p) => spec.problem = p,
                None => notes.push(note(
                    &part,
                    format!("not a problem of this lab; showing {}", spec.problem.slug()),
                )),
            },
            "start" => match parse_pair::<f32>(value) {
                Some((x, y)) => match check_float(
                    "start x",
                    x,
                    -OptimLimits::MAX_COORD,
                    OptimLimits::MAX_COORD,
                )
                .and(check_float(
                    "start y",
                    y,
                    -OptimLimits::MAX_COORD,
                    OptimLimits::MAX_COORD,
                )) {
                    Ok(()) => spec.start = Some((x, y)),
                    Err(why) => {
                        notes.push(note(&part, format!("{why}; the default start is used")))
                    }
                },
                None => notes.push(note(&part, "expected two numbers, x,y")),
            },
            "decay" => match parse_pair::<f64>(value) {
                Some((ratio, steps)) if steps.fract() == 0.0 && steps >= 1.0 => {
                    let candidate = LrSchedule::LinearDecay {
                        final_ratio: ratio as f32,
                        steps: steps.min(usize::MAX as f64) as usize,
                    };
                    match OptimLimits::check_schedule(&candidate) {
                        Ok(()) => spec.schedule = candidate,
                        Err(why) => {
                            notes.push(note(&part, format!("{why}; a constant rate is used")))
                        }
                    }
                }
                _ => notes.push(note(
                    &part,
                    "expected ε_T/ε_0 and a whole number of steps, e.g. decay=0.01,500",
                )),
            },
            "points" | "batch" | "seed" | "at" => match value.parse::<u64>() {
                Ok(n) => {
                    let size = n.min(usize::MAX as u64) as usize;
                    // Each value alone; batch ≤ points is settled after every key is read.
                    let checked = match key {
                        "points" => check_range(
                            "points",
                            size,
                            OptimLimits::POINTS.0,
                            OptimLimits::POINTS.1,
                        ),
                        "batch" => check_range("batch", size, 1, OptimLimits::POINTS.1),
                        "at" => check_range("at", size, 0, OptimLimits::MAX_STEPS),
                        _ => Ok(()),
                    };
                    match checked {
                        Ok(()) => match key {
                            "points" => spec.points = size,
                            "batch" => spec.batch = size,
                            "seed" => spec.seed = n,
                            _ => spec.at = Some(size),
                        },
                        Err(why) => notes.push(note(&part, format!("{why}; ignored"))),
                    }
                }
                Err(_) => notes.push(note(&part, "expected a whole number")),
            },
            _ => match key.split_once('.') {
                Some((name, knob_slug)) => {
                    let knob = Knob::ALL.into_iter().find(|k| k.slug() == knob_slug);
                    let index = spec.runs.iter().position(|r| r.optimizer.slug() == name);
                    match (index, knob, value.parse::<f32>()) {
                        (None, _, _) => {
                            notes.push(note(&part, format!("{name} is not in the race")))
                        }
                        (_, None, _) => {
                            notes.push(note(&part, format!("{knob_slug} is not a setting")))
                        }
                        (_, _, Err(_)) => notes.push(note(&part, "expected a number")),
                        (Some(i), Some(k), Ok(v)) => {
                            let mut run = spec.runs[i];
                            run.set(k, v);
                            match OptimLimits::check_run(&run) {
                                Ok(()) => spec.runs[i] = run,
                                Err(why) => {
                                    notes.push(note(&part, format!("{why}; the default is used")))
                                }
                            }
                        }
                    }
                }
                None => notes.push(note(&part, "unknown setting; ignored")),
            },
        }
    }
    // Keys may come in any order: a batch larger than the data set is fixed last.
    if spec.batch > spec.points {
        notes.push(note(
            &format!("batch={}", spec.batch),
            format!(
                "larger than the {} points; set to {}",
                spec.points, spec.points
            ),
        ));
        spec.batch = spec.points;
    }
    (spec, notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_gen::Gen;

    fn random_spec(g: &mut Gen) -> OptimLab {
        let mut names = OptimizerName::ALL.to_vec();
        let count = 1 + g.below(names.len() as u64) as usize;
        let mut runs = Vec::new();
        for _ in 0..count {
            let o = names.remove(g.below(names.len() as u64) as usize);
            let mut run = Run::default_for(o);
            if g.below(2) == 0 {
                run.lr = g.float(1e-4, 1.0);
            }
            if g.below(3) == 0 {
                run.alpha = g.float(0.0, 0.99);
            }
            if g.below(3) == 0 {
                run.beta2 = g.float(0.5, 0.9999);
            }
            if g.below(4) == 0 {
                run.delta = g.float(1e-10, 1e-3);
            }
            if g.below(3) == 0 {
                run.beta1 = g.float(0.0, 0.9999);
            }
            // The limits themselves must round-trip too.
            match g.below(12) {
                0 => run.lr = OptimLimits::LR.0,
                1 => run.lr = OptimLimits::LR.1,
                2 => run.delta = OptimLimits::DELTA.0,
                3 => run.alpha = OptimLimits::MOMENT.1,
                _ => {}
            }
            runs.push(run);
        }
        let points = 2 + g.below(999) as usize;
        OptimLab {
            problem: Problem::ALL[g.below(6) as usize],
            start: match g.below(4) {
                0 => Some((-OptimLimits::MAX_COORD, OptimLimits::MAX_COORD)),
                1 => None,
                _ => Some((g.float(-5.0, 5.0), g.float(-5.0, 5.0))),
            },
            runs,
            schedule: if g.below(2) == 0 {
                LrSchedule::Constant
            } else {
                LrSchedule::LinearDecay {
                    final_ratio: g.float(0.0, 1.0),
                    steps: 1 + g.below(5000) as usize,
                }
            },
            points,
            batch: 1 + g.below(points as u64) as usize,
            seed: g.next(),
            at: (g.below(2) == 0).then(|| g.below(100_000) as usize),
        }
    }

    #[test]
    fn decode_encode_round_trips_for_generated_specs() {
        let mut g = Gen(42);
        for _ in 0..2000 {
            let spec = random_spec(&mut g);
            assert_eq!(spec.check(), Ok(()), "{spec:?}");
            let url = encode(&spec);
            let (back, notes) = decode(&url);
            assert_eq!(notes, vec![], "{url}");
            assert_eq!(back, spec, "{url}");
        }
    }

    #[test]
    fn the_default_experiment_has_a_short_link() {
        assert_eq!(encode(&OptimLab::default()), "lab=optim&v=1");
        let spec = OptimLab {
            problem: Problem::Himmelblau,
            seed: 7,
            ..OptimLab::default()
        };
        assert_eq!(encode(&spec), "lab=optim&v=1&problem=himmelblau&seed=7");
    }

    #[test]
    fn bad_parts_are_reported_and_the_rest_is_kept() {
        let (spec, notes) = decode("#lab=optim&v=1&problem=volcano&opt=adam,warp,adam&adam.lr=1e9&adam.beta1=0.5&seed=x&frobnicate=1");
        assert_eq!(spec.problem, Problem::Rosenbrock);
        assert_eq!(spec.runs.len(), 1);
        assert_eq!(spec.runs[0].beta1, 0.5, "the valid override is kept");
        assert_eq!(spec.runs[0].lr, Run::default_for(OptimizerName::Adam).lr);
        let parts: Vec<&str> = notes.iter().map(|n| n.part.as_str()).collect();
        assert_eq!(
            parts,
            [
                "opt=warp",
                "opt=adam",
                "problem=volcano",
                "adam.lr=1e9",
                "seed=x",
                "frobnicate=1"
            ]
        );
        let lr = &notes[3].reason;
        assert!(
            lr.contains("adam.lr = 1000000000 exceeds the limit of 10"),
            "{lr}"
        );
    }

    #[test]
    fn keys_may_come_in_any_order() {
        let (spec, notes) = decode("batch=100&adam.lr=0.1&opt=adam&points=200");
        assert_eq!(notes, vec![]);
        assert_eq!((spec.batch, spec.points, spec.runs[0].lr), (100, 200, 0.1));
    }

    #[test]
    fn hostile_links_never_panic() {
        let huge = "a".repeat(MAX_FRAGMENT + 1);
        for fragment in [
            "",
            "&&&",
            "=",
            "opt=",
            "at=99999999999999999999",
            "start=NaN,1",
            "start=1e39,0",
            "decay=0.1,-3",
            "batch=5000",
            "v=999",
            huge.as_str(),
            "sgd.lr=inf",
            "%00%ff=\u{1F600}",
        ] {
            let (spec, _) = decode(fragment);
            assert_eq!(spec.check(), Ok(()), "{fragment:.40}");
        }
        let (_, notes) = decode(&huge);
        assert!(notes[0].reason.contains("longer than 4096"));
    }
}
