// Guided lessons: every bundled lesson stepped through to the end, and the presenter view
// driven by the keyboard alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { appUnderTest, openPage, screenshot, stepSettled, ROOT } from './support.mjs';

const app = appUnderTest();

const LESSONS = (await fs.readFile(path.join(ROOT, 'public', 'lessons', 'lessons.txt'), 'utf8'))
  .split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));

/** The step's `view:` lines of a lesson file, in order. */
async function views(file) {
  const text = await fs.readFile(path.join(ROOT, 'public', 'lessons', file), 'utf8');
  return [...text.matchAll(/^view: (\?\S+)$/gm)].map((m) => new URLSearchParams(m[1]));
}

test('every bundled lesson steps through to the end', async () => {
  const { page, errors, context } = await openPage(app.browser, `${app.base}?view=lessons`);
  await page.locator('[data-testid="lesson"]').first().waitFor();
  assert.equal(await page.locator('[data-testid="lesson"]').count(), LESSONS.length);
  assert.equal(await page.locator('[data-testid="lesson-error"]').count(), 0);
  for (const [i, file] of LESSONS.entries()) {
    const steps = await views(file);
    await page.goto(`${app.base}?view=lessons`);
    await page.locator(`[data-testid="lesson"][data-file="${file}"] [data-testid="start-lesson"]`).click();
    for (const [k, want] of steps.entries()) {
      console.log(`# ${file} step ${k + 1}: ${want.toString()}`);
      await page.waitForFunction((k) => document.querySelector('[data-testid="lesson-bar"] .lesson-meta')?.textContent.includes(`step ${k + 1} of`), k);
      // The step's page is open, in the step's state.
      await page.waitForSelector(`[data-testid="page"][data-view="${want.get('view')}"]`);
      if (want.get('view') === 'allocator') {
        const step = want.get('step') ?? '0';
        await page.waitForFunction((s) => document.querySelector('[data-testid="timeline"]')?.value === s, step, { timeout: 30000 });
      }
      if (want.get('view') === 'cluster' && want.get('at')) {
        await page.waitForFunction((at) => document.querySelector('[data-testid="replay-timeline"]')?.value === at, want.get('at'), { timeout: 30000 });
      }
      assert.ok((await page.getByTestId('lesson-step-title').textContent()).length > 3);
      if (i === 3 && k === 2) await screenshot(page, 'lesson-compaction-en');
      if (k + 1 < steps.length) await page.getByTestId('lesson-next').click();
    }
    await page.getByTestId('lesson-finish').click();
    await page.waitForSelector('[data-testid="page"][data-view="lessons"]');
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test('presenter view: large type, no chrome, keyboard only, laser pointer', async () => {
  const { page, errors, context } = await openPage(app.browser, `${app.base}?view=lessons`);
  await page.locator('[data-testid="start-presenting"]').first().click();
  await page.waitForSelector('.shell.presenter [data-testid="lesson-bar"]');
  assert.equal(await page.locator('.topbar').isVisible(), false, 'the navigation is hidden');
  const size = await page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('[data-testid="lesson-step-title"]')).fontSize));
  assert.ok(size >= 30, `large type (${size}px)`);
  await page.keyboard.press('PageDown');
  await page.waitForFunction(() => document.querySelector('.lesson-meta').textContent.includes('step 2 of'));
  await page.keyboard.press('PageUp');
  await page.waitForFunction(() => document.querySelector('.lesson-meta').textContent.includes('step 1 of'));
  await page.keyboard.press('4');
  await page.waitForFunction(() => document.querySelector('.lesson-meta').textContent.startsWith('Lesson 4:'));
  await page.keyboard.press('n');
  await page.keyboard.press('n');
  await page.waitForFunction(() => document.querySelector('[data-testid="timeline"]')?.value === '9', null, { timeout: 30000 });
  await page.keyboard.press('l');
  await page.mouse.move(400, 300);
  await page.getByTestId('laser').waitFor();
  const at = await page.getByTestId('laser').boundingBox();
  assert.ok(Math.abs(at.x + at.width / 2 - 400) < 3 && Math.abs(at.y + at.height / 2 - 300) < 3, 'the laser follows the pointer');
  await screenshot(page, 'lesson-presenter');
  await page.keyboard.press('Escape');
  await page.waitForSelector('.topbar', { state: 'visible' });
  assert.deepEqual(errors, []);
  await context.close();
});

test('lessons in 简体中文: the interface language, remembered, same steps', async () => {
  const { page, errors, context } = await openPage(app.browser, `${app.base}?view=lessons`);
  await page.locator('[data-testid="lesson"]').first().waitFor();
  await page.getByTestId('lang').selectOption('zh');
  await page.waitForFunction(() => /内存池/.test(document.querySelector('[data-testid="lesson"] h2')?.textContent ?? ''));
  await page.reload();
  await page.waitForFunction(() => /内存池/.test(document.querySelector('[data-testid="lesson"] h2')?.textContent ?? ''));
  assert.equal(await page.getByTestId('lang').inputValue(), 'zh');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-Hans');
  await page.locator('[data-testid="lesson"][data-file="04-seed-10-20-30.md"] [data-testid="start-lesson"]').click();
  await page.waitForFunction(() => document.querySelector('.lesson-meta')?.textContent.startsWith('第 4 课'));
  assert.match(await page.getByTestId('lesson-question').textContent(), /^问题：/);
  await page.getByTestId('lesson-next').click();
  await page.getByTestId('lesson-next').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="timeline"]')?.value === '9', null, { timeout: 30000 });
  assert.match(await page.getByTestId('lesson-step-title').textContent(), /压缩/);
  await screenshot(page, 'lesson-compaction-zh');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a lesson link that names no lesson says so and lists the lessons; the name works without .md', async () => {
  const { page, errors, context } = await openPage(app.browser, `${app.base}?view=allocator&lesson=nope.md&ls=2`);
  const problem = page.getByTestId('lesson-problem');
  await page.waitForFunction(() => /There is no lesson/.test(document.querySelector('[data-testid="lesson-problem"]')?.textContent ?? ''));
  assert.equal(await problem.textContent(), `There is no lesson “nope.md”. The lessons are: ${LESSONS.join(', ')}.`);
  // The page under the bar still works, and the button leads to the lessons.
  await page.locator('[data-testid="page"][data-view="allocator"]').waitFor();
  await page.getByTestId('lesson-list').click();
  await page.waitForSelector('[data-testid="page"][data-view="lessons"]');
  // A link without the file's ".md" opens the lesson.
  await page.goto(`${app.base}?view=allocator&scenario=buddy&step=7&lesson=05-fragmentation-vs-pages&ls=4`);
  await page.waitForFunction(() => /step 4 of/.test(document.querySelector('[data-testid="lesson-bar"] .lesson-meta')?.textContent ?? ''));
  assert.match(await page.getByTestId('lesson-step-title').textContent(), /buddy/);
  assert.deepEqual(errors, []);
  await context.close();
});

/** What a lesson step shows: the page and its text, the state in the address bar (in any
 *  order), the lesson bar, the allocator's step and the replay's poll. Installed in every
 *  page of a context as `window.__lessonShown` (so that waits and reads use one definition). */
function installShown() {
  window.__lessonShown = () => {
    const val = (id) => document.querySelector(`[data-testid="${id}"]`)?.value ?? null;
    return {
      view: document.querySelector('[data-testid="page"]')?.dataset.view,
      query: [...new URLSearchParams(location.search)].map(([k, v]) => `${k}=${v}`).sort(),
      presenter: !!document.querySelector('.shell.presenter'),
      meta: document.querySelector('[data-testid="lesson-bar"] .lesson-meta')?.textContent,
      title: document.querySelector('[data-testid="lesson-step-title"]')?.textContent,
      timeline: val('timeline'),
      replay: val('replay-timeline'),
      text: document.querySelector('[data-testid="page"]')?.innerText,
    };
  };
}

const shown = (page) => page.evaluate(() => window.__lessonShown());

/** Opens `url` and waits until the page shows `want` (a `shown()` value); on a time-out,
 *  compares what it does show, so the failure names the difference. */
async function expectShown(page, url, want, label) {
  await page.goto(url);
  try {
    await page.waitForFunction((w) => JSON.stringify(window.__lessonShown()) === JSON.stringify(w), want, { timeout: 30000 });
  } catch (e) {
    assert.deepEqual(await shown(page), want, `${label}: ${e.message.split('\n')[0]}`);
  }
}

// Each step of each bundled lesson, reached with Next from the lesson's start, then opened
// by its short link in a fresh page load: English in the normal view, 简体中文 in the
// presenter view.
for (const [lang, presenter] of [['en', false], ['zh', true]]) {
  test(`a short lesson link opens the step's own view (${lang}${presenter ? ', presenter view' : ''})`, async () => {
    const locale = lang === 'zh' ? 'zh-CN' : 'en-US';
    const { page, errors, context } = await openPage(app.browser, `${app.base}?view=lessons`, { locale });
    await context.addInitScript(installShown);
    const dir = lang === 'zh' ? path.join('public', 'lessons', 'zh') : path.join('public', 'lessons');
    for (const file of LESSONS) {
      const text = await fs.readFile(path.join(ROOT, dir, file), 'utf8');
      const steps = [...text.matchAll(/^view: (\?\S+)$/gm)].map((m) => new URLSearchParams(m[1]));
      // Reached with Next.
      await page.goto(`${app.base}?view=lessons`);
      await page.locator(`[data-testid="lesson"][data-file="${file}"] [data-testid="${presenter ? 'start-presenting' : 'start-lesson'}"]`).click();
      const wants = [];
      for (const [k, want] of steps.entries()) {
        await page.waitForFunction((k) => new RegExp(`(step ${k + 1} of|第 ${k + 1} 步)`).test(document.querySelector('[data-testid="lesson-bar"] .lesson-meta')?.textContent ?? ''), k);
        await stepSettled(page, want);
        wants.push(await shown(page));
        if (k + 1 < steps.length) await page.getByTestId('lesson-next').click();
      }
      // Opened by the short link, with and without `.md`.
      for (const [k, want] of wants.entries()) {
        const name = k % 2 ? file.replace(/\.md$/, '') : file;
        const link = `?lesson=${name}&ls=${k + 1}${presenter ? '&presenter=1' : ''}`;
        console.log(`# ${lang} ${link}`);
        await expectShown(page, `${app.base}${link}`, want, `${file} step ${k + 1} by ${link}`);
        assert.equal(await page.getByTestId('lesson-step-note').count(), 0);
      }
    }
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('a short lesson link without a step opens the first; one past the end the last, with a note', async () => {
  const { page, errors, context } = await openPage(app.browser, `${app.base}?lesson=04-seed-10-20-30`);
  await page.waitForFunction(() => /step 1 of 3/.test(document.querySelector('[data-testid="lesson-bar"] .lesson-meta')?.textContent ?? ''));
  await page.waitForFunction(() => new URLSearchParams(location.search).get('step') === '7');
  assert.equal(await page.getByTestId('lesson-step-note').count(), 0);
  // Past the end: the last step, and a note saying so.
  await page.goto(`${app.base}?lesson=04-seed-10-20-30&ls=9`);
  await page.getByTestId('lesson-step-note').waitFor();
  assert.equal(await page.getByTestId('lesson-step-note').textContent(), 'This lesson has no step “9”: it has 3 steps, and step 3 is shown.');
  await page.waitForFunction(() => document.querySelector('[data-testid="timeline"]')?.value === '9', null, { timeout: 30000 });
  assert.equal(new URL(page.url()).searchParams.get('ls'), '3');
  // Moving on clears the note.
  await page.getByTestId('lesson-prev').click();
  await page.waitForFunction(() => /step 2 of 3/.test(document.querySelector('[data-testid="lesson-bar"] .lesson-meta')?.textContent ?? ''));
  assert.equal(await page.getByTestId('lesson-step-note').count(), 0);
  // A link whose other parameters contradict the step follows the step; in 中文 the note too.
  await page.goto(`${app.base}?view=calculator&scenario=leak&lesson=07-real-cluster-leak&ls=0`);
  await page.getByTestId('lesson-step-note').waitFor();
  await page.waitForSelector('[data-testid="page"][data-view="cluster"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="replay-timeline"]')?.value === '5', null, { timeout: 30000 });
  assert.equal(new URL(page.url()).searchParams.get('scenario'), null);
  await page.getByTestId('lang').selectOption('zh');
  await page.waitForFunction(() => document.querySelector('[data-testid="lesson-step-note"]')?.textContent === '本课程没有第“0”步：共 4 步，现显示第 1 步。');
  assert.deepEqual(errors, []);
  await context.close();
});
