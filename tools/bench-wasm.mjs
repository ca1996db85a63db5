#!/usr/bin/env node
// The engine in the browser against the engine natively, on the `memlab bench` trace.
//
//   node tools/bench-wasm.mjs [--live 1000,10000] [--ops 1000000] [--repeat 5] [--policy best-fit]
//
// Builds crates/bench-wasm with the workspace's release profile (the one the app ships:
// opt-level "z", LTO, panic=abort), runs wasm-bindgen and `wasm-opt -Oz` as Trunk does for
// the app, and times the trace in headless Chromium with performance.now() (the fastest of
// --repeat runs, the live counts interleaved, as `memlab bench` does). Then it runs
// `memlab bench` natively (perf profile) on the same trace and prints both, their ratio,
// and the figures as CSV (docs/benchmarks/engine-wasm.csv holds a committed run).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, serveDir } from '../tests/e2e/support.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TARGET = process.env.CARGO_TARGET_DIR || path.join(ROOT, 'target');
const OUT = path.join(ROOT, 'target', 'bench-wasm');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}
const lives = arg('live', '1000,10000').split(',').map(Number);
const ops = Number(arg('ops', '1000000'));
const repeat = Number(arg('repeat', '5'));
const policy = arg('policy', 'best-fit');
const seed = 42;

const run = (cmd, args) => execFileSync(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] }).toString();

run('cargo', ['build', '--locked', '--release', '--target', 'wasm32-unknown-unknown', '-p', 'memlab-bench-wasm']);
await fs.mkdir(OUT, { recursive: true });
run('wasm-bindgen', ['--target', 'web', '--out-dir', OUT, path.join(TARGET, 'wasm32-unknown-unknown/release/memlab_bench_wasm.wasm')]);
const wasm = path.join(OUT, 'memlab_bench_wasm_bg.wasm');
run(path.join(ROOT, 'node_modules/.bin/wasm-opt'), ['-Oz', wasm, '-o', wasm]);
await fs.writeFile(path.join(OUT, 'index.html'), '<!DOCTYPE html><title>memlab engine benchmark</title>');

const server = await serveDir(OUT, '/');
const browser = await launch();
const page = await browser.newPage();
await page.goto(`${server.base}index.html`);
const wasmNs = await page.evaluate(async ({ lives, ops, repeat, policy, seed }) => {
  const m = await import('./memlab_bench_wasm.js');
  await m.default();
  const best = Object.fromEntries(lives.map((l) => [l, Infinity]));
  for (let r = 0; r < repeat; r++) {
    for (const live of lives) {
      const n = m.prepare(ops, live, seed);
      m.setup(policy, true);
      const t0 = performance.now();
      const failures = m.run();
      const ns = ((performance.now() - t0) * 1e6) / n;
      if (failures !== 0) throw new Error(`${failures} failures at ${live} live`);
      best[live] = Math.min(best[live], ns);
    }
  }
  return best;
}, { lives, ops, repeat, policy, seed });
await browser.close();
await server.close();

const native = run('cargo', ['run', '--locked', '-q', '--profile', 'perf', '-p', 'memlab-cli', '--', 'bench',
  '--live', lives.join(','), '--ops', String(ops), '--repeat', String(repeat), '--policy', policy, '--seed', String(seed)]);
const nativeNs = {};
for (const line of native.split('\n')) {
  const m = line.match(/^\s+(\d+)\s+(\d+)\s+[\d.]+ \S+\s+([\d.]+)/);
  if (m) nativeNs[Number(m[1])] = Number(m[3]);
}
const chromium = execFileSync(process.env.CHROMIUM || '/usr/bin/chromium', ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
console.log(`engine, ${policy}, events on, ${ops} ops, best of ${repeat}; wasm: release profile + wasm-opt -Oz in ${chromium}; native: perf profile`);
console.log('live,wasm_ns_per_op,native_ns_per_op,wasm_over_native');
for (const live of lives) {
  const w = wasmNs[live];
  const n = nativeNs[live];
  console.log(`${live},${w.toFixed(1)},${n?.toFixed(1)},${n ? (w / n).toFixed(2) : ''}`);
}
