// The 1,000-TaskManager benchmark's browser half (tools/bench-scale.sh runs it): headless
// Chromium opens memlab's Diagnosis page on a real Prometheus holding an hour of the
// cluster, waits until the window is read and diagnosed, then opens the Live cluster page
// and scrolls the TaskManager list from top to bottom. Prints the figures as JSON (and
// writes target/bench-scale.json); asserts nothing.
//
//   node tools/bench-scale.mjs PROMETHEUS_URL END_UNIX_S [RANGE]
import fs from 'node:fs/promises';
import path from 'node:path';
import { serveDist, launch, ROOT } from '../tests/e2e/support.mjs';

const [prom, end, range = '1h'] = process.argv.slice(2);
if (!prom || !end) {
  console.error('usage: node tools/bench-scale.mjs PROMETHEUS_URL END_UNIX_S [RANGE]');
  process.exit(2);
}

const server = await serveDist();
const browser = await launch();
const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'en-US' });
const page = await context.newPage();
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
await page.addInitScript(() => {
  // Every gap between animation frames, and the wasm instance (for its memory).
  window.__gaps = [];
  let last = performance.now();
  const tick = (t) => { window.__gaps.push([last, t - last]); last = t; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  addEventListener('TrunkApplicationStarted', (e) => { window.__wasm = e.detail.wasm; window.__started = performance.now(); });
});
const cdp = await context.newCDPSession(page);
const memory = async () => {
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  const wasm = await page.evaluate(() => window.__wasm?.memory?.buffer.byteLength ?? 0);
  return { jsHeapMb: +(usedSize / 1e6).toFixed(1), wasmMb: +(wasm / 1e6).toFixed(1), totalMb: +((usedSize + wasm) / 1e6).toFixed(1) };
};
const maxGap = (from, to = Infinity) =>
  page.evaluate(([a, b]) => Math.round(Math.max(0, ...window.__gaps.filter(([t]) => t >= a && t <= b).map(([, g]) => g))), [from, to]);

const figures = { prometheus: prom, end: Number(end), range };
const url = `${server.base}?view=diagnosis&prometheus=${encodeURIComponent(prom)}&range=${range}&end=${end}`;
const t0 = Date.now();
await page.goto(url);
// Read and diagnosed: the status names the window and nothing is loading any more.
await page.waitForFunction(
  () => /Prometheus .*: [1-9]\d* steps from \d/.test(document.querySelector('[data-testid="diagnosis-status"]')?.textContent ?? '') &&
    !document.querySelector('[data-testid="loading"]'),
  null,
  { timeout: 120000, polling: 50 },
);
figures.loadedAndDiagnosedMs = Date.now() - t0;
figures.findings = await page.locator('[data-testid="finding"]').count();
figures.heapLeaks = await page.locator('[data-testid="finding"][data-kind="heap-leak"]').count();
figures.diagnosisStatus = (await page.getByTestId('diagnosis-status').textContent()).trim().slice(0, 300);
// The app's own start (the wasm instantiated, the first page mounted: the first-load
// issue's part) apart from reading and diagnosing the window, which begins after it.
figures.appStartedAtMs = await page.evaluate(() => Math.round(window.__started ?? -1));
figures.longestFrameGapStartingUpMs = await page.evaluate(() => Math.round(Math.max(0, ...window.__gaps.filter(([t]) => t < window.__started).map(([, g]) => g))));
figures.longestFrameGapWhileReadingMs = await maxGap(figures.appStartedAtMs);
figures.gapsOver100Ms = await page.evaluate(() => window.__gaps.filter(([, g]) => g > 100).map(([t, g]) => ({ from: Math.round(t), ms: Math.round(g) })));
figures.memoryAfterDiagnosis = await memory();

// The Live cluster page: the list of all, then scrolled through.
const t1 = Date.now();
await page.getByTestId('nav-cluster').click();
await page.waitForSelector('[data-testid="tm-list"]', { timeout: 60000 });
figures.clusterPageMs = Date.now() - t1;
figures.listed = Number((await page.getByTestId('tm-list').locator('h3').textContent()).match(/\((\d+)\)/)[1]);
const scrollFrom = await page.evaluate(() => performance.now());
figures.scroll = await page.getByTestId('tm-scroll').evaluate(async (el) => {
  let most = 0;
  const frames = [];
  while (el.scrollTop + el.clientHeight < el.scrollHeight - 1) {
    const t = performance.now();
    el.scrollTop += 450;
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    frames.push(performance.now() - t);
    most = Math.max(most, el.querySelectorAll('[data-testid="tm-row"]').length);
  }
  frames.sort((a, b) => a - b);
  return { steps: frames.length, medianStepMs: Math.round(frames[frames.length >> 1]), maxStepMs: Math.round(frames.at(-1)), mostRowsInPage: most };
});
figures.longestFrameGapWhileScrollingMs = await maxGap(scrollFrom);
figures.memoryAtEnd = await memory();
figures.errors = errors;
await fs.mkdir(path.join(ROOT, 'target'), { recursive: true });
await fs.writeFile(path.join(ROOT, 'target', 'bench-scale.json'), JSON.stringify(figures, null, 2));
await page.screenshot({ path: path.join(ROOT, 'target', 'bench-scale.png'), fullPage: false });
console.log(JSON.stringify(figures, null, 2));
await browser.close();
await server.close();
