//! Decoding a sequence model's output token by token: greedy, and beam search (keep the
//! `width` most probable prefixes at every step; the notes' translation chapter). The model is
//! a function from a batch of prefixes to each one's log-probabilities of the next token, so a
//! caller scores all beams in one forward pass.
//!
//! Scores are plain sums of log-probabilities (no length normalisation: a finished short
//! hypothesis competes with longer ones as it is). Ties go to the lexicographically smaller
//! token sequence, so width 1 is exactly greedy decoding (argmax takes the first maximum) and
//! the result never depends on the order candidates were produced in.

use std::cmp::Ordering;

/// A prefix and its log-probability; finished once it has emitted the end token.
#[derive(Clone, Debug, PartialEq)]
pub struct Hypothesis {
    pub tokens: Vec<usize>,
    pub log_prob: f64,
    pub finished: bool,
}

/// The best first: higher log-probability, then the smaller token sequence.
fn better(a: &Hypothesis, b: &Hypothesis) -> Ordering {
    b.log_prob
        .total_cmp(&a.log_prob)
        .then_with(|| a.tokens.cmp(&b.tokens))
}

/// At each of at most `max_len` steps, extends every unfinished hypothesis by every token and
/// keeps the `width` best of the extensions and the finished ones; stops early when all are
/// finished. `next(prefixes)` returns one row of log-probabilities per prefix. Returns the
/// final hypotheses, best first.
pub fn beam_search<E>(
    width: usize,
    max_len: usize,
    end: usize,
    mut next: impl FnMut(&[Vec<usize>]) -> Result<Vec<Vec<f32>>, E>,
) -> Result<Vec<Hypothesis>, E> {
    let mut beams = vec![Hypothesis {
        tokens: Vec::new(),
        log_prob: 0.0,
        finished: false,
    }];
    let width = width.max(1);
    for _ in 0..max_len {
        let (done, open): (Vec<Hypothesis>, Vec<Hypothesis>) =
            beams.into_iter().partition(|h| h.finished);
        if open.is_empty() {
            beams = done;
            break;
        }
        let prefixes: Vec<Vec<usize>> = open.iter().map(|h| h.tokens.clone()).collect();
        let scores = next(&prefixes)?;
        let mut candidates = done;
        for (h, row) in open.iter().zip(&scores) {
            for (token, &lp) in row.iter().enumerate() {
                let mut tokens = h.tokens.clone();
                tokens.push(token);
                candidates.push(Hypothesis {
                    tokens,
                    log_prob: h.log_prob + lp as f64,
                    finished: token == end,
                });
            }
        }
        // A sequence of probability 0 (or not a number) is no hypothesis.
        candidates.retain(|h| h.log_prob > f64::NEG_INFINITY);
        candidates.sort_by(better);
        candidates.truncate(width);
        beams = candidates;
    }
    beams.sort_by(better);
    Ok(beams)
}

/// The most probable next token at every step (the first on a tie), until the end token or
/// `max_len` tokens.
pub fn greedy<E>(
    max_len: usize,
    end: usize,
    mut next: impl FnMut(&[Vec<usize>]) -> Result<Vec<Vec<f32>>, E>,
) -> Result<Hypothesis, E> {
    let mut h = Hypothesis {
        tokens: Vec::new(),
        log_prob: 0.0,
        finished: false,
    };
    while !h.finished && h.tokens.len() < max_len {
        let row = next(std::slice::from_ref(&h.tokens))?.swap_remove(0);
        let (token, lp) = row
            .iter()
            .enumerate()
            .fold((0, f32::NEG_INFINITY), |best, (t, &v)| {
                if v > best.1 {
                    (t, v)
                } else {
                    best
                }
            });
        h.tokens.push(token);
        h.log_prob += lp as f64;
        h.finished = token == end;
    }
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A toy model over tokens {0: end, 1: a, 2: b}: after nothing, "a" is likelier (0.6) but
    /// leads to a flat future; "b" (0.4) is followed by a sure end.
    fn toy(prefixes: &[Vec<usize>]) -> Result<Vec<Vec<f32>>, ()> {
        Ok(prefixes
            .iter()
            .map(|p| {
                let probs: [f32; 3] = match p.last() {
                    None => [0.0, 0.6, 0.4],
                    Some(1) => [0.34, 0.33, 0.33],
                    Some(_) => [1.0, 0.0, 0.0],
                };
                probs.iter().map(|q| q.ln()).collect()
            })
            .collect())
    }

    #[test]
    fn width_one_is_greedy_and_a_wider_beam_finds_the_likelier_sentence() {
        let greedy = greedy(4, 0, toy).unwrap();
        assert_eq!(greedy.tokens, vec![1, 0]);
        let one = beam_search(1, 4, 0, toy).unwrap();
        assert_eq!(one[0].tokens, greedy.tokens);
        assert!((one[0].log_prob - greedy.log_prob).abs() < 1e-12);
        // P(a, end) = 0.6 · 0.34 = 0.204 < P(b, end) = 0.4 · 1 = 0.4.
        let two = beam_search(2, 4, 0, toy).unwrap();
        assert_eq!(two[0].tokens, vec![2, 0]);
        assert!((two[0].log_prob - 0.4f64.ln()).abs() < 1e-6);
        assert!(two.iter().all(|h| h.finished));
        assert_eq!(two.len(), 2);
        assert!(two[0].log_prob >= two[1].log_prob);
    }

    #[test]
    fn hypotheses_stop_at_the_end_token_or_the_length_limit() {
        let forever = |p: &[Vec<usize>]| -> Result<Vec<Vec<f32>>, ()> {
            Ok(p.iter().map(|_| vec![f32::NEG_INFINITY, 0.0]).collect())
        };
        let beams = beam_search(3, 5, 0, forever).unwrap();
        assert_eq!(beams.len(), 1, "the impossible ends are dropped");
        assert_eq!(beams[0].tokens, vec![1; 5]);
        assert!(!beams[0].finished);
        let failing = |_: &[Vec<usize>]| -> Result<Vec<Vec<f32>>, &str> { Err("no model") };
        assert_eq!(beam_search(2, 3, 0, failing), Err("no model"));
    }
}
