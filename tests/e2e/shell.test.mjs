// The app's shell in a real browser: the release build served from a sub-path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appUnderTest, openPage, screenshot } from './support.mjs';

const app = appUnderTest();

test('boots from a sub-path with no console errors and shows the five areas', async () => {
  const { page, errors, context } = await openPage(app.browser, app.base);
  const labels = await page.locator('nav .nav-link').allTextContents();
  assert.deepEqual(labels, ['Allocator', 'Flink memory model', 'Live cluster', 'Diagnosis', 'Lessons']);
  assert.match(await page.getByTestId('version').textContent(), /memlab \d+\.\d+\.\d+/);
  await screenshot(page, 'shell');
  assert.deepEqual(errors, []);
  await context.close();
});

test('navigation updates the URL, survives a reload and works with back/forward', async () => {
  const { page, errors, context } = await openPage(app.browser, app.base);
  await page.getByTestId('nav-calculator').click();
  await page.waitForSelector('[data-testid="page"][data-view="calculator"]');
  assert.equal(new URL(page.url()).searchParams.get('view'), 'calculator');
  assert.ok(new URL(page.url()).pathname.endsWith('/tools/memlab/'), page.url());

  // A reload (and so a shared link) on a plain static server opens the same view.
  await page.reload();
  await page.waitForSelector('[data-testid="page"][data-view="calculator"]');

  await page.getByTestId('nav-cluster').click();
  await page.waitForSelector('[data-testid="page"][data-view="cluster"]');
  await page.goBack();
  await page.waitForSelector('[data-testid="page"][data-view="calculator"]');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a shared link opens its view directly', async () => {
  const { page, errors, context } = await openPage(app.browser, `${app.base}?view=diagnosis`);
  await page.waitForSelector('[data-testid="page"][data-view="diagnosis"]');
  assert.equal(await page.getByTestId('nav-diagnosis').getAttribute('aria-current'), 'page');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a link to a page that does not exist says so, on the page it opens instead', async () => {
  const { page, errors, context } = await openPage(app.browser, `${app.base}?view=memroy&step=2`);
  await page.waitForSelector('[data-testid="page"][data-view="allocator"]');
  const note = page.getByTestId('unknown-view');
  assert.match(await note.textContent(), /^There is no page “memroy”; this is the allocator page\. The pages are: allocator, calculator, cluster, diagnosis, lessons\./);
  // Going to another page drops the note.
  await page.getByTestId('nav-lessons').click();
  await page.waitForSelector('[data-testid="page"][data-view="lessons"]');
  assert.equal(await note.count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('narrow screens and dark mode still lay out the shell', async () => {
  const { page, errors, context } = await openPage(app.browser, app.base, {
    viewport: { width: 390, height: 800 },
    colorScheme: 'dark',
  });
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(bg, 'rgb(15, 20, 29)');
  for (const view of ['allocator', 'calculator', 'lessons']) {
    await page.goto(`${app.base}?view=${view}`);
    await page.waitForSelector(`[data-testid="page"][data-view="${view}"]`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.equal(overflow, 0, `${view}: the page must not scroll sideways on a phone`);
    await screenshot(page, `${view}-mobile-dark`);
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test('before the wasm arrives, index.html shows the header and a loading state in the reader\'s language; the app replaces it', async () => {
  for (const [locale, text, lang] of [['en-US', /^Loading memlab/, 'en'], ['zh-CN', /^正在加载 memlab/, 'zh-Hans']]) {
    const context = await app.browser.newContext({ viewport: { width: 900, height: 300 }, locale });
    const page = await context.newPage();
    await page.route(/_bg\.wasm/, () => {}); // held: the page shows what it has without the app
    await page.goto(`${app.base}?view=diagnosis`, { waitUntil: 'domcontentloaded' });
    assert.match(await page.textContent('#boot-msg'), text);
    assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
    assert.match(await page.textContent('#boot header'), /memlab/);
    await context.close();
  }
  const { page, errors, context } = await openPage(app.browser, `${app.base}?view=allocator`);
  await page.waitForSelector('[data-testid="page"]');
  assert.equal(await page.$('#boot'), null);
  assert.deepEqual(errors, []);
  await context.close();
});
