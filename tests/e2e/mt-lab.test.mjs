// The Translation lab as a student uses it: the README's link trains the three models to its
// step in the page; the fixed-context model falls off with sentence length and attention does
// not; a typed sentence is translated greedily and with a beam, its alignment drawn, and a word
// outside the vocabulary named; BLEU is taken apart with the notes' numbers. The halfway link
// gives the same numbers on one thread and on the pool, and each model's speed on both.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openPage, screenshot, serveDist, sharedBrowser, writeArtifact, longTasks } from './harness.mjs';
import { assertFigure, example, reportedNumber } from './examples.mjs';

const READY = 240_000;
const shared = sharedBrowser({ before, after });

async function reachStep(page, n) {
  await page.getByTestId('mt-status').filter({ hasText: `step ${n} of` }).waitFor({ timeout: READY });
}

async function bleu(page, model) {
  return reportedNumber(page.getByTestId(`mt-bleu-${model}`));
}

/** BLEU is a fraction on the page and written in points (0–100) in the README. */
const points = { scale: 100 };

/// { fixed: [b5, b6, …], bahdanau: […], transformer: […] } at the latest evaluation.
async function byLength(page) {
  const text = await page.getByTestId('mt-by-length').getAttribute('data-bleu');
  return Object.fromEntries(text.split(';').map((part) => {
    const [model, values] = part.split(':');
    return [model, values.split(',').map(Number)];
  }));
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('the README links: attention keeps long sentences, one context vector does not; translate, align, score', async () => {
  // The default experiment with the notes' sentence typed and a beam of 4: the same training.
  const link = example('mt', 'notes-sentence').link;
  const { page, errors } = await openPage(shared.browser.context, `${shared.server.url}#${link}`);
  await page.setViewportSize({ width: 1200, height: 1000 });
  await reachStep(page, 600);
  const wall = Math.round(await page.evaluate(() => performance.now()));
  const [fixed, bahdanau, transformer] = [await bleu(page, 'fixed'), await bleu(page, 'bahdanau'), await bleu(page, 'transformer')];
  const lengths = await byLength(page);
  const long = (m) => mean(lengths[m].slice(-3));
  const tasks = await longTasks(page);
  await writeArtifact(
    'mt-lab-default.txt',
    `${link}: held-out corpus BLEU-4 at step 600: fixed context ${fixed}, Bahdanau ${bahdanau}, Transformer ${transformer}\n` +
      `by length 5..13: ${JSON.stringify(lengths)}\n` +
      `opened to step 600 in ${wall} ms; main-thread tasks over 50 ms: ${tasks.length ? tasks.join(', ') : 'none'}\n`,
  );
  // The notes' sentence and the beam change what is translated, not the training: the
  // default link's figures hold here.
  assertFigure(bahdanau, 'mt', 'default', 'Bahdanau BLEU at step 600', points);
  assertFigure(transformer, 'mt', 'default', 'Transformer BLEU at step 600', points);
  assertFigure(fixed, 'mt', 'default', 'fixed context BLEU at step 600', points);
  assertFigure(lengths.fixed[0], 'mt', 'default', 'fixed context BLEU on 5 words', points);
  // "29–38 on 11–13": each of the three lengths within the range.
  for (const b of lengths.fixed.slice(-3)) assertFigure(b, 'mt', 'default', 'fixed context BLEU on 11–13 words', points);
  assert.ok(long('bahdanau') - long('fixed') >= 0.4, `11–13 words: ${long('bahdanau')} vs ${long('fixed')}`);
  await page.getByTestId('mt-by-length').scrollIntoViewIfNeeded();
  await screenshot(page, 'mt-lab-length.png');

  // The link's sentence, translated by every model with a beam of 4.
  await page.getByTestId('mt-source').filter({ hasText: 'typed (step 600): the cat eats a mouse </s>' }).waitFor({ timeout: READY });
  assert.equal(await page.getByTestId('mt-greedy-bahdanau').getAttribute('data-words'), 'billi chuha khati hai');
  for (const model of ['fixed', 'bahdanau', 'transformer']) {
    assert.equal(await page.getByTestId(`mt-beam-${model}`).locator('tbody tr').count(), 4, `${model}: a beam of 4`);
  }

  // Translate a typed sentence: every model writes, the beam lists its hypotheses.
  const sentence = 'the small cat with a dog eats the red mouse';
  await page.getByTestId('mt-sentence').fill(sentence);
  await page.getByTestId('mt-translate').click();
  await page.getByTestId('mt-source').filter({ hasText: `typed (step 600): ${sentence} </s>` }).waitFor({ timeout: READY });
  await page.waitForFunction(() => location.hash.includes('say=the+small+cat+with+a+dog+eats+the+red+mouse'));
  const right = 'choti billi kutta ke saath lal chuha khati hai';
  await page.getByTestId('mt-reference').filter({ hasText: right }).waitFor({ timeout: READY });
  assert.equal(await page.getByTestId('mt-greedy-bahdanau').getAttribute('data-words'), right);
  await page.getByTestId('mt-beam-width').fill('1');
  await page.getByTestId('mt-beam-width').press('Tab');
  await page.getByTestId('mt-beam-bahdanau').locator('caption', { hasText: 'width 1' }).waitFor({ timeout: READY });
  // Width 1 is greedy.
  assert.equal(
    (await page.getByTestId('mt-beam-bahdanau').locator('tbody tr td').nth(1).textContent()).replace(' </s>', ''),
    right,
  );
  await page.getByTestId('mt-translations').scrollIntoViewIfNeeded();
  await screenshot(page, 'mt-lab-translate.png');

  // Bahdanau's α: 10 written words (</s> last) × 11 source words, not blank; the nouns'
  // rows lean on their source nouns (or the word next to them), out of the source order.
  const alignment = page.getByTestId('mt-alignment');
  await alignment.waitFor();
  const matrix = page.getByTestId('mt-alignment-matrix');
  assert.equal(await matrix.locator('tbody tr').count(), 10);
  assert.equal(await matrix.locator('thead th').count(), 12);
  assert.ok((await matrix.locator('td').filter({ hasText: /\d/ }).count()) >= 10, 'weights written');
  const strongest = (await alignment.getAttribute('data-strongest')).split(',').map(Number);
  const near = (row, source) => Math.abs(strongest[row] - source) <= 1;
  // billi ← cat (2), kutta ← dog (5), chuha ← mouse (9).
  const hits = [[1, 2], [2, 5], [6, 9]].filter(([r, s]) => near(r, s)).length;
  await writeArtifact('mt-lab-alignment.txt', `Bahdanau α, strongest source word per written word: ${strongest}\n`);
  assert.ok(hits >= 2, `nouns aligned: ${strongest}`);
  await alignment.scrollIntoViewIfNeeded();
  await screenshot(page, 'mt-lab-alignment.png');
  // The Transformer: cross-attention of each layer and head, the decoder's self-attention
  // with its mask (hatched above the diagonal).
  await page.getByTestId('mt-align-transformer').click();
  await alignment.and(page.locator('[data-kind=cross]')).waitFor();
  await page.getByTestId('mt-align-layer').selectOption({ value: '1' });
  await page.getByTestId('mt-align-head').selectOption({ value: '2' });
  await page.locator('[data-testid=mt-alignment] h3', { hasText: 'layer 2 · head 3' }).waitFor();
  await page.getByTestId('mt-align-kind').selectOption({ value: 'decoder_self' });
  await alignment.and(page.locator('[data-kind=decoder_self]')).waitFor();
  assert.equal(await matrix.locator('td.masked').count(), (10 * 9) / 2);
  await screenshot(page, 'mt-lab-decoder-self.png');

  // A word the models do not know is named; nothing is lost.
  await page.getByTestId('mt-sentence').fill('the cat eats a pizza');
  await page.getByTestId('mt-translate').click();
  const error = page.getByTestId('mt-error');
  await error.filter({ hasText: '“pizza” is not in the vocabulary' }).waitFor({ timeout: READY });
  await page.getByTestId('mt-source').filter({ hasText: 'held-out sentence' }).waitFor({ timeout: READY });
  assert.equal(await page.getByTestId('mt-status').textContent(), 'step 600 of 600 · done');

  // BLEU taken apart: the notes' first example, then the repeated "the".
  const summary = page.getByTestId('mt-bleu-summary');
  await summary.waitFor();
  assert.equal(await summary.getAttribute('data-precisions'), '0.750,0.333,0.000,0.000');
  assert.ok(Math.abs(Number(await summary.getAttribute('data-bp')) - Math.exp(-0.5)) < 1e-9);
  assert.equal(await page.getByTestId('mt-bleu-score').textContent(), '0.0000');
  assert.equal(await page.getByTestId('mt-grams-1').locator('caption').textContent(), '1-grams: p_1 = 3/4 = 0.750');
  await page.getByTestId('mt-bleu-example-2').click();
  await page.getByTestId('mt-grams-1').locator('caption', { hasText: 'p_1 = 2/4' }).waitFor({ timeout: READY });
  assert.match(await page.getByTestId('mt-grams-1').locator('tr.clipped').textContent(), /“the”311 \(clipped\)/);
  await page.getByTestId('mt-bleu-from-bahdanau').click();
  await summary.and(page.locator('[data-score="1"]')).waitFor({ timeout: READY });
  await page.getByTestId('mt-bleu-example-0').click();
  await page.getByTestId('mt-grams-1').scrollIntoViewIfNeeded();
  await screenshot(page, 'mt-lab-bleu.png');
  assert.deepEqual(errors, []);
  await page.close();
});

test('halfway: the Transformer learns first, with the same numbers on one thread and on the pool', async () => {
  const link = example('mt', 'halfway').link;
  const plain = await serveDist({ isolated: false });
  const browser = await launchBrowser();
  try {
    const runs = {};
    for (const [name, server, context] of [
      ['pool', shared.server, shared.browser.context],
      ['one thread', plain, browser.context],
    ]) {
      const { page, errors } = await openPage(context, `${server.url}#${link}`);
      await reachStep(page, 300);
      const speeds = {};
      for (const model of ['fixed', 'bahdanau', 'transformer']) {
        const hint = await page.getByTestId(`mt-bleu-${model}`).locator('xpath=following-sibling::span').textContent();
        speeds[model] = Number(hint.match(/(\d+) pairs\/s alone/)?.[1]);
      }
      runs[name] = {
        isolated: await page.evaluate(() => self.crossOriginIsolated),
        curves: await page.getByTestId('mt-curves').getAttribute('data-evaluations'),
        bleu: [await bleu(page, 'fixed'), await bleu(page, 'bahdanau'), await bleu(page, 'transformer')],
        speeds,
        all: (await page.getByTestId('mt-speed').textContent()).trim(),
      };
      assert.deepEqual(errors, []);
      await page.close();
    }
    await writeArtifact(
      'mt-lab-threads.txt',
      Object.entries(runs)
        .map(([name, r]) => `${name}: BLEU fixed/Bahdanau/Transformer ${r.bleu.join(' / ')} at step 300; training pairs/s alone ${JSON.stringify(r.speeds)}; all three ${r.all}`)
        .join('\n') + '\n',
    );
    assert.equal(runs.pool.isolated, true);
    assert.equal(runs['one thread'].isolated, false);
    assert.equal(runs['one thread'].curves, runs.pool.curves, 'the same numbers on any thread count');
    const [fixed, bahdanau, transformer] = runs.pool.bleu;
    assertFigure(transformer, 'mt', 'halfway', 'Transformer BLEU at step 300', points);
    assertFigure(bahdanau, 'mt', 'halfway', 'Bahdanau BLEU at step 300', points);
    assertFigure(fixed, 'mt', 'halfway', 'fixed context BLEU at step 300', points);
  } finally {
    await browser.close();
    await plain.close();
  }
});

test('sentences up to 17 words: the fixed context keeps a quarter of BLEU on the longest, attention nearly all', async () => {
  const link = example('mt', 'longest').link;
  const { page, errors } = await openPage(shared.browser.context, `${shared.server.url}#${link}`);
  await reachStep(page, 600);
  const lengths = await byLength(page);
  const scores = [await bleu(page, 'fixed'), await bleu(page, 'bahdanau'), await bleu(page, 'transformer')];
  await writeArtifact('mt-lab-17.txt', `${link}: BLEU fixed/Bahdanau/Transformer ${scores.join(' / ')}\nby length 5..17: ${JSON.stringify(lengths)}\n`);
  assert.equal(lengths.fixed.length, 13, 'lengths 5 to 17');
  assertFigure(lengths.fixed[0], 'mt', 'longest', 'fixed context BLEU on 5 words', points);
  // "25 (16–17)": the two longest lengths' mean.
  assertFigure(mean(lengths.fixed.slice(-2)), 'mt', 'longest', 'fixed context BLEU on 16–17 words', points);
  for (const b of lengths.bahdanau) assertFigure(b, 'mt', 'longest', 'Bahdanau BLEU at every length', points);
  assert.deepEqual(errors, []);
  await page.close();
});
