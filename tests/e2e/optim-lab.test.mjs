// The Optimizer lab as a student and a friend use it: a shared link replays the exact race
// (the same numbers a native run of the same spec gives), the transport controls behave, a
// broken link explains itself and still gives a working lab, and controls update the link.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openPage, screenshot, sharedBrowser } from './harness.mjs';
import { example } from './examples.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const READY = 60_000;
const shared = sharedBrowser({ before, after });

/** Where every path is, exactly (shortest round-trip floats): { sgd: 'x,y', … }. */
async function positions(page) {
  const rows = await page.getByTestId('optim-results').locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [tr.dataset.testid.replace('result-', ''), tr.dataset.point]),
  );
  return Object.fromEntries(rows);
}

async function stepCount(page) {
  return Number((await page.getByTestId('step-count').textContent()).replace('step k = ', ''));
}

/** Waits until the step count satisfies `predicate` (JavaScript over `n`), checked here in
 *  node: the page's content security policy refuses code built from strings. */
async function waitForStep(page, predicate) {
  const holds = new Function('n', `return ${predicate}`);
  const counter = page.getByTestId('step-count');
  const deadline = Date.now() + READY;
  for (;;) {
    // The app may not have mounted yet.
    const text = (await counter.count()) > 0 ? await counter.textContent() : null;
    if (text !== null && holds(Number(text.replace('step k = ', '')))) return;
    if (Date.now() > deadline) throw new Error(`the step count never satisfied ${predicate} (last: ${text})`);
    await page.waitForTimeout(50);
  }
}

// Bit for bit: the Rosenbrock race uses only +, −, × and √, so native and wasm agree exactly.
test('a shared link replays the race to the same numbers as a native run', async () => {
  const fragment = 'lab=optim&v=1&opt=sgd,momentum,nesterov,adam&momentum.lr=0.0015&seed=7&at=300';
  const native = Object.fromEntries(
    execFileSync('cargo', ['run', '-q', '-p', 'lab', '--example', 'replay', '--', fragment], { cwd: ROOT, encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)]),
  );
  const { page, errors } = await openPage(shared.browser.context, `${shared.server.url}#${fragment}`);
  await waitForStep(page, 'n === 300');
  assert.deepEqual(await positions(page), native);
  await screenshot(page, 'optim-lab.png');
  assert.deepEqual(errors, []);
  await page.close();
});

test('play, pause, step and reset behave, and the keyboard drives them', async () => {
  const { page, errors } = await openPage(shared.browser.context, `${shared.server.url}#${example('optim', 'rosenbrock').link}`);
  await page.getByTestId('play').filter({ hasText: 'Play' }).waitFor({ timeout: READY });
  await page.locator('[data-testid=play]:not([disabled])').waitFor({ timeout: READY });
  assert.equal(await stepCount(page), 0);
  await page.getByTestId('step').click();
  await waitForStep(page, 'n === 1');
  await page.getByTestId('play').click();
  await waitForStep(page, 'n > 50');
  await page.getByTestId('play').click(); // pause
  await page.getByTestId('play').filter({ hasText: 'Play' }).waitFor();
  await page.waitForTimeout(300); // an answer in flight may still land
  const paused = await stepCount(page);
  await page.waitForTimeout(500);
  assert.equal(await stepCount(page), paused, 'no steps while paused');
  await page.keyboard.press('ArrowRight');
  await waitForStep(page, `n === ${paused + 1}`);
  await page.keyboard.press(' ');
  await waitForStep(page, `n > ${paused + 20}`);
  await page.keyboard.press(' ');
  await page.getByTestId('reset').click();
  await waitForStep(page, 'n === 0');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a broken link says what it ignored and still gives a working lab', async () => {
  const { page, errors } = await openPage(shared.browser.context, `${shared.server.url}#lab=optim&v=1&problem=volcano&opt=adam,warp&adam.lr=1e9&seed=oops`);
  const notes = page.getByTestId('url-notes');
  await notes.waitFor({ timeout: READY });
  const text = await notes.textContent();
  assert.match(text, /problem=volcano — not a problem of this lab/);
  assert.match(text, /opt=warp — not an optimizer of this lab/);
  assert.match(text, /adam\.lr = 1000000000 exceeds the limit of 10/);
  assert.match(text, /seed=oops — expected a whole number/);
  await page.locator('[data-testid=step]:not([disabled])').waitFor({ timeout: READY });
  await page.getByTestId('step').click();
  await waitForStep(page, 'n === 1');
  assert.deepEqual(Object.keys(await positions(page)), ['adam']);
  assert.deepEqual(errors, []);
  await page.close();
});

test('changing a control updates the link, and the share link replays the current step', async () => {
  const { page, errors } = await openPage(shared.browser.context, `${shared.server.url}#${example('optim', 'rosenbrock').link}`);
  await page.locator('[data-testid=step]:not([disabled])').waitFor({ timeout: READY });
  await page.getByTestId('problem').selectOption('himmelblau');
  await page.waitForFunction(() => location.hash.includes('problem=himmelblau'));
  await page.getByTestId('use-rmsprop').check();
  await page.waitForFunction(() => location.hash.includes('opt=sgd,momentum,adam,rmsprop'));
  await page.getByTestId('lr-adam').fill('0.2');
  await page.getByTestId('lr-adam').dispatchEvent('change');
  await page.waitForFunction(() => location.hash.includes('adam.lr=0.2'));
  await page.locator('[data-testid=step]:not([disabled])').waitFor();
  // The pointer reads the surface: Himmelblau is 0 at its minimum (3, 2), below 1 a pixel away.
  // The new problem's surface arrives with the engine's reply, which may come after the step
  // button is enabled (every lab shares the worker): point again until the readout is read
  // off Himmelblau's axes, for at most a few seconds.
  const himmelblau = /^at \(3\.0\d\d, 2\.0\d\d\) the loss is ≈ 0\.\d+/;
  let readout = '';
  for (let tries = 0; tries < 50 && !himmelblau.test(readout); tries++) {
    await page.mouse.move(0, 0);
    await page.getByTestId('contour').hover({ position: { x: 56 + (572 * 8) / 10, y: 12 + 424 * (3 / 10) } });
    readout = await page.getByTestId('readout').textContent();
    if (!himmelblau.test(readout)) await page.waitForTimeout(100);
  }
  assert.match(readout, himmelblau);
  await page.getByTestId('decay').check();
  await page.waitForFunction(() => location.hash.includes('decay=0.01,500'));
  await page.getByTestId('decay').uncheck();
  await page.waitForFunction(() => !location.hash.includes('decay='));
  for (let i = 0; i < 3; i++) {
    await page.getByTestId('step').click();
    await waitForStep(page, `n === ${i + 1}`);
  }
  await page.getByTestId('share').click();
  const link = await page.getByTestId('share-link').inputValue();
  assert.match(link, /#lab=optim&v=2&problem=himmelblau&opt=sgd,momentum,adam,rmsprop&adam\.lr=0\.2&at=3$/);
  const before = await positions(page);
  const friend = await openPage(shared.browser.context, link);
  await waitForStep(friend.page, 'n === 3');
  assert.deepEqual(await positions(friend.page), before);
  assert.deepEqual([...errors, ...friend.errors], []);
  await friend.page.close();
  await page.close();
});

test('a dead engine is reported on the lab page and can be restarted there', async () => {
  await shared.browser.context.route('**/engine-worker.js', (route) =>
    route.fulfill({
      contentType: 'text/javascript',
      headers: { 'Cross-Origin-Embedder-Policy': 'require-corp' },
      body: "throw new Error('simulated engine crash');",
    }),
  );
  const { page } = await openPage(shared.browser.context, `${shared.server.url}#${example('optim', 'rosenbrock').link}`);
  const error = page.getByTestId('lab-error');
  await error.filter({ hasText: 'the engine worker died' }).waitFor({ timeout: READY });
  await shared.browser.context.unroute('**/engine-worker.js');
  await error.getByRole('button', { name: 'Restart engine' }).click();
  await page.locator('[data-testid=step]:not([disabled])').waitFor({ timeout: READY });
  await page.getByTestId('step').click();
  await waitForStep(page, 'n === 1');
  // The chart reads every loss at the step under the pointer.
  await page.getByTestId('loss-chart').locator('svg').hover({ position: { x: 600, y: 100 } });
  assert.match(await page.getByTestId('chart-readout').textContent(), /^step 1: SGD \d\.\d{4}e-?\d+ · Momentum .* · Adam /);
  await page.close();
});

test("RMSProp's decay is ρ: 0.9 in a new race, 0.999 from a version-1 link, which the address bar rewrites as version 2", async () => {
  const { page, errors } = await openPage(shared.browser.context, `${shared.server.url}#lab=optim&v=1&opt=sgd,rmsprop`);
  const rho = page.getByTestId('rmsprop-rho');
  await rho.waitFor({ timeout: READY });
  assert.equal(await rho.inputValue(), '0.999');
  assert.equal(await page.getByTestId('rmsprop-beta2').count(), 0, 'RMSProp has no β₂ box');
  await page.waitForFunction(() => location.hash.includes('v=2') && location.hash.includes('rmsprop.rho=0.999'));
  assert.match(await page.locator('label.knob', { has: rho }).getAttribute('title'), /RMSProp's decay/);
  // A race that adds RMSProp today gets the usual 0.9 (and the link leaves it out).
  const fresh = await openPage(shared.browser.context, `${shared.server.url}#lab=optim&v=2&opt=sgd,rmsprop`);
  await fresh.page.getByTestId('rmsprop-rho').waitFor({ timeout: READY });
  assert.equal(await fresh.page.getByTestId('rmsprop-rho').inputValue(), '0.9');
  assert.doesNotMatch(await fresh.page.evaluate(() => location.hash), /rho=/);
  assert.deepEqual([...errors, ...fresh.errors], []);
  await page.close();
  await fresh.page.close();
});

test('the update rules: each racing optimizer as the engine computes it, with where it parts from the notes', async () => {
  const { page, errors } = await openPage(shared.browser.context, `${shared.server.url}#lab=optim&v=2&opt=momentum,nesterov,rmsprop,adam`);
  const rules = page.getByTestId('update-rules');
  await rules.waitFor({ timeout: READY });
  assert.equal(await rules.locator('dt').count(), 4);
  assert.equal(await page.getByTestId('rule-momentum').textContent(), 'v ← α v − η g;   θ ← θ + v');
  assert.match(await page.getByTestId('rule-nesterov').textContent(), /∇L\(θ̃\)/);
  assert.match(await page.getByTestId('rule-rmsprop').textContent(), /ρ r \+ \(1 − ρ\) g²/);
  assert.match(await page.getByTestId('rule-adam').textContent(), /1 − β₁ᵗ.*√\(δ \+ r̂\)/);
  const text = await rules.textContent();
  assert.match(text, /δ sits inside the root|δ inside the root/);
  assert.match(text, /divides by 1 − βᵗ/);
  // The list follows the race.
  await page.getByTestId('use-nesterov').uncheck();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=update-rules] dt').length === 3);
  assert.equal(await page.getByTestId('rule-nesterov').count(), 0);
  await screenshot(page, 'optim-update-rules.png');
  assert.deepEqual(errors, []);
  await page.close();
});
