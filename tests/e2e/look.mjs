// A developer's tool, not a test: opens a link of the served dist in headless Chromium, waits,
// optionally runs a few actions, and saves the page in viewport-high slices (tall pages shrink
// too much to read as one image). `node look.mjs '#lab=cnn&v=1&at=125' out-prefix [wait-ms]`;
// LOOK_WIDTH=390 looks as a phone does (844 px high slices).
import { serveDist, launchBrowser, openPage } from './harness.mjs';

const [fragment = '', prefix = '/tmp/look/page', wait = '3000'] = process.argv.slice(2);
const server = await serveDist();
const browser = await launchBrowser();
const { page, errors } = await openPage(browser.context, `${server.url}${fragment}`);
const width = Number(process.env.LOOK_WIDTH ?? 1100);
const high = width < 600 ? 844 : 1000;
await page.setViewportSize({ width, height: high });
await page.waitForTimeout(Number(wait));
const height = await page.evaluate(() => document.documentElement.scrollHeight);
for (let y = 0, i = 0; y < height; y += high, i++) {
  await page.screenshot({ path: `${prefix}-${i}.png`, fullPage: true, clip: { x: 0, y, width, height: Math.min(high, height - y) } });
}
console.log(`${Math.ceil(height / high)} slices; errors: ${JSON.stringify(errors)}`);
await browser.close();
await server.close();
