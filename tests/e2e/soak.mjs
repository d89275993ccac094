// A soak (a tool, not a test: not in CI): trains the labs in headless Chromium for a long time,
// switching pages and pressing play/pause/reset over and over, and reports the memory of the
// engine's wasm memory and the main thread's JS heap over time.
//   node soak.mjs [minutes=60] [actions=1000]
// The verdict: after the warm-up (the first fifth), memory stays within 10% of where it was.
// The README's figures come from `node soak.mjs 60 1000`. PLAYGROUND_DIST serves another
// copy of dist/ (so a soak can run while the tree is rebuilt).
import { serveDist, launchBrowser, openPage, writeArtifact } from './harness.mjs';

const minutes = Number(process.argv[2] ?? 60);
const actions = Number(process.argv[3] ?? 1000);
const SAMPLE_MS = Math.min(30_000, (minutes * 60_000) / 40);

const server = await serveDist();
// Exact heap sizes, not the bucketed ones pages normally get.
const browser = await launchBrowser({ args: ['--enable-precise-memory-info'] });
const { page, errors } = await openPage(browser.context, `${server.url}#lab=cnn&v=1&epochs=30`);
await page.getByTestId('cnn-play').filter({ hasText: 'Pause' }).waitFor({ timeout: 120_000 });

// Each sample is taken after a full garbage collection (DevTools' HeapProfiler.collectGarbage):
// the JS heap then is what the page keeps alive, not where its sawtooth happens to be.
const devtools = await page.context().newCDPSession(page);

/** The engine's wasm memory (shared by its threads) and the main thread's JS heap, in bytes. */
async function memory() {
  const engine = page.workers().find((w) => w.url().endsWith('engine-worker.js'));
  await devtools.send('HeapProfiler.collectGarbage');
  return {
    wasm: engine ? await engine.evaluate(() => self.engineMemoryBytes?.() ?? 0) : 0,
    jsHeap: await page.evaluate(() => performance.memory.usedJSHeapSize),
  };
}

const steps = [
  async () => page.getByTestId('cnn-play').click(),
  async () => page.getByRole('link', { name: 'Optimizers' }).click(),
  async () => page.getByTestId('play').click(),
  async () => page.getByTestId('reset').click(),
  async () => page.getByRole('link', { name: 'Networks' }).click(),
  async () => page.getByTestId('net-play').click(),
  async () => page.getByTestId('output-points').click({ position: { x: 100, y: 120 } }),
  async () => page.getByTestId('net-reset').click(),
  async () => page.getByRole('link', { name: 'Engine' }).click(),
  async () => page.getByRole('link', { name: 'CNN' }).click(),
  async () => page.getByTestId('cnn-reset').click(),
  async () => page.getByTestId('cnn-play').click(),
];
const samples = [];
const start = Date.now();
const end = start + minutes * 60_000;
const gap = (minutes * 60_000) / actions;
let done = 0;
let nextSample = start;
while (Date.now() < end) {
  if (Date.now() >= nextSample) {
    const m = await memory();
    samples.push({ minute: (Date.now() - start) / 60_000, actions: done, ...m });
    console.log(`${samples.at(-1).minute.toFixed(1)} min, ${done} actions: wasm ${(m.wasm / 2 ** 20).toFixed(1)} MiB, JS heap ${(m.jsHeap / 2 ** 20).toFixed(1)} MiB`);
    nextSample += SAMPLE_MS;
  }
  try {
    await steps[done % steps.length]();
  } catch (err) {
    errors.push(`action ${done}: ${err.message.split('\n')[0]}`);
  }
  done += 1;
  await page.waitForTimeout(gap);
}
// Growth: the mean of the last fifth of the samples against the mean of the fifth after the
// warm-up (means, not single samples: the JS heap saws up and down between collections).
const fifth = Math.max(1, Math.floor(samples.length / 5));
const mean = (xs, key) => xs.reduce((a, s) => a + s[key], 0) / Math.max(1, xs.length);
const drift = (key) => mean(samples.slice(-fifth), key) / mean(samples.slice(fifth, 2 * fifth), key) - 1;
const report = {
  minutes,
  actions: done,
  samples,
  growthAfterWarmUp: { wasm: drift('wasm'), jsHeap: drift('jsHeap') },
  flat: drift('wasm') <= 0.1 && drift('jsHeap') <= 0.1,
  errors,
};
await writeArtifact('soak.json', JSON.stringify(report, null, 2));
console.log(`growth after warm-up: wasm ${(100 * report.growthAfterWarmUp.wasm).toFixed(1)}%, JS heap ${(100 * report.growthAfterWarmUp.jsHeap).toFixed(1)}%; errors: ${errors.length}`);
await browser.close();
await server.close();
process.exit(report.flat && errors.length === 0 ? 0 : 1);
