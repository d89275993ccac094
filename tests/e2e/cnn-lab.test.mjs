// The CNN lab as a student uses it: a link trains a real CNN on opening, the test accuracy
// shown rises, the feature maps are drawn, a clicked unit shows both receptive fields, a drawn
// digit is read, a shift is measured, an impossible layer is flagged where it breaks, and a
// broken link explains itself. Also records the speed and the time to 97% (not asserted).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { colours, longTasks, mainThreadBusy, openPage, runningAnimations, screenshot, sharedBrowser, writeArtifact } from './harness.mjs';
import { example, reportedNumber } from './examples.mjs';

const READY = 60_000;
const TRAINING = 180_000;
const shared = sharedBrowser({ before, after });

async function testAccuracy(page) {
  const v = await page.getByTestId('test-accuracy').getAttribute('data-value');
  return v === '' || v === null ? null : Number(v);
}

test('a link trains the LeNet-like CNN from scratch on opening and passes 97% on the test digits', async () => {
  const { page, errors } = await openPage(shared.browser.context, `${shared.server.url}#${example('cnn', 'default').link}`);
  const opened = Date.now();
  // It starts training by itself: the step count moves without a click.
  await page.waitForFunction(() => /step [1-9]/.test(document.querySelector('[data-testid=cnn-status]')?.textContent ?? ''), null, { timeout: READY });
  const firstStep = Date.now();
  const busy = await mainThreadBusy(page);
  // Nothing animates while it trains (sampled over its first 4.5 s, beside the waits below):
  // an animated progress bar once repainted the whole page every frame, and the lab trained a
  // quarter slower than the bare step on two threads.
  const animations = runningAnimations(page, { samples: 30, everyMs: 150 });
  animations.catch(() => {}); // awaited below; a failed wait above must not leave it unhandled
  await page.waitForFunction(() => !document.querySelector('[data-testid=time-to-target]')?.textContent.includes('not yet'), null, { timeout: TRAINING });
  const reached = Date.now();
  await page.waitForFunction(
    () => document.querySelector('[data-testid=cnn-status]')?.textContent.includes('done'),
    null,
    { timeout: TRAINING },
  );
  const finished = Date.now();
  const mainShare = await busy();
  const accuracy = await testAccuracy(page);
  const speed = await page.getByTestId('examples-per-second').textContent();
  const target = await page.getByTestId('time-to-target').textContent();
  const long = await longTasks(page);
  await writeArtifact(
    'cnn-training.txt',
    [
      `default link (LeNet-like, Adam, 3 epochs of 8,000 digits, batch 64)`,
      `final test accuracy: ${accuracy}`,
      `speed (last slice): ${speed}`,
      `97% reached: ${target}`,
      `wall time from opening to the first step: ${((firstStep - opened) / 1000).toFixed(1)} s`,
      `wall time from opening (training starts by itself) to 97% shown: ${((reached - opened) / 1000).toFixed(1)} s`,
      `wall time from the first step to the end (3 epochs, 7 test evaluations, views every 300 ms): ${((finished - firstStep) / 1000).toFixed(1)} s`,
      `main-thread tasks over 50 ms from opening to the end of training: ${long.length ? long.join(', ') : 'none'}`,
      `main thread busy while training: ${(mainShare * 100).toFixed(1)}% of one core`,
    ].join('\n') + '\n',
  );
  assert.deepEqual(await animations, [], 'animations running while the lab trains');
  assert.ok(accuracy >= 0.97, `test accuracy ${accuracy}`);
  assert.match(target, /s of training \(step \d+\)/);
  // The confusion matrix and the mistakes are there after training.
  const cells = await page.getByTestId('confusion').locator('tbody td').allTextContents();
  const counted = cells.filter((_, i) => i % 11 !== 10).reduce((a, c) => a + (Number(c) || 0), 0);
  assert.equal(counted, 2000);
  // Its colours are explained: one bar for the right answers, one for the mistakes.
  assert.deepEqual(
    await page.locator('.confusion .colour-bar-label').allTextContents(),
    ["read right, share of the label's digits", 'mistakes, digits'],
  );
  assert.ok((await page.getByTestId('wrong-digits').locator('button').count()) > 0);
  await screenshot(page, 'cnn-lab-trained.png');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a replayed link shows maps, kernels, both receptive fields, a shift and a drawn digit', async () => {
  const { page, errors } = await openPage(shared.browser.context, `${shared.server.url}#${example('cnn', 'digit').link}`);
  await page.waitForFunction(() => document.querySelector('[data-testid=cnn-status]')?.textContent.startsWith('step 125 of 375'), null, { timeout: TRAINING });
  // One epoch: the evaluation at step 124 is shown, and it is well past chance.
  const accuracy = await testAccuracy(page);
  assert.ok(accuracy >= 0.95, `test accuracy after one epoch ${accuracy}`);
  // A replayed link stops at its step.
  assert.equal(await page.getByTestId('cnn-play').textContent(), '▶ Train');

  // Feature maps: one canvas per layer, none blank; the kernels too.
  const maps = page.locator('[data-testid^=maps-canvas-]');
  assert.equal(await maps.count(), 6);
  for (let i = 0; i < 6; i++) assert.ok((await colours(maps.nth(i))) > 3, `layer ${i + 1} is blank`);
  assert.ok((await colours(page.getByTestId('kernels'))) > 3);

  // Click the middle of the first channel of layer 4 (conv 5×5 on 14×14 maps).
  const canvas = page.getByTestId('maps-canvas-3');
  const box = await canvas.boundingBox();
  const scale = box.width / (8 * 15 - 1);
  await canvas.click({ position: { x: 7.5 * scale, y: 7.5 * scale } });
  await page.getByTestId('receptive-text').filter({ hasText: 'Theoretical receptive field 14×14' }).waitFor({ timeout: READY });
  const field = await page.getByTestId('receptive-canvas').evaluate((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let blue = 0, orange = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i] < 80 && d[i + 1] < 110 && d[i + 2] > 190) blue++;
      if (d[i] > 200 && d[i + 1] > 100 && d[i + 1] < 190 && d[i + 2] < 150) orange++;
    }
    return { blue, orange };
  });
  assert.ok(field.blue > 100, `theoretical box drawn: ${JSON.stringify(field)}`);
  const text = await page.getByTestId('receptive-text').textContent();
  // The link is deterministic: this unit is active for digit 7 at step 125, so its gradient
  // reaches the input and the effective field is drawn.
  assert.doesNotMatch(text, /empty/);
  assert.ok(field.orange > 10, `effective field drawn: ${JSON.stringify(field)}`);
  await screenshot(page, 'cnn-lab-inside.png');

  // Move the digit two pixels right: every layer gets a row, the first conv is equivariant.
  await page.getByTestId('shift-right').click();
  await page.getByTestId('shift-right').click();
  await page.getByTestId('shift-table').waitFor({ timeout: READY });
  const firstRow = await page.getByTestId('shift-table').locator('tbody tr').first().locator('td').allTextContents();
  assert.equal(await page.getByTestId('shift-table').locator('tbody tr').count(), 6);
  assert.ok(Number(firstRow[2]) > 0.95, `conv equivariance ${firstRow}`);
  assert.match(page.url(), /shift=2,0/);

  // Draw a "1": a vertical stroke.
  const pad = page.getByTestId('draw-pad');
  await pad.scrollIntoViewIfNeeded(); // the mouse moves in viewport coordinates
  const p = await pad.boundingBox();
  await page.mouse.move(p.x + p.width * 0.52, p.y + p.height * 0.15);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(p.x + p.width * 0.5, p.y + p.height * (0.15 + 0.07 * i));
  await page.mouse.up();
  await page.locator('.input-figure figcaption').filter({ hasText: 'your drawing' }).first().waitFor({ timeout: READY });
  const verdict = await page.getByTestId('verdict').textContent();
  assert.match(verdict, /^It says \d \(\d+\.\d%\)\.$/);
  assert.equal(await page.getByTestId('probabilities').getAttribute('data-predicted'), '1', verdict);
  await screenshot(page, 'cnn-lab-drawn.png');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a diverging network stops, says why, and still shows what it computed', async () => {
  // SGD at η = 10 on a dense net: the loss is NaN at step 14, and the views are full of NaN.
  const { page, errors } = await openPage(
    shared.browser.context,
    `${shared.server.url}#lab=cnn&v=1&layers=fc32&opt=sgd&lr=10&shift=1,0`,
  );
  const stopped = page.getByTestId('cnn-stopped');
  await stopped.waitFor({ timeout: READY });
  assert.match(await stopped.textContent(), /the loss became NaN at step 14: η = [\d.]+ is probably too large/);
  assert.equal(await page.getByTestId('cnn-play').textContent(), '▶ Train');
  assert.equal(await page.getByTestId('cnn-error').count(), 0, 'every reply was read');
  // A look inside the broken model is answered too.
  await page.getByTestId('digit-3').click();
  await page.getByText(/^test digit #3, labelled/).waitFor({ timeout: READY });
  assert.match(await page.getByTestId('verdict').textContent(), /^It cannot say: its outputs are not numbers/);
  // Nowhere does a student read "NaN": the shift table and its summary say what happened.
  assert.match(await page.getByTestId('shift-summary').textContent(), /outputs are not numbers/);
  assert.doesNotMatch(await page.getByTestId('shift-table').textContent(), /NaN/);
  assert.equal(await page.getByTestId('cnn-error').count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test("the README's other CNN links: η = 2 leaves SGD at chance; the ResNet-like preset builds and learns", async () => {
  const link = example('cnn', 'sgd-too-fast').link;
  const { page, errors } = await openPage(shared.browser.context, `${shared.server.url}#${link}`);
  await page.getByTestId('cnn-status').filter({ hasText: 'step 125 of' }).waitFor({ timeout: TRAINING });
  await page.getByTestId('test-accuracy').and(page.locator('[data-value]:not([data-value=""])')).waitFor({ timeout: READY });
  // "stays at chance": ten classes, so 10% give or take what one class's share of the test
  // digits moves it.
  const stuck = await reportedNumber(page.getByTestId('test-accuracy'));
  assert.ok(stuck <= 0.15, `η = 2: test accuracy ${stuck}`);
  // The ResNet-like preset: every layer has a shape, and the first steps bring the loss
  // below chance's ln 10.
  await page.goto(`${shared.server.url}#${example('cnn', 'resnet').link}`);
  await page.waitForFunction(() => /step ([5-9]\d|\d{3,}) of/.test(document.querySelector('[data-testid=cnn-status]')?.textContent ?? ''), null, { timeout: TRAINING });
  assert.equal(await page.getByTestId('arch-error').count(), 0);
  assert.equal(await page.getByTestId('arch-shape-6').textContent(), '1×1×32');
  const loss = await reportedNumber(page.getByTestId('cnn-train-loss'));
  assert.ok(loss < Math.log(10), `ResNet-like: training loss ${loss} after 50 steps`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('an impossible layer is flagged at that layer with the formula, and a broken link explains itself', async () => {
  const { page, errors } = await openPage(
    shared.browser.context,
    `${shared.server.url}#lab=cnn&v=1&layers=c8k5p2,relu,max2,c999k3,warp,max2,max2&epochs=0`,
  );
  const notes = page.getByTestId('cnn-url-notes');
  await notes.waitFor({ timeout: READY });
  const text = await notes.textContent();
  assert.match(text, /layer 4 channels = 999 exceeds the limit of 64/);
  assert.match(text, /warp/);
  assert.match(text, /epochs = 0 is below the minimum of 1/);
  // 28 → 14 → 7 → 3.5: the third pool is impossible, and says why.
  const flagged = page.getByTestId('arch-error');
  await flagged.waitFor({ timeout: READY });
  assert.match(await flagged.textContent(), /\(7 \+ 2·0 − 2\)\/2 \+ 1 = 3\.50 is not a whole number/);
  assert.equal(await page.getByTestId('arch-shape-5').textContent(), '—');
  // Nothing is sent to the engine: the status says why, the Train button waits for a fix.
  assert.match(await page.getByTestId('cnn-status').textContent(), /^Cannot train this network — layer 5: pooling/);
  assert.equal(await page.getByTestId('cnn-play').isDisabled(), true);
  assert.equal(await page.getByTestId('cnn-error').count(), 0);
  // Removing it makes the network trainable again; the table follows.
  await page.getByTestId('remove-4').click();
  await page.locator('[data-testid=cnn-play]:not([disabled])').waitFor({ timeout: READY });
  assert.equal(await page.getByTestId('arch-error').count(), 0);
  assert.equal(await page.getByTestId('arch-shape-3').textContent(), '7×7×8');
  assert.match(page.url(), /layers=c8k5p2,relu,max2,max2(&|$)/);
  // "New seed" writes a drawn seed into the box and the link.
  await page.getByTestId('cnn-seed-new').click();
  await page.waitForFunction(() => {
    const box = document.querySelector('[data-testid="cnn-seed"]');
    return /^\d+$/.test(box.value) && location.hash.includes(`seed=${box.value}`);
  });
  await screenshot(page, 'cnn-lab-flagged.png');
  // The architecture calculator computes the notes' networks, corrections shown.
  await page.getByTestId('calc-table').waitFor();
  assert.match(await page.getByTestId('calc-total').textContent(), /62,378,344/);
  assert.match(await page.getByTestId('calc-notes').textContent(), /4096×4096/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('one thread and all threads train to the same numbers; the speed of each is recorded', async () => {
  const { page, errors } = await openPage(shared.browser.context, `${shared.server.url}#lab=cnn&v=1&epochs=1`);
  const done = () =>
    page.waitForFunction(() => document.querySelector('[data-testid=cnn-status]')?.textContent.includes('done'), null, { timeout: TRAINING });
  const read = async () => ({
    evaluations: await page.getByTestId('curves').getAttribute('data-evaluations'),
    trainMs: Number(await page.getByTestId('cnn-status').getAttribute('data-train-ms')),
  });
  const again = async () => {
    await page.getByTestId('cnn-reset').click();
    await page.locator('[data-testid=cnn-play]:not([disabled])').waitFor({ timeout: READY });
    await page.getByTestId('cnn-play').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid=cnn-status]')?.textContent.includes('done'), null, { timeout: READY });
    await done();
    return read();
  };
  // The run on opening warms the engine up (the browser compiles hot code better as it runs);
  // then all threads and one thread, one after the other.
  await done();
  const all = await again();
  await page.getByTestId('cnn-one-thread').check();
  const one = await again();
  assert.ok(all.evaluations.length > 0);
  assert.equal(one.evaluations, all.evaluations, 'the same evaluations, bit for bit');
  const digits = 125 * 64;
  const threads = await page.evaluate(() => navigator.hardwareConcurrency);
  await writeArtifact(
    'cnn-threads.txt',
    `one epoch of the default link (125 steps of 64 digits), training time only, same page:\n` +
      `all ${threads} threads: ${(digits / (all.trainMs / 1000)).toFixed(0)} digits/s\n` +
      `one thread: ${(digits / (one.trainMs / 1000)).toFixed(0)} digits/s\n` +
      `ratio: ${(one.trainMs / all.trainMs).toFixed(2)}×\n`,
  );
  assert.deepEqual(errors, []);
  await page.close();
});
