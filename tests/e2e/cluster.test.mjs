// The Live cluster page in a real browser: the bundled real recording, and a real Flink
// 2.3.0 cluster started by scripts/test.sh (MEMLAB_FLINK_URL). Waits poll for state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import fs from 'node:fs/promises';
import { appUnderTest, openPage, screenshot, ROOT } from './support.mjs';

const app = appUnderTest();

const FLINK = process.env.MEMLAB_FLINK_URL;
const PROM = process.env.MEMLAB_PROMETHEUS_URL;

async function cards(page) {
  return page.$$eval('[data-testid="tm-card"]', (cs) =>
    cs.map((c) => ({
      id: c.dataset.id,
      heapUsed: Number(c.querySelector('[data-testid="gauge-heap"]').dataset.used),
      mismatch: !!c.querySelector('[data-testid="config-mismatch"]'),
      config: c.querySelector('[data-testid="tm-config"]')?.textContent ?? '',
    })),
  );
}

test('the bundled recording of a real cluster opens and replays', async () => {
  const { page, errors, context } = await openPage(app.browser, `${app.base}?view=cluster`);
  await page.getByTestId('load-demo').click();
  await page.waitForSelector('[data-testid="tm-card"]');
  const end = await cards(page);
  assert.equal(end.length, 2);
  assert.ok(end.every((c) => !c.mismatch && c.heapUsed > 0));
  assert.match(await page.getByTestId('cluster-status').textContent(), /67 polls over 5\.5 min/);
  // The JobManager's memory model, derived from its configuration.
  assert.ok(await page.getByTestId('jm-model').locator('[data-testid="memory-diagram"]').isVisible());
  // Scrub to the first poll: the values are those of that moment.
  await page.getByTestId('replay-timeline').fill('0');
  await page.waitForFunction((before) => {
    const c = document.querySelector('[data-testid="tm-card"] [data-testid="gauge-heap"]');
    return c && c.dataset.used !== String(before);
  }, end[0].heapUsed);
  // Step forward one poll (button and key), then play to the end at 8×.
  await page.getByTestId('replay-forward').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="replay-timeline"]').value === '1');
  await page.locator('body').press('ArrowRight');
  await page.waitForFunction(() => document.querySelector('[data-testid="replay-timeline"]').value === '2');
  await page.getByTestId('replay-speed').selectOption('8');
  await page.getByTestId('replay-play').click();
  await page.waitForFunction(() => {
    const t = document.querySelector('[data-testid="replay-timeline"]');
    return Number(t.value) === Number(t.max);
  }, null, { timeout: 60000 });
  // At 128× a frame moves on several polls, and the replay still ends on the last poll.
  await page.getByTestId('replay-timeline').fill('0');
  await page.getByTestId('replay-speed').selectOption('128');
  const frames = page.evaluate(() => new Promise((done) => {
    const seen = [];
    const t = document.querySelector('[data-testid="replay-timeline"]');
    const each = () => {
      seen.push(Number(t.value));
      if (seen.length < 12) requestAnimationFrame(each); else done(seen);
    };
    requestAnimationFrame(each);
  }));
  await page.getByTestId('replay-play').click();
  const seen = await frames;
  assert.ok(seen.slice(1).some((v, i) => v - seen[i] >= 2), `polls per frame: ${seen}`);
  await page.waitForFunction(() => {
    const t = document.querySelector('[data-testid="replay-timeline"]');
    return Number(t.value) === Number(t.max);
  }, null, { timeout: 60000 });
  await screenshot(page, 'cluster-recording');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a TaskManager card lists what its JVM reports, and the open tables follow the replay', async () => {
  const rec = JSON.parse(await fs.readFile(path.join(ROOT, 'public/recordings/local-2tm.memlab.json'), 'utf8'));
  // The metrics of TaskManager `id` at poll `i`, straight from the recorded responses.
  const metrics = (i, id) => {
    const r = rec.polls[i].responses.find((x) => x.path.startsWith(`/taskmanagers/${id}/metrics`));
    return Object.fromEntries(JSON.parse(r.body).map((m) => [m.id, Number(m.value)]));
  };
  const { page, errors, context } = await openPage(app.browser, `${app.base}?view=cluster`);
  await page.getByTestId('load-demo').click();
  await page.waitForSelector('[data-testid="tm-card"]');
  const id = await page.getByTestId('tm-card').first().getAttribute('data-id');
  const card = page.locator(`[data-testid="tm-card"][data-id="${id}"]`);
  await card.locator('[data-testid="tm-advanced"] summary').click();
  const row = (table, attr, name) => card.locator(`[data-testid="${table}"] tr[${attr}="${name}"] td`).evaluateAll((tds) => tds.map((td) => (td.dataset.v === undefined ? null : Number(td.dataset.v))));
  const check = async (i) => {
    const m = metrics(i, id);
    assert.deepEqual(await row('jvm-memory', 'data-area', 'Heap'), [m['Status.JVM.Memory.Heap.Committed'], m['Status.JVM.Memory.Heap.Used'], m['Status.JVM.Memory.Heap.Max']]);
    assert.deepEqual(await row('jvm-memory', 'data-area', 'Non-Heap'), [m['Status.JVM.Memory.NonHeap.Committed'], m['Status.JVM.Memory.NonHeap.Used'], null]);
    assert.deepEqual(await row('jvm-buffers', 'data-pool', 'Direct'), [m['Status.JVM.Memory.Direct.Count'], m['Status.JVM.Memory.Direct.MemoryUsed'], m['Status.JVM.Memory.Direct.TotalCapacity']]);
    assert.deepEqual(await row('jvm-gc', 'data-collector', 'All'), [m['Status.JVM.GarbageCollector.All.Count'], m['Status.JVM.GarbageCollector.All.TimeMsPerSecond'], m['Status.JVM.GarbageCollector.All.Time']]);
    assert.deepEqual(await row('jvm-gc', 'data-collector', 'G1_Young_Generation'), [m['Status.JVM.GarbageCollector.G1_Young_Generation.Count'], m['Status.JVM.GarbageCollector.G1_Young_Generation.TimeMsPerSecond'], null]);
    assert.match(await card.getByTestId('jvm-misc').textContent(), new RegExp(`^${m['Status.JVM.Threads.Count']} threads · CPU load \\d+% · ${m['Status.JVM.ClassLoader.ClassesLoaded']} classes loaded$`));
  };
  await check(rec.polls.length - 1);
  // The GC chart beside them says 0.4 ms/s as 0.4, not 0.
  const gc = metrics(rec.polls.length - 1, id)['Status.JVM.GarbageCollector.All.TimeMsPerSecond'];
  assert.ok(gc > 0 && gc < 1);
  assert.match(await card.getByTestId('tm-chart').filter({ hasText: 'GC time (ms/s)' }).textContent(), new RegExp(gc.toFixed(1).replace('.', '\\.')));
  // The first poll, which Flink answered with no metrics yet: the section stays open and
  // says so. The second: its figures.
  await page.getByTestId('replay-timeline').fill('0');
  await card.getByTestId('jvm-none').waitFor();
  assert.equal(await card.getByTestId('tm-advanced').evaluate((d) => d.open), true);
  assert.equal(await card.getByTestId('jvm-memory').count(), 0);
  await page.getByTestId('replay-forward').click();
  await card.getByTestId('jvm-memory').waitFor();
  await check(1);
  assert.equal(await card.getByTestId('tm-advanced').evaluate((d) => d.open), true);
  // The JobManager's card has the same section. It is drawn anew with each poll, and an
  // open section stays open.
  const jmAt = (i) => Object.fromEntries(JSON.parse(rec.polls[i].responses.find((x) => x.path.startsWith('/jobmanager/metrics')).body).map((m) => [m.id, Number(m.value)]));
  const jm = page.getByTestId('jm-card');
  await jm.locator('[data-testid="jm-advanced"] summary').click();
  const jmRow = (area) => jm.locator(`[data-testid="jvm-memory"] tr[data-area="${area}"] td`).evaluateAll((tds) => tds.map((td) => (td.dataset.v === undefined ? null : Number(td.dataset.v))));
  assert.deepEqual(await jmRow('Heap'), [null, jmAt(1)['Status.JVM.Memory.Heap.Used'], jmAt(1)['Status.JVM.Memory.Heap.Max']]);
  assert.deepEqual(await jmRow('Non-Heap'), [null, jmAt(1)['Status.JVM.Memory.NonHeap.Used'], null]);
  assert.notEqual(jmAt(2)['Status.JVM.Memory.NonHeap.Used'], jmAt(1)['Status.JVM.Memory.NonHeap.Used']);
  await page.getByTestId('replay-forward').click();
  await jm.locator(`[data-testid="jvm-memory"] tr[data-area="Non-Heap"] td[data-v="${jmAt(2)['Status.JVM.Memory.NonHeap.Used']}"]`).waitFor();
  assert.equal(await page.getByTestId('jm-advanced').evaluate((d) => d.open), true);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a damaged recording gets a precise message and the page keeps working', async () => {
  const { page, errors, context } = await openPage(app.browser, `${app.base}?view=cluster`);
  const bad = path.join(ROOT, 'target', 'truncated.memlab.json');
  await fs.mkdir(path.dirname(bad), { recursive: true });
  await fs.writeFile(bad, '{"format": "memlab-recording", "version": 1, "polls": [{"t": 1, "resp');
  await page.getByTestId('import-file').setInputFiles(bad);
  await page.getByTestId('cluster-error').waitFor();
  assert.match(await page.getByTestId('cluster-error').textContent(), /not JSON \(line 1, column \d+\).*cut off/);
  await page.getByTestId('load-demo').click();
  await page.waitForSelector('[data-testid="tm-card"]');
  assert.deepEqual(errors, []);
  await context.close();
});

test('live: a real Flink cluster, a killed TaskManager, a stopped cluster, and a re-imported session', { skip: !FLINK && 'MEMLAB_FLINK_URL is not set (scripts/test.sh starts a real cluster)' }, async () => {
  const { page, errors, context } = await openPage(app.browser, `${app.base}?cluster=${encodeURIComponent(FLINK)}`);
  const rest = await (await fetch(`${FLINK}/taskmanagers`)).json();
  const ids = rest.taskmanagers.map((t) => t.id).sort();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="tm-card"]').length === n, ids.length, { timeout: 30000 });
  assert.deepEqual((await cards(page)).map((c) => c.id).sort(), ids);
  // Configured sizes shown = memoryConfiguration; live values = the poll's responses.
  // (A fresh TaskManager's metrics appear 10–20 s after it registers: wait for them.)
  for (const id of ids) {
    const mc = (await (await fetch(`${FLINK}/taskmanagers/${encodeURIComponent(id)}`)).json()).memoryConfiguration;
    const card = `[data-testid="tm-card"][data-id="${id}"]`;
    await page.waitForFunction(
      ([card, bytes]) => document.querySelector(`${card} [data-testid="gauge-managed"]`)?.dataset.capacity === String(bytes),
      [card, mc.managedMemory],
      { timeout: 60000 },
    );
    const cap = (g) => page.locator(`${card} [data-testid="${g}"]`).getAttribute('data-capacity').then(Number);
    assert.equal(await cap('gauge-metaspace'), mc.jvmMetaspace);
    assert.equal(await cap('gauge-direct'), mc.frameworkOffHeap + mc.taskOffHeap + mc.networkMemory);
    assert.equal(await cap('gauge-network'), mc.networkMemory / 32768);
    // The memory model drawn for the card shows memoryConfiguration's totals.
    assert.match(await page.locator(`${card} [data-testid="tm-config"]`).textContent(), /configured: process 1 GiB/);
  }
  assert.ok((await cards(page)).every((c) => !c.mismatch), 'memlab re-derives each TaskManager configuration');

  // A live value shown equals what the REST API returned in that poll (the app's own
  // recording keeps the raw response): stop polling, export, compare.
  await page.getByTestId('stop').click();
  const firstDownload = page.waitForEvent('download');
  await page.getByTestId('export').click();
  const firstFile = path.join(ROOT, 'target', 'session-live.memlab.json');
  await (await firstDownload).saveAs(firstFile);
  const rec = JSON.parse(await fs.readFile(firstFile, 'utf8'));
  const lastPoll = rec.polls.filter((p) => p.responses[0].status === 200).at(-1);
  // Every poll asks Flink's aggregating endpoint for the cluster-wide summary; the real
  // JobManager answers it, and its maximum heap is the fullest TaskManager's of that poll.
  const summary = lastPoll.responses.find((x) => x.path.startsWith('/taskmanagers/metrics?get='));
  assert.equal(summary.status, 200, summary.body);
  const heaps = lastPoll.responses.filter((x) => /^\/taskmanagers\/[^/]+\/metrics/.test(x.path) && !x.path.startsWith('/taskmanagers/metrics'))
    .map((x) => Number(JSON.parse(x.body).find((m) => m.id === 'Status.JVM.Memory.Heap.Used').value));
  const agg = JSON.parse(summary.body).find((m) => m.id === 'Status.JVM.Memory.Heap.Used');
  assert.ok(agg.max >= Math.min(...heaps) && agg.min <= Math.max(...heaps), `${JSON.stringify(agg)} vs ${heaps}`);
  for (const c of await cards(page)) {
    const r = lastPoll.responses.find((x) => x.path.startsWith(`/taskmanagers/${c.id}/metrics`));
    const heap = JSON.parse(r.body).find((m) => m.id === 'Status.JVM.Memory.Heap.Used');
    assert.equal(c.heapUsed, Number(heap.value), `${c.id}: heap used shown = REST value of the same poll`);
  }
  // So are the JVM details of a card, opened.
  const c0 = (await cards(page))[0];
  const raw = JSON.parse(lastPoll.responses.find((x) => x.path.startsWith(`/taskmanagers/${c0.id}/metrics`)).body);
  const v = (id) => Number(raw.find((m) => m.id === id).value);
  const card0 = page.locator(`[data-testid="tm-card"][data-id="${c0.id}"]`);
  await card0.locator('[data-testid="tm-advanced"] summary').click();
  const jvmRow = (sel) => card0.locator(`${sel} td`).evaluateAll((tds) => tds.map((td) => Number(td.dataset.v)));
  assert.deepEqual(await jvmRow('[data-testid="jvm-memory"] tr[data-area="Heap"]'), [v('Status.JVM.Memory.Heap.Committed'), v('Status.JVM.Memory.Heap.Used'), v('Status.JVM.Memory.Heap.Max')]);
  assert.deepEqual(await jvmRow('[data-testid="jvm-buffers"] tr[data-pool="Direct"]'), [v('Status.JVM.Memory.Direct.Count'), v('Status.JVM.Memory.Direct.MemoryUsed'), v('Status.JVM.Memory.Direct.TotalCapacity')]);
  assert.deepEqual(await jvmRow('[data-testid="jvm-gc"] tr[data-collector="All"]'), [v('Status.JVM.GarbageCollector.All.Count'), v('Status.JVM.GarbageCollector.All.TimeMsPerSecond'), v('Status.JVM.GarbageCollector.All.Time')]);
  // And the JobManager's.
  const jmRaw = JSON.parse(lastPoll.responses.find((x) => x.path.startsWith('/jobmanager/metrics')).body);
  const jv = (id) => Number(jmRaw.find((m) => m.id === id).value);
  await page.locator('[data-testid="jm-advanced"] summary').click();
  assert.deepEqual(
    await page.locator('[data-testid="jm-card"] [data-testid="jvm-memory"] tr[data-area="Heap"] td').evaluateAll((tds) => tds.map((td) => Number(td.dataset.v))),
    [jv('Status.JVM.Memory.Heap.Committed'), jv('Status.JVM.Memory.Heap.Used'), jv('Status.JVM.Memory.Heap.Max')],
  );
  // Reconnect and go on.
  await page.getByTestId('connect').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="cluster-status"]').textContent.startsWith('Live'));

  // The Diagnosis page reads the live session, which keeps polling there.
  await page.getByTestId('nav-diagnosis').click();
  await page.waitForFunction(() => /^Live session with/.test(document.querySelector('[data-testid="diagnosis-status"]')?.textContent ?? ''));
  const polls = async () => Number((await page.getByTestId('diagnosis-status').textContent()).match(/(\d+) polls/)[1]);
  const seen = await polls();
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid="diagnosis-status"]').textContent.match(/(\d+) polls/)[1]) > n, seen, { timeout: 30000 });
  for (const id of ids) {
    assert.equal(await page.locator(`[data-testid="subject"][data-subject="${id}"]`).count(), 1, `${id} is diagnosed`);
  }
  // A few seconds of data: the trend detectors say they need more, rather than guess.
  assert.match(await page.getByTestId('pending').first().textContent(), /not enough data yet/);
  // So does the Tune section, on the live session: how much more to record.
  await page.getByTestId('tune-run').click();
  await page.waitForFunction(() => /record .* more/.test(document.querySelector('[data-testid="tune-refused"]')?.textContent ?? ''), null, { timeout: 30000 });
  await page.getByTestId('nav-cluster').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="cluster-status"]')?.textContent.startsWith('Live'));

  // Flink's real PrometheusReporter as another source of the same snapshots.
  const scrape = path.join(ROOT, 'target', 'scrape.txt');
  await fs.writeFile(scrape, execFileSync(path.join(ROOT, 'scripts', 'flink-cluster.sh'), ['prometheus']));
  const other = await context.newPage();
  await other.goto(`${app.base}?view=cluster`);
  await other.getByTestId('import-file').setInputFiles(scrape);
  await other.waitForSelector('[data-testid="tm-card"] [data-testid="gauge-heap"][data-used]');
  assert.equal(await other.locator('[data-testid="tm-card"]').count(), 1);
  assert.match(await other.getByTestId('cluster-status').textContent(), /scrape\.txt: 1 polls/);
  await other.close();

  // Kill a TaskManager: it is marked gone once Flink drops it (heartbeat timeout 5 s).
  execFileSync(path.join(ROOT, 'scripts', 'flink-cluster.sh'), ['kill-tm'], { stdio: 'inherit' });
  await page.waitForSelector('[data-testid="tm-gone"]', { timeout: 90000 });
  // The post-mortem, live: a busy TaskManager killed with no memory pressure inside its JVM.
  await page.waitForSelector('[data-testid="tm-gone"] [data-testid="tm-gone-cause"][data-cause="killed-from-outside"]', { timeout: 30000 });
  await screenshot(page, 'cluster-live-gone');

  // The same cluster through the real Prometheus that scrapes its PrometheusReporter every
  // 2 s (scripts/prometheus.sh), with the REST address for the configured sizes: the
  // survivors under their REST ids, the killed TaskManager lost, and each value shown equal
  // to Prometheus's own answer for the same instant.
  if (PROM) {
    const prom = await context.newPage();
    await prom.goto(`${app.base}?view=cluster&prometheus=${encodeURIComponent(PROM)}&range=5m&cluster=${encodeURIComponent(FLINK)}`);
    await prom.waitForSelector('[data-testid="tm-gone"]', { timeout: 60000 });
    await prom.getByTestId('stop').click();
    const alive = (await (await fetch(`${FLINK}/taskmanagers`)).json()).taskmanagers.map((t) => t.id);
    const shown = await cards(prom);
    assert.deepEqual(shown.map((c) => c.id).sort(), alive.sort(), 'the survivors, matched to their REST ids');
    const pdl = prom.waitForEvent('download');
    await prom.getByTestId('export').click();
    const pfile = path.join(ROOT, 'target', 'prometheus-live.memlab.json');
    await (await pdl).saveAs(pfile);
    const window = JSON.parse(await fs.readFile(pfile, 'utf8'));
    assert.equal(window.version, 2);
    const step = parseInt(window.source.step, 10);
    const last = Math.max(...window.polls.flatMap((p) => p.responses.filter((r) => r.path.startsWith('/api/v1/query_range') && r.status === 200)
      .flatMap((r) => JSON.parse(r.body).data.result.flatMap((s) => s.values.map((v) => v[0])))));
    for (const c of shown) {
      const tm = c.id.replace(/[^A-Za-z0-9:_]/g, '_');
      const q = `max_over_time(flink_taskmanager_Status_JVM_Memory_Heap_Used{tm_id="${tm}"}[${step}s])`;
      const answer = await (await fetch(`${PROM}/api/v1/query?query=${encodeURIComponent(q)}&time=${last}`)).json();
      assert.equal(c.heapUsed, Number(answer.data.result[0].value[1]), `${c.id}: heap shown = Prometheus at ${last}`);
    }
    await screenshot(prom, 'cluster-prometheus-live');
    await prom.close();
  }

  // Export the session now, for the re-import below.
  const download = page.waitForEvent('download');
  await page.getByTestId('export').click();
  const file = path.join(ROOT, 'target', 'session.memlab.json');
  await (await download).saveAs(file);

  // Stop the cluster: the error is shown, the last data stays, the page still works.
  execFileSync(path.join(ROOT, 'scripts', 'flink-cluster.sh'), ['stop'], { stdio: 'inherit' });
  await page.getByTestId('cluster-error').waitFor({ timeout: 60000 });
  assert.match(await page.getByTestId('cluster-error').textContent(), /No answer from/);
  assert.ok((await cards(page)).length >= 1, 'the last good data stays visible');
  await page.getByTestId('nav-calculator').click();
  await page.waitForSelector('[data-testid="page"][data-view="calculator"]');

  // The exported session re-imports and replays.
  await page.getByTestId('nav-cluster').click();
  await page.getByTestId('import-file').setInputFiles(file);
  // (The live session's cards stay until the file is read: wait for the file itself.)
  await page.waitForFunction(() => /^session\.memlab\.json:/.test(document.querySelector('[data-testid="cluster-status"]').textContent));
  await page.waitForSelector('[data-testid="tm-card"]');
  const saved = JSON.parse(await fs.readFile(file, 'utf8'));
  assert.equal(saved.format, 'memlab-recording');
  assert.match(await page.getByTestId('cluster-status').textContent(), new RegExp(`${saved.polls.length} polls`));
  assert.deepEqual(errors.filter((e) => !e.includes('Failed to load resource')), []);
  await context.close();
});
