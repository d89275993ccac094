// Every page as a phone shows it (390×844): the page never scrolls sideways, and nothing
// sticks out past the screen except inside a box that scrolls on its own (a wide table, a
// figure drawn at its full size). The pages are the navigation's, so a new lab is covered.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, screenshot, sharedBrowser } from './harness.mjs';

const shared = sharedBrowser({ before, after });

test('at 390 px wide every page fits the screen; what is wider scrolls inside its own box', async () => {
  const { page, errors } = await openPage(shared.browser.context, `${shared.server.url}#engine`);
  await page.setViewportSize({ width: 390, height: 844 });
  const pages = await page.locator('nav.labs-nav a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
  assert.ok(pages.length >= 7, `the navigation lists every page: ${pages}`);
  for (const href of pages) {
    await page.goto(`${shared.server.url}${href}`);
    await page.locator('section.panel h1:visible').first().waitFor();
    // Give the lab its first reply and views (every section drawn at its size).
    await page.waitForTimeout(2500);
    const fit = await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      const scrolls = (e) => {
        for (let p = e.parentElement; p; p = p.parentElement) {
          if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return true;
        }
        return false;
      };
      const out = [...document.querySelectorAll('body *')]
        .filter((e) => { const b = e.getBoundingClientRect(); return b.width > 0 && b.right > width + 1 && !scrolls(e); })
        .map((e) => `${e.tagName.toLowerCase()}${e.dataset.testid ? `[${e.dataset.testid}]` : ''}.${[...e.classList].join('.')}`);
      return { width, page: document.documentElement.scrollWidth, out: out.slice(0, 5) };
    });
    assert.deepEqual(fit, { width: 390, page: 390, out: [] }, href);
    if (href.includes('lab=tfm')) await screenshot(page, 'phone-tfm.png');
  }
  assert.deepEqual(errors, []);
  await page.close();
});
