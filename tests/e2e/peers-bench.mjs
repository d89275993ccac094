// The peer benchmark: our engine and TF.js's wasm backend (XNNPACK, SIMD, threads) multiply the
// same-sized matrices in the same page of the same headless Chromium, one after the other, and
// the ratio is printed as a Markdown table (../shared/perf/peers.md has the targets).
// Not a test (no timed assertions): run with `npm run bench:peers` after a release `trunk build`.
// tfjs-backend-wasm 4.22 sizes its pool as min(setThreadsCount(n), hardwareConcurrency / 2),
// so on 2 cores it would run 1 thread: as the shared peer harness does, the page reports twice
// its cores to TF.js before the backend starts (our engine's pool is already up by then), and
// the table prints the threads TF.js says it uses. TF.js is the union bundle (core, gradients):
// the training steps (MLP, LSTM, CNN, Transformer block, as bench.js builds them) need its
// gradients, and the CNN a filter gradient TF.js's wasm backend lacks (registered below).
import { serveDist, launchBrowser, openPage, writeArtifact } from './harness.mjs';

const SIZES = [128, 256, 512, 1024];
const server = await serveDist({ withPeers: true });
const browser = await launchBrowser();
try {
  const { page, errors } = await openPage(browser.context, `${server.url}#engine`);
  await page.getByTestId('engine-status').filter({ hasText: 'ready' }).waitFor({ timeout: 60_000 });

  // Ours: the Engine panel's suite (1 thread and all threads).
  await page.getByTestId('run-suite').click();
  await page.getByTestId('run-suite').filter({ hasText: 'Running the suite…' }).waitFor();
  await page.getByTestId('run-suite').filter({ hasText: 'Run benchmark suite' }).waitFor({ timeout: 300_000 });
  const ours = Object.fromEntries(
    await page.getByTestId('suite').locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => {
        const td = [...tr.querySelectorAll('td')].map((c) => c.textContent);
        return [td[0], { one: Number(td[1]), all: Number(td[2]) }];
      }),
    ),
  );

  // TF.js in the same page, on its threaded SIMD wasm backend.
  await page.addScriptTag({ url: '/node_modules/@tensorflow/tfjs/dist/tf.min.js' });
  await page.addScriptTag({ url: '/node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.min.js' });
  const peers = await page.evaluate(async (sizes) => {
    const tf = globalThis.tf;
    const cores = navigator.hardwareConcurrency;
    Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => 2 * cores });
    tf.wasm.setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
    tf.wasm.setThreadsCount(cores);
    // tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter, so it cannot train a conv net: as the
    // shared harness does (bench.js, registerWasmConv2DBackpropFilter), the filter gradient is
    // registered as dW = conv2d(xᵀ, dyᵀ) with the batch as the contracted channel, on wasm's own
    // Pad, Transpose and XNNPACK Conv2D kernels (NHWC, stride 1, dilation 1: all the CNN needs).
    const filterGradient = tf.getKernel('Conv2DBackpropFilter', 'wasm') ? 'native' : 'registered as bench.js does';
    if (!tf.getKernel('Conv2DBackpropFilter', 'wasm')) {
      tf.registerKernel({
        kernelName: 'Conv2DBackpropFilter',
        backendName: 'wasm',
        kernelFunc: ({ inputs, attrs }) => {
          const { x, dy } = inputs;
          const { strides, pad, dataFormat, dilations, filterShape } = attrs;
          const s = Array.isArray(strides) ? strides : [strides, strides];
          const d = dilations == null ? [1, 1] : Array.isArray(dilations) ? dilations : [dilations, dilations];
          if (s[0] !== 1 || s[1] !== 1 || d[0] !== 1 || d[1] !== 1 || (dataFormat && dataFormat !== 'NHWC')) {
            throw new Error('Conv2DBackpropFilter(wasm): only NHWC, stride 1, dilation 1');
          }
          const [kh, kw] = filterShape;
          let pt, pb, pl, pr;
          if (pad === 'valid') pt = pb = pl = pr = 0;
          else if (pad === 'same') {
            pt = Math.floor((kh - 1) / 2);
            pb = kh - 1 - pt;
            pl = Math.floor((kw - 1) / 2);
            pr = kw - 1 - pl;
          } else if (typeof pad === 'number') pt = pb = pl = pr = pad;
          else throw new Error(`Conv2DBackpropFilter(wasm): unsupported pad ${JSON.stringify(pad)}`);
          return tf.tidy(() => {
            const xp = tf.pad(x, [[0, 0], [pt, pb], [pl, pr], [0, 0]]);
            const xt = tf.transpose(xp, [3, 1, 2, 0]); // [Ci, Hp, Wp, B]
            const f = tf.transpose(dy, [1, 2, 0, 3]); // [Ho, Wo, B, Co]
            const r = tf.conv2d(xt, f, 1, 'valid'); // [Ci, kh, kw, Co]
            return tf.transpose(r, [1, 2, 0, 3]); // [kh, kw, Ci, Co]
          });
        },
      });
    }
    await tf.setBackend('wasm');
    await tf.ready();
    const out = { backend: tf.getBackend(), threads: tf.wasm.getThreadsCount(), filterGradient, results: {} };
    for (const n of sizes) {
      for (const [name, ta, tb] of [['A·B', false, false], ['A·Bᵀ', false, true], ['Aᵀ·B', true, false]]) {
        const a = tf.randomUniform([n, n], -1, 1);
        const b = tf.randomUniform([n, n], -1, 1);
        const run = async () => {
          const c = tf.matMul(a, b, ta, tb);
          await c.data();
          c.dispose();
        };
        await run();
        const samples = [];
        const until = performance.now() + 400;
        while (samples.length < 3 || (performance.now() < until && samples.length < 50)) {
          const t = performance.now();
          await run();
          samples.push(performance.now() - t);
        }
        samples.sort((x, y) => x - y);
        out.results[`matmul ${name}, N = ${n}`] = (2 * n ** 3) / (samples[samples.length >> 1] * 1e6);
        a.dispose();
        b.dispose();
      }
    }
    // Training steps as ../shared/perf/peerbench/www/bench.js defines them (its weights' scale,
    // other random values): median of up to 11 steps after 2 warm-ups, examples per second.
    const timeSteps = async (step, batch) => {
      step();
      step();
      const samples = [];
      const until = performance.now() + 5000;
      while (samples.length < 5 || (performance.now() < until && samples.length < 11)) {
        const t = performance.now();
        step();
        samples.push(performance.now() - t);
      }
      samples.sort((x, y) => x - y);
      return batch / (samples[samples.length >> 1] / 1e3);
    };
    const train = (opt, loss) => () => {
      const l = opt.minimize(loss, true);
      l.dataSync();
      l.dispose();
    };
    const glorot = (r, c, seed) =>
      tf.variable(tf.randomUniform([r, c], -Math.sqrt(6 / (r + c)), Math.sqrt(6 / (r + c)), 'float32', seed));
    {
      // MLP 784-256-256-10, ReLU, batch 64, SGD.
      const B = 64;
      const [w1, w2, w3] = [glorot(784, 256, 1), glorot(256, 256, 2), glorot(256, 10, 3)];
      const [b1, b2, b3] = [256, 256, 10].map((n) => tf.variable(tf.zeros([n])));
      const x = tf.randomUniform([B, 784], 0, 1, 'float32', 4);
      const y = tf.oneHot(tf.tensor1d(Array.from({ length: B }, (_, i) => (i * 7) % 10), 'int32'), 10);
      const loss = () => {
        const h1 = tf.relu(tf.add(tf.matMul(x, w1), b1));
        const h2 = tf.relu(tf.add(tf.matMul(h1, w2), b2));
        return tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(h2, w3), b3));
      };
      out.results[`MLP 784-256-256-10 training step, batch ${B}`] = await timeSteps(train(tf.train.sgd(0.01), loss), B);
    }
    {
      // LSTM 32→128, sequence 32, batch 32, a dense head to 10, SGD (bench.js's buildLSTM).
      const B = 32, T = 32, I = 32, H = 128;
      const kernel = glorot(I + H, 4 * H, 5);
      const bias = tf.variable(tf.zeros([4 * H]));
      const wd = glorot(H, 10, 6);
      const bd = tf.variable(tf.zeros([10]));
      const forgetBias = tf.scalar(1.0);
      const xs = Array.from({ length: T }, (_, t) => tf.randomUniform([B, I], -1, 1, 'float32', 100 + t));
      const y = tf.oneHot(tf.tensor1d(Array.from({ length: B }, (_, i) => (i * 3) % 10), 'int32'), 10);
      const loss = () => {
        let c = tf.zeros([B, H]);
        let h = tf.zeros([B, H]);
        for (let t = 0; t < T; t++) [c, h] = tf.basicLSTMCell(forgetBias, kernel, bias, xs[t], c, h);
        return tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(h, wd), bd));
      };
      out.results[`LSTM ${I}→${H} training step, sequence ${T}, batch ${B}`] = await timeSteps(train(tf.train.sgd(0.01), loss), B);
    }
    {
      // CNN conv5×5×8 → pool → conv5×5×16 → pool → dense10 on 28×28, batch 64, SGD (bench.js's
      // buildCNN; NHWC, He-uniform filters as bench.js scales them).
      const B = 64;
      const he = (shape, fanIn, seed) =>
        tf.variable(tf.randomUniform(shape, -Math.sqrt(6 / fanIn), Math.sqrt(6 / fanIn), 'float32', seed));
      const w1 = he([5, 5, 1, 8], 25, 7);
      const w2 = he([5, 5, 8, 16], 200, 8);
      const wd = he([784, 10], 784, 9);
      const [b1, b2, bd] = [8, 16, 10].map((n) => tf.variable(tf.zeros([n])));
      const x = tf.randomUniform([B, 28, 28, 1], 0, 1, 'float32', 11);
      const y = tf.oneHot(tf.tensor1d(Array.from({ length: B }, (_, i) => (i * 7) % 10), 'int32'), 10);
      const loss = () => {
        const h1 = tf.maxPool(tf.relu(tf.add(tf.conv2d(x, w1, 1, 'same'), b1)), 2, 2, 'valid'); // 14×14×8
        const h2 = tf.maxPool(tf.relu(tf.add(tf.conv2d(h1, w2, 1, 'same'), b2)), 2, 2, 'valid'); // 7×7×16
        return tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(tf.reshape(h2, [B, 784]), wd), bd));
      };
      out.results[`CNN training step, batch ${B}`] = await timeSteps(train(tf.train.sgd(0.01), loss), B);
    }
    {
      // Post-LN Transformer encoder block, width 64, 4 heads, feed-forward 256 (ReLU), 64
      // positions, mean over them, dense head to 10, batch 16, SGD (bench.js's buildTransformer).
      const B = 16, T = 64, D = 64, NH = 4, DH = D / NH, FF = 256;
      let seed = 300;
      const w = (r, c) => glorot(r, c, seed++);
      const z = (n) => tf.variable(tf.zeros([n]));
      const o = (n) => tf.variable(tf.ones([n]));
      const p = {
        Wq: w(D, D), bq: z(D), Wk: w(D, D), bk: z(D), Wv: w(D, D), bv: z(D), Wo: w(D, D), bo: z(D),
        g1: o(D), be1: z(D), W1: w(D, FF), b1: z(FF), W2: w(FF, D), b2: z(D), g2: o(D), be2: z(D),
        Wc: w(D, 10), bc: z(10),
      };
      const x2 = tf.randomUniform([B * T, D], -1, 1, 'float32', 399);
      const y = tf.oneHot(tf.tensor1d(Array.from({ length: B }, (_, i) => (i * 3) % 10), 'int32'), 10);
      const ln = (v, g, b) => {
        const { mean, variance } = tf.moments(v, -1, true);
        return tf.add(tf.mul(tf.mul(tf.sub(v, mean), tf.rsqrt(tf.add(variance, 1e-5))), g), b);
      };
      const heads = (v) => tf.transpose(tf.reshape(v, [B, T, NH, DH]), [0, 2, 1, 3]); // [B, NH, T, DH]
      const loss = () => {
        const q = heads(tf.add(tf.matMul(x2, p.Wq), p.bq));
        const k = heads(tf.add(tf.matMul(x2, p.Wk), p.bk));
        const v = heads(tf.add(tf.matMul(x2, p.Wv), p.bv));
        const att = tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(DH))); // [B, NH, T, T]
        const ctx = tf.reshape(tf.transpose(tf.matMul(att, v), [0, 2, 1, 3]), [B * T, D]);
        const h = ln(tf.add(x2, tf.add(tf.matMul(ctx, p.Wo), p.bo)), p.g1, p.be1);
        const f = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(h, p.W1), p.b1)), p.W2), p.b2);
        const out = ln(tf.add(h, f), p.g2, p.be2);
        const pooled = tf.mean(tf.reshape(out, [B, T, D]), 1);
        return tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(pooled, p.Wc), p.bc));
      };
      out.results[`Transformer block ${D}×${NH} heads, FF ${FF} training step, sequence ${T}, batch ${B}`] =
        await timeSteps(train(tf.train.sgd(0.01), loss), B);
    }
    return out;
  }, SIZES);

  const lines = [
    `| workload | ours, 1 thread | ours, all threads | TF.js ${peers.backend}, ${peers.threads} thread(s) | ours (all) ÷ TF.js |`,
    '|---|---|---|---|---|',
  ];
  for (const [workload, tfjs] of Object.entries(peers.results)) {
    const o = ours[workload];
    const unit = workload.startsWith('matmul') ? 'GFLOP/s' : 'examples/s';
    lines.push(`| ${workload} (${unit}) | ${o.one} | ${o.all} | ${tfjs.toFixed(1)} | ${(o.all / tfjs).toFixed(2)}× |`);
  }
  const reference = ours['reference: matrixmultiply A·B, N = 512'];
  const blocked = ours['matmul A·B, N = 512'];
  lines.push(
    '',
    `Our kernel against matrixmultiply alone (the engine's former kernel), A·B at N = 512 in the same page: ` +
      `${(blocked.one / reference.one).toFixed(2)}× on 1 thread (${blocked.one} vs ${reference.one} GFLOP/s), ` +
      `${(blocked.all / reference.all).toFixed(2)}× on all (${blocked.all} vs ${reference.all}).`,
  );
  lines.push('', `TF.js's Conv2DBackpropFilter on wasm: ${peers.filterGradient}.`);
  const ua = await page.evaluate(() => navigator.userAgent);
  const report = `${new Date().toISOString()}\n${ua}\n\n${lines.join('\n')}\n`;
  await writeArtifact('peers-bench.md', report);
  console.log(report);
  if (errors.length) console.log('page errors:', errors);
} finally {
  await browser.close();
  await server.close();
}
