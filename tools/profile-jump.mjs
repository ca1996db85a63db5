#!/usr/bin/env node
// Where a jump to a step goes, by function: the allocator page of a build in DIR (a
// release build made with `data-wasm-opt="0" data-keep-debug="true"` keeps the wasm
// function names) on streaming churn with ops=300000, profiled with the DevTools
// protocol over --jumps jumps; prints the self time per function, top 30.
//
//   node tools/profile-jump.mjs DIR [--jumps 20]
import { launch, openPage, serveDir } from '../tests/e2e/support.mjs';

const dir = process.argv[2];
const i = process.argv.indexOf('--jumps');
const jumps = Number(i > 0 ? process.argv[i + 1] : 20);
const ops = 300000;
const script = `pool 256mb policy first-fit autosweep 50\nworkload churn seed=7 ops=${ops} min=16kb max=2mb live=150\n`;
const server = await serveDir(dir, '/');
const browser = await launch();
const { page, context } = await openPage(browser, `${server.base}?view=allocator&script=${encodeURIComponent(script)}`);
await page.waitForFunction((n) => document.querySelector('[data-testid="timeline"]')?.max === String(n), ops, { timeout: 600000 });
const cdp = await context.newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
await cdp.send('Profiler.start');
const times = await page.evaluate(async ({ ops, jumps }) => {
  const input = document.querySelector('[data-testid="timeline"]');
  const out = [];
  for (let i = 0; i < jumps; i++) {
    const target = Math.round(((i * 7919) % jumps + 0.5) / jumps * ops);
    const t0 = performance.now();
    input.value = String(target);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    const t1 = performance.now();
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    out.push([t1 - t0, performance.now() - t0]);
  }
  return out;
}, { ops, jumps });
const { profile } = await cdp.send('Profiler.stop');
const self = new Map();
const dt = profile.timeDeltas;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
profile.samples.forEach((id, k) => {
  const n = byId.get(id);
  const name = n.callFrame.functionName || `(${n.callFrame.url.split('/').pop() || 'native'})`;
  self.set(name, (self.get(name) ?? 0) + (dt[k] ?? 0) / 1000);
});
const total = [...self.values()].reduce((a, b) => a + b, 0);
console.log(`input handler (sync) median ${times.map((t) => t[0]).sort((a, b) => a - b)[jumps >> 1].toFixed(1)} ms; until painted median ${times.map((t) => t[1]).sort((a, b) => a - b)[jumps >> 1].toFixed(1)} ms`);
console.log(`profiled ${total.toFixed(0)} ms over ${jumps} jumps; self time per function:`);
for (const [name, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
  console.log(`${(ms / jumps).toFixed(2).padStart(8)} ms/jump  ${name.slice(0, 140)}`);
}
await context.close();
await browser.close();
await server.close();
