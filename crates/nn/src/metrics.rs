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
pub fn bleu<T: PartialEq + Clone>(candidate: &[T], references: &[&[T]], max_n: usize) -> f64 {
    bleu_breakdown(candidate, references, max_n).score
}

/// One distinct n-gram of the candidate: how often it occurs there, the most any reference
/// has it, and the credit it gets (the smaller of the two: the clipping).
#[derive(Clone, Debug, PartialEq)]
pub struct GramCount<T> {
    pub gram: Vec<T>,
    pub in_candidate: usize,
    pub in_reference: usize,
    pub credited: usize,
}

/// p_n: the credited n-grams over all the candidate's n-grams.
#[derive(Clone, Debug, PartialEq)]
pub struct NgramPrecision<T> {
    pub n: usize,
    /// Distinct n-grams in the order they first occur.
    pub grams: Vec<GramCount<T>>,
    pub credited: usize,
    pub total: usize,
    pub precision: f64,
}

/// Every number BLEU is made of, for a page that explains it.
#[derive(Clone, Debug, PartialEq)]
pub struct BleuBreakdown<T> {
    pub orders: Vec<NgramPrecision<T>>,
    /// P = exp(Σ (1/N) log p_n); 0 when some p_n is 0.
    pub geometric_mean: f64,
    pub candidate_len: usize,
    /// r: the reference length closest to the candidate's (the shorter on a tie).
    pub reference_len: usize,
    pub brevity_penalty: f64,
    pub score: f64,
}

/// BLEU and every number it is made of (see [`bleu`]).
pub fn bleu_breakdown<T: PartialEq + Clone>(
    candidate: &[T],
    references: &[&[T]],
    max_n: usize,
) -> BleuBreakdown<T> {
    let orders: Vec<NgramPrecision<T>> = (1..=max_n)
        .map(|n| ngram_precision(candidate, references, n))
        .collect();
    let len = candidate.len();
    let reference_len = references
        .iter()
        .map(|r| r.len())
        .min_by_key(|&r| (r.abs_diff(len), r))
        .unwrap_or(len);
    let brevity_penalty = if len == 0 {
        0.0
    } else if len > reference_len {
        1.0
    } else {
        (1.0 - reference_len as f64 / len as f64).exp()
    };
    let geometric_mean = if candidate.is_empty()
        || references.is_empty()
        || orders.is_empty()
        || orders.iter().any(|o| o.precision == 0.0)
    {
        0.0
    } else {
        let mut log_sum = 0.0;
        for o in &orders {
            log_sum += o.precision.ln() / max_n as f64;
        }
        log_sum.exp()
    };
    BleuBreakdown {
        score: geometric_mean * brevity_penalty,
        orders,
        geometric_mean,
        candidate_len: len,
        reference_len,
        brevity_penalty,
    }
}

/// Corpus BLEU (Papineni et al. 2002, as sacreBLEU and NLTK's `corpus_bleu` compute it): the
/// credited and total n-grams are summed over every sentence before dividing, and the brevity
/// penalty compares the corpus's candidate length with the sum of each sentence's closest
/// reference length. Not the mean of sentence BLEUs: one sentence without a 4-gram match does
/// not zero the corpus. `pairs` are (candidate, references).
pub fn corpus_bleu<T: PartialEq + Clone>(pairs: &[(&[T], Vec<&[T]>)], max_n: usize) -> f64 {
    let (mut credited, mut total) = (vec![0usize; max_n], vec![0usize; max_n]);
    let (mut candidate_len, mut reference_len) = (0usize, 0usize);
    for (candidate, references) in pairs {
        let b = bleu_breakdown(candidate, references, max_n);
        for (k, o) in b.orders.iter().enumerate() {
            credited[k] += o.credited;
            total[k] += o.total;
        }
        candidate_len += b.candidate_len;
        reference_len += b.reference_len;
    }
    if candidate_len == 0 || max_n == 0 || credited.contains(&0) {
        return 0.0;
    }
    let log_mean = credited
        .iter()
        .zip(&total)
        .map(|(&c, &t)| (c as f64 / t as f64).ln() / max_n as f64)
        .sum::<f64>();
    let brevity_penalty = if candidate_len > reference_len {
        1.0
    } else {
        (1.0 - reference_len as f64 / candidate_len as f64).exp()
    };
    log_mean.exp() * brevity_penalty
}

/// Clipped n-gram precision of `candidate` against `references`.
pub fn clipped_precision<T: PartialEq + Clone>(
    candidate: &[T],
    references: &[&[T]],
    n: usize,
) -> f64 {
    ngram_precision(candidate, references, n).precision
}

fn ngram_precision<T: PartialEq + Clone>(
    candidate: &[T],
    references: &[&[T]],
    n: usize,
) -> NgramPrecision<T> {
    let all: Vec<&[T]> = if n == 0 {
        Vec::new()
    } else {
        candidate.windows(n).collect()
    };
    let count = |list: &[T], g: &[T]| list.windows(n).filter(|w| *w == g).count();
    let mut grams = Vec::new();
    for (i, g) in all.iter().enumerate() {
        // Each distinct n-gram once, at its first occurrence.
        if all[..i].contains(g) {
            continue;
        }
        let in_candidate = count(candidate, g);
        let in_reference = references.iter().map(|r| count(r, g)).max().unwrap_or(0);
        grams.push(GramCount {
            gram: g.to_vec(),
            in_candidate,
            in_reference,
            credited: in_candidate.min(in_reference),
        });
    }
    let credited = grams.iter().map(|g| g.credited).sum();
    let total = all.len();
    NgramPrecision {
        n,
        grams,
        credited,
        total,
        precision: if total == 0 {
            0.0
        } else {
            credited as f64 / total as f64
        },
    }
}
