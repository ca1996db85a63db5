#!/usr/bin/env node
// The engine where users feel it: the allocator page of the release build (dist/, from
// `make build`) in headless Chromium, on streaming churn with ops=300000.
//
//   node tools/bench-app.mjs [--ops 300000] [--jumps 20] [--frames 300]
//
// - jump: set the timeline to a step far from the current one and time it until the next
//   frame has been painted (two animation frames after the input event), for --jumps
//   targets spread over the run; prints the median and the worst.
// - play at 512×: the gaps between animation frames while the run plays (the frame loop
//   replays several steps per frame), over --frames frames; prints the median, p95 and the
//   worst.
import { launch, openPage, serveDist } from '../tests/e2e/support.mjs';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return Number(i > 0 ? process.argv[i + 1] : fallback);
}
const ops = arg('ops', 300000);
const jumps = arg('jumps', 20);
const frames = arg('frames', 300);

const script = `pool 256mb policy first-fit autosweep 50\nworkload churn seed=7 ops=${ops} min=16kb max=2mb live=150\n`;
const server = await serveDist();
const browser = await launch();
const { page, errors, context } = await openPage(browser, `${server.base}?view=allocator&script=${encodeURIComponent(script)}`);
await page.waitForFunction((n) => document.querySelector('[data-testid="timeline"]')?.max === String(n), ops, { timeout: 600000 });

const jump = await page.evaluate(async ({ ops, jumps }) => {
  const input = document.querySelector('[data-testid="timeline"]');
  const times = [];
  for (let i = 0; i < jumps; i++) {
    // Alternate between the two halves: every jump crosses tens of thousands of steps.
    const target = Math.round(((i * 7919) % jumps + 0.5) / jumps * ops);
    const t0 = performance.now();
    input.value = String(target);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    times.push(performance.now() - t0);
    if (!document.querySelector('[data-testid="step-title"]').textContent.includes(`Step ${target}`)) {
      throw new Error(`the page did not show step ${target}`);
    }
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], max: times[times.length - 1] };
}, { ops, jumps });

await page.getByTestId('speed').selectOption('512');
await page.getByTestId('timeline').fill('0');
const play = await page.evaluate(async (frames) => {
  const gaps = [];
  document.querySelector('[data-testid="play"]').click();
  let last = performance.now();
  await new Promise((done) => {
    const tick = (t) => {
      gaps.push(t - last);
      last = t;
      if (gaps.length < frames) requestAnimationFrame(tick); else done();
    };
    requestAnimationFrame(tick);
  });
  const step = Number(document.querySelector('[data-testid="timeline"]').value);
  gaps.sort((a, b) => a - b);
  return { median: gaps[Math.floor(gaps.length / 2)], p95: gaps[Math.floor(gaps.length * 0.95)], max: gaps[gaps.length - 1], step };
}, frames);

await context.close();
await browser.close();
await server.close();
if (errors.length) throw new Error(errors.join('\n'));
const f = (x) => x.toFixed(1);
console.log(`streaming churn, ops=${ops}, in the release build`);
console.log(`jump to a step (${jumps} jumps, until painted): median ${f(jump.median)} ms, worst ${f(jump.max)} ms`);
console.log(`play at 512x (${frames} frames, reached step ${play.step}): frame gap median ${f(play.median)} ms, p95 ${f(play.p95)} ms, worst ${f(play.max)} ms`);
console.log('figure,value_ms');
console.log(`jump_median,${f(jump.median)}\njump_worst,${f(jump.max)}\nplay512_gap_median,${f(play.median)}\nplay512_gap_p95,${f(play.p95)}\nplay512_gap_worst,${f(play.max)}`);
