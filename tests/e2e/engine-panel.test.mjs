// The Engine panel as a user meets it: a cross-origin isolated page whose engine worker runs
// on every core with SIMD128, measures a matrix product live, survives a dead worker, and
// runs its single-threaded build, and says so plainly, when the page is served without the
// isolation headers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, openPage, screenshot, writeArtifact, sharedBrowser } from './harness.mjs';

const shared = sharedBrowser({ before, after });

const READY_TIMEOUT = 60_000; // a cold wasm compile of two modules on a loaded 2-core machine
const MEASURE_TIMEOUT = 120_000;

test('the engine worker runs on every core with SIMD128 and measures a matrix product', async () => {
  const { page, errors } = await openPage(shared.browser.context, `${shared.server.url}#engine`);
  assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
  await page.getByTestId('engine-status').filter({ hasText: 'ready' }).waitFor({ timeout: READY_TIMEOUT });

  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  assert.equal((await page.getByTestId('threads').textContent()).trim(), `${cores} of ${cores} logical cores`);
  assert.equal(await page.getByTestId('simd').textContent(), 'on');
  assert.equal(await page.getByTestId('shared-memory').textContent(), 'yes');
  assert.equal(await page.locator('#boot-not-isolated').isVisible(), false);

  await page.getByTestId('size').selectOption('256');
  await page.getByTestId('measure').click();
  const summary = page.getByTestId('summary');
  await summary.waitFor({ timeout: MEASURE_TIMEOUT });
  const text = await summary.textContent();
  const match = text.match(/^256×256: ([\d.]+) GFLOP\/s on 1 thread, ([\d.]+) GFLOP\/s on (\d+) threads \(speed-up ([\d.]+)×\)$/);
  assert.ok(match, `summary reads as a measurement: "${text}"`);
  assert.ok(Number(match[1]) > 0 && Number(match[2]) > 0, text);
  assert.equal(Number(match[3]), cores);

  const row = page.getByTestId('results').locator('tbody tr').first();
  const cells = await row.locator('td').allTextContents();
  assert.equal(cells[0], '256 × 256');
  assert.equal(cells[6], 'yes', 'the 1-thread and all-thread products are bit-identical');
  assert.ok(Number(cells[7]) < 1e-5, `error against the scalar oracle is small: ${cells[7]}`);
  await page.getByTestId('measure').filter({ hasText: /^Measure$/ }).waitFor();

  await screenshot(page, 'engine-panel.png');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the main thread stays responsive while the engine measures', async () => {
  const { page, errors } = await openPage(shared.browser.context, `${shared.server.url}#engine`);
  await page.getByTestId('engine-status').filter({ hasText: 'ready' }).waitFor({ timeout: READY_TIMEOUT });
  await page.getByTestId('size').selectOption('1024');
  await page.getByTestId('measure').click();
  await page.getByTestId('measure').filter({ hasText: 'Measuring 1024×1024…' }).waitFor();
  // While the worker is busy, the page still renders frames and answers input.
  const frames = await page.evaluate(
    () => new Promise((resolve) => {
      let n = 0;
      const tick = () => (++n === 10 ? resolve(n) : requestAnimationFrame(tick));
      requestAnimationFrame(tick);
    }),
  );
  assert.equal(frames, 10);
  assert.equal(await page.getByTestId('measure').isDisabled(), true, 'still measuring after 10 frames');
  await page.getByTestId('size').selectOption('128');
  assert.equal(await page.getByTestId('size').inputValue(), '128');
  await page.getByTestId('summary').waitFor({ timeout: MEASURE_TIMEOUT });
  assert.match(await page.getByTestId('summary').textContent(), /^1024×1024: /);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a worker that dies is reported, and the engine can be restarted', async () => {
  // Serve a worker script that throws at start, as a crashed engine would.
  await shared.browser.context.route('**/engine-worker.js', (route) =>
    route.fulfill({
      contentType: 'text/javascript',
      headers: { 'Cross-Origin-Embedder-Policy': 'require-corp' },
      body: "throw new Error('simulated engine crash');",
    }),
  );
  const { page } = await openPage(shared.browser.context, `${shared.server.url}#engine`);
  await page.getByTestId('engine-status').filter({ hasText: 'stopped — the engine worker died' }).waitFor({ timeout: READY_TIMEOUT });
  assert.equal(await page.getByTestId('measure').isDisabled(), true);
  await shared.browser.context.unroute('**/engine-worker.js');
  await page.getByRole('button', { name: 'Restart engine' }).click();
  await page.getByTestId('engine-status').filter({ hasText: 'ready' }).waitFor({ timeout: READY_TIMEOUT });
  assert.equal(await page.getByTestId('measure').isDisabled(), false);
  await page.close();
});

test('without the isolation headers the engine runs on one thread and the page says why and how to serve it', async () => {
  const plain = await serveDist({ isolated: false });
  try {
    const { page, errors } = await openPage(shared.browser.context, `${plain.url}#engine`);
    assert.equal(await page.evaluate(() => self.crossOriginIsolated), false);
    const notice = page.locator('#boot-not-isolated');
    await notice.waitFor({ state: 'visible' });
    const text = await notice.textContent();
    assert.match(text, /not cross-origin isolated/);
    assert.match(text, /Cross-Origin-Opener-Policy: same-origin/);
    assert.match(text, /Cross-Origin-Embedder-Policy: require-corp/);
    assert.match(text, /Running on one thread/);
    // The single-threaded build starts, says what it is, and measures.
    await page.getByTestId('engine-status').filter({ hasText: 'ready' }).waitFor({ timeout: READY_TIMEOUT });
    assert.match(await page.getByTestId('engine-build').textContent(), /^single-threaded/);
    assert.equal(await page.getByTestId('shared-memory').textContent(), 'no');
    await page.getByTestId('size').selectOption('256');
    await page.getByTestId('measure').click();
    const summary = page.getByTestId('summary');
    await summary.waitFor({ timeout: MEASURE_TIMEOUT });
    assert.match(await summary.textContent(), /^256×256: [\d.]+ GFLOP\/s on 1 thread, [\d.]+ GFLOP\/s on the whole pool \(1 thread\)/);
    assert.equal((await page.getByTestId('results').locator('tbody tr').first().locator('td').allTextContents())[6], 'yes');
    await screenshot(page, 'not-isolated.png');
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await plain.close();
  }
});

test('the benchmark suite fills its table with every workload on 1 and all threads', async () => {
  const { page, errors } = await openPage(shared.browser.context, `${shared.server.url}#engine`);
  await page.getByTestId('engine-status').filter({ hasText: 'ready' }).waitFor({ timeout: READY_TIMEOUT });
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  await page.getByTestId('run-suite').click();
  await page.getByTestId('run-suite').filter({ hasText: 'Running the suite…' }).waitFor();
  await page.getByTestId('run-suite').filter({ hasText: 'Run benchmark suite' }).waitFor({ timeout: 300_000 });
  const rows = await page.getByTestId('suite').locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
  );
  assert.equal(rows.length, 17, '4 sizes × 3 transpositions, the reference product, the CNN, MLP, LSTM and Transformer steps');
  for (const [workload, one, all, speedup, unit] of rows) {
    assert.ok(Number(one) > 0 && Number(all) > 0, `${workload}: ${one} / ${all}`);
    assert.match(speedup, /^\d+\.\d\d×$/);
    assert.ok(unit === 'GFLOP/s' || unit === 'examples/s', unit);
  }
  assert.deepEqual(rows.map((r) => r[0]).slice(0, 3), ['matmul A·B, N = 128', 'matmul A·Bᵀ, N = 128', 'matmul Aᵀ·B, N = 128']);
  assert.equal(rows[12][0], 'reference: matrixmultiply A·B, N = 512');
  assert.equal(rows[13][0], 'CNN training step, batch 64');
  assert.equal(rows[14][0], 'MLP 784-256-256-10 training step, batch 64');
  assert.equal(rows[15][0], 'LSTM 32→128 training step, sequence 32, batch 32');
  assert.equal(rows[16][0], 'Transformer block 64×4 heads, FF 256 training step, sequence 64, batch 16');
  assert.equal(await page.getByTestId('suite').locator('th').nth(2).textContent(), `${cores} threads`);
  // The table a README can quote, with the date and this machine's browser.
  const ua = await page.evaluate(() => navigator.userAgent);
  const table = ['| workload | 1 thread | ' + cores + ' threads | speed-up | unit |', '|---|---|---|---|---|']
    .concat(rows.map((r) => `| ${r.join(' | ')} |`)).join('\n');
  await writeArtifact('benchmark-suite.md', `${new Date().toISOString()}\n${ua}\n\n${table}\n`);
  await screenshot(page, 'benchmark-suite.png');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the bundled MNIST digits are served as a static file', async () => {
  const { page } = await openPage(shared.browser.context, `${shared.server.url}#engine`);
  const header = await page.evaluate(async () => {
    const bytes = new Uint8Array(await (await fetch('./data/mnist-10k.bin')).arrayBuffer());
    const view = new DataView(bytes.buffer);
    return { magic: new TextDecoder().decode(bytes.slice(0, 8)), count: view.getUint32(8, true), size: bytes.length };
  });
  assert.deepEqual(header, { magic: 'MNIST10K', count: 10000, size: 20 + 10000 + 10000 * 784 });
  await page.close();
});

test('first load and a warm reload: when the page answers, and when the engine is ready (reported)', async () => {
  const { page, errors } = await openPage(shared.browser.context, `${shared.server.url}#engine`);
  // The app has mounted (the labs' navigation is there to click) and the engine worker has
  // started its pool and answered: milliseconds since navigation, read off the page's clock.
  const times = async () => {
    const mounted = await page.waitForFunction(
      () => document.querySelector('nav.labs-nav a') && performance.now(),
      null,
      { timeout: READY_TIMEOUT, polling: 10 },
    );
    const ready = await page.waitForFunction(
      () => document.querySelector('[data-testid=engine-status]')?.textContent.includes('ready') && performance.now(),
      null,
      { timeout: READY_TIMEOUT, polling: 10 },
    );
    return [Math.round(await mounted.jsonValue()), Math.round(await ready.jsonValue())];
  };
  const [firstMounted, firstReady] = await times();
  await page.reload();
  const [warmMounted, warmReady] = await times();
  const sizes = await page.evaluate(() =>
    performance.getEntriesByType('resource')
      .filter((r) => r.name.endsWith('.wasm'))
      .map((r) => `${r.name.split('/').pop()}: ${r.encodedBodySize} bytes`),
  );
  await writeArtifact(
    'first-interactive.txt',
    `first load: navigation to the app mounted ${firstMounted} ms, to the engine ready ${firstReady} ms\n` +
      `warm reload: navigation to the app mounted ${warmMounted} ms, to the engine ready ${warmReady} ms\n` +
      `wasm transferred on the reload (0 when cached): ${sizes.join(', ')}\n`,
  );
  assert.ok(warmMounted > 0 && warmReady >= warmMounted);
  assert.deepEqual(errors, []);
  await page.close();
});
