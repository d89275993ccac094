// Shared pieces of the end-to-end tests: a static server for dist/ (with or without the
// cross-origin isolation headers) and Debian's Chromium, headless, with a fresh profile.
import http from 'node:http';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const DIST = process.env.PLAYGROUND_DIST ?? path.resolve(here, '../../dist');
export const ARTIFACTS = path.resolve(here, 'artifacts');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.json': 'application/json',
  '.bin': 'application/octet-stream',
};

const NODE_MODULES = path.resolve(here, 'node_modules');

/** The headers dist/_headers gives every path (`/*`), as a host that reads the file sends them. */
async function headerFile() {
  const text = await fs.readFile(path.join(DIST, '_headers'), 'utf8');
  const headers = {};
  let all = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    if (!/^\s/.test(line)) {
      all = line.trim() === '/*';
      continue;
    }
    const colon = line.indexOf(':');
    if (all && colon > 0) headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** Serves dist/ on a free loopback port. `isolated: false` leaves out COOP/COEP;
 *  `headerFile: true` sends what dist/_headers says instead (isolation and the content policy),
 *  as Netlify or Cloudflare Pages would. `withPeers` also serves /node_modules/ (TF.js for the
 *  peer benchmark) and leaves out the page's content policy, which TF.js's workers break. */
export async function serveDist({ isolated = true, headerFile: fromFile = false, withPeers = false } = {}) {
  const fileHeaders = fromFile ? await headerFile() : {};
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const pathname = decodeURIComponent(url.pathname);
    const peers = withPeers && pathname.startsWith('/node_modules/');
    const root = peers ? NODE_MODULES : DIST;
    let file = path.normalize(path.join(root, peers ? pathname.slice('/node_modules/'.length) : pathname));
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    if (url.pathname.endsWith('/')) file = path.join(file, 'index.html');
    try {
      let body = await fs.readFile(file);
      if (withPeers && file.endsWith('index.html')) {
        // TF.js's threaded backend starts its workers from blob: scripts, which the page's own
        // policy refuses: the peer benchmark's page goes without it (the product never does).
        body = body.toString().replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '');
      }
      const headers = { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' };
      if (fromFile) {
        Object.assign(headers, fileHeaders);
      } else if (isolated) {
        headers['Cross-Origin-Opener-Policy'] = 'same-origin';
        headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
      }
      res.writeHead(200, headers).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r)) };
}

/** Debian's Chromium with the flags this machine needs (no sandbox as root, no network chatter). */
export async function launchBrowser({ args = [] } = {}) {
  const userDataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'playground-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1100, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      ...args,
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      await fs.rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Opens a page and records every console error and uncaught exception, page and workers alike. */
export async function openPage(context, url) {
  const page = await context.newPage();
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(String(err)));
  page.on('worker', (worker) => {
    worker.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(`[worker] ${msg.text()}`);
    });
  });
  await page.goto(url);
  return { page, errors };
}

/** How many distinct colours a canvas shows (a blank canvas has one). */
export async function colours(locator) {
  return locator.evaluate((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    for (let i = 0; i < d.length; i += 4) seen.add(`${d[i]},${d[i + 1]},${d[i + 2]}`);
    return seen.size;
  });
}

export async function screenshot(page, name) {
  await fs.mkdir(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, name);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export async function writeArtifact(name, text) {
  await fs.mkdir(ARTIFACTS, { recursive: true });
  await fs.writeFile(path.join(ARTIFACTS, name), text);
}

/** One static server and one browser for a test file, closed after it. */
export function sharedBrowser({ before, after }) {
  const shared = {};
  before(async () => {
    shared.server = await serveDist();
    shared.browser = await launchBrowser();
  });
  after(async () => {
    await shared.browser?.close();
    await shared.server?.close();
  });
  return shared;
}

/** Every main-thread task over 50 ms since the page opened ("N ms at T ms"), from the browser's
 * long-task observer. The labs' tests write these down while training runs; never asserted. */
export async function longTasks(page) {
  return page.evaluate(() => new Promise((resolve) => {
    new PerformanceObserver((list, observer) => {
      observer.disconnect();
      resolve(list.getEntries().map((e) => `${Math.round(e.duration)} ms at ${Math.round(e.startTime)} ms`));
    }).observe({ type: 'longtask', buffered: true });
    setTimeout(() => resolve([]), 1000);
  }));
}

/** The animations and transitions seen running on the page, sampled `samples` times `everyMs`
 * apart ("what: where"). While a lab trains, any animation repaints the page every frame and
 * takes the CPU the engine's second thread needs; the labs' tests assert there are none. */
export async function runningAnimations(page, { samples = 12, everyMs = 150 } = {}) {
  return page.evaluate(async ({ samples, everyMs }) => {
    const seen = new Set();
    for (let i = 0; i < samples; i++) {
      for (const a of document.getAnimations()) {
        if (a.playState !== 'running') continue;
        const target = a.effect?.target;
        const where = target ? `${target.tagName.toLowerCase()}.${[...target.classList].join('.')}` : '?';
        seen.add(`${a.transitionProperty ? `transition of ${a.transitionProperty}` : a.animationName ?? 'animation'}: ${where}`);
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
    return [...seen];
  }, { samples, everyMs });
}

/** Starts counting the page's main-thread busy time (Chromium's own task accounting); the
 * returned function gives the share of one core it was busy since. Reported, never asserted. */
export async function mainThreadBusy(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const taskSeconds = async () =>
    (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration').value;
  const [start, since] = [await taskSeconds(), Date.now()];
  return async () => {
    const share = (await taskSeconds() - start) / ((Date.now() - since) / 1000);
    await cdp.detach();
    return share;
  };
}

/** Every number the page reports and draws: its data attributes (each view's evaluations,
 *  values, entropies, points…), every chart's curves (their paths) and every canvas's pixels
 *  (a hash; `pixels: false` leaves them out, for another browser that draws text and edges
 *  its own way), as "testid what=value" in page order: what one thread and the pool must
 *  agree on whole, not in summary. Measured speeds and times are left out. Playwright's and
 *  Puppeteer's pages alike. */
export async function everyNumber(page, { pixels = true } = {}) {
  return page.evaluate((pixels) => {
    const timing = /speed|per-second|time-to-target|train-ms/;
    const hash = (bytes) => {
      let h = 0x811c9dc5;
      for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
      return h.toString(16);
    };
    const out = [];
    for (const e of document.querySelectorAll('section.panel *')) {
      if (e.closest('[hidden]') || e.getClientRects().length === 0) continue;
      const id = e.dataset.testid ?? e.tagName.toLowerCase();
      if (timing.test(id)) continue;
      for (const [key, value] of Object.entries(e.dataset)) {
        if (key === 'testid' || timing.test(key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`))) continue;
        if (/\d/.test(value)) out.push(`${id} ${key}=${value}`);
      }
      if (e.tagName === 'path' && e.classList.contains('series')) out.push(`${id} d=${e.getAttribute('d')}`);
      if (pixels && e.tagName === 'CANVAS' && e.width > 0 && e.height > 0) {
        const pixels = e.getContext('2d')?.getImageData(0, 0, e.width, e.height).data;
        if (pixels) out.push(`${id} pixels=${hash(pixels)}`);
      }
    }
    return out;
  }, pixels);
}

/** everyNumber once the page has settled (two reads 300 ms apart agree): views that follow
 *  the step's reply are drawn. */
export async function settledNumbers(page, options) {
  let last = await everyNumber(page, options);
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 300));
    const now = await everyNumber(page, options);
    if (JSON.stringify(now) === JSON.stringify(last)) return now;
    last = now;
  }
  throw new Error('the page never settled');
}
