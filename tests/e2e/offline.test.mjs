// Workshop Wi-Fi: after one visit the app reloads and works with the network gone (the
// service worker in public/sw.js), bundled recordings included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { appUnderTest, openPage, ROOT } from './support.mjs';

const app = appUnderTest();

test('every bundled recording and lesson is in the service worker\'s lists', async () => {
  const sw = await fs.readFile(path.join(ROOT, 'public', 'sw.js'), 'utf8');
  for (const dir of ['recordings', 'lessons', 'lessons/zh']) {
    for (const f of await fs.readdir(path.join(ROOT, 'public', dir), { withFileTypes: true })) {
      if (f.isFile()) assert.ok(sw.includes(`'public/${dir}/${f.name}'`), `public/${dir}/${f.name} is missing from public/sw.js`);
    }
  }
});

test('after the first visit, a reload with the network gone still works', async () => {
  const { page, errors, context } = await openPage(app.browser, `${app.base}?view=calculator`);
  // The service worker installs (caching the shell, the wasm and the recordings) and takes control.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
    }
  });
  const cached = await page.evaluate(async () => (await (await caches.open('memlab-v1')).keys()).map((r) => r.url));
  assert.ok(cached.some((u) => u.endsWith('_bg.wasm')), 'the wasm is cached');
  assert.ok(cached.some((u) => u.endsWith('heap-leak.memlab.json')), 'the recordings are cached');

  await context.setOffline(true);
  await page.reload();
  // Truly offline: anything not cached fails.
  assert.equal(await page.evaluate(() => fetch('./not-cached.json').then(() => 'answered', () => 'failed')), 'failed');
  await page.waitForSelector('[data-testid="page"][data-view="calculator"] [data-testid="memory-diagram"]');
  // Another view by a link, and a bundled recording, still offline.
  await page.goto(`${app.base}?view=diagnosis&recording=${encodeURIComponent('public/recordings/heap-leak.memlab.json')}`);
  await page.locator('[data-testid="finding"][data-kind="heap-leak"]').first().waitFor();
  await page.getByTestId('nav-cluster').click();
  await page.getByTestId('load-demo').click();
  await page.waitForFunction(() => /local-2tm\.memlab\.json: 67 polls/.test(document.querySelector('[data-testid="cluster-status"]')?.textContent ?? ''));
  // A lesson, offline.
  await page.goto(`${app.base}?view=lessons`);
  await page.locator('[data-testid="start-lesson"]').first().click();
  await page.getByTestId('lesson-step-title').waitFor();
  await context.setOffline(false);
  // (The one failed load is the probe for not-cached.json above.)
  assert.deepEqual(errors.filter((e) => !e.includes('net::ERR_FAILED')), []);
  assert.equal(errors.length, 1);
  await context.close();
});
