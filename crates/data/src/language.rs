//! A character corpus for the Recurrent lab's language model, generated from a small grammar
//! around the notes' examples ("the man pulled a cart", "the man who pulled the cart when the
//! king arrived was already tired"), so the project ships no third-party text. Verbs agree
//! with their subjects ("was"/"were", "is"/"are") across relative clauses, so a model that
//! learns the language must carry the subject's number.
//!
//! The alphabet is fixed: sentences end with ".", one per line.

use tensor::rng::Rng;

/// Every character of the corpus, in id order: the newline that separates sentences, space,
/// the full stop, then a–z.
pub const ALPHABET: &str = "\n .abcdefghijklmnopqrstuvwxyz";

/// (singular, plural) subjects.
const NOUNS: [(&str, &str); 8] = [
    ("man", "men"),
    ("king", "kings"),
    ("dog", "dogs"),
    ("boy", "boys"),
    ("girl", "girls"),
    ("horse", "horses"),
    ("woman", "women"),
    ("child", "children"),
];
const OBJECTS: [&str; 8] = [
    "a cart",
    "the cart",
    "a horse",
    "the king",
    "a dog",
    "the river",
    "a song",
    "the carts",
];
const TRANSITIVE: [&str; 6] = ["pulled", "saw", "fed", "chased", "found", "carried"];
const INTRANSITIVE: [&str; 5] = ["arrived", "slept", "left", "laughed", "waited"];
const STATES: [&str; 4] = ["already tired", "very happy", "late", "hungry"];

/// The words the grammar uses (the language model's missing-word search tries each).
pub fn words() -> Vec<&'static str> {
    let mut all: Vec<&str> = vec!["the", "a", "who", "when", "was", "were", "already", "very"];
    for (one, many) in NOUNS {
        all.extend([one, many]);
    }
    for phrase in OBJECTS.iter().chain(&STATES) {
        all.extend(phrase.split(' '));
    }
    all.extend(TRANSITIVE);
    all.extend(INTRANSITIVE);
    all.sort_unstable();
    all.dedup();
    all
}

fn pick<'a>(rng: &mut Rng, options: &[&'a str]) -> &'a str {
    options[(rng.next_u64() % options.len() as u64) as usize]
}

/// One sentence, with its full stop and without the newline.
pub fn sentence(rng: &mut Rng) -> String {
    let (one, many) = NOUNS[(rng.next_u64() % NOUNS.len() as u64) as usize];
    let plural = rng.next_u64().is_multiple_of(2);
    let mut words = vec![
        "the".to_string(),
        if plural { many } else { one }.to_string(),
    ];
    // A relative clause in two sentences of three, sometimes two.
    for _ in 0..(rng.next_u64() % 3) {
        let clause = if rng.next_u64().is_multiple_of(2) {
            format!("who {} {}", pick(rng, &TRANSITIVE), pick(rng, &OBJECTS))
        } else {
            let (k, ks) = NOUNS[(rng.next_u64() % NOUNS.len() as u64) as usize];
            let noun = if rng.next_u64().is_multiple_of(2) {
                k
            } else {
                ks
            };
            format!("when the {noun} {}", pick(rng, &INTRANSITIVE))
        };
        words.push(clause);
    }
    let predicate = if rng.next_u64().is_multiple_of(2) {
        format!("{} {}", pick(rng, &TRANSITIVE), pick(rng, &OBJECTS))
    } else {
        format!(
            "{} {}",
            if plural { "were" } else { "was" },
            pick(rng, &STATES)
        )
    };
    words.push(predicate);
    format!("{}.", words.join(" "))
}

/// `sentences` sentences, one per line, from the seed.
pub fn corpus(sentences: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    (0..sentences).map(|_| sentence(&mut rng) + "\n").collect()
}

/// A character's id, if it is in the alphabet.
pub fn id(c: char) -> Option<usize> {
    ALPHABET.chars().position(|a| a == c)
}

/// The characters of `text` as ids, or the characters outside the alphabet.
pub fn encode(text: &str) -> Result<Vec<usize>, Vec<char>> {
    let unknown: Vec<char> = text.chars().filter(|&c| id(c).is_none()).collect();
    if unknown.is_empty() {
        Ok(text.chars().filter_map(id).collect())
    } else {
        Err(unknown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_corpus_holds_the_notes_sentences_and_agrees() {
        let text = corpus(3000, 1);
        assert!(encode(&text).is_ok(), "only the alphabet");
        assert!(text.contains("the man pulled a cart.\n"));
        assert!(text.contains("the man who pulled ") && text.contains(" who pulled the cart "));
        assert!(text.contains(" when the king arrived ") && text.contains(" was already tired."));
        for line in text.lines() {
            let subject = line.split(' ').nth(1).expect("a subject");
            let plural = NOUNS.iter().any(|(_, many)| *many == subject);
            assert!(
                !(plural && line.contains(" was ")) && !(!plural && line.contains(" were ")),
                "{line}"
            );
        }
        assert!(!words().contains(&"pooled"));
        assert!(words().contains(&"pulled") && words().contains(&"cart"));
        assert_eq!(encode("the Man"), Err(vec!['M']));
    }
}
