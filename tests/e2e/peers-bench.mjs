// The peer benchmark: our engine and TF.js's wasm backend (XNNPACK, SIMD, threads) multiply the
// same-sized matrices in the same page of the same headless Chromium, one after the other, and
// the ratio is printed as a Markdown table (../shared/perf/peers.md has the targets).
// Not a test (no timed assertions): run with `npm run bench:peers` after a release `trunk build`.
// tfjs-backend-wasm 4.22 sizes its pool as min(setThreadsCount(n), hardwareConcurrency / 2),
// so on 2 cores it would run 1 thread: as the shared peer harness does, the page reports twice
// its cores to TF.js before the backend starts (our engine's pool is already up by then), and
// the table prints the threads TF.js says it uses. TF.js is the union bundle (core, gradients):
// the training steps need its gradients.
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
    await tf.setBackend('wasm');
    await tf.ready();
    const out = { backend: tf.getBackend(), threads: tf.wasm.getThreadsCount(), results: {} };
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
  const cnn = ours['CNN training step, batch 64'];
  lines.push(`| CNN training step, batch 64 (examples/s) | ${cnn.one} | ${cnn.all} | — (TF.js 4.22 wasm has no Conv2DBackpropFilter) | |`);
  const ua = await page.evaluate(() => navigator.userAgent);
  const report = `${new Date().toISOString()}\n${ua}\n\n${lines.join('\n')}\n`;
  await writeArtifact('peers-bench.md', report);
  console.log(report);
  if (errors.length) console.log('page errors:', errors);
} finally {
  await browser.close();
  await server.close();
}
