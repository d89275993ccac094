//! Metrics: accuracy, and BLEU as the notes define it.

/// Fraction of predictions equal to their labels (0 for no examples).
pub fn accuracy(predicted: &[usize], labels: &[usize]) -> f32 {
    if labels.is_empty() {
        return 0.0;
    }
    predicted.iter().zip(labels).filter(|(p, l)| p == l).count() as f32 / labels.len() as f32
}

/// BLEU of a candidate against one or more references (token lists), n-grams 1..=max_n with
/// uniform weights w_n = 1/N:
/// - clipped precision p_n: each candidate n-gram counts at most as often as it appears in
///   the reference that has it most ("the the the ball" gets no credit for repeating "the");
/// - geometric average P = exp(Σ w_n log p_n) (0 if any p_n is 0);
/// - brevity penalty BP = 1 if the candidate is longer than the reference length r (the
///   closest reference length), else e^(1 − r/len);
/// - BLEU = P · BP.
pub fn bleu<T: PartialEq>(candidate: &[T], references: &[&[T]], max_n: usize) -> f64 {
    if candidate.is_empty() || references.is_empty() || max_n == 0 {
        return 0.0;
    }
    let mut log_sum = 0.0;
    for n in 1..=max_n {
        let p = clipped_precision(candidate, references, n);
        if p == 0.0 {
            return 0.0;
        }
        log_sum += p.ln() / max_n as f64;
    }
    let len = candidate.len();
    let r = references
        .iter()
        .map(|r| r.len())
        .min_by_key(|&r| (r.abs_diff(len), r))
        .unwrap_or(len);
    let bp = if len > r {
        1.0
    } else {
        (1.0 - r as f64 / len as f64).exp()
    };
    log_sum.exp() * bp
}

/// Clipped n-gram precision of `candidate` against `references`.
pub fn clipped_precision<T: PartialEq>(candidate: &[T], references: &[&[T]], n: usize) -> f64 {
    let grams: Vec<&[T]> = candidate.windows(n).collect();
    if grams.is_empty() {
        return 0.0;
    }
    let count = |list: &[T], g: &[T]| list.windows(n).filter(|w| *w == g).count();
    let mut credited = 0usize;
    for (i, g) in grams.iter().enumerate() {
        // Count each distinct n-gram once, at its first occurrence.
        if grams[..i].contains(g) {
            continue;
        }
        let in_candidate = count(candidate, g);
        let best_reference = references.iter().map(|r| count(r, g)).max().unwrap_or(0);
        credited += in_candidate.min(best_reference);
    }
    credited as f64 / grams.len() as f64
}
