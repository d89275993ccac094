// The app on a static host. With the header file hosts read, `dist/` carries COOP/COEP and its
// content policy itself; on a plain server that sends no headers at all, every lab runs on the
// engine's single-threaded build with the same numbers, the page says why, and on request a
// service worker adds the headers, reloads once and runs on every core.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DIST, serveDist, launchBrowser, openPage, screenshot, writeArtifact, settledNumbers } from './harness.mjs';
import { example } from './examples.mjs';

const READY = 60_000;
const TRAINING = 180_000;

test('dist ships the header file static hosts read', async () => {
  const headers = await fs.readFile(path.join(DIST, '_headers'), 'utf8');
  assert.match(headers, /^\/\*$/m);
  assert.match(headers, /^\s+Cross-Origin-Opener-Policy: same-origin$/m);
  assert.match(headers, /^\s+Cross-Origin-Embedder-Policy: require-corp$/m);
  await fs.access(path.join(DIST, 'coi-serviceworker.LICENSE'));
});

/** What a lab shows that depends on every number the engine computed: the optimizers' exact
 *  positions, the CNN's exact test accuracy and recent training loss, the Recurrent lab's exact
 *  held-out loss and accuracy at every evaluation (an LSTM trained beside an RNN and a GRU). */
async function netNumbers(page) {
  await page.getByTestId('net-epoch').filter({ hasText: '000,100' }).waitFor({ timeout: TRAINING });
  return page.getByTestId('net-test-loss').getAttribute('data-value');
}

async function mtNumbers(page) {
  await page.getByTestId('mt-status').filter({ hasText: 'step 60 of 60' }).waitFor({ timeout: TRAINING });
  return page.getByTestId('mt-curves').getAttribute('data-evaluations');
}

async function optimNumbers(page) {
  await page.waitForFunction(
    () => document.querySelector('[data-testid=step-count]')?.textContent === 'step k = 300',
    null,
    { timeout: READY },
  );
  return page.getByTestId('optim-results').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.point));
}

async function cnnNumbers(page) {
  await page.waitForFunction(
    () => document.querySelector('[data-testid=cnn-status]')?.textContent.startsWith('step 125 of 375'),
    null,
    { timeout: TRAINING },
  );
  return {
    accuracy: await page.getByTestId('test-accuracy').getAttribute('data-value'),
    loss: await page.getByTestId('cnn-train-loss').getAttribute('data-value'),
  };
}

async function rnnNumbers(page) {
  await page.getByTestId('rnn-status').filter({ hasText: 'step 200 of 200' }).waitFor({ timeout: TRAINING });
  const evaluations = await page.getByTestId('rnn-curves').getAttribute('data-evaluations');
  assert.equal(evaluations.split(',').length, 9, 'steps 0, 25, …, 200');
  return evaluations;
}

async function tfmNumbers(page) {
  await page.getByTestId('tfm-status').filter({ hasText: 'step 150 of 150' }).waitFor({ timeout: TRAINING });
  const evaluations = await page.getByTestId('tfm-curves').getAttribute('data-evaluations');
  assert.equal(evaluations.split(',').length, 7, 'steps 0, 25, …, 150');
  return evaluations;
}

async function engineFacts(page, url) {
  await page.goto(url);
  await page.getByTestId('engine-status').filter({ hasText: 'ready' }).waitFor({ timeout: READY });
  return {
    build: await page.getByTestId('engine-build').textContent(),
    threads: (await page.getByTestId('threads').textContent()).trim(),
    cores: await page.evaluate(() => navigator.hardwareConcurrency),
  };
}

test('with the header file a host reads, the page is isolated, threaded, and within its policy', async () => {
  const server = await serveDist({ headerFile: true });
  const browser = await launchBrowser();
  try {
    const { page, errors } = await openPage(browser.context, `${server.url}#lab=optim&v=1&at=300`);
    await optimNumbers(page);
    assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
    assert.equal(await page.locator('#boot-not-isolated').isVisible(), false);
    // The thread pool's workers start from blob: copies of their script: the policy allows it.
    const facts = await engineFacts(page, `${server.url}#engine`);
    assert.match(facts.build, /^threaded/);
    assert.equal(facts.threads, `${facts.cores} of ${facts.cores} logical cores`);
    assert.deepEqual(errors, [], 'nothing violates the policy the header file sends');
    await page.close();
  } finally {
    await browser.close();
    await server.close();
  }
});

test('on a server that sends no headers, every lab runs on one thread with every number the same', async () => {
  const isolated = await serveDist();
  const plain = await serveDist({ isolated: false });
  const browser = await launchBrowser();
  try {
    const links = [
      ['#lab=optim&v=1&problem=regression&opt=gd,sgd,minibatch,adam&at=300', optimNumbers],
      ['#' + example('net', 'spiral-deep').link.replace('at=300', 'at=100'), netNumbers],
      ['#' + example('cnn', 'digit').link, cnnNumbers],
      ['#lab=rnn&v=1&span=20&cmp=1&steps=200&at=200', rnnNumbers],
      ['#lab=tfm&v=1&vs=1&steps=150&at=150', tfmNumbers],
      ['#lab=mt&v=1&steps=60&at=60', mtNumbers],
    ];
    // The pool has threads to differ with: at least two here.
    const panel = await openPage(browser.context, `${isolated.url}#engine`);
    const pool = await engineFacts(panel.page, `${isolated.url}#engine`);
    assert.ok(Number(pool.threads.split(' ')[0]) >= 2, `the pool's threads: ${pool.threads}`);
    await panel.page.close();
    const counted = [];
    for (const [link, numbers] of links) {
      const threaded = await openPage(browser.context, `${isolated.url}${link}`);
      const expected = { own: await numbers(threaded.page), all: await settledNumbers(threaded.page) };
      await threaded.page.close();
      assert.ok(expected.all.length >= 4, `${link}: the page reports its numbers (${expected.all.length})`);
      counted.push(`${link}: ${expected.all.length} reported values compared`);
      const single = await openPage(browser.context, `${plain.url}${link}`);
      assert.equal(await single.page.evaluate(() => self.crossOriginIsolated), false);
      const got = { own: await numbers(single.page), all: await settledNumbers(single.page) };
      assert.deepEqual(got, expected, `${link}: one thread, the same numbers`);
      assert.deepEqual(single.errors, []);
      await single.page.close();
    }
    await writeArtifact('static-host-determinism.txt', `pool: ${pool.threads}\n${counted.join('\n')}\n`);
    // The page says what runs, and why, in words; the notice offers threads.
    const { page, errors } = await openPage(browser.context, `${plain.url}#engine`);
    await page.locator('#boot-not-isolated').filter({ hasText: 'Running on one thread' }).waitFor({ timeout: READY });
    const facts = await engineFacts(page, `${plain.url}#engine`);
    assert.match(facts.build, /^single-threaded/);
    assert.equal(facts.threads, `1 of ${facts.cores} logical cores`);
    assert.match(await page.getByTestId('why-single-threaded').textContent(), /not cross-origin isolated/);
    await screenshot(page, 'static-host-one-thread.png');
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await browser.close();
    await isolated.close();
    await plain.close();
  }
});

test('a content security policy lets the page run and stops injected scripts', async () => {
  // Every other test fails on a console error, so a violation by the page's own code fails
  // the suite; here a script injected as an attacker would is refused.
  const server = await serveDist();
  const browser = await launchBrowser();
  try {
    const { page, errors } = await openPage(browser.context, `${server.url}#lab=optim&v=1&at=5`);
    await page.waitForFunction(
      () => document.querySelector('[data-testid=step-count]')?.textContent === 'step k = 5',
      null,
      { timeout: READY },
    );
    const policy = await page.locator('meta[http-equiv=Content-Security-Policy]').getAttribute('content');
    assert.match(policy, /script-src 'self' 'wasm-unsafe-eval' 'sha256-[^']+'(;|$)/);
    assert.deepEqual(errors, [], 'the page itself violates nothing');
    const outcome = await page.evaluate(
      () =>
        new Promise((resolve) => {
          document.addEventListener('securitypolicyviolation', (e) => resolve({ ran: !!window.injected, blocked: e.violatedDirective }));
          const s = document.createElement('script');
          s.textContent = 'window.injected = true';
          document.body.append(s);
        }),
    );
    assert.deepEqual(outcome, { ran: false, blocked: 'script-src-elem' });
    await page.close();
  } finally {
    await browser.close();
    await server.close();
  }
});

test('on a server that sends no headers, one click and one reload give every core', async () => {
  const plain = await serveDist({ isolated: false });
  // A browser of its own: the service worker must not outlive this test.
  const browser = await launchBrowser();
  try {
    const { page, errors } = await openPage(browser.context, `${plain.url}#lab=optim&v=1&at=300`);
    assert.equal(await page.evaluate(() => self.crossOriginIsolated), false);
    const enable = page.locator('#boot-enable-threads');
    await enable.waitFor({ state: 'visible' });
    await Promise.all([page.waitForEvent('load', { timeout: READY }), enable.click()]);
    await page.waitForFunction(() => self.crossOriginIsolated === true, null, { timeout: READY });
    assert.equal(await page.locator('#boot-not-isolated').isVisible(), false);
    // The whole lab works: a link replays to its step on the engine's threads. (The reload
    // opened the address bar's link, which no longer asks for a step: the one-thread run had
    // replayed it already.)
    await page.goto(`${plain.url}#lab=optim&v=1&at=300`);
    await optimNumbers(page);
    const facts = await engineFacts(page, `${plain.url}#engine`);
    assert.match(facts.build, /^threaded/);
    assert.equal(facts.threads, `${facts.cores} of ${facts.cores} logical cores`);
    assert.equal(await page.getByTestId('shared-memory').textContent(), 'yes');
    await screenshot(page, 'static-host-threads.png');
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await browser.close();
    await plain.close();
  }
});
