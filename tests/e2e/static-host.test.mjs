// The app on a static host. With the header file hosts read, `dist/` carries COOP/COEP itself;
// on a plain server that sends no headers at all, the page says what is missing and, on
// request, installs a service worker that adds them, reloads once and runs on every core.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DIST, serveDist, launchBrowser, openPage, screenshot } from './harness.mjs';

const READY = 60_000;

test('dist ships the header file static hosts read', async () => {
  const headers = await fs.readFile(path.join(DIST, '_headers'), 'utf8');
  assert.match(headers, /^\/\*$/m);
  assert.match(headers, /^\s+Cross-Origin-Opener-Policy: same-origin$/m);
  assert.match(headers, /^\s+Cross-Origin-Embedder-Policy: require-corp$/m);
  await fs.access(path.join(DIST, 'coi-serviceworker.LICENSE'));
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
    // The whole lab works: the link replays to its step on the engine's threads.
    await page.waitForFunction(
      () => document.querySelector('[data-testid=step-count]')?.textContent === 'step k = 300',
      null,
      { timeout: READY },
    );
    await page.goto(`${plain.url}#engine`);
    await page.getByTestId('engine-status').filter({ hasText: 'ready' }).waitFor({ timeout: READY });
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    assert.equal((await page.getByTestId('threads').textContent()).trim(), `${cores} of ${cores} logical cores`);
    assert.equal(await page.getByTestId('shared-memory').textContent(), 'yes');
    await screenshot(page, 'static-host-threads.png');
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await browser.close();
    await plain.close();
  }
});
