//! The Transformer lab's shareable link (the form every lab shares is in [`crate::link`]):
//! `#lab=tfm&v=1&task=reverse&len=6&arch=dec&layers=2&heads=4&width=32&pos=none&at=800`
//!
//! Keys: `task` and its `len`, `arch` (dec, enc), `layers`, `heads`, `width` (d_model), `ff`
//! (d_ff), `norm` (post, pre, none), `res=0` without residual connections, `scale=0` without
//! the √d_k, `pos` (sin, learned, none), `batch`, the shared optimizer keys, `warm` (warm-up
//! steps), `clip` (a threshold, or `none`), `steps`, `vs=1` (the contrast run), `seed`, `at`.
//! Decoding never fails: an unusable part becomes a [`UrlNote`].

use super::limits::TfmLimits;
use super::{Architecture, NormPlacement, Positions, TfmLab, TfmTask, SLUG, TFM_OPTIMIZERS};
use crate::link::{
    decay_value, flag, note, read_fragment, read_optimizer, read_other, whole_number, KeyOrder,
    LinkId, Parts, UrlNote, FIRST, RMSPROP_RHO,
};

/// This lab's links: its slug, and every version of them it still reads (what each changed).
pub const LINK: LinkId = LinkId::new(SLUG, &[FIRST, RMSPROP_RHO]);

/// The fragment (without '#'); defaults are omitted.
pub fn encode(spec: &TfmLab) -> String {
    let d = TfmLab::default();
    let mut parts = Parts::new(&LINK);
    parts.differ(spec.task != d.task, format!("task={}", spec.task.slug()));
    // A task read from a link starts from its own default length.
    parts.differ(
        spec.length != spec.task.default_length(),
        format!("len={}", spec.length),
    );
    parts.differ(
        spec.architecture != d.architecture,
        format!("arch={}", spec.architecture.slug()),
    );
    parts.value("layers", &spec.layers, &d.layers);
    parts.value("heads", &spec.heads, &d.heads);
    parts.value("width", &spec.width, &d.width);
    parts.value("ff", &spec.ff, &d.ff);
    parts.differ(spec.norm != d.norm, format!("norm={}", spec.norm.slug()));
    parts.differ(!spec.residual, "res=0".into());
    parts.differ(!spec.scaled, "scale=0".into());
    parts.differ(
        spec.positions != d.positions,
        format!("pos={}", spec.positions.slug()),
    );
    parts.value("batch", &spec.batch, &d.batch);
    parts.optimizer(
        &spec.run,
        d.run.optimizer,
        &TfmLab::default_run(spec.run.optimizer),
    );
    parts.differ(
        spec.schedule != d.schedule,
        format!("decay={}", decay_value(&spec.schedule)),
    );
    parts.value("warm", &spec.warmup, &d.warmup);
    parts.differ(
        spec.clip != d.clip,
        format!(
            "clip={}",
            spec.clip.map_or("none".to_string(), |c| c.to_string())
        ),
    );
    parts.value("steps", &spec.steps, &d.steps);
    parts.differ(spec.contrast, "vs=1".into());
    parts.value("seed", &spec.seed, &d.seed);
    parts.finish(spec.at)
}

/// The experiment a fragment describes, as near as it can be read, and what was not used.
pub fn decode(fragment: &str) -> (TfmLab, Vec<UrlNote>) {
    // The task, the heads and the run's length before what is checked against them (the
    // length, d_model, warm-up, at).
    let order = KeyOrder {
        early: &["task", "arch", "heads", "steps"],
        late: &["warm", "at"],
    };
    let (mut spec, mut notes, _) =
        read_fragment(fragment, order, |_, s: &TfmLab| s.steps, read_own);
    // The sizes are read one key at a time; together they must still fit.
    if let Err(why) = TfmLimits::check_together(&spec) {
        let sizes = TfmLab::default();
        spec.layers = sizes.layers;
        spec.heads = sizes.heads;
        spec.width = sizes.width;
        spec.ff = sizes.ff;
        spec.batch = sizes.batch;
        spec.length = spec.task.default_length();
        spec.contrast = false;
        notes.push(note(
            "the model's size",
            format!("{why}; the default sizes are used"),
        ));
    }
    (spec, notes)
}

/// [`crate::link::try_set`] with this lab's limits.
fn try_set(
    spec: &mut TfmLab,
    part: &str,
    notes: &mut Vec<UrlNote>,
    edit: impl FnOnce(&mut TfmLab),
) {
    crate::link::try_set(spec, part, notes, TfmLimits::check_fields, edit)
}

/// A task chosen by link starts from its own default length (`len`, read after it, may
/// change it).
fn with_task(spec: &mut TfmLab, task: TfmTask) {
    spec.task = task;
    spec.length = task.default_length();
}

/// The keys only this lab's link has.
fn read_own(key: &str, value: &str, part: &str, spec: &mut TfmLab, notes: &mut Vec<UrlNote>) {
    let unknown = |notes: &mut Vec<UrlNote>, what: &str, slugs: String| {
        notes.push(note(part, format!("not {what} ({slugs}); ignored")))
    };
    match key {
        "task" => match TfmTask::from_slug(value) {
            Some(t) => try_set(spec, part, notes, |s| with_task(s, t)),
            None => unknown(notes, "a task", TfmTask::slugs()),
        },
        "arch" => match Architecture::from_slug(value) {
            Some(a) => try_set(spec, part, notes, |s| s.architecture = a),
            None => unknown(notes, "an architecture", Architecture::slugs()),
        },
        "norm" => match NormPlacement::from_slug(value) {
            Some(n) => spec.norm = n,
            None => unknown(notes, "a LayerNorm placement", NormPlacement::slugs()),
        },
        "pos" => match Positions::from_slug(value) {
            Some(p) => spec.positions = p,
            None => unknown(notes, "a positional encoding", Positions::slugs()),
        },
        "opt" => read_optimizer(
            value,
            part,
            &TFM_OPTIMIZERS,
            TfmLab::default_run,
            &mut spec.run,
            notes,
        ),
        "res" | "scale" | "vs" => {
            if let Some(on) = flag(value, part, notes) {
                try_set(spec, part, notes, |s| match key {
                    "res" => s.residual = on,
                    "scale" => s.scaled = on,
                    _ => s.contrast = on,
                });
            }
        }
        "clip" if value == "none" => spec.clip = None,
        "clip" => match value.parse::<f32>() {
            Ok(c) => try_set(spec, part, notes, |s| s.clip = Some(c)),
            Err(_) => notes.push(note(part, "expected a number or none")),
        },
        "len" | "layers" | "heads" | "width" | "ff" | "batch" | "warm" | "steps" => {
            if let Some(n) = whole_number(value, part, notes) {
                try_set(spec, part, notes, |s| match key {
                    "len" => s.length = n,
                    "layers" => s.layers = n,
                    "heads" => s.heads = n,
                    "width" => s.width = n,
                    "ff" => s.ff = n,
                    "batch" => s.batch = n,
                    "warm" => s.warmup = n,
                    _ => {
                        // A shorter run keeps a warm-up it can hold, as the page's box does.
                        s.steps = n;
                        s.warmup = s.warmup.min(n);
                    }
                });
            }
        }
        _ => read_other(&mut spec.run, key, part, value, notes),
    }
}

crate::link::impl_link!(TfmLab);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_gen::{assert_link, assert_says};
    use crate::training::{LrSchedule, OptimizerName};

    #[test]
    fn a_version_1_link_keeps_rmsprops_decay_at_what_beta2_said() {
        let (old, notes) = decode("lab=tfm&v=1&opt=rmsprop");
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!((old.run.rho, old.run.beta2), (0.999, 0.999));
        assert_link(&old, "lab=tfm&v=2&opt=rmsprop&rho=0.999");
        assert_eq!(decode("lab=tfm&v=1&opt=rmsprop&beta2=0.95").0.run.rho, 0.95);
        assert_eq!(decode("lab=tfm&v=1&opt=adam&beta2=0.95").0.run.beta2, 0.95);
        assert_eq!(decode("lab=tfm&v=2&opt=rmsprop").0.run.rho, 0.9);
    }

    #[test]
    fn the_default_link_is_bare_and_everything_round_trips() {
        let spec = TfmLab {
            task: TfmTask::Language,
            length: 40,
            architecture: Architecture::Decoder,
            layers: 3,
            heads: 2,
            width: 48,
            ff: 96,
            norm: NormPlacement::Pre,
            residual: false,
            scaled: false,
            positions: Positions::Learned,
            batch: 8,
            run: TfmLab::default_run(OptimizerName::Momentum),
            schedule: LrSchedule::LinearDecay {
                final_ratio: 0.1,
                steps: 300,
            },
            warmup: 0,
            clip: None,
            steps: 900,
            contrast: true,
            seed: 7,
            at: Some(450),
        };
        assert_link(
            &spec,
            "lab=tfm&v=2&task=lm&len=40&layers=3&heads=2&width=48&ff=96&norm=pre&res=0&scale=0\
             &pos=learned&batch=8&opt=momentum&decay=0.1,300&warm=0&clip=none&steps=900&vs=1\
             &seed=7&at=450",
        );
    }

    #[test]
    fn what_cannot_be_used_is_noted_and_the_rest_kept() {
        let (spec, notes) = decode(
            "lab=tfm&v=1&at=900&task=sort&len=99&width=30&pos=rotary&arch=enc&clip=-1&warm=5000",
        );
        assert_eq!(spec.task, TfmTask::Sort);
        assert_eq!(spec.architecture, Architecture::Encoder);
        assert_eq!((spec.length, spec.width, spec.warmup), (6, 32, 40));
        assert_eq!(spec.at, None);
        let parts: Vec<&str> = notes.iter().map(|n| n.part.as_str()).collect();
        assert_eq!(
            parts,
            [
                "len=99",
                "pos=rotary",
                "clip=-1",
                "at=900",
                "warm=5000",
                "the model's size"
            ]
        );
        assert_says(&notes[0], "length = 99 exceeds the limit of 24");
        assert_says(&notes[1], "sin, learned, none");
        assert_says(&notes[5], "d_model = 30 is not a multiple of the 4 heads");
        // A task whose length is the Reverse default, and a run shorter than the default
        // warm-up, both come back as they went.
        for spec in [
            TfmLab {
                task: TfmTask::Addition,
                length: 6,
                ..TfmLab::default()
            },
            TfmLab {
                task: TfmTask::Language,
                length: 6,
                steps: 20,
                warmup: 20,
                at: Some(20),
                ..TfmLab::default()
            },
        ] {
            assert_eq!(decode(&encode(&spec)), (spec, vec![]));
        }
        // Heads read before a width they divide, a batch after a width it makes fit: the
        // order of keys does not matter.
        let (spec, notes) = decode("lab=tfm&v=1&width=120&heads=3&ff=64&batch=8");
        assert_eq!((spec.width, spec.heads, spec.batch), (120, 3, 8));
        assert_eq!(notes, vec![]);
        assert!(spec.check().is_ok());
        // A language model asked of an encoder keeps the decoder and says why.
        let (spec, notes) = decode("lab=tfm&v=1&task=lm&arch=enc");
        assert_eq!(
            (spec.task, spec.architecture, spec.length),
            (TfmTask::Language, Architecture::Decoder, 32)
        );
        assert_says(&notes[0], "needs the causal decoder");
    }
}
