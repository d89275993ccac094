// Debian's Firefox ESR, driven over WebDriver BiDi (puppeteer-core with the Debian executable;
// Playwright drives only its own patched Firefox, and plain puppeteer downloads a browser):
// every lab opens isolated on the engine's threads, trains a short link to its step, and
// reports every number as Chromium does (the same wasm, so the same floats).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { openPage, serveDist, settledNumbers, sharedBrowser, writeArtifact } from './harness.mjs';

const FIREFOX = '/usr/bin/firefox-esr';
const TRAINING = 240_000;
const shared = sharedBrowser({ before, after });

/** One short link per lab and the status its step shows. */
const LINKS = [
  ['lab=optim&v=1&problem=regression&opt=gd,sgd,minibatch,adam&at=300', 'step-count', 'step k = 300'],
  ['lab=net&v=1&data=spiral&layers=8,8,8,8&act=relu&opt=adam&at=50', 'net-epoch', '000,050'],
  ['lab=cnn&v=1&digit=7&at=60', 'cnn-status', 'step 60 of'],
  ['lab=rnn&v=1&span=20&steps=100&at=100', 'rnn-status', 'step 100 of 100'],
  ['lab=tfm&v=1&steps=100&at=100', 'tfm-status', 'step 100 of 100'],
  ['lab=mt&v=1&steps=40&at=40', 'mt-status', 'step 40 of 40'],
];

async function reach(page, testid, text) {
  await page.waitForFunction(
    (testid, text) => document.querySelector(`[data-testid="${testid}"]`)?.textContent.includes(text),
    { timeout: TRAINING, polling: 200 },
    testid,
    text,
  );
}

test('Firefox ESR: every lab opens isolated and threaded, trains, and reports the numbers Chromium does', async () => {
  await fs.access(FIREFOX);
  const profile = await fs.mkdtemp(path.join(os.tmpdir(), 'playground-firefox-'));
  const firefox = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    userDataDir: profile,
    extraPrefsFirefox: { 'browser.shell.checkDefaultBrowser': false, 'app.update.enabled': false },
  });
  const seen = [];
  try {
    // The engine runs its threaded build on every core, as in Chromium.
    const panel = await firefox.newPage();
    await panel.goto(`${shared.server.url}#engine`);
    await reach(panel, 'engine-status', 'ready');
    const [build, threads, cores] = await panel.evaluate(() => [
      document.querySelector('[data-testid=engine-build]').textContent,
      document.querySelector('[data-testid=threads]').textContent.trim(),
      navigator.hardwareConcurrency,
    ]);
    await panel.close();
    seen.push(`engine: ${build}; ${threads}`);
    assert.doesNotMatch(build, /^single-threaded/, build);
    assert.equal(threads, `${cores} of ${cores} logical cores`);
    for (const [link, testid, text] of LINKS) {
      const page = await firefox.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`${shared.server.url}#${link}`);
      await reach(page, testid, text);
      const isolated = await page.evaluate(() => self.crossOriginIsolated);
      const numbers = await settledNumbers(page, { pixels: false });
      await page.close();
      const chromium = await openPage(shared.browser.context, `${shared.server.url}#${link}`);
      await chromium.page.getByTestId(testid).filter({ hasText: text }).waitFor({ timeout: TRAINING });
      const expected = await settledNumbers(chromium.page, { pixels: false });
      await chromium.page.close();
      seen.push(`${link}: isolated ${isolated}, ${numbers.length} values`);
      assert.equal(isolated, true, `${link}: cross-origin isolated in Firefox`);
      assert.ok(numbers.length >= 3, `${link}: the page reports its numbers (${numbers.length})`);
      assert.deepEqual(numbers, expected, `${link}: Firefox and Chromium report the same numbers`);
      assert.deepEqual(errors, [], link);
    }
  } finally {
    await writeArtifact('firefox.txt', `${await firefox.version()}\n${seen.join('\n')}\n`);
    await firefox.close();
    await fs.rm(profile, { recursive: true, force: true });
  }
});
