// The peer benchmark: our engine and TF.js's wasm backend (XNNPACK, SIMD, threads) multiply the
// same-sized matrices in the same page of the same headless Chromium, one after the other, and
// the ratio is printed as a Markdown table (../shared/perf/peers.md has the targets).
// Not a test (no timed assertions): run with `npm run bench:peers` after a release `trunk build`.
// Known gap: here TF.js reports 1 thread although the page is cross-origin isolated and
// WASM_HAS_MULTITHREAD_SUPPORT is true; the table says how many threads it really used.
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
  await page.addScriptTag({ url: '/node_modules/@tensorflow/tfjs-core/dist/tf-core.min.js' });
  await page.addScriptTag({ url: '/node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.min.js' });
  const peers = await page.evaluate(async (sizes) => {
    const tf = globalThis.tf;
    tf.wasm.setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
    tf.wasm.setThreadsCount(navigator.hardwareConcurrency);
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
    return out;
  }, SIZES);

  const lines = [
    `| workload | ours, 1 thread | ours, all threads | TF.js ${peers.backend}, ${peers.threads} thread(s) | ours (all) ÷ TF.js |`,
    '|---|---|---|---|---|',
  ];
  for (const [workload, tfjs] of Object.entries(peers.results)) {
    const o = ours[workload];
    lines.push(`| ${workload} (GFLOP/s) | ${o.one} | ${o.all} | ${tfjs.toFixed(1)} | ${(o.all / tfjs).toFixed(2)}× |`);
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
