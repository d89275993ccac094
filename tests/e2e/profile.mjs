// A browser profile of a lab, not a test: opens a link in headless Chromium with V8's sampling
// profiler on (`--prof`), lets it run, and prints each thread's busiest functions (the engine
// keeps its wasm function names for this; the page's module does not, so its own rows read
// `wasm-function[N]`). One log per thread: the page, the engine worker and each pool worker.
// After a release `trunk build`:
//   node profile.mjs '#lab=cnn&v=1' 15      (link fragment, seconds)
// ARCHITECTURE.md, "Where a training step's time goes", has what it showed.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { serveDist, launchBrowser, openPage } from './harness.mjs';

const fragment = process.argv[2] ?? '#lab=cnn&v=1';
const seconds = Number(process.argv[3] ?? 15);
const TOP = 12;
const logs = await fs.mkdtemp(path.join(os.tmpdir(), 'playground-v8prof-'));
const server = await serveDist({});
const browser = await launchBrowser({ args: [`--js-flags=--prof --logfile=${logs}/v8.log`] });
try {
  await openPage(browser.context, `${server.url}${fragment}`);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
} finally {
  await browser.close();
  await server.close();
}
// The threads that ran our wasm, busiest first (by log size).
const files = await fs.readdir(logs);
const sized = await Promise.all(files.map(async (f) => [f, (await fs.stat(path.join(logs, f))).size]));
for (const [file] of sized.sort((a, b) => b[1] - a[1]).slice(0, 4)) {
  const report = execFileSync(process.execPath, ['--prof-process', path.join(logs, file)], {
    maxBuffer: 256 << 20,
    stdio: ['ignore', 'pipe', 'ignore'],
  }).toString();
  const flat = report.split('[Bottom up')[0].split('\n');
  const total = flat.find((l) => l.startsWith('Statistical profiling result')) ?? file;
  const rows = flat.filter((l) => /^\s+\d+\s+[\d.]+%/.test(l) && !l.includes('/chromium')).slice(0, TOP);
  console.log(`\n== ${total}\n${rows.map((l) => l.slice(0, 160)).join('\n')}`);
}
console.log(`\nlogs: ${logs} (node --prof-process <log> for the bottom-up view)`);
