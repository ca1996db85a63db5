// The README's deploy example, as written: dist/ copied under a sub-path of a plain static
// server (Python's http.server), no rewrite rules.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { launch, openPage, DIST, ROOT } from './support.mjs';

let browser, server, base;
before(async () => {
  const site = path.join(ROOT, 'target', 'deploy-site');
  await fs.rm(site, { recursive: true, force: true });
  await fs.mkdir(path.join(site, 'tools'), { recursive: true });
  await fs.cp(DIST, path.join(site, 'tools', 'memlab'), { recursive: true });
  server = spawn('python3', ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', site]);
  const port = await new Promise((resolve, reject) => {
    server.stdout.on('data', (d) => {
      const m = String(d).match(/port (\d+)/);
      if (m) resolve(m[1]);
    });
    server.on('exit', (code) => reject(new Error(`http.server exited with ${code}`)));
  });
  base = `http://127.0.0.1:${port}/tools/memlab/`;
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.kill();
});

test('a plain static server under a sub-path serves a working app', async () => {
  const index = await fetch(base);
  assert.equal(index.status, 200);
  const wasm = (await index.text()).match(/\.\/(memlab-app-[0-9a-f]+_bg\.wasm)/)[1];
  assert.equal((await fetch(base + wasm)).headers.get('content-type'), 'application/wasm');
  const { page, errors, context } = await openPage(browser, `${base}?view=diagnosis&recording=${encodeURIComponent('public/recordings/heap-leak.memlab.json')}`);
  await page.locator('[data-testid="finding"][data-kind="heap-leak"]').first().waitFor();
  // A reload of a deep link needs no rewrite rule: the state is in the query string.
  await page.reload();
  await page.locator('[data-testid="finding"][data-kind="heap-leak"]').first().waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});
