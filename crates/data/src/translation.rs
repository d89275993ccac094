//! A toy translation task with word reordering, for the attention lab: an English-like
//! subject–verb–object language into a subject–object–verb language whose adjectives follow
//! their noun. Alignment is far from diagonal, which is what an attention matrix should show.
//!
//! "the small cat sees a red bird" → "ta neko chiisai tori akai o miru"
//!  (det noun adj) (det noun adj) o (verb): the object marker "o" precedes the verb.
//! Every sentence the grammar allows (11,520) is enumerated and split once, with a fixed seed,
//! into training (90%) and held-out test sentences: a test sentence was never trained on.

use tensor::rng::Rng;

pub const PAD: usize = 0;
pub const BOS: usize = 1;
pub const EOS: usize = 2;

const DETS: [(&str, &str); 2] = [("the", "ta"), ("a", "na")];
const ADJS: [(&str, &str); 3] = [("small", "chiisai"), ("red", "akai"), ("old", "furui")];
const NOUNS: [(&str, &str); 6] = [
    ("cat", "neko"),
    ("dog", "inu"),
    ("bird", "tori"),
    ("fish", "sakana"),
    ("horse", "uma"),
    ("child", "kodomo"),
];
const VERBS: [(&str, &str); 5] = [
    ("sees", "miru"),
    ("likes", "suki"),
    ("follows", "ou"),
    ("feeds", "kau"),
    ("hears", "kiku"),
];
const OBJECT_MARKER: &str = "o";

/// Word ↔ id for one language; ids 0..3 are PAD, BOS, EOS.
#[derive(Clone, Debug)]
pub struct Vocab {
    words: Vec<&'static str>,
}

impl Vocab {
    pub(crate) fn new(words: impl IntoIterator<Item = &'static str>) -> Vocab {
        let mut all = vec!["<pad>", "<s>", "</s>"];
        all.extend(words);
        Vocab { words: all }
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    pub fn id(&self, word: &str) -> Option<usize> {
        self.words.iter().position(|w| *w == word)
    }

    pub fn word(&self, id: usize) -> &str {
        self.words.get(id).copied().unwrap_or("<unk>")
    }

    /// What a model wrote, as it wrote it: every word up to EOS, "<pad>" and "<s>" included
    /// (an untrained decoder may choose them; hiding them would show an empty sentence).
    pub fn written(&self, ids: &[usize]) -> Vec<&str> {
        ids.iter()
            .take_while(|&&i| i != EOS)
            .map(|&i| self.word(i))
            .collect()
    }

    /// Words of ids, stopping at EOS and skipping PAD/BOS.
    pub fn decode(&self, ids: &[usize]) -> Vec<&str> {
        ids.iter()
            .take_while(|&&i| i != EOS)
            .filter(|&&i| i > EOS)
            .map(|&i| self.word(i))
            .collect()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pair {
    pub source: Vec<usize>,
    pub target: Vec<usize>,
}

pub struct Translation {
    pub source_vocab: Vocab,
    pub target_vocab: Vocab,
    pub train: Vec<Pair>,
    pub test: Vec<Pair>,
}

/// A noun phrase: determiner, optional adjective, noun.
type Phrase = (usize, Option<usize>, usize);

impl Translation {
    pub fn new(seed: u64) -> Translation {
        let source_vocab = Vocab::new(
            DETS.iter()
                .chain(&ADJS)
                .chain(&NOUNS)
                .chain(&VERBS)
                .map(|p| p.0),
        );
        let target_vocab = Vocab::new(
            DETS.iter()
                .chain(&ADJS)
                .chain(&NOUNS)
                .chain(&VERBS)
                .map(|p| p.1)
                .chain([OBJECT_MARKER]),
        );
        let phrases: Vec<Phrase> = (0..DETS.len())
            .flat_map(|d| {
                (0..=ADJS.len())
                    .flat_map(move |a| (0..NOUNS.len()).map(move |n| (d, a.checked_sub(1), n)))
            })
            .collect();
        let mut pairs = Vec::new();
        for s in &phrases {
            for v in 0..VERBS.len() {
                for o in &phrases {
                    pairs.push(Translation::pair(&source_vocab, &target_vocab, *s, v, *o));
                }
            }
        }
        // Fisher–Yates with the seed, then 90% / 10%.
        let mut rng = Rng::new(seed);
        for i in (1..pairs.len()).rev() {
            pairs.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
        }
        let test = pairs.split_off(pairs.len() * 9 / 10);
        Translation {
            source_vocab,
            target_vocab,
            train: pairs,
            test,
        }
    }

    fn pair(sv: &Vocab, tv: &Vocab, s: Phrase, v: usize, o: Phrase) -> Pair {
        let id = |vocab: &Vocab, w: &str| {
            vocab
                .id(w)
                .expect("every grammar word is in its vocabulary")
        };
        let source_phrase = |(d, a, n): Phrase| {
            let mut words = vec![DETS[d].0];
            words.extend(a.map(|a| ADJS[a].0));
            words.push(NOUNS[n].0);
            words
        };
        let target_phrase = |(d, a, n): Phrase| {
            let mut words = vec![DETS[d].1, NOUNS[n].1];
            words.extend(a.map(|a| ADJS[a].1));
            words
        };
        let mut source = source_phrase(s);
        source.push(VERBS[v].0);
        source.extend(source_phrase(o));
        let mut target = target_phrase(s);
        target.extend(target_phrase(o));
        target.extend([OBJECT_MARKER, VERBS[v].1]);
        Pair {
            source: source.iter().map(|w| id(sv, w)).chain([EOS]).collect(),
            target: target.iter().map(|w| id(tv, w)).chain([EOS]).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_are_reordered_and_the_test_set_is_held_out() {
        let t = Translation::new(1);
        assert_eq!(t.train.len() + t.test.len(), 2 * 4 * 6 * 5 * 2 * 4 * 6);
        assert!(t.test.iter().all(|p| !t.train.contains(p)));
        let pair = Translation::pair(
            &t.source_vocab,
            &t.target_vocab,
            (0, Some(0), 0),
            0,
            (1, Some(1), 2),
        );
        assert_eq!(
            t.source_vocab.decode(&pair.source).join(" "),
            "the small cat sees a red bird"
        );
        assert_eq!(
            t.target_vocab.decode(&pair.target).join(" "),
            "ta neko chiisai na tori akai o miru"
        );
    }
}
