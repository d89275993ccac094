//! The Translation lab's task: an English-like subject–verb–object language into a toy
//! Hindi-like subject–object–verb one, as in the notes' "The cat eats mouse" → "Billi chuha
//! khati hai", with sentences of any length from 5 to 17 source words.
//!
//! "the small cat with a dog eats the red mouse" → "choti billi kutta ke saath lal chuha khati hai"
//!
//! What a model must learn, and an alignment matrix shows:
//! - the verb moves to the end and gains "hai" (one word becomes two);
//! - "the" and "a" have no translation (a source word nothing attends to);
//! - "with NP" becomes "NP ke saath" (the preposition moves behind its phrase).
//!
//! Length comes from up to three adjectives per noun and an optional "with" phrase. Every
//! sentence is either held out or trainable by a seeded hash of its words, so a held-out
//! sentence is never trained on, whatever the length.

use crate::translation::{Pair, Vocab, EOS};
use tensor::rng::Rng;

const DETERMINERS: [&str; 2] = ["the", "a"];
const ADJECTIVES: [(&str, &str); 6] = [
    ("small", "choti"),
    ("big", "bada"),
    ("old", "purani"),
    ("red", "lal"),
    ("black", "kali"),
    ("happy", "khush"),
];
const NOUNS: [(&str, &str); 6] = [
    ("cat", "billi"),
    ("mouse", "chuha"),
    ("dog", "kutta"),
    ("bird", "chidiya"),
    ("fish", "machli"),
    ("child", "baccha"),
];
const VERBS: [(&str, &str); 5] = [
    ("eats", "khati"),
    ("sees", "dekhti"),
    ("chases", "pakadti"),
    ("hears", "sunti"),
    ("feeds", "khilati"),
];
const WITH: (&str, [&str; 2]) = ("with", ["ke", "saath"]);
const AUXILIARY: &str = "hai";

/// Adjectives one noun may have.
pub const MAX_ADJECTIVES: usize = 3;
/// Source words of the shortest sentence ("the cat eats a mouse") and of the longest (three
/// noun phrases of three adjectives each).
pub const SHORTEST: usize = 5;
pub const LONGEST: usize = 17;
/// One sentence in this many is held out.
const HELD_OUT_ONE_IN: u64 = 10;

/// A noun phrase: determiner, adjectives (distinct), noun.
#[derive(Clone, Debug, PartialEq)]
struct Phrase {
    determiner: usize,
    adjectives: Vec<usize>,
    noun: usize,
}

/// Uniform in 0..n.
fn below(rng: &mut Rng, n: usize) -> usize {
    (rng.next_u64() % n as u64) as usize
}

impl Phrase {
    /// A random phrase with `adjectives` distinct adjectives.
    fn random(adjectives: usize, rng: &mut Rng) -> Phrase {
        let mut pool: Vec<usize> = (0..ADJECTIVES.len()).collect();
        let adjectives = (0..adjectives)
            .map(|_| pool.remove(below(rng, pool.len())))
            .collect();
        Phrase {
            determiner: below(rng, DETERMINERS.len()),
            adjectives,
            noun: below(rng, NOUNS.len()),
        }
    }

    fn source(&self) -> Vec<&'static str> {
        let mut words = vec![DETERMINERS[self.determiner]];
        words.extend(self.adjectives.iter().map(|&a| ADJECTIVES[a].0));
        words.push(NOUNS[self.noun].0);
        words
    }

    /// Hindi has no articles: the determiner is not translated.
    fn target(&self) -> Vec<&'static str> {
        let mut words: Vec<&str> = self.adjectives.iter().map(|&a| ADJECTIVES[a].1).collect();
        words.push(NOUNS[self.noun].1);
        words
    }
}

/// The bundled task: both vocabularies and a seed that decides which sentences are held out.
#[derive(Clone, Debug)]
pub struct SvoSov {
    pub source_vocab: Vocab,
    pub target_vocab: Vocab,
    seed: u64,
}

impl SvoSov {
    pub fn new(seed: u64) -> SvoSov {
        let source_vocab = Vocab::new(
            DETERMINERS
                .iter()
                .copied()
                .chain(ADJECTIVES.iter().map(|p| p.0))
                .chain(NOUNS.iter().map(|p| p.0))
                .chain(VERBS.iter().map(|p| p.0))
                .chain([WITH.0]),
        );
        let target_vocab = Vocab::new(
            ADJECTIVES
                .iter()
                .map(|p| p.1)
                .chain(NOUNS.iter().map(|p| p.1))
                .chain(VERBS.iter().map(|p| p.1))
                .chain(WITH.1)
                .chain([AUXILIARY]),
        );
        SvoSov {
            source_vocab,
            target_vocab,
            seed,
        }
    }

    /// Is this source sentence (ids, EOS included) one of the held-out ones?
    pub fn held_out(&self, source: &[usize]) -> bool {
        // FNV-1a over the ids, mixed with the seed.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ self.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        for &id in source {
            h ^= id as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        let mut mix = Rng::new(h);
        mix.next_u64().is_multiple_of(HELD_OUT_ONE_IN)
    }

    /// A random sentence of exactly `words` source words (clamped to the grammar's range),
    /// held out or trainable as asked.
    pub fn draw(&self, words: usize, held_out: bool, rng: &mut Rng) -> Pair {
        let words = words.clamp(SHORTEST, LONGEST);
        loop {
            let pair = self.any_of_length(words, rng);
            if self.held_out(&pair.source) == held_out {
                return pair;
            }
        }
    }

    /// `count` distinct held-out sentences of each length in `lengths` (fewer where the
    /// grammar has fewer), the same for the same seed.
    pub fn test_set(
        &self,
        lengths: std::ops::RangeInclusive<usize>,
        count: usize,
        rng: &mut Rng,
    ) -> Vec<Pair> {
        let mut out = Vec::new();
        for words in lengths {
            let mut these: Vec<Pair> = Vec::new();
            // Short lengths have few held-out sentences: stop after enough misses.
            let mut misses = 0;
            while these.len() < count && misses < 50 * count {
                let pair = self.draw(words, true, rng);
                if these.contains(&pair) {
                    misses += 1;
                } else {
                    these.push(pair);
                }
            }
            out.extend(these);
        }
        out
    }

    fn any_of_length(&self, words: usize, rng: &mut Rng) -> Pair {
        // Without a "with" phrase: 5 + adjectives words (at most 11); with one: 8 + adjectives.
        let with = if words > SHORTEST + 2 * MAX_ADJECTIVES {
            true
        } else if words < SHORTEST + 3 {
            false
        } else {
            below(rng, 2) == 1
        };
        let phrases = if with { 3 } else { 2 };
        let adjectives = words - SHORTEST - if with { 3 } else { 0 };
        // Spread the adjectives over the phrases, each at most MAX_ADJECTIVES, uniformly over
        // the ways to do it (rejection: there are at most 4³ tries to choose from).
        let counts: Vec<usize> = loop {
            let c: Vec<usize> = (0..phrases)
                .map(|_| below(rng, MAX_ADJECTIVES + 1))
                .collect();
            if c.iter().sum::<usize>() == adjectives {
                break c;
            }
        };
        let subject = Phrase::random(counts[0], rng);
        let verb = below(rng, VERBS.len());
        let object = Phrase::random(counts[1], rng);
        let company = with.then(|| Phrase::random(counts[2], rng));
        let mut source = subject.source();
        let mut target = subject.target();
        if let Some(c) = &company {
            // "the cat with a dog eats …": the phrase follows the subject in both languages.
            source.push(WITH.0);
            source.extend(c.source());
            target.extend(c.target());
            target.extend(WITH.1);
        }
        source.push(VERBS[verb].0);
        source.extend(object.source());
        target.extend(object.target());
        target.extend([VERBS[verb].1, AUXILIARY]);
        let ids = |vocab: &Vocab, words: Vec<&str>| -> Vec<usize> {
            words
                .iter()
                .filter_map(|w| vocab.id(w))
                .chain([EOS])
                .collect()
        };
        Pair {
            source: ids(&self.source_vocab, source),
            target: ids(&self.target_vocab, target),
        }
    }

    /// The right translation of a source sentence (ids, EOS optional) if the grammar makes
    /// it: NP [with NP] verb NP, each NP a determiner, distinct adjectives (at most three) and
    /// a noun.
    pub fn translate(&self, source: &[usize]) -> Option<Vec<usize>> {
        let words: Vec<&str> = self.source_vocab.decode(source);
        let mut at = 0;
        let subject = self.phrase(&words, &mut at)?;
        let company = if words.get(at) == Some(&WITH.0) {
            at += 1;
            Some(self.phrase(&words, &mut at)?)
        } else {
            None
        };
        let verb = VERBS.iter().position(|v| Some(&v.0) == words.get(at))?;
        at += 1;
        let object = self.phrase(&words, &mut at)?;
        if at != words.len() {
            return None;
        }
        let mut target = subject.target();
        if let Some(c) = company {
            target.extend(c.target());
            target.extend(WITH.1);
        }
        target.extend(object.target());
        target.extend([VERBS[verb].1, AUXILIARY]);
        Some(
            target
                .iter()
                .filter_map(|w| self.target_vocab.id(w))
                .chain([EOS])
                .collect(),
        )
    }

    /// A noun phrase from `words[*at..]`, moving `at` past it.
    fn phrase(&self, words: &[&str], at: &mut usize) -> Option<Phrase> {
        let determiner = DETERMINERS.iter().position(|d| Some(d) == words.get(*at))?;
        *at += 1;
        let mut adjectives = Vec::new();
        while let Some(a) = ADJECTIVES.iter().position(|a| Some(&a.0) == words.get(*at)) {
            if adjectives.contains(&a) || adjectives.len() == MAX_ADJECTIVES {
                return None;
            }
            adjectives.push(a);
            *at += 1;
        }
        let noun = NOUNS.iter().position(|n| Some(&n.0) == words.get(*at))?;
        *at += 1;
        Some(Phrase {
            determiner,
            adjectives,
            noun,
        })
    }

    /// A typed sentence's ids (EOS added), or every word that is not in the vocabulary.
    pub fn read(&self, text: &str) -> Result<Vec<usize>, Vec<String>> {
        let mut ids = Vec::new();
        let mut unknown = Vec::new();
        for word in text.split_whitespace() {
            let word = word
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase();
            if word.is_empty() {
                continue;
            }
            match self.source_vocab.id(&word).filter(|&id| id > EOS) {
                Some(id) => ids.push(id),
                None => unknown.push(word),
            }
        }
        if unknown.is_empty() {
            ids.push(EOS);
            Ok(ids)
        } else {
            Err(unknown)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_have_the_asked_length_and_the_notes_word_order() {
        let task = SvoSov::new(3);
        let mut rng = Rng::new(4);
        for words in SHORTEST..=LONGEST {
            for held_out in [false, true] {
                let pair = task.draw(words, held_out, &mut rng);
                assert_eq!(pair.source.len(), words + 1, "EOS ends it");
                assert_eq!(task.held_out(&pair.source), held_out);
                let target = task.target_vocab.decode(&pair.target);
                assert_eq!(target.last(), Some(&"hai"), "{target:?}");
            }
        }
        let source = task
            .read("The cat eats a mouse.")
            .expect("in the vocabulary");
        assert_eq!(
            task.source_vocab.decode(&source).join(" "),
            "the cat eats a mouse"
        );
        assert_eq!(
            task.read("the cat eats a pizza with ketchup"),
            Err(vec!["pizza".to_string(), "ketchup".to_string()])
        );
        assert_eq!(task.read("<s> cat"), Err(vec!["s".to_string()]));
        // The grammar's own translation, for every length; nothing for a non-sentence.
        for words in SHORTEST..=LONGEST {
            let pair = task.draw(words, false, &mut rng);
            assert_eq!(task.translate(&pair.source), Some(pair.target));
        }
        let notes = task
            .read("the cat eats a mouse")
            .expect("in the vocabulary");
        assert_eq!(
            task.target_vocab
                .decode(&task.translate(&notes).expect("a sentence"))
                .join(" "),
            "billi chuha khati hai"
        );
        let with = task
            .read("the small cat with a dog eats the red mouse")
            .expect("words");
        assert_eq!(
            task.target_vocab
                .decode(&task.translate(&with).expect("a sentence"))
                .join(" "),
            "choti billi kutta ke saath lal chuha khati hai"
        );
        let broken = task.read("the cat eats").expect("words");
        assert_eq!(task.translate(&broken), None);
    }

    #[test]
    fn the_held_out_set_is_never_drawn_for_training_and_is_the_same_for_the_seed() {
        let task = SvoSov::new(9);
        let test = task.test_set(SHORTEST..=LONGEST, 8, &mut Rng::new(1));
        assert_eq!(test.len(), 8 * (LONGEST - SHORTEST + 1));
        assert_eq!(test, task.test_set(SHORTEST..=LONGEST, 8, &mut Rng::new(1)));
        let mut rng = Rng::new(2);
        for _ in 0..2000 {
            let pair = task.draw(5 + (rng.next_u64() % 13) as usize, false, &mut rng);
            assert!(!test.contains(&pair));
        }
    }
}
