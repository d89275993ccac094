//! The CNN lab's shareable link (the form every lab shares is in [`crate::link`]):
//! `#lab=cnn&v=1&layers=c8k5p2,relu,max2,c16k5p2,relu,max2&opt=adam&lr=0.003&epochs=3&digit=7`
//!
//! Layers are short codes: `c{channels}k{kernel}[s{stride}][p{padding}][d{dilation}]`,
//! `max{size}[s{stride}]`, `avg{size}[s{stride}]`, `bn`, `relu`, `res{channels}[s{stride}]`,
//! `fc{units}`. Decoding never fails: an unusable part becomes a [`UrlNote`]. An architecture
//! that is within the limits but impossible (a window that does not fit) is kept as written, so
//! the builder can show where it breaks.

use super::arch::{ConvSpec, LayerSpec, PoolKind};
use super::limits::CnnLimits;
use super::{check_layer, CnnLab, CNN_OPTIMIZERS, DEFAULT_FINAL_RATIO, SLUG};
use crate::link::{
    decay_value, note, parse_pair, read_fragment, read_optimizer, read_other, KeyOrder, LinkId,
    Parts, UrlNote, FIRST, RMSPROP_RHO,
};

/// This lab's links: its slug, and every version of them it still reads (what each changed).
pub const LINK: LinkId = LinkId::new(SLUG, &[FIRST, RMSPROP_RHO]);

/// One layer's code.
pub fn layer_code(layer: &LayerSpec) -> String {
    match *layer {
        LayerSpec::Conv(c) => {
            let mut s = format!("c{}k{}", c.channels, c.kernel);
            // The usual values are left out: stride 1, no padding, no dilation.
            for (letter, value, usual) in [
                ('s', c.stride, 1),
                ('p', c.padding, 0),
                ('d', c.dilation, 1),
            ] {
                if value != usual {
                    s += &format!("{letter}{value}");
                }
            }
            s
        }
        LayerSpec::Pool { pool, size, stride } => {
            let name = match pool {
                PoolKind::Max => "max",
                PoolKind::Avg => "avg",
            };
            if stride == size {
                format!("{name}{size}")
            } else {
                format!("{name}{size}s{stride}")
            }
        }
        LayerSpec::BatchNorm => "bn".into(),
        LayerSpec::Relu => "relu".into(),
        LayerSpec::Residual { channels, stride } => {
            if stride == 1 {
                format!("res{channels}")
            } else {
                format!("res{channels}s{stride}")
            }
        }
        LayerSpec::Dense { units } => format!("fc{units}"),
    }
}

/// Splits "c8k5s2p1" after its prefix into (letter, number) pairs: [('c',8),('k',5),...].
/// The first field letter a layer code repeats (`c8k5c16` gives `c` twice), after its
/// prefix; such a code is refused rather than read one way or the other.
pub fn repeated_field(code: &str) -> Option<char> {
    let rest = ["max", "avg", "res", "fc"]
        .iter()
        .find_map(|p| code.strip_prefix(p))
        .unwrap_or(code);
    let letters: Vec<char> = rest.chars().filter(|c| c.is_ascii_lowercase()).collect();
    letters
        .iter()
        .enumerate()
        .find(|(i, c)| letters[..*i].contains(c))
        .map(|(_, c)| *c)
}

fn fields(code: &str) -> Option<Vec<(char, usize)>> {
    let mut out = Vec::new();
    let mut chars = code.chars().peekable();
    while let Some(letter) = chars.next() {
        if !letter.is_ascii_lowercase() {
            return None;
        }
        let mut digits = String::new();
        while let Some(d) = chars.peek().filter(|c| c.is_ascii_digit()) {
            digits.push(*d);
            chars.next();
        }
        // Nine digits at most: every limit is far below, and parsing cannot overflow.
        if digits.is_empty() || digits.len() > 9 {
            return None;
        }
        out.push((letter, digits.parse().ok()?));
    }
    Some(out)
}

/// A layer from its code (limits are checked by the caller).
pub fn parse_layer(code: &str) -> Option<LayerSpec> {
    let get = |f: &[(char, usize)], key: char, default: usize| {
        f.iter()
            .find(|(k, _)| *k == key)
            .map_or(default, |(_, v)| *v)
    };
    let known = |f: &[(char, usize)], keys: &str| f.iter().all(|(k, _)| keys.contains(*k));
    match code {
        "bn" => return Some(LayerSpec::BatchNorm),
        "relu" => return Some(LayerSpec::Relu),
        _ => {}
    }
    for (prefix, pool) in [("max", PoolKind::Max), ("avg", PoolKind::Avg)] {
        if let Some(rest) = code.strip_prefix(prefix) {
            let f = fields(&format!("z{rest}"))?;
            let size = get(&f, 'z', 0);
            return known(&f, "zs").then(|| LayerSpec::Pool {
                pool,
                size,
                stride: get(&f, 's', size),
            });
        }
    }
    if let Some(rest) = code.strip_prefix("res") {
        let f = fields(&format!("r{rest}"))?;
        return known(&f, "rs").then(|| LayerSpec::Residual {
            channels: get(&f, 'r', 0),
            stride: get(&f, 's', 1),
        });
    }
    if let Some(rest) = code.strip_prefix("fc") {
        let f = fields(&format!("u{rest}"))?;
        return known(&f, "u").then(|| LayerSpec::Dense {
            units: get(&f, 'u', 0),
        });
    }
    let f = fields(code)?;
    (f.first().map(|(k, _)| *k) == Some('c') && known(&f, "ckspd") && f.len() >= 2).then(|| {
        LayerSpec::Conv(ConvSpec {
            channels: get(&f, 'c', 0),
            kernel: get(&f, 'k', 0),
            stride: get(&f, 's', 1),
            padding: get(&f, 'p', 0),
            dilation: get(&f, 'd', 1),
        })
    })
}

/// The fragment (without '#'); defaults are omitted.
pub fn encode(spec: &CnnLab) -> String {
    let d = CnnLab::default();
    let mut parts = Parts::new(&LINK);
    if spec.layers != d.layers {
        let codes: Vec<String> = spec.layers.iter().map(layer_code).collect();
        // An empty list still needs a value: "-" is "no hidden layers".
        let list = if codes.is_empty() {
            "-".to_string()
        } else {
            codes.join(",")
        };
        parts.push(format!("layers={list}"));
    }
    parts.optimizer(
        &spec.run,
        d.run.optimizer,
        &CnnLab::default_run(spec.run.optimizer),
    );
    parts.value("batch", &spec.batch, &d.batch);
    parts.value("epochs", &spec.epochs, &d.epochs);
    // The schedule is written unless it is the default decay over this run.
    parts.differ(
        spec.schedule != spec.decay_over_run(DEFAULT_FINAL_RATIO),
        format!("decay={}", decay_value(&spec.schedule)),
    );
    parts.value("seed", &spec.seed, &d.seed);
    parts.value("digit", &spec.digit, &d.digit);
    parts.differ(
        spec.shift != (0, 0),
        format!("shift={},{}", spec.shift.0, spec.shift.1),
    );
    parts.finish(spec.at)
}

/// The experiment a fragment describes, as near as it can be read, and what was not used.
pub fn decode(fragment: &str) -> (CnnLab, Vec<UrlNote>) {
    // Epochs and batch before the schedule (the default decay spans the run).
    let order = KeyOrder {
        early: &["batch", "epochs"],
        late: &[],
    };
    let max = |_: &str, _: &CnnLab| CnnLimits::MAX_STEPS;
    let (mut spec, notes, decay_given) = read_fragment(fragment, order, max, read_own);
    if !decay_given {
        spec.schedule = spec.decay_over_run(DEFAULT_FINAL_RATIO);
    }
    (spec, notes)
}

/// The keys only this lab's link has.
fn read_own(key: &str, value: &str, part: &str, spec: &mut CnnLab, notes: &mut Vec<UrlNote>) {
    match key {
        "layers" => {
            let mut layers = Vec::new();
            let codes: Vec<&str> = if value == "-" {
                vec![]
            } else {
                value.split(',').collect()
            };
            for code in codes {
                if layers.len() == CnnLimits::MAX_LAYERS {
                    notes.push(note(
                        &format!("layers: {code}"),
                        format!("more than {} layers; left out", CnnLimits::MAX_LAYERS),
                    ));
                    continue;
                }
                if let Some(letter) = repeated_field(code) {
                    notes.push(note(
                        &format!("layers: {code}"),
                        format!("its field {letter} is given more than once; left out"),
                    ));
                    continue;
                }
                match parse_layer(code) {
                    Some(layer) => match check_layer(layers.len(), &layer) {
                        Ok(()) => layers.push(layer),
                        Err(why) => {
                            notes.push(note(&format!("layers: {code}"), format!("{why}; left out")))
                        }
                    },
                    None => notes.push(note(
                        &format!("layers: {code}"),
                        "not a layer code (e.g. c8k5p2, max2, bn, relu, res16s2, fc64); left out",
                    )),
                }
            }
            spec.layers = layers;
        }
        "opt" => read_optimizer(
            value,
            part,
            &CNN_OPTIMIZERS,
            CnnLab::default_run,
            &mut spec.run,
            notes,
        ),
        "shift" => match parse_pair::<i32>(value) {
            Some((x, y))
                if x.unsigned_abs() <= CnnLimits::MAX_SHIFT.unsigned_abs()
                    && y.unsigned_abs() <= CnnLimits::MAX_SHIFT.unsigned_abs() =>
            {
                spec.shift = (x, y)
            }
            Some(_) => notes.push(note(
                part,
                format!(
                    "a shift is at most ±{} pixels; no shift is used",
                    CnnLimits::MAX_SHIFT
                ),
            )),
            None => notes.push(note(part, "expected two whole numbers, x,y")),
        },
        "batch" | "epochs" | "digit" => match value.parse::<u64>() {
            Ok(n) => {
                let size = n.min(usize::MAX as u64) as usize;
                let mut candidate = spec.clone();
                match key {
                    "batch" => candidate.batch = size,
                    "epochs" => candidate.epochs = size,
                    _ => candidate.digit = size,
                }
                match candidate.check() {
                    Ok(()) => *spec = candidate,
                    Err(why) => notes.push(note(part, format!("{why}; ignored"))),
                }
            }
            Err(_) => notes.push(note(part, "expected a whole number")),
        },
        _ => read_other(&mut spec.run, key, part, value, notes),
    }
}

crate::link::impl_link!(CnnLab);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cnn::{CnnError, Preset};
    use crate::training::LrSchedule;

    use crate::test_gen::{assert_links_round_trip, assert_says, Gen};

    fn random_layer(g: &mut Gen) -> LayerSpec {
        match g.index(6) {
            0 => LayerSpec::Conv(ConvSpec {
                channels: 1 + g.index(64),
                kernel: 1 + g.index(11),
                stride: 1 + g.index(4),
                padding: g.index(11),
                dilation: 1 + g.index(4),
            }),
            1 => LayerSpec::Pool {
                pool: if g.index(2) == 0 {
                    PoolKind::Max
                } else {
                    PoolKind::Avg
                },
                size: 1 + g.index(8),
                stride: 1 + g.index(8),
            },
            2 => LayerSpec::BatchNorm,
            3 => LayerSpec::Relu,
            4 => LayerSpec::Residual {
                channels: 1 + g.index(64),
                stride: 1 + g.index(2),
            },
            _ => LayerSpec::Dense {
                units: 1 + g.index(1024),
            },
        }
    }

    fn random_spec(g: &mut Gen) -> CnnLab {
        let mut spec = CnnLab {
            layers: (0..g.index(17)).map(|_| random_layer(g)).collect(),
            run: CnnLab::default_run(CNN_OPTIMIZERS[g.index(6)]),
            batch: 1 + g.index(256),
            epochs: 1 + g.index(30),
            seed: g.next(),
            digit: g.index(2000),
            shift: (g.index(17) as i32 - 8, g.index(17) as i32 - 8),
            at: (g.index(2) == 0).then(|| g.index(CnnLimits::MAX_STEPS as u64 + 1)),
            ..CnnLab::default()
        };
        if g.index(2) == 0 {
            spec.run.lr = (g.next() % 10_000) as f32 * 1e-4 + 1e-5;
        }
        spec.schedule = match g.index(3) {
            0 => LrSchedule::Constant,
            1 => spec.decay_over_run(0.03),
            _ => LrSchedule::LinearDecay {
                final_ratio: (g.next() % 1000) as f32 / 1000.0,
                steps: 1 + g.index(CnnLimits::MAX_STEPS as u64),
            },
        };
        spec
    }

    #[test]
    fn decode_encode_round_trips_for_generated_specs() {
        assert_links_round_trip(7, random_spec, CnnLab::check);
    }

    #[test]
    fn the_default_link_is_short_and_presets_are_readable() {
        assert_eq!(encode(&CnnLab::default()), "lab=cnn&v=2");
        let spec = CnnLab {
            layers: Preset::ResNet.layers(),
            digit: 7,
            ..CnnLab::default()
        };
        assert_eq!(
            encode(&spec),
            "lab=cnn&v=2&layers=c8k3p1,bn,relu,res8,res16s2,res32s2,avg7&digit=7"
        );
    }

    #[test]
    fn an_impossible_architecture_is_kept_for_the_builder_to_flag() {
        let (spec, notes) = decode("lab=cnn&layers=c8k5,max2,max2,max2,max2");
        assert_eq!(notes, vec![]);
        assert_eq!(spec.layers.len(), 5);
        assert!(matches!(
            spec.trainable(),
            Err(CnnError::Layer { index: 4, .. })
        ));
    }

    #[test]
    fn bad_parts_are_reported_and_the_rest_is_kept() {
        let (spec, notes) = decode(
            "lab=cnn&layers=c8k5p2,c999k3,warp,relu&opt=gd&lr=5&beta1=0.5&epochs=0&digit=2000&shift=9,0&batch=32",
        );
        assert_eq!(spec.layers.len(), 2);
        assert_eq!(spec.run.beta1, 0.5);
        assert_eq!(spec.run.lr, 5.0);
        assert_eq!(spec.batch, 32);
        // The default decay follows the batch read from the link.
        assert_eq!(spec.schedule, spec.decay_over_run(0.03));
        let parts: Vec<&str> = notes.iter().map(|n| n.part.as_str()).collect();
        assert_eq!(
            parts,
            [
                "opt=gd",
                "epochs=0",
                "layers: c999k3",
                "layers: warp",
                "digit=2000",
                "shift=9,0"
            ]
        );
        assert_says(&notes[2], "layer 2 channels = 999 exceeds the limit of 64");
    }

    #[test]
    fn a_layer_code_that_repeats_a_field_is_refused_with_a_note() {
        let (spec, notes) = decode("lab=cnn&layers=c8k5c16,relu,max2s2s3,fc10");
        assert_eq!(
            spec.layers,
            [LayerSpec::Relu, LayerSpec::Dense { units: 10 }]
        );
        let reasons: Vec<&str> = notes.iter().map(|n| n.reason.as_str()).collect();
        assert_eq!(
            reasons,
            [
                "its field c is given more than once; left out",
                "its field s is given more than once; left out"
            ]
        );
        // A pasted link whose browser escaped the commas reads the same as the original.
        let escaped = decode("lab=cnn&v=1&layers=c8k3p1%2Cbn%2Crelu%2Cres8%2Cavg28");
        assert_eq!(
            escaped,
            decode("lab=cnn&v=1&layers=c8k3p1,bn,relu,res8,avg28")
        );
    }

    #[test]
    fn hostile_links_never_panic() {
        let huge = "a".repeat(crate::link::MAX_FRAGMENT + 1);
        let many = format!("layers={}", vec!["relu"; 100].join(","));
        for fragment in [
            "",
            "&&&",
            "=",
            "layers=",
            "layers=,,,",
            "layers=c99999999999999999999k3",
            "layers=ck",
            "layers=c4k3x9",
            "layers=max",
            "layers=res",
            "at=99999999999999999999",
            "shift=-2147483648,0",
            "decay=NaN,3",
            "lr=inf",
            many.as_str(),
            huge.as_str(),
            "%00%ff=\u{1F600}",
        ] {
            let (spec, _) = decode(fragment);
            assert_eq!(spec.check(), Ok(()), "{fragment:.40}");
        }
    }
}
