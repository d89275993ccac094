//! The Translation lab's shareable link (the form every lab shares is in [`crate::link`]):
//! `#lab=mt&v=1&len=17&width=64&steps=1500&say=the+small+cat+eats+a+mouse&beam=4&at=1500`
//!
//! Keys: `len` (the longest sentence, in source words), `width`, `layers` and `heads` (the
//! Transformer's), `batch`, the shared optimizer keys, `clip` (a threshold, or `none`),
//! `warm` (warm-up steps), `steps`, `seed`, `at`, and the translation shown: `say` (the typed sentence, words joined
//! by `+`) and `beam` (its beam width). Decoding never fails: an unusable part becomes a
//! [`UrlNote`].

use super::limits::MtLimits;
use super::{MtLab, MT_OPTIMIZERS, SLUG};
use crate::link::{
    decay_value, note, read_fragment, read_optimizer, read_other, whole_number, KeyOrder, LinkId,
    Parts, UrlNote, FIRST, RMSPROP_RHO,
};

/// This lab's links: its slug, and every version of them it still reads (what each changed).
pub const LINK: LinkId = LinkId::new(SLUG, &[FIRST, RMSPROP_RHO]);

/// A typed sentence as the lab keeps it: its words separated by single spaces (a "+" is a
/// space, as in a link).
pub fn normalise_sentence(text: &str) -> String {
    text.replace('+', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A sentence in a link: spaces as "+", anything but letters, digits and `-_.~` escaped.
fn sentence_value(sentence: &str) -> String {
    let mut out = String::new();
    for c in sentence.chars() {
        match c {
            ' ' => out.push('+'),
            c if c.is_ascii_alphanumeric() || "-_.~".contains(c) => out.push(c),
            c => {
                let mut bytes = [0u8; 4];
                for b in c.encode_utf8(&mut bytes).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
        }
    }
    out
}

/// The fragment (without '#'); defaults are omitted.
pub fn encode(spec: &MtLab) -> String {
    let d = MtLab::default();
    let mut parts = Parts::new(&LINK);
    parts.value("len", &spec.longest, &d.longest);
    parts.value("width", &spec.width, &d.width);
    parts.value("layers", &spec.layers, &d.layers);
    parts.value("heads", &spec.heads, &d.heads);
    parts.value("batch", &spec.batch, &d.batch);
    parts.optimizer(
        &spec.run,
        d.run.optimizer,
        &MtLab::default_run(spec.run.optimizer),
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
    parts.value("seed", &spec.seed, &d.seed);
    if let Some(sentence) = &spec.sentence {
        parts.differ(true, format!("say={}", sentence_value(sentence)));
    }
    parts.value("beam", &spec.beam, &d.beam);
    parts.finish(spec.at)
}

/// The experiment a fragment describes, as near as it can be read, and what was not used.
pub fn decode(fragment: &str) -> (MtLab, Vec<UrlNote>) {
    // The heads and the run's length before what is checked against them (warm-up, at).
    let order = KeyOrder {
        early: &["heads", "steps"],
        late: &["warm", "at"],
    };
    let (mut spec, mut notes, _) = read_fragment(fragment, order, |_, s: &MtLab| s.steps, read_own);
    // The sizes are read one key at a time; together they must still fit.
    if let Err(why) = MtLimits::check_together(&spec) {
        let sizes = MtLab::default();
        spec.width = sizes.width;
        spec.heads = sizes.heads;
        notes.push(note(
            "the models' size",
            format!("{why}; the default width and heads are used"),
        ));
    }
    (spec, notes)
}

/// [`crate::link::try_set`] with this lab's limits.
fn try_set(spec: &mut MtLab, part: &str, notes: &mut Vec<UrlNote>, edit: impl FnOnce(&mut MtLab)) {
    crate::link::try_set(spec, part, notes, MtLimits::check_fields, edit)
}

/// The keys only this lab's link has.
fn read_own(key: &str, value: &str, part: &str, spec: &mut MtLab, notes: &mut Vec<UrlNote>) {
    match key {
        "opt" => read_optimizer(
            value,
            part,
            &MT_OPTIMIZERS,
            MtLab::default_run,
            &mut spec.run,
            notes,
        ),
        "clip" if value == "none" => spec.clip = None,
        "clip" => match value.parse::<f32>() {
            Ok(c) => try_set(spec, part, notes, |s| s.clip = Some(c)),
            Err(_) => notes.push(note(part, "expected a number or none")),
        },
        "say" => {
            let sentence = normalise_sentence(value);
            if sentence.is_empty() {
                notes.push(note(part, "an empty sentence; ignored"));
            } else {
                try_set(spec, part, notes, |s| s.sentence = Some(sentence));
            }
        }
        "len" | "width" | "layers" | "heads" | "batch" | "warm" | "steps" | "beam" => {
            let Some(n) = whole_number(value, part, notes) else {
                return;
            };
            try_set(spec, part, notes, |s| match key {
                "len" => s.longest = n,
                "width" => s.width = n,
                "layers" => s.layers = n,
                "heads" => s.heads = n,
                "batch" => s.batch = n,
                "beam" => s.beam = n,
                "warm" => s.warmup = n,
                _ => {
                    // A shorter run keeps a warm-up it can hold, as the page's box does.
                    s.steps = n;
                    s.warmup = s.warmup.min(n);
                }
            });
        }
        _ => read_other(&mut spec.run, key, part, value, notes),
    }
}

crate::link::impl_link!(MtLab);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_gen::{assert_link, assert_says};
    use crate::training::{LrSchedule, OptimizerName};

    #[test]
    fn the_default_link_is_bare_and_everything_round_trips() {
        let spec = MtLab {
            longest: 17,
            width: 48,
            layers: 1,
            heads: 2,
            batch: 16,
            run: MtLab::default_run(OptimizerName::Rmsprop),
            schedule: LrSchedule::LinearDecay {
                final_ratio: 0.1,
                steps: 900,
            },
            warmup: 0,
            clip: None,
            steps: 900,
            seed: 7,
            at: Some(450),
            beam: 5,
            sentence: Some("the small cat eats a mouse & co. ü".into()),
        };
        assert_link(
            &spec,
            "lab=mt&v=2&len=17&width=48&layers=1&heads=2&batch=16&opt=rmsprop&decay=0.1,900\
             &warm=0&clip=none&steps=900&seed=7&say=the+small+cat+eats+a+mouse+%26+co.+%C3%BC&beam=5&at=450"
        );
    }

    #[test]
    fn what_cannot_be_used_is_noted_and_the_rest_kept() {
        let (spec, notes) =
            decode("lab=mt&v=1&at=900&len=30&width=60&heads=8&opt=gd&say=+&beam=0&clip=x");
        assert_eq!(
            (spec.longest, spec.width, spec.heads, spec.beam),
            (13, 64, 4, 3)
        );
        assert_eq!(spec.at, None);
        let parts: Vec<&str> = notes.iter().map(|n| n.part.as_str()).collect();
        assert_eq!(
            parts,
            [
                "opt=gd",
                "len=30",
                "say=+",
                "beam=0",
                "clip=x",
                "at=900",
                "the models' size"
            ]
        );
        assert_says(&notes[1], "longest sentence = 30 exceeds the limit of 17");
        assert_says(&notes[6], "width = 60 is not a multiple of the 8 heads");
        // Typed with spaces, read with "+": the same sentence.
        let (spec, _) = decode("lab=mt&v=1&say=the%20cat++eats%20a+mouse");
        assert_eq!(spec.sentence.as_deref(), Some("the cat eats a mouse"));
    }
}
