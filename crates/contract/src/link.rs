//! What every lab's shareable link has in common: `key=value` parts in the URL fragment,
//! `lab=<slug>&v=<version>` first, defaults omitted, and the keys every lab reads the same way
//! (`seed`, `at`, `decay`, the optimizer's knobs). A lab's own `link.rs` reads its other keys
//! and hands these to [`read_common`], through [`read_pairs`] where its spec takes them as
//! they come.
//!
//! Decoding never fails: each part it cannot use (unknown key, unreadable value, a value over a
//! limit, a newer version) is left out or replaced by the nearest valid value, and reported as a
//! [`UrlNote`] the page shows. Floats are written in Rust's shortest round-trip form, so
//! `decode(encode(s)) == s` exactly.

use crate::limits::{check_range, TrainingLimits};
use crate::training::{Knob, LrSchedule, OptimizerName, Run};

/// One version of a lab's links, and what it changed: the numbers a link of the version
/// before no longer gives, or the keys it reads differently. A lab whose numbers must change
/// adds one row to its table (once per turn, however many changes move numbers) and keeps
/// decoding every older version it lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkVersion {
    pub v: u32,
    pub changed: &'static str,
}

/// What names a lab's links: its slug, and the table of its link versions, oldest first (the
/// last is what its links write today).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkId {
    pub slug: &'static str,
    pub versions: &'static [LinkVersion],
}

impl LinkId {
    /// `slug`'s links and the versions of them it reads, oldest first.
    pub const fn new(slug: &'static str, versions: &'static [LinkVersion]) -> LinkId {
        LinkId { slug, versions }
    }

    /// The version links are written with today.
    pub const fn current(&self) -> u32 {
        match self.versions.last() {
            Some(last) => last.v,
            None => 1,
        }
    }

    /// Does this lab still read links of version `v`?
    pub fn reads(&self, v: u32) -> bool {
        self.versions.iter().any(|known| known.v == v)
    }
}

/// The first version of every lab's links.
pub const FIRST: LinkVersion = LinkVersion {
    v: 1,
    changed: "the first version: the experiment as its keys describe it",
};
/// RMSProp's decay became a knob of its own, ρ = 0.9 by default (RMSProp's usual value, and
/// `nn::OptimizerKind::rmsprop`'s); version 1 read it from Adam's β₂ (0.999 by default). Every
/// lab offers RMSProp, so every lab's links moved to version 2 together.
pub const RMSPROP_RHO: LinkVersion = LinkVersion {
    v: 2,
    changed: "RMSProp's decay is its own knob rho (default 0.9); version 1 read it from beta2 (default 0.999)",
};

/// The version a link was written with: its first `v=` if this lab reads that version, else
/// today's (a link without one, or of a version not read, is read as today's, with a note).
pub fn version_of(pairs: &[(String, String)], id: &LinkId) -> u32 {
    pairs
        .iter()
        .find(|(k, _)| k == "v")
        .and_then(|(_, v)| v.parse().ok())
        .filter(|&v| id.reads(v))
        .unwrap_or(id.current())
}

/// A run read from a link of version `version`, as today's version says the same experiment:
/// before [`RMSPROP_RHO`], RMSProp's decay was the link's `beta2` (and Adam's β₂ its default).
pub fn upgrade_run(run: &mut Run, version: u32) {
    if version < RMSPROP_RHO.v && run.optimizer == OptimizerName::Rmsprop {
        run.rho = run.beta2;
        run.beta2 = Run::default_for(run.optimizer).beta2;
    }
}

/// Longest fragment considered: a hostile URL must not make the page parse megabytes, and the
/// largest legal experiment (the Network lab's, ~6,300 characters: a test holds it) must fit.
pub const MAX_FRAGMENT: usize = 8192;

/// One part of a URL that was not used as written, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlNote {
    pub part: String,
    pub reason: String,
}

pub fn note(part: &str, reason: impl Into<String>) -> UrlNote {
    UrlNote {
        part: part.to_string(),
        reason: reason.into(),
    }
}

/// A lab's experiment as a link: what the registry needs to route an address to a lab and
/// back (each lab implements it in its `link.rs`).
pub trait Link: Sized {
    /// The fragment (without '#'); defaults are omitted.
    fn encode(&self) -> String;
    /// The experiment a fragment describes, as near as it can be read, and what was not used.
    fn decode(fragment: &str) -> (Self, Vec<UrlNote>);
    /// The step the link replays to (`at=`), if any.
    fn at(&self) -> Option<usize>;
    fn set_at(&mut self, at: Option<usize>);
    /// The lab's slug and its table of link versions.
    fn id() -> LinkId;
}

/// The slug a fragment names with `lab=` (its first such part), if any.
pub fn lab_of(fragment: &str) -> Option<&str> {
    fragment
        .trim_start_matches('#')
        .split('&')
        .find_map(|p| p.strip_prefix("lab="))
}

/// Applies `edit` to a copy of a lab's spec and keeps it if `check` (the limits one field
/// meets alone) passes; otherwise a note says which limit the part exceeded. Every lab reads
/// its own keys through this.
pub fn try_set<S: Clone, E: std::fmt::Display>(
    spec: &mut S,
    part: &str,
    notes: &mut Vec<UrlNote>,
    check: fn(&S) -> Result<(), E>,
    edit: impl FnOnce(&mut S),
) {
    let mut candidate = spec.clone();
    edit(&mut candidate);
    match check(&candidate) {
        Ok(()) => *spec = candidate,
        Err(why) => notes.push(note(part, format!("{why}; ignored"))),
    }
}

/// A fragment's `key=value` parts (a part without `=` has an empty value), percent-escapes
/// decoded (browsers escape what users paste: `opt=sgd%2Cadam`). A key given twice keeps its
/// first value and the repeat becomes a note. A fragment over [`MAX_FRAGMENT`] is not read at
/// all, and says so.
pub fn key_values(fragment: &str, notes: &mut Vec<UrlNote>) -> Vec<(String, String)> {
    let fragment = fragment.trim_start_matches('#');
    if fragment.len() > MAX_FRAGMENT {
        notes.push(note(
            "the whole link",
            format!("it is longer than {MAX_FRAGMENT} characters; the default experiment is shown"),
        ));
        return Vec::new();
    }
    let mut pairs: Vec<(String, String)> = Vec::new();
    for part in fragment.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        let (key, value) = (percent_decoded(key), percent_decoded(value));
        if pairs.iter().any(|(k, _)| *k == key) {
            notes.push(note(
                &format!("{key}={value}"),
                format!("{key} is given more than once; the first value is used"),
            ));
        } else {
            pairs.push((key, value));
        }
    }
    pairs
}

/// `%2C` → `,`: every well-formed escape decoded (as UTF-8, invalid bytes replaced), anything
/// else kept as written.
pub fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).and_then(|&b| hex(b)),
            bytes.get(i + 2).and_then(|&b| hex(b)),
        ) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `a,b` as two values.
pub fn parse_pair<T: std::str::FromStr>(value: &str) -> Option<(T, T)> {
    let (a, b) = value.split_once(',')?;
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
}

/// The key a link names its lab with.
pub const LAB_KEY: &str = "lab=";

/// A lab's fragment, `lab=<slug>`, as a constant made from its `SLUG` constant, so a page
/// writes its slug nowhere (`concat!` takes only literals):
/// `const FRAGMENT: &str = contract::lab_fragment!(contract::optim::SLUG);`
#[macro_export]
macro_rules! lab_fragment {
    ($slug:expr) => {{
        const BYTES: &[u8] = &$crate::link::lab_fragment_bytes::<
            { $crate::link::LAB_KEY.len() + $slug.len() },
        >($slug);
        match ::core::str::from_utf8(BYTES) {
            Ok(fragment) => fragment,
            Err(_) => panic!("a slug is UTF-8, and so is its fragment"),
        }
    }};
}

/// `lab=<slug>`'s bytes, at compile time ([`lab_fragment!`]); `N` is their length.
pub const fn lab_fragment_bytes<const N: usize>(slug: &str) -> [u8; N] {
    let (key, slug) = (LAB_KEY.as_bytes(), slug.as_bytes());
    assert!(key.len() + slug.len() == N, "N is the fragment's length");
    let mut bytes = [0; N];
    let mut i = 0;
    while i < N {
        bytes[i] = if i < key.len() {
            key[i]
        } else {
            slug[i - key.len()]
        };
        i += 1;
    }
    bytes
}

/// The first parts of every link: `lab=<slug>&v=<version>`.
pub fn header(id: &LinkId) -> Vec<String> {
    vec![format!("lab={}", id.slug), format!("v={}", id.current())]
}

/// A link being written: every lab's `encode` starts with the header, writes a part only
/// where the spec differs from the default (so the default experiment's link is bare) and
/// ends with `at`, the step it replays to.
pub struct Parts(Vec<String>);

impl Parts {
    pub fn new(id: &LinkId) -> Parts {
        Parts(header(id))
    }

    pub fn push(&mut self, part: String) {
        self.0.push(part);
    }

    pub fn differ(&mut self, differs: bool, part: String) {
        if differs {
            self.0.push(part);
        }
    }

    /// `key=value` where the spec's value differs from its default's (most parts are this).
    pub fn value<T: PartialEq + std::fmt::Display>(&mut self, key: &str, value: &T, default: &T) {
        self.differ(value != default, format!("{key}={value}"));
    }

    /// `opt=` if `run`'s optimizer is not the default one, then each of its knobs that
    /// differs from `base` (that optimizer's default run in this lab).
    pub fn optimizer(&mut self, run: &Run, default: OptimizerName, base: &Run) {
        self.differ(
            run.optimizer != default,
            format!("opt={}", run.optimizer.slug()),
        );
        self.extend(knob_parts("", run, base));
    }

    /// The link's text, `at=` last.
    pub fn finish(mut self, at: Option<usize>) -> String {
        if let Some(at) = at {
            self.0.push(format!("at={at}"));
        }
        self.0.join("&")
    }
}

/// The parts for `run`'s knobs that differ from `base`, each as `{prefix}{knob}=value`.
pub fn knob_parts(prefix: &str, run: &Run, base: &Run) -> Vec<String> {
    Knob::ALL
        .into_iter()
        .filter(|&k| run.get(k) != base.get(k))
        .map(|k| format!("{prefix}{}={}", k.slug(), run.get(k)))
        .collect()
}

/// The `decay` part's value for a schedule.
pub fn decay_value(schedule: &LrSchedule) -> String {
    match *schedule {
        LrSchedule::Constant => "none".into(),
        LrSchedule::LinearDecay { final_ratio, steps } => format!("{final_ratio},{steps}"),
    }
}

/// What [`read_common`] made of a key every lab has.
#[derive(Debug, PartialEq)]
pub enum Common {
    /// `lab=` naming this lab, or `v=` (with a note if it is not this version): nothing to set.
    Header,
    Seed(u64),
    At(usize),
    Decay(LrSchedule),
    /// Not one of the common keys: the lab reads it.
    NotCommon,
    /// A common key whose value could not be used; the note says why.
    Unusable,
}

/// Reads `key=value` if it is one of the keys every lab reads the same way: `lab` (must be
/// `slug`), `v`, `seed`, `at` (at most `max_steps`) and `decay` (`ratio,steps` or `none`).
pub fn read_common(
    key: &str,
    value: &str,
    id: &LinkId,
    max_steps: usize,
    notes: &mut Vec<UrlNote>,
) -> Common {
    let slug = id.slug;
    let part = format!("{key}={value}");
    let mut unusable = |reason: String| {
        notes.push(note(&part, reason));
        Common::Unusable
    };
    match key {
        "lab" if value == slug => Common::Header,
        "lab" => unusable(format!(
            "this link is for another lab; showing the {slug} lab"
        )),
        "v" => match value.parse::<u32>() {
            Ok(v) if id.reads(v) => Common::Header,
            Ok(v) if v > id.current() => unusable(
                "made by a newer version of the playground; read as far as possible".into(),
            ),
            _ => unusable("unknown version; read as far as possible".into()),
        },
        "seed" => match value.parse::<u64>() {
            Ok(seed) => Common::Seed(seed),
            Err(_) => unusable("expected a whole number".into()),
        },
        "at" => match value.parse::<u64>() {
            Ok(n) => {
                let at = n.min(usize::MAX as u64) as usize;
                match check_range("at", at, 0, max_steps) {
                    Ok(()) => Common::At(at),
                    Err(why) => unusable(format!("{why}; ignored")),
                }
            }
            Err(_) => unusable("expected a whole number".into()),
        },
        "decay" if value == "none" => Common::Decay(LrSchedule::Constant),
        "decay" => match parse_pair::<f64>(value) {
            Some((ratio, steps)) if steps.fract() == 0.0 && steps >= 1.0 => {
                let candidate = LrSchedule::LinearDecay {
                    final_ratio: ratio as f32,
                    steps: steps.min(usize::MAX as f64) as usize,
                };
                match TrainingLimits::check_schedule(&candidate, max_steps) {
                    Ok(()) => Common::Decay(candidate),
                    Err(why) => unusable(format!("{why}; the default schedule is used")),
                }
            }
            _ => unusable(
                "expected ε_T/ε_0 and a whole number of steps (e.g. decay=0.01,500) or none".into(),
            ),
        },
        _ => Common::NotCommon,
    }
}

/// The fields of a lab's spec that [`read_common`]'s keys set besides `at` (every lab's spec
/// has them; [`impl_link!`] implements this).
pub trait CommonFields {
    fn seed_mut(&mut self) -> &mut u64;
    fn schedule_mut(&mut self) -> &mut LrSchedule;
    /// Its optimizer runs (one, or the Optimizer lab's race).
    fn runs_mut(&mut self) -> &mut [Run];
}

/// Reads a lab's pairs in their order: the keys every lab shares onto the spec ([`read_common`],
/// `at` and a decay at most `max_steps(key, spec)`), every other key with the lab's
/// `read_own(key, value, part, spec, notes)`. Returns whether a usable decay was given (a lab
/// whose default schedule depends on the rest sets it only otherwise).
fn read_pairs<S: Link + CommonFields>(
    pairs: &[(String, String)],
    id: &LinkId,
    spec: &mut S,
    notes: &mut Vec<UrlNote>,
    max_steps: fn(&str, &S) -> usize,
    read_own: fn(&str, &str, &str, &mut S, &mut Vec<UrlNote>),
) -> bool {
    let mut decay_given = false;
    for (key, value) in pairs {
        let (key, value) = (key.as_str(), value.as_str());
        let part = format!("{key}={value}");
        match read_common(key, value, id, max_steps(key, spec), notes) {
            Common::Header | Common::Unusable => {}
            Common::Seed(seed) => *spec.seed_mut() = seed,
            Common::At(at) => spec.set_at(Some(at)),
            Common::Decay(schedule) => {
                *spec.schedule_mut() = schedule;
                decay_given = true;
            }
            Common::NotCommon => read_own(key, value, &part, spec, notes),
        }
    }
    decay_given
}

/// The order a lab reads its link's keys in (a link may list them in any order): the optimizer
/// always first (its knobs' defaults depend on it), then the `early` keys (what others are
/// checked against), then every other key, then the `late` ones (checked against the rest).
pub struct KeyOrder {
    pub early: &'static [&'static str],
    pub late: &'static [&'static str],
}

impl KeyOrder {
    fn rank(&self, key: &str) -> u8 {
        match key {
            "opt" => 0,
            k if self.early.contains(&k) => 1,
            k if self.late.contains(&k) => 3,
            _ => 2,
        }
    }
}

/// A lab's experiment read from its fragment: its default, with the fragment's keys read in
/// `order` by [`read_pairs`]. Returns the spec, the notes and whether a usable decay was given.
pub fn read_fragment<S: Link + CommonFields + Default>(
    fragment: &str,
    order: KeyOrder,
    max_steps: fn(&str, &S) -> usize,
    read_own: fn(&str, &str, &str, &mut S, &mut Vec<UrlNote>),
) -> (S, Vec<UrlNote>, bool) {
    let mut notes = Vec::new();
    let mut spec = S::default();
    let mut pairs = key_values(fragment, &mut notes);
    // Stable: keys of one rank keep the link's order (a repeated key's last value wins).
    pairs.sort_by_key(|(k, _)| order.rank(k));
    let decay_given = read_pairs(&pairs, &S::id(), &mut spec, &mut notes, max_steps, read_own);
    let version = version_of(&pairs, &S::id());
    for run in spec.runs_mut() {
        upgrade_run(run, version);
    }
    (spec, notes, decay_given)
}

/// Sets one knob of `run` from a link's value, if it is a number within the limits (else the
/// run keeps its value and a note says why).
pub fn read_knob(run: &mut Run, knob: Knob, part: &str, value: &str, notes: &mut Vec<UrlNote>) {
    match value.parse::<f32>() {
        Ok(v) => {
            let mut candidate = *run;
            candidate.set(knob, v);
            match TrainingLimits::check_run(&candidate) {
                Ok(()) => *run = candidate,
                Err(why) => notes.push(note(part, format!("{why}; the default is used"))),
            }
        }
        Err(_) => notes.push(note(part, "expected a number")),
    }
}

/// The knob a link key names (`lr`, `beta1`, …).
pub fn knob_of(slug: &str) -> Option<Knob> {
    Knob::ALL.into_iter().find(|k| k.slug() == slug)
}

impl Extend<String> for Parts {
    fn extend<I: IntoIterator<Item = String>>(&mut self, parts: I) {
        self.0.extend(parts);
    }
}

/// A whole number as a link gives it (one beyond `usize` is read as `usize::MAX`, for the
/// limits to refuse), or a note.
pub fn whole_number(value: &str, part: &str, notes: &mut Vec<UrlNote>) -> Option<usize> {
    let n = value
        .parse::<u64>()
        .ok()
        .map(|n| n.min(usize::MAX as u64) as usize);
    if n.is_none() {
        notes.push(note(part, "expected a whole number"));
    }
    n
}

/// A switch as a link gives it (`1` or `true`, `0` or `false`), or a note.
pub fn flag(value: &str, part: &str, notes: &mut Vec<UrlNote>) -> Option<bool> {
    match value {
        "1" | "true" => Some(true),
        "0" | "false" => Some(false),
        _ => {
            notes.push(note(part, "expected 1 or 0"));
            None
        }
    }
}

/// `opt=`: one of the lab's `offered` optimizers starts from the lab's default run for it
/// (`default_run`), as choosing it on the page does; any other keeps the run and says so.
pub fn read_optimizer(
    value: &str,
    part: &str,
    offered: &[OptimizerName],
    default_run: fn(OptimizerName) -> Run,
    run: &mut Run,
    notes: &mut Vec<UrlNote>,
) {
    match OptimizerName::from_slug(value).filter(|o| offered.contains(o)) {
        Some(o) => *run = default_run(o),
        None => notes.push(note(
            part,
            format!(
                "not an optimizer of this lab; {} is used",
                run.optimizer.slug()
            ),
        )),
    }
}

/// A key none of a lab's own arms took: an optimizer knob if it names one, else an unknown
/// setting, noted and ignored.
pub fn read_other(run: &mut Run, key: &str, part: &str, value: &str, notes: &mut Vec<UrlNote>) {
    match knob_of(key) {
        Some(knob) => read_knob(run, knob, part, value, notes),
        None => notes.push(note(part, "unknown setting; ignored")),
    }
}

/// A lab's `impl Link`: its `link` module's `encode` and `decode`, and its spec's `at` field;
/// and its [`CommonFields`], the spec's `seed` and `schedule`.
macro_rules! impl_link {
    // A lab with one run (its spec's `run`).
    ($spec:ty) => {
        $crate::link::impl_link!($spec, |s| ::std::slice::from_mut(&mut s.run));
    };
    // A lab with several (`runs` gives them).
    ($spec:ty, |$s:ident| $runs:expr) => {
        impl $crate::link::Link for $spec {
            fn encode(&self) -> String {
                encode(self)
            }

            fn decode(fragment: &str) -> (Self, Vec<$crate::link::UrlNote>) {
                decode(fragment)
            }

            fn at(&self) -> Option<usize> {
                self.at
            }

            fn set_at(&mut self, at: Option<usize>) {
                self.at = at;
            }

            fn id() -> $crate::link::LinkId {
                LINK
            }
        }

        impl $crate::link::CommonFields for $spec {
            fn seed_mut(&mut self) -> &mut u64 {
                &mut self.seed
            }

            fn schedule_mut(&mut self) -> &mut $crate::training::LrSchedule {
                &mut self.schedule
            }

            fn runs_mut(&mut self) -> &mut [$crate::training::Run] {
                let $s = self;
                $runs
            }
        }
    };
}
pub(crate) use impl_link;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_gen::assert_says;

    #[test]
    fn a_labs_fragment_is_its_slug_after_the_key() {
        const OPTIM: &str = lab_fragment!(crate::optim::SLUG);
        assert_eq!(OPTIM, "lab=optim");
        assert_eq!(lab_of(OPTIM), Some(crate::optim::SLUG));
        assert_eq!(lab_fragment!(""), "lab=");
    }

    #[test]
    fn the_common_keys_are_read_alike() {
        let mut notes = vec![];
        const DEMO: LinkId = LinkId {
            slug: "demo",
            versions: &[FIRST],
        };
        let mut read = |k, v| read_common(k, v, &DEMO, 100, &mut notes);
        assert_eq!(read("lab", "demo"), Common::Header);
        assert_eq!(read("v", "1"), Common::Header);
        assert_eq!(read("seed", "7"), Common::Seed(7));
        assert_eq!(read("at", "100"), Common::At(100));
        assert_eq!(read("at", "101"), Common::Unusable);
        assert_eq!(read("decay", "none"), Common::Decay(LrSchedule::Constant));
        assert_eq!(
            read("decay", "0.5,10"),
            Common::Decay(LrSchedule::LinearDecay {
                final_ratio: 0.5,
                steps: 10
            })
        );
        assert_eq!(read("decay", "0.5,1000"), Common::Unusable);
        assert_eq!(read("lab", "other"), Common::Unusable);
        assert_eq!(read("v", "2"), Common::Unusable);
        assert_eq!(read("layers", "x"), Common::NotCommon);
        assert_eq!(notes.len(), 4);
        assert_says(&notes[0], "exceeds the limit of 100");
        assert_eq!(lab_of("#lab=demo&v=1"), Some("demo"));
        assert_eq!(lab_of("v=1"), None);
    }

    #[test]
    fn escapes_are_decoded_and_repeats_noted() {
        let mut notes = vec![];
        let pairs = key_values("lab=demo&opt=sgd%2Cadam&seed=1&seed=2&x=%zz%4", &mut notes);
        let pairs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("lab", "demo"),
                ("opt", "sgd,adam"),
                ("seed", "1"),
                ("x", "%zz%4")
            ]
        );
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].part, "seed=2");
        assert_says(&notes[0], "more than once");
        assert_eq!(percent_decoded("%CE%B7%20%E2"), "η \u{fffd}");
    }
}
