// Measurements, printed and written to target/cluster-scale.json (not asserted: timings are
// not tests): the Live cluster page with 64 TaskManagers (a real recording scaled up by
// tools/replicate.py), and importing a 50 MB recording.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import fs from 'node:fs/promises';
import { appUnderTest, openPage, screenshot, ROOT } from './support.mjs';

const app = appUnderTest();
const figures = {};
after(async () => {
  console.log('cluster page at scale:', JSON.stringify(figures));
  await fs.writeFile(path.join(ROOT, 'target', 'cluster-scale.json'), JSON.stringify(figures, null, 2));
});

function scaled(name, args) {
  const out = path.join(ROOT, 'target', name);
  execFileSync('python3', [path.join(ROOT, 'tools', 'replicate.py'), path.join(ROOT, 'public', 'recordings', 'local-2tm.memlab.json'), out, ...args]);
  return out;
}

async function importAndTime(page, file) {
  const t0 = Date.now();
  await page.getByTestId('import-file').setInputFiles(file);
  await page.waitForSelector('[data-testid="tm-card"]', { timeout: 120000 });
  await page.waitForFunction(() => !document.querySelector('[data-testid="loading"]'), null, { timeout: 120000 });
  return Date.now() - t0;
}

test('64 TaskManagers: load time and replay step time', async () => {
  const file = scaled('64tm.memlab.json', ['--taskmanagers', '64']);
  const { page, errors, context } = await openPage(app.browser, `${app.base}?view=cluster`);
  figures.tm64LoadMs = await importAndTime(page, file);
  // More than a dozen: the list of all, and cards for the riskiest.
  assert.match(await page.getByTestId('tm-list').locator('h3').textContent(), /\(64\)/);
  assert.equal(await page.locator('[data-testid="tm-card"]').count(), 6);
  // Move the replay position 12 times; time each until the next frame has been painted.
  figures.tm64ReplayStepMs = await page.evaluate(async () => {
    const input = document.querySelector('[data-testid="replay-timeline"]');
    const times = [];
    for (let i = 0; i < 12; i++) {
      const t0 = performance.now();
      input.value = String((i * 5) % 60);
      input.dispatchEvent(new Event('input', { bubbles: true }));
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return { median: times[6], max: times[11] };
  });
  assert.deepEqual(errors, []);
  await context.close();
});

test('1,000 TaskManagers: only the rows in view are in the page; search, sort and open a card', async () => {
  const file = scaled('1000tm.memlab.json', ['--taskmanagers', '1000', '--polls', '3', '--hot', '737']);
  const { page, errors, context } = await openPage(app.browser, `${app.base}?view=cluster`);
  figures.tm1000LoadMs = await importAndTime(page, file);
  const list = page.getByTestId('tm-list');
  assert.match(await list.locator('h3').textContent(), /\(1000\)/);
  const rows = page.locator('[data-testid="tm-row"]');
  assert.ok((await rows.count()) <= 40, `${await rows.count()} rows in the page`);
  // Sorted by heap, the copy made hot comes first.
  await page.getByTestId('tm-sort').selectOption('heap');
  await page.waitForFunction(() => document.querySelector('[data-testid="tm-row"]')?.dataset.id.endsWith('-copy737'));
  await screenshot(page, 'cluster-1000-taskmanagers');
  // The summary over all TaskManagers sees the hot one.
  const hotHeap = await page.locator('[data-testid="tm-card"][data-id$="-copy737"] [data-testid="gauge-heap"] .muted').textContent();
  const maxCell = page.locator('[data-testid="tm-spread-row"][data-metric="Status.JVM.Memory.Heap.Used"] td').nth(3);
  assert.equal(await maxCell.textContent(), hotHeap.split(' / ')[0]);
  // Each pool's maximum and median are drawn over the recording.
  const charts = page.locator('[data-testid="tm-spread-chart"] polyline.max');
  assert.equal(await charts.count(), await page.locator('[data-testid="tm-spread-row"]').count());
  assert.ok((await charts.first().getAttribute('points')).split(' ').length >= 3);
  // Scrolled to the end, the last rows are drawn, still a screenful.
  await page.getByTestId('tm-scroll').evaluate((e) => { e.scrollTop = e.scrollHeight; });
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="tm-row"]')].some((r) => parseFloat(r.style.top) > 29000));
  assert.ok((await rows.count()) <= 40);
  // Search narrows the list; a row opens its card, which closes again.
  await page.getByTestId('tm-search').fill('copy99');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="tm-row"]').length === 9);
  assert.match(await page.getByTestId('tm-matches').textContent(), /9 shown/);
  const id = await rows.first().getAttribute('data-id');
  await rows.first().click();
  const opened = page.locator(`[data-testid="tm-card"][data-id="${id}"]`);
  await opened.waitFor();
  await opened.getByTestId('tm-card-close').click();
  await opened.waitFor({ state: 'detached' });
  assert.deepEqual(errors, []);
  await context.close();
});

test('a 50 MB recording imports while the page stays responsive', async () => {
  const file = scaled('50mb.memlab.json', ['--megabytes', '50']);
  const { page, errors, context } = await openPage(app.browser, `${app.base}?view=cluster`);
  // Record the longest gap between animation frames while the file loads.
  await page.evaluate(() => {
    window.__gaps = [];
    let last = performance.now();
    const tick = (t) => { window.__gaps.push(t - last); last = t; if (window.__gaps.length < 100000) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  });
  figures.import50MbMs = await importAndTime(page, file);
  figures.import50MbLongestFrameGapMs = await page.evaluate(() => Math.round(Math.max(...window.__gaps)));
  figures.import50MbPolls = Number((await page.getByTestId('cluster-status').textContent()).match(/(\d+) polls/)[1]);
  assert.ok(figures.import50MbPolls > 3000);
  assert.deepEqual(errors, []);
  await context.close();
});
