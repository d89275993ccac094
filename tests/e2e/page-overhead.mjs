// What the CNN lab's page costs its training, not a test: alternates the Engine panel's bare
// CNN step (the suite's row, all threads) with one epoch of the CNN lab's default link (its
// own training time, views every 300 ms), each in a fresh page of one browser, and prints both
// medians, their ratio, and how busy each browser thread was while the lab trained (/proc, so
// Linux only: every Chromium on the machine counts, so run it alone). Alternating, because
// these VMs drift by ±20% between minutes.
// After a release `trunk build`:   node page-overhead.mjs 3      (rounds)
import fs from 'node:fs/promises';
import { serveDist, launchBrowser, openPage } from './harness.mjs';

const rounds = Number(process.argv[2] ?? 3);
const EPOCH_DIGITS = 125 * 64;
const TIMEOUT = 180_000;
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU ticks of every Chromium thread, by "process type:thread name/tid". */
async function chromiumThreads() {
  const ticks = new Map();
  for (const pid of (await fs.readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('chromium')) continue;
      const type = cmd.match(/--type=([a-z-]+)/)?.[1] ?? 'browser';
      for (const tid of await fs.readdir(`/proc/${pid}/task`)) {
        const stat = await fs.readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        ticks.set(`${type}:${name}/${tid}`, Number(fields[11]) + Number(fields[12]));
      }
    } catch {
      // A process or thread that ended while being read.
    }
  }
  return ticks;
}

async function suiteStep(browser, url) {
  const { page } = await openPage(browser.context, `${url}#engine`);
  await page.getByTestId('engine-status').filter({ hasText: 'ready' }).waitFor({ timeout: TIMEOUT });
  await page.getByTestId('run-suite').click();
  await page.getByTestId('run-suite').filter({ hasText: 'Running the suite…' }).waitFor();
  await page.getByTestId('run-suite').filter({ hasText: 'Run benchmark suite' }).waitFor({ timeout: TIMEOUT });
  const rows = await page.getByTestId('suite').locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
  );
  await page.close();
  return Number(rows.find(([workload]) => workload.startsWith('CNN'))[2]);
}

async function labEpoch(browser, url) {
  const { page } = await openPage(browser.context, `${url}#lab=cnn&v=1&epochs=1`);
  const status = (done) =>
    page.waitForFunction((done) => document.querySelector('[data-testid=cnn-status]')?.textContent.includes('done') === done, done, { timeout: TIMEOUT });
  // The epoch on opening warms the engine up, as in the lab's own test; then one measured.
  await status(true);
  await page.getByTestId('cnn-reset').click();
  await page.locator('[data-testid=cnn-play]:not([disabled])').waitFor({ timeout: TIMEOUT });
  const before = await chromiumThreads();
  const since = Date.now();
  await page.getByTestId('cnn-play').click();
  await status(false);
  await status(true);
  const seconds = (Date.now() - since) / 1000;
  const after = await chromiumThreads();
  const trainMs = Number(await page.getByTestId('cnn-status').getAttribute('data-train-ms'));
  await page.close();
  const threads = [...after]
    .map(([thread, t]) => [thread.replace(/\/\d+$/, ''), (t - (before.get(thread) ?? 0)) / CLOCK_TICKS_PER_SECOND / seconds])
    .filter(([, share]) => share >= 0.01)
    .sort((a, b) => b[1] - a[1]);
  return { speed: EPOCH_DIGITS / (trainMs / 1000), threads };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const server = await serveDist({});
const browser = await launchBrowser();
try {
  const [suite, lab] = [[], []];
  for (let i = 0; i < rounds; i++) {
    suite.push(await suiteStep(browser, server.url));
    lab.push(await labEpoch(browser, server.url));
  }
  const speeds = lab.map((l) => l.speed);
  console.log(`suite's CNN step, all threads (examples/s): ${suite.map((s) => s.toFixed(0)).join(', ')}; median ${median(suite).toFixed(0)}`);
  console.log(`CNN lab, one epoch, training time only (digits/s): ${speeds.map((s) => s.toFixed(0)).join(', ')}; median ${median(speeds).toFixed(0)}`);
  console.log(`lab / bare step: ${(median(speeds) / median(suite)).toFixed(2)}`);
  console.log(`\nbrowser threads while the last epoch trained (share of one core):`);
  for (const [thread, share] of lab.at(-1).threads) console.log(`${(share * 100).toFixed(1).padStart(6)}%  ${thread}`);
} finally {
  await browser.close();
  await server.close();
}
