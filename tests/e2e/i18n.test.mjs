// 简体中文 throughout: every page is switched to Chinese and its text — visible text, and the
// title/aria-label/placeholder attributes a screen reader or a tooltip shows — is scanned for
// English words. What may stay: names, units, Flink's option keys and metric names, the
// scenario language's keywords, and whatever is marked translate="no" (scripts, block names,
// Flink's own error messages, which users search for verbatim).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { appUnderTest, openPage, screenshot, stepSettled, ROOT } from './support.mjs';

const app = appUnderTest();

// Names the bundled scenarios give their blocks, owners and gates (user data, not words).
const SCENARIO_DIR = path.join(ROOT, 'crates', 'engine', 'scenarios');
const SCRIPT_NAMES = [];
for (const f of await fs.readdir(SCENARIO_DIR)) {
  const text = await fs.readFile(path.join(SCENARIO_DIR, f), 'utf8');
  for (const m of text.matchAll(/^(?:alloc|gate|executor|retain|release)\s+([\w.-]+)/gm)) SCRIPT_NAMES.push(m[1]);
  for (const m of text.matchAll(/\bby\s+([\w.-]+)/g)) SCRIPT_NAMES.push(m[1]);
}

/** Words that are the same in both languages. */
const ALLOW = new Set([
  // names
  'memlab', 'Flink', 'Memory', 'Lab', 'Apache', 'JVM', 'TaskManager', 'TaskManagers', 'JobManager', 'TaskExecutor',
  'RocksDB', 'MemoryManager', 'NetworkBufferPool', 'Prometheus', 'Grafana', 'Kubernetes', 'YAML', 'JSON', 'REST',
  'README', 'GC', 'OOM', 'CPU', 'English', 'MaxDirectMemorySize', 'MaxMetaspaceSize', 'Metaspace', 'Java',
  'shuffle', 'te', 'config', 'yaml', 'Kendall', 'Theil', 'Sen', 'Python', 'UDF', 'INFO', 'WARN', 'Xmx', 'XX',
  'API', 'GET', 'HTTP', 'URL', 'CORS', 'Netty', 'Kafka', 'JDBC', 'MemorySegment',
  // the Flink Kubernetes Operator and its resource (product names)
  'Operator', 'FlinkDeployment',
  // HTTP header names, and the examples the Prometheus form gives (typed as they are)
  'Authorization', 'Bearer', 'X-Scope-OrgID', 'team-a', 'RFC', 'unix',
  // config values
  'true', 'false',
  // units
  'B', 'KB', 'MB', 'GB', 'TB', 'KiB', 'MiB', 'GiB', 'TiB', 'ms', 'min', 'b', 'kb', 'mb', 'gb', 'tb', 'bytes',
  // Flink's exception names (its messages are shown verbatim)
  'IllegalConfigurationException', 'IllegalArgumentException',
  // keys
  'PageDown', 'PageUp', 'Esc', 'Home', 'F', 'N', 'P', 'L',
  // allocation policies and the scenario language's keywords (what a script says)
  'first-fit', 'next-fit', 'best-fit', 'worst-fit', 'pages', 'buddy', 'alloc', 'release', 'retain', 'sweep',
  'compact', 'pool', 'executor', 'workload', 'gate', 'network', 'eager', 'coalesce', 'live', 'SIZE',
  'policy', 'slots', 'autosweep', 'leak-after',
]);

/** Flink's own messages, quoted verbatim (users search for them in logs). */
const FLINK_VERBATIM = [
  /Insufficient number of network buffers: required .*?'taskmanager\.memory\.network\.max'\./g,
  /Insufficient number of network buffers/g,
];

/** The English words left on the page (outside translate="no", code and the script). */
async function englishOn(page) {
  return page.evaluate(([allow, verbatim]) => {
    const skip = (el) => el.closest('[translate="no"], code, pre, textarea, script, style, noscript');
    const texts = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!skip(n.parentElement)) texts.push(n.textContent);
    }
    for (const el of document.body.querySelectorAll('[title], [aria-label], [placeholder]')) {
      if (skip(el)) continue;
      for (const a of ['title', 'aria-label', 'placeholder']) if (el.hasAttribute(a)) texts.push(el.getAttribute(a));
    }
    const found = new Set();
    for (let t of texts) {
      for (const v of verbatim) t = t.replace(new RegExp(v, 'g'), ' ');
      // Flink keys, metric names, file names and URLs (anything with a dot, slash or colon
      // inside a word) are verbatim by design.
      for (const token of t.split(/[\s,;()（）、，。：；“”"'‘’·|—–…!?！？=<>\[\]{}《》「」]+/)) {
        if (!/[A-Za-z]{2,}/.test(token) || /[./:_]/.test(token.replace(/[.:]$/, '')) || /\d/.test(token)) continue;
        const word = token.replace(/^[^A-Za-z]+|[^A-Za-z]+$/g, '');
        if (word.length < 2 || allow.includes(word) || allow.includes(token)) continue;
        found.add(word);
      }
    }
    return [...found].sort();
  }, [[...ALLOW, ...SCRIPT_NAMES], FLINK_VERBATIM.map((r) => r.source)]);
}

/** A page opened in a zh-CN browser (the first visit follows the browser's language). */
async function inChinese(url) {
  const opened = await openPage(app.browser, url, { locale: 'zh-CN' });
  await opened.page.waitForFunction(() => document.documentElement.lang === 'zh-Hans');
  return opened;
}

/** A page opened in English and switched to 简体中文 with the header's language menu. */
async function switchedToChinese(url) {
  const opened = await openPage(app.browser, url);
  await opened.page.waitForFunction(() => document.documentElement.lang === 'en');
  await opened.page.getByTestId('lang').selectOption('zh');
  await opened.page.waitForFunction(() => document.documentElement.lang === 'zh-Hans');
  return opened;
}

const PAGES = [
  ['allocator, seed example mid-way', '?view=allocator&scenario=seed-10-20-30&step=8', '[data-testid="event-log"] li'],
  ['allocator, quotas', '?view=allocator&scenario=quota-slots&step=20', '[data-testid="owner"]'],
  ['allocator, network buffers', '?view=allocator&scenario=network-buffers&step=12', '[data-testid="event-log"] li'],
  ['allocator, compared policies', '?view=allocator&scenario=first-vs-best-fit&compare=best-fit&step=9', '[data-testid="compare-summary"]'],
  ['allocator, a script with an error', `?view=allocator&script=${encodeURIComponent('pool 60mb\nalloc a 1.5mb')}`, '[data-testid="script-error"]'],
  ['calculator, TaskManager', '?view=calculator', '[data-testid="memory-diagram"]'],
  ['calculator, JobManager', '?view=calculator&p=jm', '[data-testid="memory-diagram"]'],
  ['calculator, an invalid config', '?view=calculator&taskmanager.memory.process.size=100m', '[role="alert"]'],
  ['live cluster, bundled recording', '?view=cluster&recording=public/recordings/heap-leak.memlab.json', '[data-testid="tm-card"]'],
  ['diagnosis, the leak', '?view=diagnosis&recording=public/recordings/heap-leak.memlab.json', '[data-testid="finding"]'],
  ['diagnosis, managed memory', '?view=diagnosis&recording=public/recordings/managed-idle.memlab.json', '[data-testid="finding"]'],
  ['diagnosis, tuned', '?view=diagnosis&tune=1&recording=public/recordings/rocksdb.memlab.json', '[data-testid="tune-group"]'],
  ['lessons', '?view=lessons', '[data-testid="lesson"]'],
  ['a lesson step', '?view=allocator&scenario=seed-10-20-30&step=3&lesson=04-seed-10-20-30.md&ls=2', '[data-testid="lesson-step-title"]'],
];

for (const [name, query, ready] of PAGES) {
  test(`中文: ${name} has no English left`, async () => {
    // Opened in English, then switched with the header's menu (the page re-opens in 中文).
    const { page, errors, context } = await switchedToChinese(`${app.base}${query}`);
    await page.locator(ready).first().waitFor();
    const left = await englishOn(page);
    assert.deepEqual(left, [], `English on "${name}": ${left.join(', ')}`);
    if (name === 'diagnosis, the leak') await screenshot(page, 'diagnosis-zh');
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('the language switch is remembered and the browser language is the default', async () => {
  const { page, errors, context } = await openPage(app.browser, `${app.base}?view=allocator`);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  await page.getByTestId('lang').selectOption('zh');
  await page.waitForFunction(() => document.querySelector('[data-testid="nav-allocator"]')?.textContent === '分配器');
  await page.waitForFunction(() => /第 \d+ 步/.test(document.querySelector('[data-testid="step-title"]')?.textContent ?? ''));
  await page.reload();
  await page.waitForFunction(() => document.documentElement.lang === 'zh-Hans');
  await page.getByTestId('lang').selectOption('en');
  await page.waitForFunction(() => document.querySelector('[data-testid="nav-allocator"]')?.textContent === 'Allocator');
  await screenshot(page, 'allocator-en');
  assert.deepEqual(errors, []);
  await context.close();
  const zh = await inChinese(`${app.base}?view=allocator&scenario=seed-10-20-30&step=8`);
  await zh.page.locator('[data-testid="event-log"] li').first().waitFor();
  await screenshot(zh.page, 'allocator-zh');
  await zh.context.close();
});

test('中文: every step of every lesson, on whatever page it opens, has no English left', async () => {
  const LESSONS = (await fs.readFile(path.join(ROOT, 'public', 'lessons', 'lessons.txt'), 'utf8'))
    .split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const { page, errors, context } = await inChinese(`${app.base}?view=lessons`);
  for (const file of LESSONS) {
    const text = await fs.readFile(path.join(ROOT, 'public', 'lessons', 'zh', file), 'utf8');
    const steps = [...text.matchAll(/^view: (\?\S+)$/gm)].map((m) => new URLSearchParams(m[1]));
    await page.goto(`${app.base}?view=lessons`);
    await page.locator(`[data-testid="lesson"][data-file="${file}"] [data-testid="start-lesson"]`).click();
    for (const [k, want] of steps.entries()) {
      await page.waitForFunction((k) => document.querySelector('[data-testid="lesson-bar"] .lesson-meta')?.textContent.includes(`第 ${k + 1} 步`), k);
      await stepSettled(page, want);
      const left = await englishOn(page);
      assert.deepEqual(left, [], `English on ${file} step ${k + 1} (${want}): ${left.join(', ')}`);
      if (k + 1 < steps.length) await page.getByTestId('lesson-next').click();
    }
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test('中文: a damaged recording and an unreachable cluster are explained in Chinese', async () => {
  const { page, errors, context } = await switchedToChinese(`${app.base}?view=cluster`);
  const bad = path.join(ROOT, 'target', 'truncated-zh.memlab.json');
  await fs.mkdir(path.dirname(bad), { recursive: true });
  await fs.writeFile(bad, '{"format": "memlab-recording", "version": 1, "polls": [{"t": 1, "resp');
  await page.getByTestId('import-file').setInputFiles(bad);
  await page.getByTestId('cluster-error').waitFor();
  assert.match(await page.getByTestId('cluster-error').textContent(), /这不是 JSON（第 1 行第 \d+ 列）/);
  assert.deepEqual(await englishOn(page), []);
  // A port that was free a moment ago: nothing answers there.
  const port = await new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const p = srv.address().port;
      srv.close(() => resolve(p));
    });
  });
  await page.getByTestId('cluster-url').fill(`http://127.0.0.1:${port}`);
  await page.getByTestId('connect').click();
  await page.waitForFunction(() => /没有应答/.test(document.querySelector('[data-testid="cluster-error"]')?.textContent ?? ''), null, { timeout: 60000 });
  assert.deepEqual(await englishOn(page), []);
  await page.getByTestId('stop').click();
  assert.ok(errors.every((e) => /ERR_CONNECTION_REFUSED|Failed to fetch/.test(e)), errors.join('\n'));
  await context.close();
});
