//! BLEU against an independent reference: `fixtures/bleu.py` computes sentence and corpus BLEU
//! with Python's Counter as NLTK does without smoothing (the notes' examples, several
//! references, repeats, a brevity penalty, toy-Hindi translations).
#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use nn::metrics::{bleu, corpus_bleu};
use serde_json::Value;

fn words(v: &Value) -> Vec<&str> {
    v.as_str().unwrap().split_whitespace().collect()
}

fn references(v: &Value) -> Vec<Vec<&str>> {
    v.as_array().unwrap().iter().map(words).collect()
}

#[test]
fn sentence_and_corpus_bleu_match_the_python_reference() {
    let all: Value = serde_json::from_str(include_str!("fixtures/bleu.json")).unwrap();
    let sentences = all["sentences"].as_array().unwrap();
    for case in sentences {
        let candidate = words(&case["candidate"]);
        let refs = references(&case["references"]);
        let refs: Vec<&[&str]> = refs.iter().map(Vec::as_slice).collect();
        let max_n = case["max_n"].as_u64().unwrap() as usize;
        let expected = case["bleu"].as_f64().unwrap();
        let got = bleu(&candidate, &refs, max_n);
        assert!((got - expected).abs() < 1e-12, "{case}: {got}");
    }
    for corpus in all["corpora"].as_array().unwrap() {
        let pairs: Vec<(Vec<&str>, Vec<Vec<&str>>)> = corpus["pairs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (words(&p["candidate"]), references(&p["references"])))
            .collect();
        let pairs: Vec<(&[&str], Vec<&[&str]>)> = pairs
            .iter()
            .map(|(c, r)| (c.as_slice(), r.iter().map(Vec::as_slice).collect()))
            .collect();
        let max_n = corpus["max_n"].as_u64().unwrap() as usize;
        let expected = corpus["bleu"].as_f64().unwrap();
        let got = corpus_bleu(&pairs, max_n);
        assert!((got - expected).abs() < 1e-12, "{corpus}: {got}");
    }
    assert!(sentences.len() >= 10);
}
