//! One sentence through every model: the greedy translation and the beam's hypotheses with
//! their log-probabilities, the attention read while writing the greedy one; and BLEU taken
//! apart for any candidate and reference.

use super::model::Map;
use super::{MtSession, MtSessionError};
use contract::cnn::view::Quantised;
use contract::mt::limits::MtLimits;
use contract::mt::protocol::{
    AttentionKind, AttentionMap, BleuView, GramView, Hypothesis, ModelTranslation, OrderView,
    TranslationView,
};
use data::translation::{Vocab, EOS};
use nn::decode::{beam_search, greedy};
use nn::metrics::{bleu, bleu_breakdown};

/// Words of ids, "</s>" written where it is.
fn words_of(vocab: &Vocab, ids: &[usize]) -> Vec<String> {
    ids.iter()
        .map(|&i| if i == EOS { "</s>".to_string() } else { vocab.word(i).to_string() })
        .collect()
}

fn hypothesis(vocab: &Vocab, h: &nn::decode::Hypothesis) -> Hypothesis {
    Hypothesis {
        words: vocab.written(&h.tokens).iter().map(|w| w.to_string()).collect(),
        log_prob: h.log_prob as f32,
        finished: h.finished,
    }
}

impl MtSession {
    /// Every model's translation of a typed sentence (`None`: held-out example `example`,
    /// wrapped to the set). A word outside the vocabulary is refused by name, with the words
    /// the models know.
    pub fn translate(
        &self,
        sentence: Option<&str>,
        example: usize,
        beam: usize,
    ) -> Result<TranslationView, MtSessionError> {
        let (lo, hi) = MtLimits::BEAM;
        if !(lo..=hi).contains(&beam) {
            return Err(MtSessionError::Beam(beam));
        }
        let (source, reference, example) = match sentence {
            Some(text) => {
                let chars = text.chars().count();
                if chars > MtLimits::MAX_TEXT_CHARS {
                    return Err(MtSessionError::TooManyChars {
                        what: "sentence",
                        chars,
                    });
                }
                let source = self.task.read(text).map_err(|unknown| self.unknown(unknown))?;
                if source.len() == 1 {
                    return Err(MtSessionError::NoWords);
                }
                let words = source.len() - 1;
                if words > MtLimits::LONGEST + 3 {
                    return Err(MtSessionError::TooManyWords(words));
                }
                (source.clone(), self.task.translate(&source), 0)
            }
            None => {
                let k = example % self.test.len().max(1);
                let pair = self.test.get(k).ok_or(MtSessionError::NoHeldOut)?;
                (pair.source.clone(), Some(pair.target.clone()), k)
            }
        };
        let target = &self.task.target_vocab;
        let reference_words = reference.as_ref().map(|r| target.decode(r));
        let max_len = MtLimits::max_output(source.len());
        let models = self
            .members
            .iter()
            .map(|m| {
                let next = |prefixes: &[Vec<usize>]| m.model.next_log_probs(&source, prefixes);
                let best = greedy(max_len, EOS, next)?;
                let beams = beam_search(beam, max_len, EOS, next)?;
                let maps = m.model.attention(&source, &best.tokens)?;
                let written = target.written(&best.tokens);
                Ok(ModelTranslation {
                    model: m.kind,
                    greedy: hypothesis(target, &best),
                    beam: beams.iter().map(|h| hypothesis(target, h)).collect(),
                    attention: maps
                        .into_iter()
                        .map(|map| self.attention_map(map, &source, &best.tokens))
                        .collect(),
                    bleu: reference_words
                        .as_ref()
                        .map(|r| bleu(&written, &[r.as_slice()], 4) as f32),
                })
            })
            .collect::<Result<Vec<_>, MtSessionError>>()?;
        Ok(TranslationView {
            step: self.step,
            sentence: sentence.map(str::to_string),
            example,
            source: words_of(&self.task.source_vocab, &source),
            reference: reference_words.map(|r| r.iter().map(|w| w.to_string()).collect()),
            beam_width: beam,
            models,
        })
    }

    fn unknown(&self, unknown: Vec<String>) -> MtSessionError {
        let known = (3..self.task.source_vocab.len())
            .map(|i| self.task.source_vocab.word(i).to_string())
            .collect();
        MtSessionError::UnknownWords { unknown, known }
    }

    fn attention_map(&self, map: Map, source: &[usize], output: &[usize]) -> AttentionMap {
        let source_words = words_of(&self.task.source_vocab, source);
        let target_words = words_of(&self.task.target_vocab, output);
        // A decoder query reads the word before the one it writes: label rows by what is
        // written, columns of decoder self-attention by what is read (<s> first).
        let read: Vec<String> = std::iter::once("<s>".to_string())
            .chain(target_words.iter().take(output.len().saturating_sub(1)).cloned())
            .collect();
        let (rows, columns) = match map.kind {
            AttentionKind::Additive | AttentionKind::Cross => (target_words, source_words),
            AttentionKind::DecoderSelf => (target_words, read),
            AttentionKind::EncoderSelf => (source_words.clone(), source_words),
        };
        AttentionMap {
            kind: map.kind,
            layer: map.layer,
            head: map.head,
            rows,
            columns,
            causal: map.kind == AttentionKind::DecoderSelf,
            weights: Quantised::from_values(&map.weights),
        }
    }
}

/// BLEU-4 of a candidate against a reference (words split on white space), every number
/// shown.
pub fn explain_bleu(candidate: &str, reference: &str) -> Result<BleuView, MtSessionError> {
    let split = |what: &'static str, text: &str| -> Result<Vec<String>, MtSessionError> {
        let chars = text.chars().count();
        if chars > MtLimits::MAX_TEXT_CHARS {
            return Err(MtSessionError::TooManyChars { what, chars });
        }
        let words: Vec<String> = text.split_whitespace().map(str::to_string).collect();
        if words.len() > MtLimits::MAX_BLEU_WORDS {
            return Err(MtSessionError::TooManyBleuWords {
                what,
                words: words.len(),
            });
        }
        Ok(words)
    };
    let (c, r) = (split("candidate", candidate)?, split("reference", reference)?);
    let b = bleu_breakdown(&c, &[r.as_slice()], 4);
    Ok(BleuView {
        orders: b
            .orders
            .iter()
            .map(|o| OrderView {
                n: o.n,
                grams: o
                    .grams
                    .iter()
                    .map(|g| GramView {
                        gram: g.gram.join(" "),
                        in_candidate: g.in_candidate,
                        in_reference: g.in_reference,
                        credited: g.credited,
                    })
                    .collect(),
                credited: o.credited,
                total: o.total,
                precision: o.precision,
            })
            .collect(),
        geometric_mean: b.geometric_mean,
        candidate_len: b.candidate_len,
        reference_len: b.reference_len,
        brevity_penalty: b.brevity_penalty,
        score: b.score,
        candidate: c,
        reference: r,
    })
}
