// The post-mortem in a real browser, on real failures of a local Flink 2.3.0 cluster
// (public/recordings, made by tools/record-diagnosis.sh): what failed comes first, with
// its cause, whether Flink said it or memlab inferred it, and the incident's timeline; the
// Live cluster page shows the lost TaskManager's last readings and cause on its entry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appUnderTest, openPage, screenshot } from './support.mjs';

const app = appUnderTest();
const rec = (name) => encodeURIComponent(`public/recordings/${name}.memlab.json`);

test('a TaskManager killed by its heap: lost, cause inferred, timeline, the job failed through it', async () => {
  const { page, errors, context } = await openPage(app.browser, `${app.base}?view=diagnosis&recording=${rec('tm-heap-oom')}`);
  const section = page.getByTestId('postmortem');
  await section.waitFor();
  // What failed comes before every process's findings.
  const first = page.locator('[data-testid="postmortem"], [data-testid="subject"]').first();
  assert.equal(await first.getAttribute('data-testid'), 'postmortem');
  const lost = section.locator('[data-testid="finding"][data-kind="taskmanager-lost"]');
  assert.equal(await lost.count(), 1);
  const incident = lost.getByTestId('incident');
  assert.equal(await incident.getAttribute('data-cause'), 'heap-space');
  assert.equal(await incident.getAttribute('data-basis'), 'inferred');
  assert.match(await lost.getByTestId('finding-headline').textContent(), /vanished .* Java heap space/);
  const moments = await lost.getByTestId('incident-timeline').locator('li').allTextContents();
  assert.ok(moments.some((m) => /gone from the list/.test(m)), moments.join('\n'));
  assert.ok(moments.some((m) => /FAILED/.test(m)), moments.join('\n'));
  // The change for its cause, checked by the calculator.
  assert.match(await lost.getByTestId('rec-diff').textContent(), /taskmanager\.memory\./);
  const failed = section.locator('[data-testid="finding"][data-kind="job-failed"]');
  assert.match(await failed.getByTestId('finding-headline').textContent(), /TaskManager was lost .*Java heap space/);
  await screenshot(page, 'postmortem-tm-heap');
  // The Live cluster page at the poll of the loss: the gone TaskManager, its cause and last readings.
  await lost.getByTestId('evidence-link').click();
  const gone = page.getByTestId('tm-gone');
  await gone.waitFor();
  assert.equal(await gone.getByTestId('tm-gone-cause').getAttribute('data-cause'), 'heap-space');
  assert.match(await gone.getByTestId('tm-gone-last').textContent(), /Heap .* \/ /);
  // The job beside it: failed, with Flink's last exception.
  const job = page.locator('[data-testid="job"][data-state="FAILED"]');
  assert.match(await job.getByTestId('job-exception').textContent(), /Heartbeat of TaskManager/);
  await screenshot(page, 'postmortem-cluster-gone');
  await context.close();
  assert.deepEqual(errors, []);
});

test('a task out of heap: the job restarts, Flink quoted; in 简体中文 too', async () => {
  const { page, errors, context } = await openPage(app.browser, `${app.base}?view=diagnosis&recording=${rec('job-heap-oom')}`, { locale: 'zh-CN' });
  await page.waitForFunction(() => document.documentElement.lang === 'zh-Hans');
  const section = page.getByTestId('postmortem');
  await section.waitFor();
  const job = section.locator('[data-testid="finding"][data-kind="job-restarts"], [data-testid="finding"][data-kind="job-failed"]').first();
  const incident = job.getByTestId('incident');
  assert.equal(await incident.getAttribute('data-cause'), 'heap-space');
  assert.equal(await incident.getAttribute('data-basis'), 'quoted');
  assert.match(await incident.textContent(), /引自 Flink/);
  assert.match(await job.textContent(), /java\.lang\.OutOfMemoryError: Java heap space/);
  assert.equal(await section.locator('[data-kind="taskmanager-lost"]').count(), 0, 'the TaskManager survived');
  await screenshot(page, 'postmortem-job-zh');
  await context.close();
  assert.deepEqual(errors, []);
});

test('an idle TaskManager stopped and a cancelled job are not failures', async () => {
  for (const name of ['tm-idle-release', 'job-cancel']) {
    const { page, errors, context } = await openPage(app.browser, `${app.base}?view=diagnosis&recording=${rec(name)}`);
    await page.waitForFunction((n) => new RegExp(n).test(document.querySelector('[data-testid="diagnosis-status"]')?.textContent ?? ''), name);
    await page.getByTestId('subject').first().waitFor();
    assert.equal(await page.getByTestId('postmortem').count(), 0, name);
    await context.close();
    assert.deepEqual(errors, []);
  }
});

test('every recorded failure shows its cause on the page, as the command line does', async () => {
  for (const [name, cause, basis] of [
    ['direct-oom', 'direct-buffer', 'quoted'],
    ['metaspace-oom', 'metaspace', 'inferred'],
    ['network-buffers', 'network-buffers', 'quoted'],
    ['tm-killed', 'killed-from-outside', 'inferred'],
  ]) {
    const { page, errors, context } = await openPage(app.browser, `${app.base}?view=diagnosis&recording=${rec(name)}`);
    const incident = page.locator(`[data-testid="postmortem"] [data-testid="incident"][data-cause="${cause}"]`).first();
    await incident.waitFor();
    assert.equal(await incident.getAttribute('data-basis'), basis, name);
    await context.close();
    assert.deepEqual(errors, [], name);
  }
});
