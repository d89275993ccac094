//! The Transformer lab's tasks as token sequences: the vocabulary, seeded examples, typed
//! inputs read and answered, and how an example becomes what the model reads (`frame`).
//!
//! Every algorithmic example is "input = answer". The decoder reads the whole of it and, at
//! each position from "=" on, predicts the next token (so it writes the answer one token at a
//! time); the encoder reads "input = _ _ _" and fills every blank "_" at once. The language
//! model reads a window of characters and predicts each next one.

use super::InputError;
use contract::tfm::{Architecture, TfmLab, TfmTask, COUNT_LETTERS, MODULUS};
use tensor::rng::Rng;

/// Token ids of the digit tasks: the digits are their own ids.
const PLUS: usize = 10;
const EQUALS: usize = 11;
const BLANK: usize = 12;
const FIRST_LETTER: usize = 13;

/// The tokens' names, by id.
pub fn vocabulary(task: TfmTask) -> Vec<String> {
    match task {
        TfmTask::Language => data::language::ALPHABET
            .chars()
            .map(|c| match c {
                '\n' => "⏎".to_string(),
                ' ' => "␣".to_string(),
                c => c.to_string(),
            })
            .collect(),
        TfmTask::ModularAddition => (0..MODULUS)
            .map(|n| n.to_string())
            .chain(["+", "=", "_"].map(String::from))
            .collect(),
        _ => (0..10)
            .map(|d| d.to_string())
            .chain(["+", "=", "_"].map(String::from))
            .chain((0..COUNT_LETTERS).map(|i| char::from(b'a' + i as u8).to_string()))
            .collect(),
    }
}

/// (plus, equals, blank) of a task's vocabulary.
fn marks(task: TfmTask) -> (usize, usize, usize) {
    match task {
        TfmTask::ModularAddition => (MODULUS, MODULUS + 1, MODULUS + 2),
        _ => (PLUS, EQUALS, BLANK),
    }
}

/// The blank token: an encoder's answer slot, and a decoder's not yet written token.
pub fn blank(task: TfmTask) -> usize {
    marks(task).2
}

/// One algorithmic example (or the language model's window and the characters after it).
#[derive(Clone, Debug, PartialEq)]
pub struct Example {
    pub input: Vec<usize>,
    pub answer: Vec<usize>,
}

/// What the model reads and where it is asked to answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Framed {
    pub tokens: Vec<usize>,
    /// Positions whose prediction is scored, and the token each should predict.
    pub scored: Vec<(usize, usize)>,
}

/// The answer of an algorithmic task's input.
pub fn answer(task: TfmTask, input: &[usize]) -> Vec<usize> {
    match task {
        TfmTask::Copy => input.to_vec(),
        TfmTask::Reverse => input.iter().rev().copied().collect(),
        TfmTask::Sort => {
            let mut sorted = input.to_vec();
            sorted.sort_unstable();
            sorted
        }
        TfmTask::Count => input
            .iter()
            .map(|t| input.iter().filter(|u| *u == t).count())
            .collect(),
        TfmTask::Addition => {
            // a + b and the sum, every number least-significant digit first.
            let digits = input.len() / 2;
            let (a, b) = (&input[..digits], &input[digits + 1..]);
            let mut carry = 0;
            let mut sum = Vec::with_capacity(digits + 1);
            for (x, y) in a.iter().zip(b) {
                let s = x + y + carry;
                sum.push(s % 10);
                carry = s / 10;
            }
            sum.push(carry);
            sum
        }
        TfmTask::ModularAddition => vec![(input[0] + input[2]) % MODULUS],
        TfmTask::Language => Vec::new(),
    }
}

/// Two numbers to add modulo 23.
pub type Pair = (usize, usize);

/// The pairs (a, b) of modular addition the model trains on (`true`) or is tested on: a
/// seeded 70/30 split of all 23² pairs.
pub fn modular_split(seed: u64) -> (Vec<Pair>, Vec<Pair>) {
    let mut pairs: Vec<Pair> = (0..MODULUS)
        .flat_map(|a| (0..MODULUS).map(move |b| (a, b)))
        .collect();
    let mut rng = Rng::new(seed ^ 0x6d6f_6461_6464);
    for i in (1..pairs.len()).rev() {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        pairs.swap(i, j);
    }
    let test = pairs.split_off(pairs.len() - contract::tfm::held_out_pairs());
    (pairs, test)
}

/// A seeded stream of a task's examples.
pub struct Source {
    task: TfmTask,
    length: usize,
    rng: Rng,
    /// Modular addition: the pairs this stream draws from.
    pairs: Vec<Pair>,
    /// The language model: the corpus it cuts windows from.
    text: Vec<usize>,
}

/// Sentences in the language model's corpus (its held-out corpus, another seed, is as large).
pub const LM_SENTENCES: usize = 4000;

impl Source {
    /// The training stream (`held_out` false) or the held-out one of a spec.
    pub fn new(spec: &TfmLab, held_out: bool) -> Source {
        let seed = if held_out {
            spec.seed.wrapping_add(1000)
        } else {
            spec.seed
        };
        let (train, test) = if spec.task == TfmTask::ModularAddition {
            modular_split(spec.seed)
        } else {
            (Vec::new(), Vec::new())
        };
        let text = if spec.task == TfmTask::Language {
            data::language::corpus(LM_SENTENCES, seed)
                .chars()
                .filter_map(data::language::id)
                .collect()
        } else {
            Vec::new()
        };
        Source {
            task: spec.task,
            length: spec.length,
            rng: Rng::new(seed.wrapping_add(7)),
            pairs: if held_out { test } else { train },
            text,
        }
    }

    fn below(&mut self, n: usize) -> usize {
        (self.rng.next_u64() % n as u64) as usize
    }

    pub fn draw(&mut self) -> Example {
        let n = self.length;
        let input: Vec<usize> = match self.task {
            TfmTask::Copy | TfmTask::Reverse | TfmTask::Sort => {
                (0..n).map(|_| self.below(10)).collect()
            }
            TfmTask::Count => (0..n)
                .map(|_| FIRST_LETTER + self.below(COUNT_LETTERS))
                .collect(),
            TfmTask::Addition => {
                let mut digits: Vec<usize> = (0..2 * n + 1).map(|_| self.below(10)).collect();
                digits[n] = PLUS;
                digits
            }
            TfmTask::ModularAddition => {
                let pick = self.below(self.pairs.len());
                let (a, b) = self.pairs[pick];
                vec![a, MODULUS, b]
            }
            TfmTask::Language => {
                let at = self.below(self.text.len() - n - 1);
                return Example {
                    input: self.text[at..at + n].to_vec(),
                    answer: self.text[at + 1..at + n + 1].to_vec(),
                };
            }
        };
        Example {
            answer: answer(self.task, &input),
            input,
        }
    }

    /// Held-out modular addition has only so many pairs: the test set takes each once (at
    /// most `size`).
    pub fn test_set(&mut self, size: usize) -> Vec<Example> {
        if self.task == TfmTask::ModularAddition {
            return self
                .pairs
                .clone()
                .into_iter()
                .take(size)
                .map(|(a, b)| {
                    let input = vec![a, MODULUS, b];
                    Example {
                        answer: answer(self.task, &input),
                        input,
                    }
                })
                .collect();
        }
        (0..size).map(|_| self.draw()).collect()
    }
}

/// What the model reads for an example, and what it is scored on. `written`: the answer the
/// decoder reads after "=" (the right one when training, its own when it writes).
pub fn frame(task: TfmTask, architecture: Architecture, example: &Example, written: &[usize]) -> Framed {
    if task == TfmTask::Language {
        return Framed {
            tokens: example.input.clone(),
            scored: example.answer.iter().copied().enumerate().collect(),
        };
    }
    let (_, equals, blank) = marks(task);
    let n = example.input.len();
    let mut tokens = example.input.clone();
    tokens.push(equals);
    // The decoder predicts the answer's first token at "=" (position n), the encoder reads it
    // off the first blank after it; token k of the answer is scored k places on.
    let first = match architecture {
        Architecture::Decoder => {
            tokens.extend_from_slice(written);
            n
        }
        Architecture::Encoder => {
            tokens.extend(std::iter::repeat_n(blank, example.answer.len()));
            n + 1
        }
    };
    Framed {
        tokens,
        scored: example.answer.iter().enumerate().map(|(k, &a)| (first + k, a)).collect(),
    }
}

/// A typed input read as the task's tokens, with its answer; the message says what is wrong
/// with it.
pub fn read_input(spec: &TfmLab, text: &str) -> Result<Example, InputError> {
    let text: String = text.trim().to_lowercase();
    let n = spec.length;
    let digits = |s: &str, what: &'static str| -> Result<Vec<usize>, InputError> {
        s.chars()
            .map(|c| {
                c.to_digit(10)
                    .map(|d| d as usize)
                    .ok_or(InputError::NotADigit { c, what })
            })
            .collect()
    };
    let exactly = |got: usize, what: &'static str| -> Result<(), InputError> {
        if got == n {
            Ok(())
        } else {
            Err(InputError::WrongLength {
                expected: n,
                what,
                got,
            })
        }
    };
    let input = match spec.task {
        TfmTask::Copy | TfmTask::Reverse | TfmTask::Sort => {
            let d = digits(&text.replace(' ', ""), "the symbols")?;
            exactly(d.len(), "digits")?;
            d
        }
        TfmTask::Count => {
            let letters: Vec<usize> = text
                .chars()
                .filter(|c| !c.is_whitespace())
                .map(|c| match c {
                    'a'..='z' if (c as u8 - b'a') < COUNT_LETTERS as u8 => {
                        Ok(FIRST_LETTER + (c as u8 - b'a') as usize)
                    }
                    _ => Err(InputError::NotALetter(c)),
                })
                .collect::<Result<_, _>>()?;
            exactly(letters.len(), "letters")?;
            letters
        }
        TfmTask::Addition | TfmTask::ModularAddition => {
            let Some((a, b)) = text.replace(' ', "").split_once('+').map(|(a, b)| (a.to_string(), b.to_string())) else {
                return Err(InputError::NotASum);
            };
            if spec.task == TfmTask::ModularAddition {
                let number = |s: &str| {
                    s.parse::<usize>()
                        .ok()
                        .filter(|&v| v < MODULUS)
                        .ok_or_else(|| InputError::NotANumber(s.to_string()))
                };
                vec![number(&a)?, MODULUS, number(&b)?]
            } else {
                let pad = |s: &str| -> Result<Vec<usize>, InputError> {
                    let d = digits(s, "numbers")?;
                    if d.is_empty() || d.len() > n {
                        return Err(InputError::DigitCount {
                            number: s.to_string(),
                            length: n,
                        });
                    }
                    // Typed as people write numbers; read least-significant digit first.
                    let pad = n - d.len();
                    Ok(d.into_iter().rev().chain(std::iter::repeat_n(0, pad)).collect())
                };
                let mut input = pad(&a)?;
                input.push(PLUS);
                input.extend(pad(&b)?);
                input
            }
        }
        TfmTask::Language => {
            let ids = data::language::encode(&text).map_err(|unknown| {
                InputError::Unreadable(unknown.iter().take(5).collect())
            })?;
            if ids.is_empty() {
                return Err(InputError::Empty);
            }
            let ids: Vec<usize> = ids.into_iter().take(n).collect();
            return Ok(Example {
                answer: ids[1..].to_vec(),
                input: ids,
            });
        }
    };
    Ok(Example {
        answer: answer(spec.task, &input),
        input,
    })
}

/// How an input is written back in the input box.
pub fn write_input(task: TfmTask, input: &[usize], names: &[String]) -> String {
    let name = |t: &usize| names.get(*t).cloned().unwrap_or_default();
    match task {
        TfmTask::ModularAddition => format!("{}+{}", name(&input[0]), name(&input[2])),
        TfmTask::Language => input
            .iter()
            .map(|&t| data::language::ALPHABET.chars().nth(t).unwrap_or(' '))
            .collect(),
        _ => input.iter().map(name).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(task: TfmTask, length: usize) -> TfmLab {
        TfmLab {
            task,
            length,
            ..TfmLab::default()
        }
    }

    #[test]
    fn answers_and_frames_are_what_the_tasks_say() {
        let names = vocabulary(TfmTask::Reverse);
        let e = read_input(&spec(TfmTask::Reverse, 4), "1 2 3 4").unwrap();
        assert_eq!(e.answer, vec![4, 3, 2, 1]);
        assert_eq!(write_input(TfmTask::Reverse, &e.input, &names), "1234");
        let f = frame(TfmTask::Reverse, Architecture::Decoder, &e, &e.answer);
        assert_eq!(f.tokens, vec![1, 2, 3, 4, EQUALS, 4, 3, 2, 1]);
        assert_eq!(f.scored, vec![(4, 4), (5, 3), (6, 2), (7, 1)]);
        let f = frame(TfmTask::Reverse, Architecture::Encoder, &e, &[]);
        assert_eq!(f.tokens, vec![1, 2, 3, 4, EQUALS, BLANK, BLANK, BLANK, BLANK]);
        assert_eq!(f.scored[0], (5, 4));
        // 957 + 68 = 1025, every number least-significant digit first: 7590 + 8600 = 52010.
        let e = read_input(&spec(TfmTask::Addition, 4), "957+68").unwrap();
        assert_eq!(e.input, vec![7, 5, 9, 0, PLUS, 8, 6, 0, 0]);
        assert_eq!(e.answer, vec![5, 2, 0, 1, 0]);
        assert_eq!(
            read_input(&spec(TfmTask::Count, 5), "abcab").unwrap().answer,
            vec![2, 2, 1, 2, 2]
        );
        assert_eq!(
            read_input(&spec(TfmTask::ModularAddition, 6), "20+5").unwrap().answer,
            vec![2]
        );
        for t in TfmTask::ALL {
            let s = spec(*t, t.default_length());
            let e = Source::new(&s, false).draw();
            let f = frame(*t, Architecture::Decoder, &e, &e.answer);
            assert_eq!(f.tokens.len(), s.sequence_length(), "{t:?}");
            assert!(f.tokens.iter().all(|&x| x < t.vocabulary()), "{t:?}");
            assert_eq!(vocabulary(*t).len(), t.vocabulary());
        }
    }

    #[test]
    fn a_typed_input_that_does_not_fit_says_why() {
        let s = spec(TfmTask::Reverse, 6);
        assert_eq!(
            read_input(&s, "123"),
            Err(InputError::WrongLength {
                expected: 6,
                what: "digits",
                got: 3
            })
        );
        assert!(matches!(
            read_input(&s, "12345x"),
            Err(InputError::NotADigit { c: 'x', .. })
        ));
        let m = spec(TfmTask::ModularAddition, 6);
        assert_eq!(
            read_input(&m, "30+1"),
            Err(InputError::NotANumber("30".into()))
        );
        assert_eq!(read_input(&m, "30"), Err(InputError::NotASum));
        let lm = spec(TfmTask::Language, 32);
        assert_eq!(
            read_input(&lm, "the man 9"),
            Err(InputError::Unreadable("9".into()))
        );
    }

    #[test]
    fn modular_addition_never_tests_on_a_trained_pair() {
        let (train, test) = modular_split(1);
        assert_eq!(train.len() + test.len(), MODULUS * MODULUS);
        assert!(test.iter().all(|p| !train.contains(p)));
    }
}
