//! A character corpus for language models, generated from a small grammar (so the project
//! ships no third-party text), and a character tokenizer.

use tensor::rng::Rng;

const SUBJECTS: [&str; 6] = [
    "the cat",
    "a dog",
    "the old man",
    "my sister",
    "the bird",
    "a child",
];
const VERBS: [&str; 6] = ["sees", "likes", "follows", "hears", "finds", "draws"];
const OBJECTS: [&str; 6] = [
    "the moon",
    "a red ball",
    "the river",
    "an apple",
    "the small house",
    "a song",
];
const ENDINGS: [&str; 4] = [".", " today.", " at night.", " again."];

/// `sentences` grammatical sentences, one per line, chosen with the seed.
pub fn corpus(sentences: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut pick = |n: usize| (rng.next_u64() % n as u64) as usize;
    let mut text = String::new();
    for _ in 0..sentences {
        let (s, v, o, e) = (
            pick(SUBJECTS.len()),
            pick(VERBS.len()),
            pick(OBJECTS.len()),
            pick(ENDINGS.len()),
        );
        text.push_str(&format!(
            "{} {} {}{}\n",
            SUBJECTS[s], VERBS[v], OBJECTS[o], ENDINGS[e]
        ));
    }
    text
}

/// Characters ↔ ids. Id 0 stands for any character outside the alphabet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CharTokenizer {
    alphabet: Vec<char>,
}

impl CharTokenizer {
    /// The sorted set of characters of `text`.
    pub fn fit(text: &str) -> CharTokenizer {
        let mut alphabet: Vec<char> = text.chars().collect();
        alphabet.sort_unstable();
        alphabet.dedup();
        CharTokenizer { alphabet }
    }

    /// Ids 0..vocab_size(): 0 for unknown, then the alphabet.
    pub fn vocab_size(&self) -> usize {
        self.alphabet.len() + 1
    }

    pub fn encode(&self, text: &str) -> Vec<usize> {
        text.chars()
            .map(|c| self.alphabet.binary_search(&c).map_or(0, |i| i + 1))
            .collect()
    }

    pub fn decode(&self, ids: &[usize]) -> String {
        ids.iter()
            .map(|&i| {
                if i == 0 {
                    '�'
                } else {
                    self.alphabet.get(i - 1).copied().unwrap_or('�')
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corpus_round_trips_through_the_tokenizer() {
        let text = corpus(50, 1);
        assert_eq!(text.lines().count(), 50);
        assert!(text.lines().all(|l| l.ends_with('.')));
        let tok = CharTokenizer::fit(&text);
        assert_eq!(tok.decode(&tok.encode(&text)), text);
        assert_eq!(tok.encode("Z"), vec![0], "an unknown character maps to 0");
        assert_eq!(corpus(5, 2), corpus(5, 2));
    }
}
