//! The Recurrent lab's shareable link (the form every lab shares is in [`crate::link`]):
//! `#lab=rnn&v=1&task=recall&span=40&cell=rnn&hidden=24&clip=norm&clipat=1&at=600`
//!
//! Keys: the task and its span, the cell, `bi=1` for a bidirectional one, hidden units,
//! layers, batch, the shared optimizer keys, gradient clipping (`clip=none|norm|value`,
//! `clipat`), truncated backpropagation (`trunc`, 0 = none), the recurrent weights' starting
//! `gain`, the run's `steps`, `seed` and `at` (steps). Decoding never fails: an unusable part
//! becomes a [`UrlNote`].

use super::limits::RnnLimits;
use super::{CellChoice, ClipRule, RnnLab, RnnTask, RNN_OPTIMIZERS, SLUG};
use crate::link::{
    decay_value, flag, note, read_fragment, read_optimizer, read_other, whole_number, KeyOrder,
    LinkId, Parts, UrlNote, FIRST, RMSPROP_RHO,
};

/// This lab's links: its slug, and every version of them it still reads (what each changed).
pub const LINK: LinkId = LinkId::new(SLUG, &[FIRST, RMSPROP_RHO]);

/// The fragment (without '#'); defaults are omitted.
pub fn encode(spec: &RnnLab) -> String {
    let d = RnnLab::default();
    let mut parts = Parts::new(&LINK);
    parts.differ(spec.task != d.task, format!("task={}", spec.task.slug()));
    parts.value("span", &spec.span, &d.span);
    parts.differ(spec.cell != d.cell, format!("cell={}", spec.cell.slug()));
    parts.differ(spec.bidirectional, "bi=1".into());
    parts.value("hidden", &spec.hidden, &d.hidden);
    parts.value("layers", &spec.layers, &d.layers);
    parts.value("batch", &spec.batch, &d.batch);
    parts.optimizer(
        &spec.run,
        d.run.optimizer,
        &RnnLab::default_run(spec.run.optimizer),
    );
    parts.differ(
        spec.schedule != d.schedule,
        format!("decay={}", decay_value(&spec.schedule)),
    );
    parts.differ(spec.clip != d.clip, format!("clip={}", spec.clip.slug()));
    parts.value("clipat", &spec.clip_at, &d.clip_at);
    parts.value("trunc", &spec.truncate, &d.truncate);
    parts.value("gain", &spec.gain, &d.gain);
    parts.value("steps", &spec.steps, &d.steps);
    parts.differ(spec.compare, "cmp=1".into());
    parts.value("seed", &spec.seed, &d.seed);
    parts.finish(spec.at)
}

/// The experiment a fragment describes, as near as it can be read, and what was not used.
pub fn decode(fragment: &str) -> (RnnLab, Vec<UrlNote>) {
    // The span and the run's length before what is checked against them (truncation, at).
    let order = KeyOrder {
        early: &["task", "span", "steps"],
        late: &["trunc", "at"],
    };
    let (mut spec, mut notes, _) =
        read_fragment(fragment, order, |_, s: &RnnLab| s.steps, read_own);
    // The sizes are read one key at a time (so their order never matters); together they
    // must still fit.
    if let Err(why) = RnnLimits::check_together(&spec) {
        let sizes = RnnLab::default();
        spec.hidden = sizes.hidden;
        spec.layers = sizes.layers;
        spec.batch = sizes.batch;
        notes.push(note(
            "the model's size",
            format!("{why}; the default hidden units, layers and batch are used"),
        ));
        // A long span read both ways and compared across cells can exceed the limit even
        // at the default sizes: the comparison goes first, then the second direction.
        if RnnLimits::check_together(&spec).is_err() && spec.compare {
            spec.compare = false;
            notes.push(note(
                "cmp=1",
                "too much work with this span; the cells are not compared",
            ));
        }
        if RnnLimits::check_together(&spec).is_err() && spec.bidirectional {
            spec.bidirectional = false;
            notes.push(note(
                "bi=1",
                "too much work with this span; one direction is used",
            ));
        }
    }
    (spec, notes)
}

/// [`crate::link::try_set`] with this lab's limits.
fn try_set(
    spec: &mut RnnLab,
    part: &str,
    notes: &mut Vec<UrlNote>,
    edit: impl FnOnce(&mut RnnLab),
) {
    crate::link::try_set(spec, part, notes, RnnLimits::check_fields, edit)
}

/// The keys only this lab's link has.
fn read_own(key: &str, value: &str, part: &str, spec: &mut RnnLab, notes: &mut Vec<UrlNote>) {
    let number = |notes: &mut Vec<UrlNote>| {
        let n = value.parse::<f32>().ok();
        if n.is_none() {
            notes.push(note(part, "expected a number"));
        }
        n
    };
    match key {
        "task" => match RnnTask::from_slug(value) {
            Some(t) => try_set(spec, part, notes, |s| s.task = t),
            None => notes.push(note(
                part,
                "not a task (recall, agree, lm, add); recall is used",
            )),
        },
        "cell" => match CellChoice::from_slug(value) {
            Some(c) => try_set(spec, part, notes, |s| s.cell = c),
            None => notes.push(note(
                part,
                "not a cell (rnn, relu, sgru, gru, lstm); the LSTM is used",
            )),
        },
        "clip" => match ClipRule::from_slug(value) {
            Some(c) => spec.clip = c,
            None => notes.push(note(
                part,
                "not a clipping rule (none, norm, value); ignored",
            )),
        },
        "opt" => read_optimizer(
            value,
            part,
            &RNN_OPTIMIZERS,
            RnnLab::default_run,
            &mut spec.run,
            notes,
        ),
        "bi" | "cmp" => {
            // Off is the default: only a switch that is on is set (and checked).
            if flag(value, part, notes) == Some(true) {
                try_set(spec, part, notes, |s| match key {
                    "bi" => s.bidirectional = true,
                    _ => s.compare = true,
                });
            }
        }
        "span" | "hidden" | "layers" | "batch" | "trunc" | "steps" => {
            if let Some(n) = whole_number(value, part, notes) {
                try_set(spec, part, notes, |s| match key {
                    "span" => s.span = n,
                    "hidden" => s.hidden = n,
                    "layers" => s.layers = n,
                    "batch" => s.batch = n,
                    "trunc" => s.truncate = n,
                    _ => s.steps = n,
                });
            }
        }
        "clipat" | "gain" => {
            if let Some(x) = number(notes) {
                try_set(spec, part, notes, |s| match key {
                    "clipat" => s.clip_at = x,
                    _ => s.gain = x,
                });
            }
        }
        _ => read_other(&mut spec.run, key, part, value, notes),
    }
}

crate::link::impl_link!(RnnLab);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_gen::{assert_link, assert_says};
    use crate::training::{LrSchedule, OptimizerName};

    #[test]
    fn the_default_link_is_bare_and_everything_round_trips() {
        let spec = RnnLab {
            task: RnnTask::Agreement,
            span: 12,
            cell: CellChoice::RnnRelu,
            bidirectional: true,
            hidden: 16,
            layers: 2,
            batch: 8,
            run: RnnLab::default_run(OptimizerName::Momentum),
            schedule: LrSchedule::LinearDecay {
                final_ratio: 0.1,
                steps: 300,
            },
            clip: ClipRule::Value,
            clip_at: 0.5,
            truncate: 5,
            gain: 2.5,
            steps: 900,
            compare: true,
            seed: 7,
            at: Some(450),
        };
        assert_link(
            &spec,
            "lab=rnn&v=2&task=agree&span=12&cell=relu&bi=1&hidden=16&layers=2&batch=8&opt=momentum\
             &decay=0.1,300&clip=value&clipat=0.5&trunc=5&gain=2.5&steps=900&cmp=1&seed=7&at=450",
        );
    }

    #[test]
    fn what_cannot_be_used_is_noted_and_the_rest_kept() {
        let (spec, notes) = decode(
            "lab=rnn&v=1&at=700&cell=transformer&span=1000&hidden=0&gain=NaN&trunc=99&clip=max\
             &opt=gd&hidden=64",
        );
        assert_eq!(spec.cell, CellChoice::Lstm);
        assert_eq!(
            (spec.span, spec.hidden, spec.gain, spec.truncate),
            (20, 24, 1.0, 0)
        );
        assert_eq!(spec.at, None);
        let parts: Vec<&str> = notes.iter().map(|n| n.part.as_str()).collect();
        assert_eq!(
            parts,
            [
                "hidden=64",
                "opt=gd",
                "span=1000",
                "cell=transformer",
                "hidden=0",
                "gain=NaN",
                "clip=max",
                "at=700",
                "trunc=99"
            ]
        );
        assert_says(&notes[2], "span = 1000 exceeds the limit of 100");
        assert_says(&notes[7], "at = 700 exceeds the limit of 600");
        assert_says(&notes[8], "truncation = 99 exceeds the limit of 21");
        assert!(spec.check().is_ok());
    }
}
