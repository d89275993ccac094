// The Transformer lab as a student uses it: the README's links train to their step in the
// page; a causal decoder reverses digits and one of its heads draws the anti-diagonal, with
// the mask's upper triangle empty; without positions it mostly fails, and an encoder without
// them cannot tell a sequence from its reverse; the walkthrough's matrices have the shapes the
// notes give; a typed input is answered, a bad one named and kept; the language model writes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { colours, openPage, screenshot, sharedBrowser, writeArtifact, longTasks } from './harness.mjs';
import { assertFigure, example, figure, reportedNumber } from './examples.mjs';

const READY = 180_000;
const shared = sharedBrowser({ before, after });

async function reachStep(page, n) {
  await page.getByTestId('tfm-status').filter({ hasText: `step ${n} of` }).waitFor({ timeout: READY });
}

async function exact(page) {
  return reportedNumber(page.getByTestId('tfm-exact'));
}

/** Each run's attention entropy by step, from the √d_k section: { label: { step: value } }. */
async function entropies(page) {
  const text = await page.getByTestId('tfm-scaling').getAttribute('data-entropy');
  return Object.fromEntries(text.split(';').map((run) => {
    const [label, points] = run.split(':');
    return [label, Object.fromEntries(points.split(',').map((p) => p.split('=').map(Number)))];
  }));
}

async function open(link) {
  const opened = await openPage(shared.browser.context, `${shared.server.url}#${link}`);
  await opened.page.setViewportSize({ width: 1200, height: 1000 });
  return opened;
}

test('reversal with a causal decoder: learnt, a head on the anti-diagonal, the mask empty above it', async () => {
  const link = example('tfm', 'reverse').link;
  const { page, errors } = await open(link);
  await reachStep(page, 800);
  assert.ok((await exact(page)) >= 0.95, `exact ${await exact(page)}`);
  const long = await longTasks(page);
  const openMs = Math.round(await page.evaluate(() => performance.now()));
  await writeArtifact(
    'tfm-longtasks-reverse.txt',
    `main-thread tasks over 50 ms in the ${openMs} ms from opening ${link} to step 800: ${long.length ? long.join(', ') : 'none'}\n`,
  );
  // 2 layers × 4 heads, each drawn.
  const thumbs = page.getByTestId('tfm-attention-grid').locator('button.attention-thumb');
  assert.equal(await thumbs.count(), 8);
  for (let k = 0; k < 8; k++) {
    assert.ok((await colours(thumbs.nth(k).locator('canvas'))) > 3, `head ${k} is drawn`);
  }
  // "6 digits = 6 digits": the query at position 6 + k writes answer k, the input's digit 5 − k.
  // Some head puts its largest weight there for (nearly) every answer row.
  let [best, where] = [0, -1];
  for (let k = 0; k < 8; k++) {
    const keys = (await thumbs.nth(k).getAttribute('data-strongest')).split(',').map(Number);
    const hits = [0, 1, 2, 3, 4, 5].filter((a) => keys[6 + a] === 5 - a).length;
    if (hits > best) [best, where] = [hits, k];
  }
  assert.ok(best >= 5, `the anti-diagonal: ${best} of 6 answer rows`);
  assert.ok(where >= 4, `in layer 2 (as the README says): head ${where}`);
  // The chosen head large: 13 tokens, the causal mask's 78 cells above the diagonal hatched.
  const matrix = page.getByTestId('tfm-attention-matrix');
  assert.equal(await matrix.locator('tbody tr').count(), 13);
  assert.equal(await matrix.locator('td.masked').count(), 78);
  assert.equal(await page.getByTestId('tfm-mask-matrix').locator('td.masked').count(), 78);
  await matrix.locator('tbody tr').nth(8).locator('td').first().click();
  const bars = page.getByTestId('tfm-query-bars');
  await bars.waitFor();
  assert.equal(await bars.locator('.attention-bar.masked').count(), 4, 'query 9 cannot see the 4 tokens after it');
  assert.match(await page.getByTestId('tfm-answer').textContent(), /✓ right/);
  await page.getByTestId('tfm-attention-grid').scrollIntoViewIfNeeded();
  await screenshot(page, 'tfm-lab-attention.png');
  // The walkthrough for the chosen head: the notes' shapes for 13 tokens, d_model 32, d_k 8.
  const shapes = {};
  const stages = page.getByTestId('tfm-walkthrough').locator('figure.stage');
  for (let k = 0; k < (await stages.count()); k++) {
    const name = (await stages.nth(k).locator('figcaption strong').textContent()).replace(/^\d+\. /, '');
    shapes[name] = await stages.nth(k).getAttribute('data-shape');
    assert.ok((await colours(stages.nth(k).locator('canvas'))) > 1, `${name} is drawn`);
  }
  assert.equal(shapes.X, '13 × 32');
  assert.equal(shapes['Q = X·W_q (head 1)'], '13 × 8');
  assert.equal(shapes['Q·Kᵀ / √d_k'], '13 × 13');
  assert.equal(shapes['+ mask'], '13 × 13');
  assert.equal(shapes.softmax, '13 × 13');
  assert.equal(shapes['Concat(heads)'], '13 × 32');
  assert.equal(shapes.LayerNorm, '13 × 32');
  await page.getByTestId('tfm-walkthrough').scrollIntoViewIfNeeded();
  await screenshot(page, 'tfm-lab-walkthrough.png');
  // Positions: the sinusoids drawn, position by dimension.
  assert.ok((await colours(page.getByTestId('tfm-pe-map'))) > 5);
  await page.getByTestId('tfm-pe-table').scrollIntoViewIfNeeded();
  await screenshot(page, 'tfm-lab-positions.png');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a typed input is answered; one that does not fit is named and kept; another head is walked through', async () => {
  const { page, errors } = await open(example('tfm', 'reverse').link);
  await reachStep(page, 800);
  await page.getByTestId('tfm-input').fill('123456');
  await page.getByTestId('tfm-input-apply').click();
  await page.getByTestId('tfm-answer').filter({ hasText: '6 5 4 3 2 1' }).waitFor({ timeout: READY });
  assert.match(await page.getByTestId('tfm-answer').textContent(), /The model answers 6 5 4 3 2 1 {2}✓ right/);
  await page.getByTestId('tfm-head-1-2').click();
  await page.getByTestId('tfm-walkthrough-title').filter({ hasText: 'Layer 2 · head 3' }).waitFor({ timeout: READY });
  assert.match(await page.getByTestId('tfm-walkthrough-title').textContent(), /on “1 2 3 4 5 6 = 6 5 4 3 2 1”/);
  await page.getByTestId('tfm-input').fill('12a4');
  await page.getByTestId('tfm-input-apply').click();
  const error = page.getByTestId('tfm-error');
  await error.waitFor({ timeout: READY });
  assert.match(await error.textContent(), /“a” is not a digit/);
  assert.equal(await page.getByTestId('tfm-input').inputValue(), '12a4', 'nothing typed is lost');
  assert.deepEqual(errors, []);
  await page.close();
});

test('without positions: the decoder mostly fails, and the encoder sees a bag of tokens', async () => {
  // The README's figures for each: [link, figure's example and name, what the permutation says].
  const encoder = example('tfm', 'encoder-no-positions').link;
  const cases = [
    [example('tfm', 'reverse-no-positions').link, ['reverse-no-positions', 'exact answers at step 800'], null],
    [encoder, ['encoder-no-positions', 'exact answers at step 400'], /changes no attention weight beyond reordering it/],
    [encoder.replace('&pos=none', ''), ['encoder-no-positions', 'exact answers with positions'], /the positions let the model tell the orders apart/],
  ];
  const measured = [];
  for (const [link, [id, name], permutation] of cases) {
    const { page, errors } = await open(link);
    await reachStep(page, Number(link.match(/at=(\d+)/)[1]));
    const x = await exact(page);
    measured.push(`${link}: exact ${x}`);
    await writeArtifact('tfm-positions-claims.txt', measured.join('\n') + '\n');
    assertFigure(x, 'tfm', id, name);
    if (permutation) {
      assert.match(await page.getByTestId('tfm-permutation').textContent(), permutation);
      if (link.includes('pos=none')) {
        assert.match(await page.getByTestId('tfm-positions-kind').textContent(), /no positions/);
        await page.getByTestId('tfm-permutation').scrollIntoViewIfNeeded();
        await screenshot(page, 'tfm-lab-no-positions.png');
      }
    }
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test("why √d_k, the README's link: unscaled, the attention is nearly one-hot by step 200", async () => {
  const { page, errors } = await open(example('tfm', 'scaling').link);
  await reachStep(page, 800);
  const entropy = await entropies(page);
  assertFigure(entropy['QKᵀ unscaled']?.[200], 'tfm', 'scaling', 'attention entropy at step 200, unscaled');
  assertFigure(entropy['QKᵀ/√d_k (this run)']?.[200], 'tfm', 'scaling', 'attention entropy at step 200, scaled');
  assert.deepEqual(errors, []);
  await page.close();
});

test('why √d_k: the run and its unscaled twin, side by side; a broken link says what it could not use', async () => {
  const { page, errors } = await open('lab=tfm&v=1&width=64&heads=1&vs=1&steps=200&at=200&len=99&pos=rotary');
  await reachStep(page, 200);
  const notes = await page.getByTestId('tfm-url-notes').textContent();
  assert.match(notes, /length = 99 exceeds the limit of 24/);
  assert.match(notes, /not a positional encoding \(sin, learned, none\)/);
  for (const chart of ['tfm-entropy-curve', 'tfm-qk-gradient-curve']) {
    const legend = await page.getByTestId(chart).locator('.legend-item').allTextContents();
    assert.deepEqual(legend, ['QKᵀ/√d_k (this run)', 'QKᵀ unscaled'], chart);
    assert.equal(await page.getByTestId(chart).locator('path.series').count(), 2, chart);
  }
  // Unscaled, the same model's attention is far nearer one-hot.
  const entropy = await entropies(page);
  await writeArtifact('tfm-scaling.txt', `${JSON.stringify(entropy)}\n`);
  assert.ok(entropy['QKᵀ unscaled'][200] < entropy['QKᵀ/√d_k (this run)'][200], JSON.stringify(entropy));
  await page.getByTestId('tfm-scaling').scrollIntoViewIfNeeded();
  await screenshot(page, 'tfm-lab-scaling.png');
  // A control restarts the run and writes the link.
  await page.getByTestId('tfm-pos').selectOption('learned');
  await page.waitForFunction(() => location.hash.includes('pos=learned') && location.hash.includes('vs=1'));
  await page.getByTestId('tfm-status').filter({ hasText: 'step 0 of 200' }).waitFor({ timeout: READY });
  // The notes' linear decay over the whole run, and it follows the run's length.
  await page.getByTestId('tfm-decay').check();
  await page.waitForFunction(() => location.hash.includes('decay=0.01,200'));
  await page.getByTestId('tfm-steps').fill('300');
  await page.getByTestId('tfm-steps').press('Tab');
  await page.waitForFunction(() => location.hash.includes('decay=0.01,300') && location.hash.includes('steps=300'));
  // Another positional dimension drawn on request.
  await page.getByTestId('tfm-pe-dimension').fill('40');
  await page.getByTestId('tfm-pe-dimension').press('Tab');
  await page.getByTestId('tfm-pe-curves').locator('.legend-item', { hasText: 'dimension 40 (sin)' }).waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test('the character language model writes text from a prompt, the same text for the same seed', async () => {
  const { page, errors } = await open(example('tfm', 'language').link);
  await reachStep(page, 600);
  const perCharacter = await reportedNumber(page.getByTestId('tfm-token-accuracy'));
  assertFigure(perCharacter, 'tfm', 'language', 'next characters right at step 600');
  await writeArtifact('tfm-lm.txt', `lm at 600: next characters right ${perCharacter}\n`);
  await page.getByTestId('tfm-prompt').fill('the man ');
  await page.getByTestId('tfm-prompt').press('Tab');
  await page.getByTestId('tfm-sample').click();
  const text = page.getByTestId('tfm-sample-text');
  await text.filter({ hasText: /^the man .{100,}/s }).waitFor({ timeout: READY });
  const first = await text.textContent();
  assert.match(first, /^[a-z .\n]+$/);
  // Another seed draws other text; the first seed again draws the first text.
  const seed = page.getByTestId('tfm-sample-seed');
  await seed.fill('2');
  await seed.press('Tab');
  await page.getByTestId('tfm-sample').click();
  await page.waitForFunction((before) => document.querySelector('[data-testid="tfm-sample-text"]').textContent !== before, first);
  await seed.fill('1');
  await seed.press('Tab');
  await page.getByTestId('tfm-sample').click();
  await page.waitForFunction((before) => document.querySelector('[data-testid="tfm-sample-text"]').textContent === before, first);
  await page.getByTestId('tfm-prompt').fill('the 2 men');
  await page.getByTestId('tfm-prompt').press('Tab');
  await page.getByTestId('tfm-sample').click();
  const error = page.getByTestId('tfm-error');
  await error.waitFor({ timeout: READY });
  assert.match(await error.textContent(), /cannot read: “2”/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("the README's other claims: sorting, counting with an encoder, addition after its plateau", async () => {
  const measured = [];
  const failed = [];
  for (const id of ['sort', 'count', 'add']) {
    const link = example('tfm', id).link;
    const { page, errors } = await open(link);
    const at = Number(link.match(/at=(\d+)/)[1]);
    await reachStep(page, at);
    const x = await exact(page);
    measured.push(`${link}: exact ${x}`);
    try {
      assertFigure(x, 'tfm', id, `exact answers at step ${at}`);
    } catch (e) {
      failed.push(e.message);
    }
    if (id === 'add') {
      // The plateau: "nothing right for 800 steps and more".
      const plateau = Number(figure('tfm', 'add', 'steps with no answer right').value);
      const evaluations = (await page.getByTestId('tfm-curves').getAttribute('data-evaluations'))
        .split(',').map((e) => e.split(':').map(Number));
      const early = evaluations.filter(([step]) => step <= plateau);
      assert.ok(early.length > 0 && early.at(-1)[0] === plateau, `an evaluation at step ${plateau}: ${evaluations}`);
      for (const [step, , right] of early) assert.equal(right, 0, `step ${step}: ${right} of the sums right`);
    }
    assert.deepEqual(errors, []);
    await page.close();
  }
  await writeArtifact('tfm-readme-claims.txt', measured.join('\n') + '\n');
  assert.deepEqual(failed, []);
});
