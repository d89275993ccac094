//! A small deterministic generator for the property tests (the crate has no RNG dependency).

pub struct Gen(pub u64);

impl Gen {
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 11
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub fn index(&mut self, n: u64) -> usize {
        self.below(n) as usize
    }

    pub fn float(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * (self.next() as f64 / (1u64 << 53) as f64) as f32
    }
}

/// 2,000 specs from `random_spec`: each within its limits (`check`), and each one's link reads
/// back as the same spec with nothing to say.
pub fn assert_links_round_trip<S, E>(
    seed: u64,
    random_spec: fn(&mut Gen) -> S,
    check: fn(&S) -> Result<(), E>,
) where
    S: crate::link::Link + std::fmt::Debug + PartialEq,
    E: std::fmt::Debug + PartialEq,
{
    let mut g = Gen(seed);
    for _ in 0..2000 {
        let spec = random_spec(&mut g);
        assert_eq!(check(&spec), Ok(()), "{spec:?}");
        let url = spec.encode();
        let (back, notes) = S::decode(&url);
        assert_eq!(notes, vec![], "{url}");
        assert_eq!(back, spec, "{url}");
    }
}

/// `spec`'s link is `link`, and `link` reads back as `spec` with nothing to say; the default
/// experiment's link is the bare header (`lab=<slug>&v=<version>`: defaults are left out).
pub fn assert_link<S>(spec: &S, link: &str)
where
    S: crate::link::Link + Default + std::fmt::Debug + PartialEq,
{
    let id = S::id();
    let bare = format!("lab={}&v={}", id.slug, id.current());
    assert_eq!(S::default().encode(), bare);
    assert_eq!(spec.encode(), link);
    let (back, notes) = S::decode(link);
    assert_eq!(notes, vec![], "{link}");
    assert_eq!(&back, spec, "{link}");
}

/// A link's note gives `words` among its reason.
pub fn assert_says(note: &crate::link::UrlNote, words: &str) {
    assert!(
        note.reason.contains(words),
        "{note:?} does not say {words:?}"
    );
}
