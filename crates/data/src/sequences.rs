//! Synthetic sequence tasks for recurrent nets and Transformers. Each example is an input token
//! sequence and a target token sequence over a small vocabulary; generation is seeded.
//!
//! Token ids: 0 is padding, 1 the separator "=", 2.. are the task's symbols.

use tensor::rng::Rng;

pub const PAD: usize = 0;
pub const SEP: usize = 1;
/// First id of the task symbols.
pub const FIRST_SYMBOL: usize = 2;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Task {
    /// Output the input unchanged.
    Copy,
    /// Output the input reversed.
    Reverse,
    /// Output the input sorted ascending.
    Sort,
    /// Two numbers in decimal digits, "a+b": output the sum's digits.
    Addition,
    /// The first symbol, then a span of distractors: output only the first symbol. The span's
    /// length sets how far back a memory must reach (vanilla RNNs fail as it grows).
    Recall,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Example {
    pub input: Vec<usize>,
    pub target: Vec<usize>,
}

/// Generates examples of one task: `length` input symbols drawn from `symbols` distinct ones.
pub struct SequenceTask {
    pub task: Task,
    pub length: usize,
    pub symbols: usize,
    rng: Rng,
}

impl SequenceTask {
    pub fn new(task: Task, length: usize, symbols: usize, seed: u64) -> SequenceTask {
        SequenceTask {
            task,
            length: length.max(1),
            symbols: symbols.max(2),
            rng: Rng::new(seed),
        }
    }

    /// Ids 0..vocab_size() cover every token this task emits.
    pub fn vocab_size(&self) -> usize {
        match self.task {
            // digits 0-9 and '+'
            Task::Addition => FIRST_SYMBOL + 11,
            _ => FIRST_SYMBOL + self.symbols,
        }
    }

    fn symbol(&mut self) -> usize {
        FIRST_SYMBOL + (self.rng.next_u64() % self.symbols as u64) as usize
    }

    pub fn example(&mut self) -> Example {
        match self.task {
            Task::Copy | Task::Reverse | Task::Sort => {
                let input: Vec<usize> = (0..self.length).map(|_| self.symbol()).collect();
                let mut target = input.clone();
                match self.task {
                    Task::Reverse => target.reverse(),
                    Task::Sort => target.sort_unstable(),
                    _ => {}
                }
                Example { input, target }
            }
            Task::Recall => {
                let input: Vec<usize> = (0..self.length).map(|_| self.symbol()).collect();
                Example {
                    target: vec![input[0]],
                    input,
                }
            }
            Task::Addition => {
                // `length` digits per operand at most.
                let digits = self.length.min(9) as u32;
                let limit = 10u64.pow(digits);
                let (a, b) = (self.rng.next_u64() % limit, self.rng.next_u64() % limit);
                let encode = |n: u64| {
                    n.to_string()
                        .bytes()
                        .map(|d| FIRST_SYMBOL + (d - b'0') as usize)
                        .collect::<Vec<_>>()
                };
                let mut input = encode(a);
                input.push(FIRST_SYMBOL + 10); // '+'
                input.extend(encode(b));
                Example {
                    input,
                    target: encode(a + b),
                }
            }
        }
    }

    pub fn batch(&mut self, size: usize) -> Vec<Example> {
        (0..size).map(|_| self.example()).collect()
    }
}

/// Pads sequences to one length with [`PAD`] (row-major [batch, len]).
pub fn pad(sequences: &[Vec<usize>]) -> (Vec<usize>, usize) {
    let len = sequences.iter().map(Vec::len).max().unwrap_or(0);
    let mut out = Vec::with_capacity(sequences.len() * len);
    for s in sequences {
        out.extend_from_slice(s);
        out.extend(std::iter::repeat_n(PAD, len - s.len()));
    }
    (out, len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tasks_produce_what_they_promise() {
        let mut rev = SequenceTask::new(Task::Reverse, 6, 8, 1);
        let e = rev.example();
        assert_eq!(e.target, e.input.iter().rev().copied().collect::<Vec<_>>());
        assert!(e
            .input
            .iter()
            .all(|&t| (FIRST_SYMBOL..rev.vocab_size()).contains(&t)));
        let mut sort = SequenceTask::new(Task::Sort, 6, 8, 2);
        let e = sort.example();
        assert!(e.target.windows(2).all(|w| w[0] <= w[1]));
        let mut recall = SequenceTask::new(Task::Recall, 30, 4, 3);
        let e = recall.example();
        assert_eq!((e.input.len(), e.target), (30, vec![e.input[0]]));
        let mut add = SequenceTask::new(Task::Addition, 3, 10, 4);
        for _ in 0..20 {
            let e = add.example();
            let text: String = e
                .input
                .iter()
                .map(|&t| {
                    if t == FIRST_SYMBOL + 10 {
                        '+'
                    } else {
                        (b'0' + (t - FIRST_SYMBOL) as u8) as char
                    }
                })
                .collect();
            let (a, b) = text.split_once('+').unwrap();
            let sum: u64 = a.parse::<u64>().unwrap() + b.parse::<u64>().unwrap();
            let got: String = e
                .target
                .iter()
                .map(|&t| (b'0' + (t - FIRST_SYMBOL) as u8) as char)
                .collect();
            assert_eq!(got, sum.to_string());
        }
    }

    #[test]
    fn padding_and_determinism() {
        let (flat, len) = pad(&[vec![5, 6], vec![7]]);
        assert_eq!((flat, len), (vec![5, 6, 7, PAD], 2));
        let a = SequenceTask::new(Task::Copy, 5, 6, 9).batch(3);
        let b = SequenceTask::new(Task::Copy, 5, 6, 9).batch(3);
        assert_eq!(a, b);
    }
}
