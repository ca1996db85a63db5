// The Diagnosis page in a real browser, on the real recordings in public/recordings (made
// by tools/record-diagnosis.sh from a local Flink 2.3.0 cluster).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { appUnderTest, openPage, screenshot, SHOTS } from './support.mjs';

const app = appUnderTest();

const LEAK = 'public/recordings/heap-leak.memlab.json';

test('a real leak: finding, evidence, recommendation applied, new breakdown exported', async () => {
  const { page, errors, context } = await openPage(app.browser, `${app.base}?view=diagnosis&recording=${encodeURIComponent(LEAK)}`);
  const leaks = page.locator('[data-testid="finding"][data-kind="heap-leak"]');
  await leaks.first().waitFor();
  assert.equal(await leaks.count(), 2, 'both TaskManagers run a leaking task');
  const leak = leaks.first();
  assert.match(await leak.getByTestId('finding-headline').textContent(), /grows .*\/min/);
  // The most severe findings come first, and the leaking TaskManager is the first process.
  const first = page.locator('[data-testid="subject"]').first();
  assert.equal(await first.getAttribute('data-subject'), await leak.getAttribute('data-subject'));
  assert.equal(await first.locator('[data-testid="finding"]').first().getAttribute('data-kind'), 'heap-leak');
  // Evidence: the chart with the fitted trend and the heap limit.
  await leak.getByTestId('show-evidence').click();
  await leak.getByTestId('evidence-chart').waitFor();
  assert.ok(await leak.getByTestId('evidence-trend').count() === 1);
  assert.ok(await leak.getByTestId('evidence-limit').count() === 1);
  await screenshot(page, 'diagnosis-leak');
  // The README's picture: the summary and the leak with its evidence, one screen.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.setViewportSize({ width: 1400, height: 1300 });
  await page.screenshot({ path: path.join(SHOTS, 'diagnosis-readme.png') });
  await page.setViewportSize({ width: 1400, height: 900 });
  // Apply the stopgap and the idle-managed-memory change of the same TaskManager.
  const subject = await leak.getAttribute('data-subject');
  await leak.getByTestId('apply').check();
  const idle = page.locator(`[data-testid="finding"][data-kind="managed-idle"][data-subject="${subject}"]`);
  await idle.getByTestId('apply').check();
  const applied = page.getByTestId('applied');
  await applied.waitFor();
  const before = await applied.getByTestId('before-model').getByTestId('total-process').textContent();
  const after = await applied.getByTestId('after-model').getByTestId('total-process').textContent();
  assert.equal(before, after, 'the process keeps its size: the bytes come from idle memory');
  const moved = await applied.getByTestId('applied-moved').textContent();
  assert.match(moved, /Task heap/);
  assert.match(moved, /Managed/);
  const yaml = await applied.getByTestId('applied-yaml').textContent();
  assert.match(yaml, /taskmanager\.memory\.managed\.fraction: 0\.1/);
  assert.match(yaml, /taskmanager\.memory\.process\.size: 1024m/);
  const [download] = await Promise.all([page.waitForEvent('download'), applied.getByTestId('export-config').click()]);
  assert.equal(download.suggestedFilename(), 'config.yaml');
  const saved = await fs.readFile(await download.path(), 'utf8');
  assert.equal(saved, yaml);
  await screenshot(page, 'diagnosis-applied');
  // (The sticky header would cover the panel's title in an element screenshot.)
  await page.addStyleTag({ content: '.topbar { position: static !important; }' });
  await applied.screenshot({ path: path.join(SHOTS, 'diagnosis-applied-panel.png') });
  // The same changes open in the calculator, which derives the same breakdown.
  await applied.getByTestId('open-calculator').click();
  await page.waitForSelector('[data-view="calculator"] [data-testid="memory-diagram"]');
  assert.equal(await page.getByTestId('total-process').first().textContent(), after);
  // Evidence link: the Live cluster page at that moment, same session, finding badges.
  await page.goBack();
  await page.locator('[data-testid="finding"][data-kind="heap-leak"]').first().waitFor();
  const link = page.locator('[data-testid="finding"][data-kind="heap-leak"]').first().getByTestId('evidence-link');
  const poll = Number((await link.textContent()).match(/poll (\d+)/)[1]);
  await link.click();
  await page.waitForSelector('[data-testid="tm-card"] [data-testid="tm-findings"]');
  // …at the moment the evidence ends.
  assert.equal(await page.getByTestId('replay-timeline').inputValue(), String(poll - 1));
  // Cards are sorted by risk: every card with a critical finding comes before the others.
  const severities = await page.$$eval('[data-testid="tm-card"]', (cs) =>
    cs.map((c) => c.querySelector('[data-testid="tm-findings"]')?.dataset.severity ?? 'none'));
  const rank = { critical: 0, warning: 1, info: 2, none: 3 };
  assert.deepEqual([...severities].sort((a, b) => rank[a] - rank[b]), severities);
  assert.equal(severities[0], 'critical');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a healthy job has no findings; too little data says so', async () => {
  const { page, errors, context } = await openPage(app.browser, `${app.base}?view=diagnosis`);
  await page.getByTestId('open-healthy').click();
  await page.waitForFunction(() => /No findings/.test(document.querySelector('[data-testid="diagnosis-summary"]')?.textContent ?? ''));
  assert.equal(await page.locator('[data-testid="finding"][data-kind="heap-leak"]').count(), 0);
  // RocksDB uses its managed memory; the heap backend leaves it idle.
  await page.getByTestId('open-rocksdb').click();
  await page.waitForFunction(() => /rocksdb/.test(document.querySelector('[data-testid="diagnosis-status"]')?.textContent ?? ''));
  await page.waitForSelector('[data-testid="diagnosis-summary"]');
  assert.equal(await page.locator('[data-testid="finding"][data-kind="managed-idle"]').count(), 0);
  // The same jar run 56 times: the JobManager's metaspace grows; its change is derived by
  // the JobManager calculator.
  await page.getByTestId('open-metaspace').click();
  const meta = page.locator('[data-testid="finding"][data-kind="metaspace-growth"][data-subject="jobmanager"]');
  await meta.waitFor();
  assert.match(await meta.getByTestId('jm-recommendation').textContent(), /jobmanager\.memory\.jvm-metaspace\.size: 320m/);
  await page.getByTestId('open-managed-idle').click();
  // The metaspace recording has managed-idle findings too: wait until the new one is read.
  await page.waitForFunction(() => /managed-idle/.test(document.querySelector('[data-testid="diagnosis-status"]')?.textContent ?? ''));
  await page.locator('[data-testid="finding"][data-kind="managed-idle"]').first().waitFor();
  // The same change on both TaskManagers (same configuration): one panel, one config.yaml.
  const idle = page.locator('[data-testid="finding"][data-kind="managed-idle"]');
  assert.equal(await idle.count(), 2);
  await idle.nth(0).getByTestId('apply').check();
  await idle.nth(1).getByTestId('apply').check();
  await page.waitForFunction(() => /2 TaskManagers with the same configuration/.test(document.querySelector('[data-testid="applied"] h2')?.textContent ?? ''));
  assert.equal(await page.getByTestId('applied').count(), 1);
  assert.equal((await page.getByTestId('applied-yaml').textContent()).match(/managed\.fraction/g).length, 1);
  // A container limit the process exceeds, and a malformed one.
  await page.getByTestId('container-limit').fill('900m');
  await page.locator('[data-testid="finding"][data-kind="container-headroom"]').first().waitFor();
  await page.getByTestId('container-limit').fill('1.5g');
  assert.match(await page.getByTestId('limit-error').textContent(), /1\.5g/);
  // Alert rules and findings export.
  const [rules] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-rules').click()]);
  assert.match(await fs.readFile(await rules.path(), 'utf8'), /alert: FlinkHeapLeak/);
  const [json] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-findings').click()]);
  const report = JSON.parse(await fs.readFile(await json.path(), 'utf8'));
  assert.ok(report.findings.some((f) => f.kind === 'managed-idle'));
  // The allocator's view: fragmentation-induced OOM in a scenario, linked to its step.
  const pool = page.getByTestId('allocator-diagnosis');
  await pool.locator('[data-testid="pool-finding"][data-kind="fragmentation-oom"]').waitFor();
  assert.match(await pool.textContent(), /fixed-size pages/);
  await pool.getByTestId('allocator-scenario').selectOption('batch-sort-pages');
  await pool.getByTestId('allocator-no-findings').waitFor();
  await pool.getByTestId('allocator-scenario').selectOption('fragmentation-oom');
  await pool.locator('[data-kind="fragmentation-oom"] a').click();
  await page.waitForSelector('[data-view="allocator"]');
  assert.match(page.url(), /scenario=fragmentation-oom/);
  assert.match(page.url(), /step=17/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('on a phone in dark mode the findings fit the screen', async () => {
  const { page, errors, context } = await openPage(app.browser, `${app.base}?view=diagnosis&recording=${encodeURIComponent(LEAK)}`, {
    viewport: { width: 390, height: 800 },
    colorScheme: 'dark',
  });
  const leak = page.locator('[data-testid="finding"][data-kind="heap-leak"]').first();
  await leak.waitFor();
  await leak.getByTestId('show-evidence').click();
  await leak.getByTestId('evidence-chart').waitFor();
  await leak.getByTestId('apply').check();
  await page.getByTestId('applied').waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.equal(overflow, 0, 'the page must not scroll sideways on a phone');
  await screenshot(page, 'diagnosis-mobile-dark');
  assert.deepEqual(errors, []);
  await context.close();
});
