//! The notes' agreement task: "The man who pulled the cart when the king arrived … was". A
//! sentence opens with a singular or plural subject, then a clause of exactly `span` words that
//! names other nouns of either number (attractors); the model reads it and says whether the
//! verb that follows is "was" or "were". Only the subject decides, so the answer must be
//! carried across the whole clause.
//!
//! Every sentence of one span has the same length (`2 + span`), so batches need no padding.

use tensor::rng::Rng;

/// The words, in id order. Nouns come in (singular, plural) pairs.
pub const WORDS: [&str; 29] = [
    "the", "who", "when", "near", "man", "men", "king", "kings", "dog", "dogs", "boy", "boys",
    "cart", "carts", "horse", "horses", "girl", "girls", "pulled", "saw", "fed", "chased",
    "arrived", "slept", "ran", "left", "laughed", "waited", "cried",
];

const THE: usize = 0;
const WHO: usize = 1;
const WHEN: usize = 2;
const NEAR: usize = 3;
/// First noun id; noun pair p is (FIRST_NOUN + 2p, FIRST_NOUN + 2p + 1).
const FIRST_NOUN: usize = 4;
const NOUN_PAIRS: usize = 7;
const FIRST_TRANSITIVE: usize = 18;
const TRANSITIVE: usize = 4;
const FIRST_INTRANSITIVE: usize = 22;
const INTRANSITIVE: usize = 7;

/// The two answers, as class indices.
pub const WAS: usize = 0;
pub const WERE: usize = 1;
pub const ANSWERS: [&str; 2] = ["was", "were"];

/// Shortest clause: one two-word piece ("who slept").
pub const MIN_SPAN: usize = 2;

/// One sentence: its word ids and whether the subject is plural (the answer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sentence {
    pub words: Vec<usize>,
    pub answer: usize,
}

impl Sentence {
    pub fn text(&self) -> String {
        self.words
            .iter()
            .map(|&w| WORDS[w])
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn pick(rng: &mut Rng, n: usize) -> usize {
    (rng.next_u64() % n as u64) as usize
}

fn noun(rng: &mut Rng, plural: bool) -> usize {
    FIRST_NOUN + 2 * pick(rng, NOUN_PAIRS) + usize::from(plural)
}

fn any_noun(rng: &mut Rng) -> usize {
    let plural = pick(rng, 2) == 1;
    noun(rng, plural)
}

/// A clause piece of `len` words (2, 3 or 4), each naming its nouns at random number.
fn piece(rng: &mut Rng, len: usize) -> Vec<usize> {
    let intransitive = |rng: &mut Rng| FIRST_INTRANSITIVE + pick(rng, INTRANSITIVE);
    match len {
        2 => vec![WHO, intransitive(rng)],
        3 => vec![NEAR, THE, any_noun(rng)],
        _ if pick(rng, 2) == 0 => {
            let verb = FIRST_TRANSITIVE + pick(rng, TRANSITIVE);
            vec![WHO, verb, THE, any_noun(rng)]
        }
        _ => vec![WHEN, THE, any_noun(rng), intransitive(rng)],
    }
}

/// A sentence with a clause of exactly `span` words (at least [`MIN_SPAN`]).
pub fn sentence(span: usize, rng: &mut Rng) -> Sentence {
    let plural = pick(rng, 2) == 1;
    let mut words = vec![THE, noun(rng, plural)];
    let mut left = span.max(MIN_SPAN);
    while left > 0 {
        // Pieces of 2, 3 or 4 words; never leave 1 word over.
        let len = match left {
            2 | 3 => left,
            4 => 2 + 2 * pick(rng, 2), // 2+2 or 4
            5 => 2 + pick(rng, 2),     // 2+3 or 3+2
            _ => 2 + pick(rng, 3),     // leaves at least 2
        };
        words.extend(piece(rng, len));
        left -= len;
    }
    Sentence {
        words,
        answer: if plural { WERE } else { WAS },
    }
}

/// `count` sentences of one span from a seed.
pub fn sentences(count: usize, span: usize, seed: u64) -> Vec<Sentence> {
    let mut rng = Rng::new(seed);
    (0..count).map(|_| sentence(span, &mut rng)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_span_gives_sentences_of_its_length_balanced_and_with_attractors() {
        for span in MIN_SPAN..=40 {
            let set = sentences(400, span, span as u64);
            assert!(set.iter().all(|s| s.words.len() == 2 + span), "span {span}");
            let plural = set.iter().filter(|s| s.answer == WERE).count();
            assert!(
                (140..=260).contains(&plural),
                "span {span}: {plural} of 400 plural"
            );
            // Only the subject decides: the answer is the subject noun's number.
            assert!(set
                .iter()
                .all(|s| (s.words[1] - FIRST_NOUN) % 2 == s.answer));
            if span >= 5 {
                // Attractors: some clause noun disagrees with the subject in many sentences.
                let attracted = set
                    .iter()
                    .filter(|s| {
                        s.words[2..].iter().any(|&w| {
                            (FIRST_NOUN..FIRST_NOUN + 2 * NOUN_PAIRS).contains(&w)
                                && (w - FIRST_NOUN) % 2 != s.answer
                        })
                    })
                    .count();
                assert!(
                    attracted >= 100,
                    "span {span}: {attracted} with an attractor"
                );
            }
        }
    }

    #[test]
    fn the_notes_sentence_is_one_of_them() {
        // "the man who pulled the cart when the king arrived" is a span-8 sentence's shape.
        let words = [
            "the", "man", "who", "pulled", "the", "cart", "when", "the", "king", "arrived",
        ];
        let ids: Vec<usize> = words
            .iter()
            .map(|w| {
                WORDS
                    .iter()
                    .position(|x| x == w)
                    .expect("a word of the task")
            })
            .collect();
        assert_eq!(ids.len(), 2 + 8);
        assert_eq!((ids[1] - FIRST_NOUN) % 2, WAS);
        assert_eq!(
            Sentence {
                words: ids,
                answer: WAS
            }
            .text(),
            words.join(" ")
        );
        let same_seed = sentences(5, 8, 3);
        assert_eq!(same_seed, sentences(5, 8, 3), "seeded");
    }
}
