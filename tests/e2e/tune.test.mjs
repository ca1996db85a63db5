// The Tune section of the Diagnosis page in a real browser, on the real recordings in
// public/recordings: one configuration, its reasons, the operator's choice, downloads, the
// calculator; the same configuration as `memlab tune` prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { appUnderTest, openPage, screenshot, SHOTS, ROOT } from './support.mjs';

const app = appUnderTest();
const MEMLAB = path.join(process.env.CARGO_TARGET_DIR || path.join(process.env.HOME, '.cache/memlab/target'), 'debug', 'memlab');
const rec = (name) => `public/recordings/${name}.memlab.json`;

/// The configuration lines `memlab tune` prints (its explanations are comments).
function cliConfig(name, ...args) {
  let out;
  try {
    out = execFileSync(MEMLAB, ['tune', path.join(ROOT, rec(name)), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    out = e.stdout;
  }
  return out.split('\n').filter((l) => l && !l.startsWith('#')).join('\n');
}

const yamlLines = (text) => text.split('\n').filter((l) => l && !l.startsWith('#')).join('\n');

test('a healthy recording tuned: one configuration for both TaskManagers, the same as the CLI, downloads and the calculator', async () => {
  const { page, errors, context } = await openPage(app.browser, `${app.base}?view=diagnosis&recording=${encodeURIComponent(rec('healthy'))}`);
  await page.waitForFunction(() => /No findings/.test(document.querySelector('[data-testid="diagnosis-summary"]')?.textContent ?? ''));
  const tune = page.getByTestId('tune');
  await tune.getByTestId('tune-run').click();
  const group = tune.getByTestId('tune-group');
  await group.waitFor();
  assert.equal(await group.count(), 1);
  assert.equal(await group.getAttribute('data-members'), '2');
  assert.match(page.url(), /tune=1/);
  // Each part with its reason: managed memory the heap-backend job never used is released.
  const managed = group.locator('[data-testid="tune-part"][data-part="managed"]');
  assert.equal(await managed.getAttribute('data-after'), '0');
  assert.match(await managed.textContent(), /released/);
  assert.match(await group.locator('[data-testid="tune-part"][data-part="heap"]').textContent(), /live set/);
  // The page and the CLI give the same configuration.
  const yaml = await group.getByTestId('tune-yaml').textContent();
  assert.equal(yamlLines(yaml), cliConfig('healthy'));
  assert.match(yaml, /taskmanager\.memory\.process\.size: 1g/);
  // The operator's choice beside it.
  await group.getByTestId('tune-operator').locator('summary').click();
  assert.match(await group.getByTestId('tune-operator').textContent(), /taskmanager\.memory\.managed\.fraction: 0\.0/);
  await screenshot(page, 'diagnosis-tune');
  await page.addStyleTag({ content: '.topbar { position: static !important; }' });
  await tune.screenshot({ path: path.join(SHOTS, 'diagnosis-tune-panel.png') });
  // The smallest process that fits: smaller than today, kept in the link, the CLI agrees.
  await tune.getByTestId('tune-shrink').check();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="tune-group"]').dataset.saved) > 0);
  assert.match(page.url(), /shrink=1/);
  const small = await group.getByTestId('tune-yaml').textContent();
  assert.equal(yamlLines(small), cliConfig('healthy', '--shrink'));
  const [dl] = await Promise.all([page.waitForEvent('download'), group.getByTestId('tune-download-yaml').click()]);
  assert.equal(dl.suggestedFilename(), 'config.yaml');
  assert.equal(await fs.readFile(await dl.path(), 'utf8'), small);
  const [k8s] = await Promise.all([page.waitForEvent('download'), group.getByTestId('tune-download-k8s').click()]);
  assert.match(await fs.readFile(await k8s.path(), 'utf8'), /spec:\n {2}taskManager:\n {4}resource:\n {6}memory: "/);
  // Drawn to scale: the tuned model is narrower than today's.
  const widths = await page.$$eval('[data-testid="tune-group"] [data-testid="memory-diagram"]', (ds) => ds.map((d) => d.getBoundingClientRect().width));
  assert.ok(widths[1] < widths[0], `tuned ${widths[1]} px, today ${widths[0]} px`);
  const tuned = await group.getByTestId('tune-after').getByTestId('total-process').textContent();
  // The link survives a reload, and opens the configuration in the calculator.
  await page.reload();
  await page.getByTestId('tune-group').waitFor();
  assert.equal(await page.getByTestId('tune-shrink').isChecked(), true);
  await page.getByTestId('tune-open-calculator').click();
  await page.waitForSelector('[data-view="calculator"] [data-testid="memory-diagram"]');
  assert.equal(await page.getByTestId('total-process').first().textContent(), tuned);
  assert.deepEqual(errors, []);
  await context.close();
});

test('tuning refuses what it cannot fix: a leaking heap is held, too little data says how much more', async () => {
  const { page, errors, context } = await openPage(app.browser, `${app.base}?view=diagnosis&tune=1&recording=${encodeURIComponent(rec('heap-leak'))}`);
  const group = page.getByTestId('tune-group');
  await group.waitFor();
  const notes = await group.locator('[data-testid="tune-note"]').allTextContents();
  assert.ok(notes.some((n) => /a leak is fixed in code/.test(n)), notes.join('\n'));
  const heap = group.locator('[data-testid="tune-part"][data-part="heap"]');
  assert.ok(Number(await heap.getAttribute('data-after')) >= Number(await heap.getAttribute('data-before')), 'the leaking heap is not shrunk');
  // A recording too short to tune.
  await page.getByTestId('open-direct-oom').click();
  await page.getByTestId('tune-refused').waitFor();
  assert.match(await page.getByTestId('tune-refused').textContent(), /record .* more/);
  // A headroom that is not a share.
  await page.getByTestId('open-healthy').click();
  await page.getByTestId('tune-group').waitFor();
  await page.getByTestId('tune-headroom').fill('lots');
  await page.getByTestId('tune-headroom-error').waitFor();
  assert.equal(await page.getByTestId('tune-group').count(), 0);
  await page.getByTestId('tune-headroom').fill('50%');
  await page.getByTestId('tune-group').waitFor();
  assert.match(await page.locator('[data-testid="tune-part"][data-part="heap"]').textContent(), /50 %/);
  assert.match(page.url(), /headroom=50%25/);
  assert.deepEqual(errors, []);
  await context.close();
});

const PROM = process.env.MEMLAB_PROMETHEUS_URL;

test('a Prometheus window: the Tune section and memlab tune say to give the cluster for the sizes Prometheus lacks', { skip: !PROM && 'MEMLAB_PROMETHEUS_URL is not set (scripts/test.sh starts a real Prometheus)' }, async () => {
  const end = JSON.parse(await fs.readFile(path.join(process.env.MEMLAB_PROMETHEUS_DIR, 'backfill.json'), 'utf8')).healthy;
  const { page, errors, context } = await openPage(app.browser, `${app.base}?view=diagnosis&tune=1&prometheus=${encodeURIComponent(PROM)}&range=15m&end=${end + 30}`);
  const refused = page.getByTestId('tune-refused');
  await page.waitForFunction(() => /cluster=/.test(document.querySelector('[data-testid="tune-refused"]')?.textContent ?? ''), null, { timeout: 30000 });
  assert.match(await refused.textContent(), /Prometheus/);
  let code = 0;
  let out = '';
  try {
    execFileSync(MEMLAB, ['tune', '--prometheus', PROM, '--range', '15m', '--end', String(end + 30)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch (e) {
    code = e.status;
    out = e.stdout;
  }
  assert.equal(code, 3);
  assert.match(out, /--cluster URL/);
  assert.deepEqual(errors, []);
  await context.close();
});
