//! The language model at work: the probability of a sentence (the notes' P(The man pulled a
//! cart) against P(The man pooled a cart)), word by word; text sampled at a temperature; and
//! the notes' missing-word search — every word of the vocabulary tried at every position.
//!
//! A sentence is read from the start of a line ("\n") to its end (".\n"), one character at a
//! time through every layer's cell: log P(sentence) = Σ_t log P(c_t | c_<t).

use super::{RnnSession, RnnSessionError};
use crate::sample::draw;
use contract::limits::{check_float, check_range};
use contract::rnn::limits::RnnLimits;
use contract::rnn::protocol::{Completion, SampledText, SentenceScore, WordScore};
use contract::rnn::RnnTask;
use data::language;
use tensor::rng::Rng;
use tensor::{no_grad, Tensor};

/// log softmax of one row of logits.
fn log_softmax(row: &[f32]) -> Vec<f32> {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let sum: f64 = row.iter().map(|&v| ((v - max) as f64).exp()).sum();
    let log_sum = sum.ln() as f32 + max;
    row.iter().map(|&v| v - log_sum).collect()
}

/// The sentence as the model reads it: trimmed, lower case, ending with a full stop;
/// characters outside the alphabet, an empty or an over-long text are refused by name.
pub fn normalised(raw: &str) -> Result<String, RnnSessionError> {
    let mut sentence = raw.trim().to_lowercase();
    if sentence.is_empty() {
        return Err(RnnSessionError::EmptySentence);
    }
    if !sentence.ends_with('.') {
        sentence.push('.');
    }
    check_range("sentence length", sentence.chars().count(), 1, RnnLimits::MAX_TEXT_CHARS)?;
    language::encode(&sentence).map_err(RnnSessionError::SentenceUnreadable)?;
    Ok(sentence)
}

impl RnnSession {
    fn language_model(&self) -> Result<(), RnnSessionError> {
        if self.spec.task == RnnTask::Language {
            Ok(())
        } else {
            Err(RnnSessionError::NotLanguageModel)
        }
    }

    /// log P(c_t | c_<t) of every character after the first, for sentences of one length read
    /// together: [sentence][character].
    fn char_log_probs(&self, lines: &[Vec<usize>]) -> tensor::Result<Vec<Vec<f32>>> {
        let vocab = self.model.vocab;
        let length = lines.first().map_or(0, Vec::len);
        let mut states = self.model.start(lines.len());
        let mut out = vec![Vec::with_capacity(length); lines.len()];
        for t in 0..length.saturating_sub(1) {
            let now: Vec<usize> = lines.iter().map(|l| l[t]).collect();
            let logits = self.model.advance(&Tensor::one_hot(&now, vocab)?, &mut states)?;
            for (i, row) in logits.data().chunks(vocab).enumerate() {
                out[i].push(log_softmax(row)[lines[i][t + 1]]);
            }
        }
        Ok(out)
    }

    /// Ids of "\n" + sentence + "\n".
    fn line(sentence: &str) -> Vec<usize> {
        format!("\n{sentence}\n").chars().filter_map(language::id).collect()
    }

    pub fn score(&self, raw: &str) -> Result<SentenceScore, RnnSessionError> {
        self.language_model()?;
        let sentence = normalised(raw)?;
        let logs = no_grad(|| self.char_log_probs(&[Self::line(&sentence)]))?
            .pop()
            .unwrap_or_default();
        // Character i of the sentence is predicted by logs[i]; the line's end by the last.
        let mut words: Vec<WordScore> = Vec::new();
        let mut current = WordScore { word: String::new(), log_prob: 0.0 };
        for (c, lp) in sentence.chars().zip(&logs) {
            match c {
                ' ' => {
                    current.log_prob += lp;
                    words.push(std::mem::replace(&mut current, WordScore { word: String::new(), log_prob: 0.0 }));
                }
                c => {
                    current.word.push(c);
                    current.log_prob += lp;
                }
            }
        }
        current.log_prob += logs.last().copied().unwrap_or(0.0);
        words.push(current);
        Ok(SentenceScore {
            log_prob: logs.iter().sum(),
            text: sentence,
            words,
            step: self.log.step,
        })
    }

    pub fn sample(&self, prompt: &str, length: usize, temperature: f32, seed: u64) -> Result<SampledText, RnnSessionError> {
        self.language_model()?;
        check_range("sample length", length, 1, RnnLimits::MAX_SAMPLE_CHARS)?;
        check_float("temperature", temperature, RnnLimits::TEMPERATURE.0, RnnLimits::TEMPERATURE.1)?;
        let prompt = prompt.to_lowercase();
        check_range("prompt length", prompt.chars().count(), 0, RnnLimits::MAX_TEXT_CHARS)?;
        let ids =
            language::encode(&format!("\n{prompt}")).map_err(RnnSessionError::PromptUnreadable)?;
        let vocab = self.model.vocab;
        let mut rng = Rng::new(seed);
        let drawn = no_grad(|| -> tensor::Result<Vec<usize>> {
            let mut states = self.model.start(1);
            let mut logits = Tensor::zeros(&[1, vocab]);
            for &id in &ids {
                logits = self.model.advance(&Tensor::one_hot(&[id], vocab)?, &mut states)?;
            }
            let mut drawn = Vec::with_capacity(length);
            for _ in 0..length {
                // softmax(logits / T), then one draw.
                let scaled: Vec<f32> = logits.data().iter().map(|v| v / temperature).collect();
                let probs: Vec<f64> = log_softmax(&scaled).iter().map(|l| (*l as f64).exp()).collect();
                let next = draw(&probs, rng.next_f32() as f64).unwrap_or(vocab - 1);
                drawn.push(next);
                logits = self.model.advance(&Tensor::one_hot(&[next], vocab)?, &mut states)?;
            }
            Ok(drawn)
        })?;
        let alphabet: Vec<char> = language::ALPHABET.chars().collect();
        Ok(SampledText {
            text: drawn.iter().map(|&i| alphabet[i]).collect(),
            prompt,
            temperature,
            step: self.log.step,
        })
    }

    /// The notes' missing-word search: every word at every position, the best few.
    pub fn fill_in(&self, raw: &str) -> Result<Vec<Completion>, RnnSessionError> {
        self.language_model()?;
        let sentence = normalised(raw)?;
        let body = sentence.trim_end_matches('.');
        let words: Vec<&str> = body.split(' ').filter(|w| !w.is_empty()).collect();
        let mut candidates: Vec<Completion> = Vec::new();
        for position in 0..=words.len() {
            for word in language::words() {
                let mut filled = words.clone();
                filled.insert(position, word);
                candidates.push(Completion {
                    sentence: format!("{}.", filled.join(" ")),
                    word: word.to_string(),
                    position,
                    log_prob: f32::NAN,
                });
            }
        }
        // Sentences of one length are read together, one batch per length.
        let mut lengths: Vec<usize> = candidates.iter().map(|c| c.sentence.len()).collect();
        lengths.sort_unstable();
        lengths.dedup();
        for length in lengths {
            let group: Vec<usize> = (0..candidates.len()).filter(|&i| candidates[i].sentence.len() == length).collect();
            let lines: Vec<Vec<usize>> = group.iter().map(|&i| Self::line(&candidates[i].sentence)).collect();
            let logs = no_grad(|| self.char_log_probs(&lines))?;
            for (&i, l) in group.iter().zip(logs) {
                candidates[i].log_prob = l.iter().sum();
            }
        }
        candidates.sort_by(|a, b| b.log_prob.total_cmp(&a.log_prob));
        candidates.truncate(RnnLimits::FILL_CANDIDATES);
        Ok(candidates)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::training::{self, Trainable};
    use contract::limits::{Bound, Number, Violation};
    use contract::rnn::RnnLab;

    #[test]
    fn sentences_are_read_as_the_corpus_writes_them_and_bad_ones_named() {
        assert_eq!(normalised("  The man pulled a cart "), Ok("the man pulled a cart.".into()));
        assert_eq!(normalised(""), Err(RnnSessionError::EmptySentence));
        assert_eq!(
            normalised("the man, pulled 2 carts"),
            Err(RnnSessionError::SentenceUnreadable(vec![',', '2']))
        );
        let long = "a ".repeat(100);
        assert!(matches!(
            normalised(&long),
            Err(RnnSessionError::Limit(Violation { value: Number::Int(200), bound: Bound::Max(Number::Int(120)), .. }))
        ));
        assert_eq!(
            data::language::ALPHABET.chars().count(),
            RnnTask::LM_CHARACTERS,
            "the contract's alphabet size is the corpus's"
        );
    }

    #[test]
    fn a_trained_model_prefers_the_notes_sentence_samples_and_fills_in() {
        let spec = RnnLab { task: RnnTask::Language, span: 32, hidden: 64, steps: 400, ..RnnLab::default() };
        let mut session = RnnSession::new(&spec).expect("a valid spec");
        assert!(session.score("the man pulled a cart").is_ok());
        training::train_until(&mut session, f64::INFINITY, &|| 0.0, Some(400));
        let good = session.score("The man pulled a cart").expect("scored");
        let bad = session.score("The man pooled a cart").expect("scored");
        println!("log P: pulled {:.2}, pooled {:.2}; accuracy {}", good.log_prob, bad.log_prob, session.evaluate().accuracy);
        assert!(good.log_prob > bad.log_prob + 2.0, "{} vs {}", good.log_prob, bad.log_prob);
        let words: Vec<&str> = good.words.iter().map(|w| w.word.as_str()).collect();
        assert_eq!(words, ["the", "man", "pulled", "a", "cart."]);
        let total: f32 = good.words.iter().map(|w| w.log_prob).sum();
        assert!((total - good.log_prob).abs() < 1e-3, "words add up to the sentence");
        // Agreement: "were" after a singular subject is less likely than "was".
        let was = session.score("the man who saw the dogs was late").expect("scored").log_prob;
        let were = session.score("the man who saw the dogs were late").expect("scored").log_prob;
        assert!(was > were, "was {was} vs were {were}");
        let sample = session.sample("the ", 60, 0.5, 1).expect("sampled");
        assert_eq!(sample.text.chars().count(), 60);
        assert_eq!(session.sample("the ", 60, 0.5, 1), Ok(sample), "seeded");
        let filled = session.fill_in("the man a cart").expect("completions");
        assert_eq!(filled.len(), RnnLimits::FILL_CANDIDATES);
        assert!(filled.windows(2).all(|w| w[0].log_prob >= w[1].log_prob));
        println!("{filled:?}");
        assert_eq!(filled[0].position, 2, "the verb is missing after the subject: {:?}", filled[0]);
        assert!(matches!(
            session.sample("x", 10, 0.0, 1),
            Err(RnnSessionError::Limit(Violation { field, bound: Bound::Min(_), .. })) if field == "temperature"
        ));
    }

    #[test]
    fn every_answer_crosses_to_the_page() {
        use crate::session::{Answer, Assets, Context, Session};
        use contract::rnn::protocol::{RnnProtocol, RnnReply, RnnRequest};
        use contract::FromEngine;
        let assets = Assets::default();
        let clock = || 0.0;
        let cx = Context { now_ms: &clock, assets: &assets };
        let spec = RnnLab { task: RnnTask::Language, span: 8, hidden: 8, ..RnnLab::default() };
        let (mut session, _) = RnnSession::start(spec, &cx).expect("starts");
        for request in [
            RnnRequest::Score { text: "the man pulled a cart".into() },
            RnnRequest::Sample { prompt: "the ".into(), length: 20, temperature: 1.0, seed: 3 },
            RnnRequest::FillIn { text: "the man a cart".into() },
        ] {
            let mut replies = Vec::new();
            session.handle(request, &mut Answer::new(&cx, &mut |r| replies.push(r))).expect("answers");
            let reply = replies.pop().expect("a reply");
            let text = FromEngine::reply::<RnnProtocol>(1, &reply).to_json();
            let FromEngine::Reply { body, .. } = FromEngine::from_json(&text).expect("an envelope") else {
                panic!("a reply")
            };
            assert_eq!(body.read::<RnnReply>().expect("readable"), reply);
        }
    }

    #[test]
    fn other_tasks_say_what_these_need() {
        let session = RnnSession::new(&RnnLab::default()).expect("a valid spec");
        assert_eq!(session.score("the man"), Err(RnnSessionError::NotLanguageModel));
    }
}
