//! Proven by training: the notes' attention model (bidirectional GRU encoder, GRU decoder with
//! additive attention, Bahdanau et al. 2015) learns the toy SVO → SOV translation and scores
//! BLEU ≥ 0.9 on held-out sentences; and batch normalisation speeds up a CNN's early training.
#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use data::mnist::{Mnist, Split};
use data::sampler::Sampler;
use data::translation::{Pair, Translation, BOS};
use nn::layers::{
    parameter_tensors, AdditiveAttention, BatchNorm, Bidirectional, Cell, CellKind, Conv2d,
    Embedding, Linear, Parameters,
};
use nn::metrics::bleu;
use nn::{Optimizer, OptimizerKind, Schedule};
use tensor::ops::conv::Conv2dOptions;
use tensor::ops::pool::Pool2dOptions;
use tensor::rng::Rng;
use tensor::{no_grad, Tensor};

struct Seq2Seq {
    src_embed: Embedding,
    tgt_embed: Embedding,
    encoder: Bidirectional,
    decoder: Cell,
    attention: AdditiveAttention,
    out: Linear,
    hidden: usize,
}

impl Seq2Seq {
    fn new(src_vocab: usize, tgt_vocab: usize, rng: &mut Rng) -> Seq2Seq {
        let (emb, enc, hidden) = (24, 32, 64);
        Seq2Seq {
            src_embed: Embedding::new(src_vocab, emb, rng),
            tgt_embed: Embedding::new(tgt_vocab, emb, rng),
            encoder: Bidirectional {
                forward: Cell::new(CellKind::GruFull, "enc.f", emb, enc, rng),
                backward: Cell::new(CellKind::GruFull, "enc.b", emb, enc, rng),
            },
            decoder: Cell::new(CellKind::GruFull, "dec", emb + 2 * enc, hidden, rng),
            attention: AdditiveAttention::new("att", hidden, 2 * enc, 32, rng),
            out: Linear::new(hidden + 2 * enc, tgt_vocab, false, rng),
            hidden,
        }
    }

    fn params(&self) -> Vec<Tensor> {
        parameter_tensors(&[
            &self.src_embed,
            &self.tgt_embed,
            &self.encoder,
            &self.decoder,
            &self.attention,
            &self.out,
        ])
    }

    /// Encoder states [batch, len, 2·enc] for sources of one length.
    fn encode(&self, sources: &[&[usize]]) -> Tensor {
        let len = sources[0].len();
        let xs: Vec<Tensor> = (0..len)
            .map(|t| {
                self.src_embed
                    .forward(&sources.iter().map(|s| s[t]).collect::<Vec<_>>())
                    .unwrap()
            })
            .collect();
        let states = self.encoder.run(&xs).unwrap();
        let refs: Vec<&Tensor> = states.iter().collect();
        Tensor::stack(&refs, 1).unwrap()
    }

    /// One decoder step: previous tokens and state → (logits, new state).
    fn decode_step(
        &self,
        prev: &[usize],
        state: &nn::layers::State,
        memory: &Tensor,
    ) -> (Tensor, nn::layers::State) {
        let (context, _) = self.attention.forward(&state.h, memory).unwrap();
        let input = Tensor::concat(&[&self.tgt_embed.forward(prev).unwrap(), &context], 1).unwrap();
        let next = self.decoder.step(&input, state).unwrap();
        let logits = self
            .out
            .forward(&Tensor::concat(&[&next.h, &context], 1).unwrap())
            .unwrap();
        (logits, next)
    }

    /// Teacher-forced loss over a batch of pairs of equal lengths.
    fn loss(&self, batch: &[&Pair]) -> Tensor {
        let memory = self.encode(
            &batch
                .iter()
                .map(|p| p.source.as_slice())
                .collect::<Vec<_>>(),
        );
        let mut state = self.decoder.zero_state(batch.len());
        let mut prev = vec![BOS; batch.len()];
        let mut all_logits = Vec::new();
        let mut targets = Vec::new();
        for t in 0..batch[0].target.len() {
            let (logits, next) = self.decode_step(&prev, &state, &memory);
            all_logits.push(logits);
            state = next;
            prev = batch.iter().map(|p| p.target[t]).collect();
            targets.extend(prev.iter().copied());
        }
        // Rows ordered (t, batch) to match `targets`.
        let refs: Vec<&Tensor> = all_logits.iter().collect();
        Tensor::concat(&refs, 0)
            .unwrap()
            .cross_entropy(&targets, None)
            .unwrap()
    }

    /// Greedy translation of sources of one length, up to `max_len` tokens.
    fn translate(&self, sources: &[&[usize]], max_len: usize) -> Vec<Vec<usize>> {
        no_grad(|| {
            let memory = self.encode(sources);
            let mut state = self.decoder.zero_state(sources.len());
            let mut prev = vec![BOS; sources.len()];
            let mut out = vec![Vec::new(); sources.len()];
            for _ in 0..max_len {
                let (logits, next) = self.decode_step(&prev, &state, &memory);
                state = next;
                prev = logits.argmax(1).unwrap();
                for (o, &p) in out.iter_mut().zip(&prev) {
                    o.push(p);
                }
            }
            out
        })
    }
}

/// Pairs grouped by (source, target) length, so batches need no padding.
fn buckets(pairs: &[Pair]) -> Vec<Vec<&Pair>> {
    let mut groups: Vec<Vec<&Pair>> = Vec::new();
    for p in pairs {
        match groups
            .iter_mut()
            .find(|g| g[0].source.len() == p.source.len() && g[0].target.len() == p.target.len())
        {
            Some(g) => g.push(p),
            None => groups.push(vec![p]),
        }
    }
    groups
}

#[test]
fn bahdanau_attention_translates_held_out_sentences_with_bleu_above_0_9() {
    let data = Translation::new(31);
    let mut rng = Rng::new(32);
    let model = Seq2Seq::new(data.source_vocab.len(), data.target_vocab.len(), &mut rng);
    assert_eq!(model.hidden, 64);
    let params = model.params();
    let train = buckets(&data.train);
    let mut samplers: Vec<Sampler> = train
        .iter()
        .enumerate()
        .map(|(i, g)| Sampler::new(g.len(), 32, false, 40 + i as u64))
        .collect();
    let steps = 900;
    let mut opt = Optimizer::new(
        OptimizerKind::adam(),
        Schedule::LinearDecay {
            lr0: 5e-3,
            lr_final: 5e-4,
            steps,
        },
    )
    .with_clip(nn::Clip::GlobalNorm { max_norm: 5.0 });
    for step in 0..steps {
        let g = step % train.len();
        let batch: Vec<&Pair> = samplers[g]
            .next_batch()
            .iter()
            .map(|&i| train[g][i])
            .collect();
        let mut grads = model.loss(&batch).backward().unwrap();
        opt.step(&params, &mut grads).unwrap();
    }
    let mut total = 0.0;
    for group in buckets(&data.test) {
        let sources: Vec<&[usize]> = group.iter().map(|p| p.source.as_slice()).collect();
        let outputs = model.translate(&sources, group[0].target.len() + 2);
        for (pair, out) in group.iter().zip(outputs) {
            let (hyp, reference) = (
                data.target_vocab.decode(&out),
                data.target_vocab.decode(&pair.target),
            );
            total += bleu(&hyp, &[&reference], 4);
        }
    }
    let score = total / data.test.len() as f64;
    println!(
        "Bahdanau seq2seq, {} held-out sentences: mean BLEU-4 {score:.4}",
        data.test.len()
    );
    assert!(score >= 0.9, "BLEU {score}");
}

/// A small CNN with and without batch normalisation, same initial weights, same batches, same
/// SGD: after 60 steps the normalised one's training loss is clearly lower.
#[test]
fn batch_norm_speeds_up_a_cnn_s_early_training() {
    let mnist = Mnist::load_bundled().unwrap();
    let train = mnist.split(Split::Train);
    let same = Conv2dOptions {
        padding: (2, 2),
        ..Conv2dOptions::default()
    };
    let run = |with_bn: bool| {
        let mut rng = Rng::new(51);
        let (c1, c2) = (
            Conv2d::new(1, 8, 5, same, &mut rng),
            Conv2d::new(8, 16, 5, same, &mut rng),
        );
        let dense = Linear::new(16 * 7 * 7, 10, false, &mut rng);
        let (bn1, bn2) = (BatchNorm::new(8), BatchNorm::new(16));
        let mut layers: Vec<&dyn Parameters> = vec![&c1, &c2, &dense];
        if with_bn {
            layers.extend([&bn1 as &dyn Parameters, &bn2]);
        }
        let params = parameter_tensors(&layers);
        let norm = |bn: &BatchNorm, x: Tensor| {
            if with_bn {
                bn.forward(&x, true).unwrap()
            } else {
                x
            }
        };
        let mut opt = Optimizer::new(OptimizerKind::Sgd, Schedule::Constant { lr: 0.05 });
        let mut sampler = Sampler::new(train.len(), 64, false, 52);
        let mut late = 0.0;
        for step in 0..60 {
            let (images, labels) = mnist.batch(&sampler.next_batch()).unwrap();
            let h = norm(&bn1, c1.forward(&images).unwrap())
                .relu()
                .max_pool2d(Pool2dOptions::square(2))
                .unwrap();
            let h = norm(&bn2, c2.forward(&h).unwrap())
                .relu()
                .max_pool2d(Pool2dOptions::square(2))
                .unwrap();
            let logits = dense
                .forward(&h.reshape(&[labels.len(), 16 * 7 * 7]).unwrap())
                .unwrap();
            let loss = logits.cross_entropy(&labels, None).unwrap();
            if step >= 40 {
                late += loss.item().unwrap() / 20.0;
            }
            let mut grads = loss.backward().unwrap();
            opt.step(&params, &mut grads).unwrap();
        }
        late
    };
    let (plain, normalised) = (run(false), run(true));
    println!("mean training loss over steps 40-60: without BN {plain:.3}, with BN {normalised:.3}");
    assert!(normalised < 0.8 * plain, "BN {normalised} vs plain {plain}");
}
