//! The optimizer lab's shareable link (the form every lab shares is in [`crate::link`]):
//! `#lab=optim&v=1&problem=rosenbrock&opt=sgd,momentum,adam&adam.lr=0.02&seed=7`

use super::limits::OptimLimits;
use super::{OptimLab, Problem, SLUG};
use crate::limits::{check_float, check_range};
use crate::link::{
    decay_value, key_values, knob_of, knob_parts, note, parse_pair, read_common, read_knob,
    upgrade_run, version_of, Common, LinkId, Parts, UrlNote, FIRST, RMSPROP_RHO,
};
use crate::training::{LrSchedule, OptimizerName, Run};

/// This lab's links: its slug, and every version of them it still reads (what each changed).
pub const LINK: LinkId = LinkId::new(SLUG, &[FIRST, RMSPROP_RHO]);

/// The fragment (without '#') for a spec; defaults are omitted.
pub fn encode(spec: &OptimLab) -> String {
    let defaults = OptimLab::default();
    let mut parts = Parts::new(&LINK);
    parts.differ(
        spec.problem != defaults.problem,
        format!("problem={}", spec.problem.slug()),
    );
    let names: Vec<&str> = spec.runs.iter().map(|r| r.optimizer.slug()).collect();
    let default_names: Vec<&str> = defaults.runs.iter().map(|r| r.optimizer.slug()).collect();
    parts.differ(names != default_names, format!("opt={}", names.join(",")));
    for run in &spec.runs {
        let prefix = format!("{}.", run.optimizer.slug());
        parts.extend(knob_parts(&prefix, run, &Run::default_for(run.optimizer)));
    }
    if let Some((x, y)) = spec.start {
        parts.push(format!("start={x},{y}"));
    }
    parts.differ(
        spec.schedule != LrSchedule::Constant,
        format!("decay={}", decay_value(&spec.schedule)),
    );
    parts.value("points", &spec.points, &defaults.points);
    parts.value("batch", &spec.batch, &defaults.batch);
    parts.value("seed", &spec.seed, &defaults.seed);
    parts.finish(spec.at)
}

/// The experiment a fragment describes, as near as it can be read, and what was not used.
pub fn decode(fragment: &str) -> (OptimLab, Vec<UrlNote>) {
    let mut notes = Vec::new();
    let mut spec = OptimLab::default();
    let pairs = key_values(fragment, &mut notes);
    // The optimizer list first: per-optimizer keys refer to it.
    if let Some((_, list)) = pairs.iter().find(|(k, _)| k == "opt") {
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
    for (key, value) in &pairs {
        let (key, value) = (key.as_str(), value.as_str());
        let part = format!("{key}={value}");
        match read_common(key, value, &LINK, OptimLimits::MAX_STEPS, &mut notes) {
            Common::Seed(seed) => spec.seed = seed,
            Common::At(at) => spec.at = Some(at),
            Common::Decay(schedule) => spec.schedule = schedule,
            Common::Header | Common::Unusable => {}
            Common::NotCommon => match key {
                "opt" => {}
                "problem" => match Problem::from_slug(value) {
                    Some(p) => spec.problem = p,
                    None => notes.push(note(
                        &part,
                        format!("not a problem of this lab; showing {}", spec.problem.slug()),
                    )),
                },
                "start" => match parse_pair::<f32>(value) {
                    Some((x, y)) => {
                        let limit = OptimLimits::MAX_COORD;
                        match check_float("start x", x, -limit, limit)
                            .and(check_float("start y", y, -limit, limit))
                        {
                            Ok(()) => spec.start = Some((x, y)),
                            Err(why) => {
                                notes.push(note(&part, format!("{why}; the default start is used")))
                            }
                        }
                    }
                    None => notes.push(note(&part, "expected two numbers, x,y")),
                },
                "points" | "batch" => match value.parse::<u64>() {
                    Ok(n) => {
                        let size = n.min(usize::MAX as u64) as usize;
                        // Each value alone; batch ≤ points is settled after every key is read.
                        let (min, max) = match key {
                            "points" => OptimLimits::POINTS,
                            _ => (1, OptimLimits::POINTS.1),
                        };
                        match check_range(key, size, min, max) {
                            Ok(()) if key == "points" => spec.points = size,
                            Ok(()) => spec.batch = size,
                            Err(why) => notes.push(note(&part, format!("{why}; ignored"))),
                        }
                    }
                    Err(_) => notes.push(note(&part, "expected a whole number")),
                },
                _ => match key.split_once('.') {
                    Some((name, knob_slug)) => {
                        let index = spec.runs.iter().position(|r| r.optimizer.slug() == name);
                        match (index, knob_of(knob_slug)) {
                            (None, _) => {
                                notes.push(note(&part, format!("{name} is not in the race")))
                            }
                            (_, None) => {
                                notes.push(note(&part, format!("{knob_slug} is not a setting")))
                            }
                            (Some(i), Some(knob)) => {
                                read_knob(&mut spec.runs[i], knob, &part, value, &mut notes)
                            }
                        }
                    }
                    None => notes.push(note(&part, "unknown setting; ignored")),
                },
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
    let version = version_of(&pairs, &LINK);
    for run in &mut spec.runs {
        upgrade_run(run, version);
    }
    (spec, notes)
}

crate::link::impl_link!(OptimLab, |s| &mut s.runs);

#[cfg(test)]
mod tests {
    use super::*;

    use crate::limits::TrainingLimits;
    use crate::test_gen::{assert_links_round_trip, assert_says, Gen};

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
                0 => run.lr = TrainingLimits::LR.0,
                1 => run.lr = TrainingLimits::LR.1,
                2 => run.delta = TrainingLimits::DELTA.0,
                3 => run.alpha = TrainingLimits::MOMENT.1,
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
        assert_links_round_trip(42, random_spec, OptimLab::check);
    }

    #[test]
    fn a_version_1_link_reads_rmsprops_decay_from_beta2_and_keeps_its_numbers() {
        let (old, notes) =
            decode("lab=optim&v=1&opt=adam,rmsprop&rmsprop.beta2=0.99&adam.beta2=0.95");
        assert!(notes.is_empty(), "{notes:?}");
        let (adam, rmsprop) = (old.runs[0], old.runs[1]);
        assert_eq!((adam.beta2, adam.rho), (0.95, 0.9), "Adam's β₂ is Adam's");
        assert_eq!((rmsprop.rho, rmsprop.beta2), (0.99, 0.999));
        // Written today, it says the same experiment in version 2's words.
        let again = encode(&old);
        assert_eq!(
            again,
            "lab=optim&v=2&opt=adam,rmsprop&adam.beta2=0.95&rmsprop.rho=0.99"
        );
        assert_eq!(decode(&again), (old, vec![]));
        // Without the key, version 1's RMSProp decayed at 0.999, version 2's at 0.9.
        assert_eq!(decode("lab=optim&v=1&opt=rmsprop").0.runs[0].rho, 0.999);
        assert_eq!(decode("lab=optim&v=2&opt=rmsprop").0.runs[0].rho, 0.9);
    }

    #[test]
    fn the_default_experiment_has_a_short_link() {
        assert_eq!(encode(&OptimLab::default()), "lab=optim&v=2");
        let spec = OptimLab {
            problem: Problem::Himmelblau,
            seed: 7,
            ..OptimLab::default()
        };
        assert_eq!(encode(&spec), "lab=optim&v=2&problem=himmelblau&seed=7");
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
        let huge = "a".repeat(crate::link::MAX_FRAGMENT + 1);
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
        assert_says(
            &notes[0],
            &format!("longer than {}", crate::link::MAX_FRAGMENT),
        );
    }
}
