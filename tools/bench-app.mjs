#!/usr/bin/env node
// The engine where users feel it: the allocator page of the release build (dist/, from
// `make build`) in headless Chromium, on streaming churn with ops=300000.
//
//   node tools/bench-app.mjs [--ops 300000] [--jumps 20] [--frames 300]
//
// - jump: set the timeline to a step far from the current one, for --jumps targets spread
//   over the run; prints the median and the worst of the main thread's work for the jump
//   (from a DevTools trace) and of the time until the next frame is painted.
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

// Each jump: the time until the next frame is painted (two animation frames after the
// input event: at least one frame interval, whatever the work), and the main thread's work
// until the next paint (every task the renderer's main thread ran from the input until the
// frame after it was rendered, from a DevTools trace: the reactive update, DOM, style,
// layout, paint; the idle wait for the frame excluded). The work is what must fit in a
// frame (16.7 ms at 60 Hz). Jumps are 150 ms apart.
const cdp = await context.newCDPSession(page);
const events = [];
cdp.on('Tracing.dataCollected', (d) => events.push(...d.value));
const traced = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
await cdp.send('Tracing.start', { traceConfig: { includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink.user_timing', 'toplevel'] } });
const painted = await page.evaluate(async ({ ops, jumps }) => {
  const input = document.querySelector('[data-testid="timeline"]');
  const times = [];
  for (let i = 0; i < jumps; i++) {
    // Alternate between the two halves: every jump crosses tens of thousands of steps.
    const target = Math.round(((i * 7919) % jumps + 0.5) / jumps * ops);
    performance.mark(`jump-${i}`);
    const t0 = performance.now();
    input.value = String(target);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    // The next paint: a task queued from the next animation frame runs once that frame
    // has been rendered.
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    performance.mark(`painted-${i}`);
    await new Promise((r) => requestAnimationFrame(r));
    times.push(performance.now() - t0);
    if (!document.querySelector('[data-testid="step-title"]').textContent.includes(`Step ${target}`)) {
      throw new Error(`the page did not show step ${target}`);
    }
    await new Promise((r) => setTimeout(r, 150));
    performance.mark(`settled-${i}`);
  }
  return times;
}, { ops, jumps });
await cdp.send('Tracing.end');
await traced;
const mark = (name) => events.find((e) => e.name === name && e.cat.includes('user_timing'))?.ts;
const mainThread = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain'
  && events.some((x) => x.pid === e.pid && x.tid === e.tid && x.name === 'RunTask'));
const tasks = events.filter((e) => e.name === 'RunTask' && e.dur && e.pid === mainThread?.pid && e.tid === mainThread?.tid);
const work = [...Array(jumps).keys()].map((i) => {
  const [a, b] = [mark(`jump-${i}`), mark(`painted-${i}`)];
  return tasks.filter((t) => t.ts + t.dur >= a && t.ts < b).reduce((sum, t) => sum + t.dur, 0) / 1000;
});
const stats = (v) => {
  const s = [...v].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
};
const jump = stats(painted);
const busy = stats(work);

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
console.log(`jump to a step (${jumps} jumps), main-thread work: median ${f(busy.median)} ms, worst ${f(busy.max)} ms`);
console.log(`jump to a step (${jumps} jumps), until painted: median ${f(jump.median)} ms, worst ${f(jump.max)} ms`);
console.log(`play at 512x (${frames} frames, reached step ${play.step}): frame gap median ${f(play.median)} ms, p95 ${f(play.p95)} ms, worst ${f(play.max)} ms`);
console.log('figure,value_ms');
console.log(`jump_work_median,${f(busy.median)}\njump_work_worst,${f(busy.max)}\njump_median,${f(jump.median)}\njump_worst,${f(jump.max)}\nplay512_gap_median,${f(play.median)}\nplay512_gap_p95,${f(play.p95)}\nplay512_gap_worst,${f(play.max)}`);
