// The README figures' precision: what interval a written figure promises (no browser).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertFigure, writtenRange } from './examples.mjs';

const near = (actual, expected) => actual.every((v, i) => Math.abs(v - expected[i]) <= 1e-12 * Math.max(1, Math.abs(expected[i])));

test('a written figure promises every value that is written so, and nothing wider', () => {
  assert.ok(near(writtenRange('0.008'), [0.0075, 0.0085]));
  assert.ok(near(writtenRange('97'), [96.5, 97.5]));
  assert.ok(near(writtenRange('−14.1'), [-14.15, -14.05]));
  assert.ok(near(writtenRange('29–38'), [28.5, 38.5]));
  assert.ok(near(writtenRange('2.3·10⁷'), [2.25e7, 2.35e7]));
  assert.ok(near(writtenRange('10⁻⁷'), [10 ** -7.5, 10 ** -6.5]));
  assert.throws(() => writtenRange('about 7'));
  assert.throws(() => writtenRange(''));
});

test("a page value is held to the README's figure, and a missing one fails", () => {
  assertFigure(0.0081, 'net', 'circle', 'test loss at epoch 100');
  assert.throws(() => assertFigure(0.0086, 'net', 'circle', 'test loss at epoch 100'), /README writes 0\.008/);
  assert.throws(() => assertFigure(NaN, 'net', 'circle', 'test loss at epoch 100'), /no number/);
  assert.throws(() => assertFigure(undefined, 'net', 'circle', 'test loss at epoch 100'), /no number/);
  // A '%' figure is a fraction on the page.
  assertFigure(0.404, 'rnn', 'recall-rnn', 'held-out accuracy at step 500');
  assert.throws(() => assertFigure(0.406, 'rnn', 'recall-rnn', 'held-out accuracy at step 500'));
});
