// Prometheus as a source, in a real browser against the real Prometheus that scripts/test.sh
// starts (scripts/prometheus.sh): its history is backfilled from committed real recordings
// with promtool, so the heap leak must be found from Prometheus's data alone, with Flink's
// REST port blocked and no cluster= in the address; a healthy window stays clean; the
// memlab CLI reads the same window; a saved window re-opens offline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { appUnderTest, openPage, screenshot, ROOT } from './support.mjs';

const PROM = process.env.MEMLAB_PROMETHEUS_URL;
const DIR = process.env.MEMLAB_PROMETHEUS_DIR;
const skip = !PROM && 'MEMLAB_PROMETHEUS_URL is not set (scripts/test.sh starts a real Prometheus)';
const app = appUnderTest();
const MEMLAB = path.join(process.env.CARGO_TARGET_DIR || path.join(process.env.HOME, '.cache/memlab/target'), 'debug', 'memlab');

async function backfilled(name) {
  return JSON.parse(await fs.readFile(path.join(DIR, 'backfill.json'), 'utf8'))[name];
}

test('a heap leak found from Prometheus alone, Flink REST blocked, no cluster=', { skip }, async () => {
  const end = await backfilled('heap-leak');
  const context = await app.browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'en-US' });
  const flinkAsked = [];
  // Every Flink REST port memlab could try (the test cluster's, Flink's default).
  await context.route(/:(8081|18081)\//, (route) => { flinkAsked.push(route.request().url()); return route.abort(); });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const q = `prometheus=${encodeURIComponent(PROM)}&range=10m&end=${end + 30}`;
  await page.goto(`${app.base}?view=diagnosis&${q}`);
  await page.waitForSelector('[data-testid="page"][data-view="diagnosis"]');
  const leak = page.locator('[data-testid="finding"][data-kind="heap-leak"]');
  await leak.first().waitFor({ timeout: 30000 });
  assert.equal(await leak.count(), 2, 'both TaskManagers leak');
  assert.match(await leak.first().textContent(), /grows 8\.[0-9] MiB\/min/);
  // The source says where the data came from, and that the configured sizes are missing.
  assert.match(await page.getByTestId('diagnosis-status').textContent(), /Prometheus .*steps/);
  await screenshot(page, 'prometheus-diagnosis');
  // The same window on the Live cluster page: a card per TaskManager, replayable.
  await page.getByTestId('nav-cluster').click();
  await page.waitForSelector('[data-testid="tm-card"]');
  assert.equal(await page.locator('[data-testid="tm-card"]').count(), 2);
  assert.match(page.url(), /prometheus=/, 'the window survives navigation');
  await page.getByTestId('replay-back').click();
  assert.match(await page.getByTestId('cluster-status').textContent(), /Prometheus .* steps from/);
  await screenshot(page, 'prometheus-cluster');
  await context.close();
  assert.deepEqual(flinkAsked, [], 'Prometheus alone carried the page');
  assert.deepEqual(errors, []);
});

test('a window of 40 TaskManagers: the riskiest read in full, the rest as peaks, the same in the CLI', { skip }, async () => {
  const end = await backfilled('heap-leak-x40');
  const args = ['--prometheus', PROM, '--range', '10m', '--end', String(end + 30)];
  const cli = JSON.parse(execFileSync(MEMLAB, ['diagnose', ...args, '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  const cliLeaks = cli.findings.filter((f) => f.kind === 'heap-leak').map((f) => f.subject).sort();
  assert.ok(cliLeaks.length >= 2 && cliLeaks.length <= 24, `${cliLeaks.length} leaks`);
  const text = execFileSync(MEMLAB, ['diagnose', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const m = text.match(/40 TaskManagers: the (\d+) riskiest/);
  assert.ok(m, text.slice(0, 600));
  const full = Number(m[1]);
  assert.ok(full < 40 && full >= cliLeaks.length);

  const { page, errors, context } = await openPage(app.browser, `${app.base}?view=cluster&prometheus=${encodeURIComponent(PROM)}&range=10m&end=${end + 30}`);
  await page.waitForSelector('[data-testid="tm-list"]', { timeout: 30000 });
  assert.match(await page.getByTestId('tm-list').locator('h3').textContent(), /\(40\)/);
  assert.match(await page.getByTestId('cluster-status').textContent(), new RegExp(`40 TaskManagers: the ${full} riskiest`));
  // The copy whose heap sits at 97 % is ranked, read in full, and first by heap.
  await page.getByTestId('tm-sort').selectOption('heap');
  await page.waitForFunction(() => document.querySelector('[data-testid="tm-row"]')?.dataset.id.endsWith('_copy7'));
  const hot = await page.locator('[data-testid="tm-row"]').first().getAttribute('data-id');
  assert.ok(cli.subjects.includes(hot), 'the CLI read it in full too');
  assert.equal(await page.locator(`[data-testid="tm-row"][data-id="${hot}"] [data-testid="tm-row-age"]`).textContent(), '');
  // The others are their peaks over the window.
  await page.getByTestId('tm-sort').selectOption('id');
  const ages = await page.locator('[data-testid="tm-row-age"]').allTextContents();
  assert.ok(ages.includes('window peak'), ages.join('|'));
  await screenshot(page, 'prometheus-40-taskmanagers');
  // The Diagnosis page finds the same leaks as the CLI.
  await page.getByTestId('nav-diagnosis').click();
  await page.waitForSelector('[data-testid="finding"][data-kind="heap-leak"]', { timeout: 30000 });
  const appLeaks = (await page.locator('[data-testid="finding"][data-kind="heap-leak"]').evaluateAll((fs) => fs.map((f) => f.dataset.subject))).sort();
  assert.deepEqual(appLeaks, cliLeaks);
  // A TaskManager known only by its peaks, opened from the list: its full series are read,
  // it joins every step, and the diagnosis finds its leak too.
  await page.getByTestId('nav-cluster').click();
  await page.waitForSelector('[data-testid="tm-list"]');
  const peer = page.locator('[data-testid="tm-row"]', { has: page.locator('[data-testid="tm-row-age"]', { hasText: 'window peak' }) }).first();
  const peerId = await peer.getAttribute('data-id');
  await peer.click();
  const card = page.locator(`[data-testid="tm-card"][data-id="${peerId}"]`);
  await card.locator('[data-testid="tm-findings"]').waitFor({ timeout: 30000 });
  assert.equal(await card.locator('[data-testid="tm-card-age"]').count(), 0, 'read in full: no longer peaks');
  assert.match(await page.getByTestId('cluster-status').textContent(), new RegExp(`the ${full + 1} riskiest`));
  await page.getByTestId('nav-diagnosis').click();
  await page.locator(`[data-testid="finding"][data-kind="heap-leak"][data-subject="${peerId}"]`).waitFor({ timeout: 30000 });
  assert.deepEqual(errors, []);
  await context.close();
});

test('TaskManagers named by another label: the error lists the labels found, and the one picked reads the window', { skip }, async () => {
  const end = await backfilled('healthy@pod');
  const args = ['--prometheus', PROM, '--range', '15m', '--end', String(end + 30)];
  let refused = '';
  try {
    execFileSync(MEMLAB, ['diagnose', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    refused = String(e.stderr);
  }
  assert.match(refused, /no label 'tm_id'; the labels found are: pod/);
  const text = execFileSync(MEMLAB, ['diagnose', ...args, '--tm-label', 'pod'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  assert.match(text, /2 TaskManager\(s\)/);
  assert.match(text, /No findings\./);

  const { page, errors, context } = await openPage(app.browser, `${app.base}?view=cluster&prometheus=${encodeURIComponent(PROM)}&range=15m&end=${end + 30}`);
  await page.getByTestId('cluster-error').waitFor({ timeout: 30000 });
  assert.match(await page.getByTestId('cluster-error').textContent(), /the labels found are: pod\. Choose the one that names a TaskManager/);
  await page.getByTestId('prometheus-tm-label').fill('pod');
  await page.getByTestId('prometheus-read').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="tm-card"]').length === 2, null, { timeout: 30000 });
  assert.match(page.url(), /tm_label=pod/, 'the label is part of the link');
  assert.equal(await page.getByTestId('cluster-error').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a healthy window stays clean; the CLI reads the same window; a saved window re-opens', { skip }, async () => {
  const end = await backfilled('healthy');
  const args = ['--prometheus', PROM, '--range', '15m', '--end', String(end + 30)];
  const text = execFileSync(MEMLAB, ['diagnose', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  assert.match(text, /No findings\./);
  assert.match(text, /Prometheus http:.* 2 TaskManager\(s\)/);
  const leakEnd = await backfilled('heap-leak');
  const json = JSON.parse(execFileSync(MEMLAB, ['diagnose', '--prometheus', PROM, '--range', '10m', '--end', String(leakEnd + 30), '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  assert.deepEqual([...new Set(json.findings.map((f) => f.kind))].sort(), ['heap-leak', 'oom-risk']);
  // memlab record --prometheus: a version 2 recording that re-opens in the CLI and the app.
  const out = path.join(ROOT, 'target', 'prometheus-window.memlab.json');
  execFileSync(MEMLAB, ['record', ...args, '-o', out], { stdio: 'ignore' });
  const rec = JSON.parse(await fs.readFile(out, 'utf8'));
  assert.equal(rec.version, 2);
  assert.equal(rec.source.prometheus, PROM);
  assert.match(execFileSync(MEMLAB, ['diagnose', out], { encoding: 'utf8' }), /No findings\./);
  const { page, context, errors } = await openPage(app.browser, `${app.base}?view=cluster`);
  await page.getByTestId('import-file').setInputFiles(out);
  await page.waitForSelector('[data-testid="tm-card"]');
  assert.equal(await page.locator('[data-testid="tm-card"]').count(), 2);
  await context.close();
  assert.deepEqual(errors, []);
});

test('errors say what to do: not a Prometheus, nothing listening, no Flink metrics', { skip }, async () => {
  const { page, context, errors } = await openPage(app.browser, `${app.base}?view=cluster`);
  const read = async (url, end) => {
    await page.getByTestId('prometheus-url').fill(url);
    await page.getByTestId('prometheus-end').fill(end ?? '');
    await page.getByTestId('prometheus-read').click();
    return page.getByTestId('cluster-error').textContent({ timeout: 30000 });
  };
  // The app's own static server: a web server, but no Prometheus API.
  assert.match(await read(app.base.replace(/\/tools\/memlab\/$/, '')), /is not Prometheus's HTTP API/);
  assert.match(await read('http://127.0.0.1:9'), /did not answer.*--web\.cors\.origin/s);
  // A window long before anything was backfilled.
  assert.match(await read(PROM, '2020-01-01T00:00:00Z'), /holds no Flink metrics.*metrics\.reporter\.prom\.factory\.class/s);
  await screenshot(page, 'prometheus-error');
  await context.close();
  assert.deepEqual(errors.filter((e) => !/Failed to load resource|net::ERR/.test(e)), []);
});
