// The Network lab as a student uses it after TensorFlow Playground: a link replays the circle
// to its epoch and the output separates the classes; every neuron's map and every weight is
// drawn; layers, neurons and features change the network and the link; the view settings do
// not restart training; the README's spiral and overfitting links reach their stated losses;
// a diverging run says why and no NaN reaches the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { colours, openPage, screenshot, sharedBrowser } from './harness.mjs';
import { assertFigure, example, reportedNumber } from './examples.mjs';

const READY = 60_000;
const shared = sharedBrowser({ before, after });

function epochText(n) {
  const digits = String(n).padStart(6, '0');
  return `${digits.slice(0, -3)},${digits.slice(-3)}`;
}

async function reachEpoch(page, n) {
  await page.getByTestId('net-epoch').filter({ hasText: epochText(n) }).waitFor({ timeout: READY });
}

async function loss(page, which) {
  return reportedNumber(page.getByTestId(`net-${which}-loss`));
}

test('the opening experiment replays to its epoch and draws every neuron and weight', async () => {
  const { page, errors } = await openPage(shared.browser.context, `${shared.server.url}#${example('net', 'circle').link}&at=100`);
  await reachEpoch(page, 100);
  assertFigure(await loss(page, 'test'), 'net', 'circle', 'test loss at epoch 100');
  // Two inputs → 4 → 2 → 1: 8 + 8 + 2 weights, each a line; pointing at one reads it.
  assert.equal(await page.getByTestId('links').getAttribute('data-links'), '18');
  assert.ok((await colours(page.getByTestId('links'))) > 3, 'the lines are drawn');
  const box = await page.getByTestId('links').boundingBox();
  // Halfway along x₂ → neuron 4 of layer 1: from (72, 134) to (156, 234) in the diagram.
  await page.mouse.move(box.x + 114, box.y + 184);
  assert.match(await page.getByTestId('link-readout').textContent(), /^w = -?\d\.\d{3}: x₂ → neuron 4 of layer 1 — click to set it$/);
  for (const id of ['neuron-1-1', 'neuron-1-4', 'neuron-2-2', 'output-node', 'output-map']) {
    assert.ok((await colours(page.getByTestId(id))) > 10, `${id} is drawn`);
  }
  // The output map puts the inner class (blue, +1) in the middle and the outer (orange) at a corner.
  const [centre, corner] = await page.getByTestId('output-map').evaluate((c) => {
    const at = (x, y) => Array.from(c.getContext('2d').getImageData(x, y, 1, 1).data.slice(0, 3));
    return [at(40, 40), at(2, 2)];
  });
  assert.ok(centre[2] > centre[0], `blue in the middle: ${centre}`);
  assert.ok(corner[0] > corner[2], `orange at the corner: ${corner}`);
  // A replayed link stops at its epoch; → trains one more.
  assert.equal(await page.getByTestId('net-play').textContent(), '▶ Play');
  await page.getByTestId('net-step').click();
  await reachEpoch(page, 101);
  await screenshot(page, 'net-lab.png');
  assert.deepEqual(errors, []);
  await page.close();
});

test('layers, neurons and features change the network and the link; the view does not restart it', async () => {
  const { page, errors } = await openPage(shared.browser.context, `${shared.server.url}#lab=net&v=1&at=20`);
  await reachEpoch(page, 20);
  // The view settings: in the link, and training stays at its epoch.
  await page.getByTestId('show-test').check();
  await page.waitForFunction(() => location.hash.includes('test=1'));
  assert.equal(await page.locator('.output-map circle').count(), 500, 'training and test points');
  await page.getByTestId('discretize').check();
  await page.waitForFunction(() => location.hash.includes('discrete=1'));
  assert.equal(await page.getByTestId('net-epoch').textContent(), epochText(20));
  assert.ok((await colours(page.getByTestId('output-map'))) <= 3, 'two colours (and the grey of zero)');

  await page.getByTestId('add-layer').click();
  await page.getByTestId('layer-count').filter({ hasText: '3 hidden layers' }).waitFor();
  await page.waitForFunction(() => location.hash.includes('layers=4,2,2'));
  await page.getByTestId('add-neuron-1').click();
  await page.waitForFunction(() => location.hash.includes('layers=5,2,2'));
  await page.getByTestId('feature-x1x2').click();
  await page.waitForFunction(() => location.hash.includes('features=x1,x2,x1x2'));
  await reachEpoch(page, 0);
  // 3 inputs → 5 → 2 → 2 → 1.
  await page.getByTestId('links').and(page.locator('[data-links="31"]')).waitFor();
  assert.equal(await page.getByTestId('feature-x1x2').getAttribute('aria-pressed'), 'true');
  await page.getByTestId('remove-layer').click();
  await page.waitForFunction(() => location.hash.includes('layers=5,2&'));
  assert.deepEqual(errors, []);
  await page.close();
});

test("the README's links reach the losses it writes: sin features or depth learn the spiral, L2 stops overfitting", async () => {
  // Each link's figures, as the README writes them (docs/examples.json), read at the link's epoch.
  const cases = [
    ['spiral', { test: 'test loss at epoch 300' }],
    ['spiral-sin', { test: 'test loss at epoch 300' }],
    ['spiral-deep', { test: 'test loss at epoch 300' }],
    ['overfit', { train: 'training loss at epoch 500', test: 'test loss at epoch 500' }],
    ['overfit-l2', { train: 'training loss at epoch 500', test: 'test loss at epoch 500' }],
  ];
  const { page, errors } = await openPage(shared.browser.context, `${shared.server.url}#${example('net', 'circle').link}`);
  const misses = [];
  for (const [id, figures] of cases) {
    const link = example('net', id).link;
    await page.goto(`${shared.server.url}#${link}`);
    await reachEpoch(page, Number(link.match(/at=(\d+)/)[1]));
    for (const [which, name] of Object.entries(figures)) {
      try {
        assertFigure(await loss(page, which), 'net', id, name);
      } catch (e) {
        misses.push(e.message);
      }
    }
    if (id === 'overfit-l2') await screenshot(page, 'net-lab-l2.png');
  }
  assert.deepEqual(misses, []);
  // Batch norm on and off, side by side: both runs reach the link's epoch.
  await page.goto(`${shared.server.url}#${example('net', 'batch-norm').link}`);
  await reachEpoch(page, 150);
  await page.getByTestId('hist-contrast-loss').filter({ hasText: /^epoch 150: training loss/ }).waitFor({ timeout: READY });
  await page.getByTestId('hist-layer').selectOption('4');
  for (const id of ['hist-canvas', 'hist-contrast-canvas']) {
    assert.ok((await colours(page.getByTestId(id))) > 5, `${id} is drawn`);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test("the README's one-neuron links: x₁x₂ alone separates exclusive or, and the student's own eight points", async () => {
  const { page, errors } = await openPage(shared.browser.context, `${shared.server.url}#${example('net', 'xor').link}`);
  for (const id of ['xor', 'custom']) {
    const link = example('net', id).link;
    await page.goto(`${shared.server.url}#${link}`);
    await reachEpoch(page, Number(link.match(/at=(\d+)/)[1]));
    // No hidden layer: one line, from x₁x₂ to the output.
    assert.equal(await page.getByTestId('links').getAttribute('data-links'), '1', id);
    const [train, test] = [await loss(page, 'train'), await loss(page, 'test')];
    assert.ok(train < 0.05 && test < 0.05, `${id}: separated (training loss ${train}, test loss ${test})`);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('a diverging run stops, says why, and shows no NaN', async () => {
  const { page, errors } = await openPage(
    shared.browser.context,
    `${shared.server.url}#lab=net&v=1&data=plane&layers=8,8,8&act=relu&lr=10&at=20`,
  );
  const stopped = page.getByTestId('net-stopped');
  await stopped.waitFor({ timeout: READY });
  assert.match(await stopped.textContent(), /η = 10 is probably too large/);
  assert.equal(await page.getByTestId('net-play').isDisabled(), true);
  assert.doesNotMatch(await page.locator('.net-lab').innerText(), /NaN/);
  assert.equal(await page.getByTestId('net-error').count(), 0, 'every reply was read');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a clicked point is followed through backpropagation, stage by stage', async () => {
  const { page, errors } = await openPage(shared.browser.context, `${shared.server.url}#lab=net&v=1&at=30`);
  await reachEpoch(page, 30);
  await page.getByTestId('output-points').click({ position: { x: 140, y: 140 } });
  await page.getByTestId('chosen-point').waitFor({ timeout: READY });
  const title = page.getByTestId('bp-stage-title');
  await title.filter({ hasText: 'Stage 1 of 9: The point and its input features' }).waitFor({ timeout: READY });
  assert.equal(await page.getByTestId('bp-inputs').locator('tbody tr').count(), 2);
  const titles = [];
  for (let i = 1; i < 9; i++) {
    await page.getByTestId('bp-next').click();
    titles.push((await title.textContent()).replace(/^Stage \d+ of 9: /, ''));
    if (i === 1) assert.equal(await page.getByTestId('bp-forward').locator('tbody tr').count(), 4, 'four neurons in layer 1');
    if (i === 4) assert.match(await page.getByTestId('bp-loss').textContent(), /^J = ½\(ŷ − y\)² = ½\(/);
    if (i === 5) {
      assert.equal(await page.getByTestId('bp-gradients').locator('tbody tr').count(), 3, 'two inputs and the bias');
      // The chain rule one edge at a time: the output layer has 2 × 1 edges.
      assert.match(await page.getByTestId('bp-edge').textContent(), /^Edge 1 of 2: a1 → neuron 1\. ∂J\/∂w = a1 · ∂J\/∂z1 = .+ = .+; back along it goes w · ∂J\/∂z1 = /);
      await page.getByTestId('bp-edge-next').click();
      await page.getByTestId('bp-edge').filter({ hasText: 'Edge 2 of 2: a2 → neuron 1' }).waitFor();
      assert.equal(await page.getByTestId('bp-edge-next').isDisabled(), true);
    }
  }
  assert.deepEqual(titles, [
    'Forward through hidden layer 1',
    'Forward through hidden layer 2',
    'Forward through the output',
    'The loss',
    'Backward through the output',
    'Backward through hidden layer 2',
    'Backward through hidden layer 1',
    'The update θ ← θ − η ∂J/∂θ',
  ]);
  assert.equal(await page.getByTestId('bp-next').isDisabled(), true);
  assert.match(await page.getByTestId('bp-agreement').textContent(), /chain rule worked by hand gives (exactly the same numbers|the same to within \d\.\de-\d+)/);
  // Every cell of the update reads "old → new".
  const cells = await page.getByTestId('bp-update').first().locator('tbody td').allTextContents();
  assert.ok(cells.length === 12 && cells.every((c) => / → /.test(c)), cells.join(' | '));
  // One more epoch: the walk-through follows the network.
  await page.getByTestId('net-step').click();
  await page.getByTestId('bp-agreement').filter({ hasText: 'at epoch 31' }).waitFor({ timeout: READY });
  await screenshot(page, 'net-lab-backprop.png');
  assert.deepEqual(errors, []);
  await page.close();
});

test('batch norm: the histograms of what a layer receives, and the learnt γ and β', async () => {
  const link = '#lab=net&v=1&data=spiral&layers=8,8,8,8&act=relu&opt=adam&at=40';
  const { page, errors } = await openPage(shared.browser.context, `${shared.server.url}${link}`);
  await reachEpoch(page, 40);
  await page.getByTestId('hist-layer').selectOption('4');
  assert.ok((await colours(page.getByTestId('hist-canvas'))) > 5, 'the heatmap is drawn');
  assert.equal(await page.getByTestId('hist-bn-params').count(), 0, 'no γ and β without batch norm');
  await page.getByTestId('net-bn').check();
  await page.waitForFunction(() => location.hash.includes('bn=1'));
  await reachEpoch(page, 0);
  for (let i = 1; i <= 3; i++) {
    await page.getByTestId('net-step').click();
    await reachEpoch(page, i);
  }
  const heads = await page.getByTestId('hist-bn-params').locator('thead th').allTextContents();
  assert.deepEqual(heads, ['neuron', 'γ (learnt scale)', 'β (learnt shift)']);
  assert.equal(await page.getByTestId('hist-bn-params').locator('tbody tr').count(), 8, 'one row a neuron');
  assert.match(await page.getByTestId('bp-needs-plain').textContent(), /without batch normalisation/);
  // Side by side: the same network without batch norm is trained up to this epoch, then along.
  assert.equal(await page.getByTestId('hist-contrast').count(), 0);
  await page.getByTestId('bn-contrast').check();
  await page.waitForFunction(() => location.hash.includes('bnvs=1'));
  assert.equal(await page.getByTestId('hist-title').textContent(), 'This run, with batch norm');
  assert.equal(await page.getByTestId('hist-contrast-title').textContent(), 'The same network without batch norm');
  await page.getByTestId('hist-contrast-loss').filter({ hasText: /^epoch 3: training loss/ }).waitFor({ timeout: READY });
  await page.getByTestId('net-step').click();
  await reachEpoch(page, 4);
  await page.getByTestId('hist-contrast-loss').filter({ hasText: /^epoch 4: training loss/ }).waitFor({ timeout: READY });
  assert.ok((await colours(page.getByTestId('hist-contrast-canvas'))) > 5, 'the contrast heatmap is drawn');
  assert.equal(await page.getByTestId('hist-contrast-bn-params').count(), 0, 'no γ and β in the run without');
  assert.equal(await page.getByTestId('hist-bn-params').count(), 1);
  await screenshot(page, 'net-lab-batch-norm.png');
  assert.deepEqual(errors, []);
  await page.close();
});

test("a layer's Jacobian in numerator layout, by autograd and by differences, and the notes' identities", async () => {
  const { page, errors } = await openPage(shared.browser.context, `${shared.server.url}#lab=net&v=1&at=30`);
  await reachEpoch(page, 30);
  const caseText = page.getByTestId('jacobian-case');
  await caseText.filter({ hasText: 'hidden layer 1' }).waitFor({ timeout: READY });
  assert.match(await caseText.textContent(), /case ③, a vector by a vector: the Jacobian, 4 × 2$/);
  assert.equal(await page.getByTestId('jacobian-autograd').locator('tbody tr').count(), 4);
  assert.equal(await page.getByTestId('jacobian-differences').locator('tbody tr').count(), 4);
  const worst = Number((await page.getByTestId('jacobian-difference').textContent()).match(/at most ([^ ]+) /)[1]);
  assert.ok(worst < 1e-3, `autograd and differences agree: ${worst}`);
  for (const check of await page.getByTestId('identity-check').allTextContents()) {
    const m = check.match(/largest difference is ([^ ]+)\.$/);
    assert.ok(!m || Number(m[1]) < 1e-5, check);
  }
  await page.getByTestId('jacobian-layer').selectOption('3');
  await caseText.filter({ hasText: 'the output' }).waitFor({ timeout: READY });
  assert.match(await caseText.textContent(), /case ②, a scalar by a vector: a row, 1 × 2$/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('your own points: start from the data on screen, click to add, paste a CSV with bad rows', async () => {
  const { page, errors } = await openPage(shared.browser.context, `${shared.server.url}#lab=net&v=1&data=xor`);
  await page.locator('.data-row .hint').filter({ hasText: '250 training and 250 test points' }).waitFor({ timeout: READY });
  await page.getByTestId('dataset-custom').click();
  await page.waitForFunction(() => location.hash.includes('data=custom') && location.hash.includes('&pts='));
  assert.equal(await page.getByTestId('custom-count').textContent(), '250 of at most 250 points');
  // Make room, then add a blue point where the map is clicked.
  await page.getByTestId('remove-point').click();
  await page.getByTestId('custom-count').filter({ hasText: '249 of' }).waitFor();
  await page.getByTestId('click-adds-positive').check();
  await page.getByTestId('output-points').click({ position: { x: 210, y: 70 } });
  await page.getByTestId('custom-count').filter({ hasText: '250 of' }).waitFor();
  // x₁ = 210/280·12 − 6 = 3, x₂ = 6 − 70/280·12 = 3 (to the pixel): the link carries it.
  const last = (await page.evaluate(() => location.hash)).match(/pts=[^&]*,(-?\d+)_(-?\d+)_([pn])(&|$)/);
  assert.ok(last && Math.abs(last[1] - 300) <= 6 && Math.abs(last[2] - 300) <= 6 && last[3] === 'p', String(last));
  // A pasted CSV: its usable rows become the data, the others are listed by line.
  await page.locator('details.csv summary').click();
  await page.getByTestId('csv-text').fill('x,y,label\n-2,-2,1\n2,2,1\n-2,2,-1\n2,-2,0\n9,9,1\n1,2\nfoo,1,1\n');
  await page.getByTestId('csv-use').click();
  await page.getByTestId('custom-count').filter({ hasText: '4 of' }).waitFor({ timeout: READY });
  const problems = await page.getByTestId('csv-problems').locator('li').allTextContents();
  assert.equal(problems.length, 3, problems.join(' | '));
  assert.match(problems[0], /^line 6: .*outside the plane/);
  assert.match(problems[1], /^line 7: expected 3 values/);
  assert.match(problems[2], /^line 8: .*not a finite number/);
  // The shared link reproduces the same data.
  const link = await page.evaluate(() => location.hash);
  assert.match(link, /pts=-200_-200_p,200_200_p,-200_200_n,200_-200_n/);
  // An uploaded file is read the same way.
  await page.getByTestId('csv-file').setInputFiles({ name: 'points.csv', mimeType: 'text/csv', buffer: Buffer.from('1,1,1\n-1,-1,-1\n2,-3,1\n') });
  await page.getByTestId('custom-count').filter({ hasText: '3 of' }).waitFor({ timeout: READY });
  assert.equal(await page.getByTestId('csv-problems').count(), 0, 'a clean file has no problems');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a weight clicked and set by hand enters the network and the link, which replays it', async () => {
  const { page, errors } = await openPage(shared.browser.context, `${shared.server.url}#lab=net&v=1&at=30`);
  await reachEpoch(page, 30);
  const box = await page.getByTestId('links').boundingBox();
  // Halfway along x₂ → neuron 4 of layer 1 (as in the first test).
  await page.mouse.click(box.x + 114, box.y + 184);
  await page.getByTestId('weight-editor').filter({ hasText: 'x₂ → neuron 4 of layer 1' }).waitFor();
  await page.getByTestId('weight-value').fill('-3');
  await page.getByTestId('weight-set').click();
  await page.waitForFunction(() => location.hash.includes('edit=30_1_1_3_-3'));
  // The page may have scrolled to the editor: point at the line where it is now.
  const now = await page.getByTestId('links').boundingBox();
  await page.mouse.move(now.x + 10, now.y + 10);
  await page.mouse.move(now.x + 114, now.y + 184);
  await page.getByTestId('link-readout').filter({ hasText: 'w = -3.000: x₂ → neuron 4 of layer 1' }).waitFor({ timeout: READY });
  for (let i = 31; i <= 32; i++) {
    await page.getByTestId('net-step').click();
    await reachEpoch(page, i);
  }
  const live = await loss(page, 'test');
  // The shared link replays the edit at epoch 30 and gives the same loss at epoch 32.
  await page.goto(`${shared.server.url}#lab=net&v=1&edit=30_1_1_3_-3&at=32`);
  await reachEpoch(page, 32);
  assert.equal(await loss(page, 'test'), live);
  assert.deepEqual(errors, []);
  await page.close();
});
