// Shared end-to-end helpers: a plain static server that serves dist/ under a sub-path (no
// rewrites, like any static host), and Debian's Chromium driven by Playwright.
import http from 'node:http';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST = path.join(ROOT, 'dist');
export const SHOTS = path.join(ROOT, 'target', 'screenshots');
export const SUBPATH = '/tools/memlab/';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
};

/** Serves `dist/` at `SUBPATH` on a free loopback port; everything else is a 404. */
export function serveDist() {
  return serveDir(DIST, SUBPATH);
}

/** Serves `dir` at `subpath` on a free loopback port; everything else is a 404. */
export async function serveDir(dir, subpath) {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (!url.pathname.startsWith(subpath)) {
      res.writeHead(404).end('not found');
      return;
    }
    let rel = decodeURIComponent(url.pathname.slice(subpath.length)) || 'index.html';
    const file = path.join(dir, rel);
    if (!file.startsWith(dir)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await fs.readFile(file);
      res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}${subpath}`;
  return { base, close: () => new Promise((resolve) => server.close(resolve)) };
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-dev-shm-usage',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/**
 * The release build served under SUBPATH and a browser, for the test file that calls this:
 * started before its first test, closed after its last. Returns `{ base, browser }`.
 */
export function appUnderTest() {
  const app = {};
  let server;
  before(async () => {
    server = await serveDist();
    app.base = server.base;
    app.browser = await launch();
  });
  after(async () => {
    await app.browser?.close();
    await server?.close();
  });
  return app;
}

/** A page that records console errors and uncaught exceptions for the test to assert on. */
export async function openPage(browser, url, opts = {}) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'en-US', ...opts });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  // wasm has booted once the app's shell is in the DOM.
  await page.waitForSelector('[data-testid="page"]');
  return { page, context, errors };
}

export async function screenshot(page, name) {
  await fs.mkdir(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Waits for what a step's page loads (its `view:` parameters `want`): the allocator at its
 *  step, the replay at its poll, a diagnosis, the calculator's diagram. */
export async function stepSettled(page, want) {
  await page.waitForSelector(`[data-testid="page"][data-view="${want.get('view')}"]`);
  const ready = {
    allocator: '[data-testid="event-log"] li',
    calculator: '[data-testid="memory-diagram"], [data-testid="flink-error"]',
    cluster: '[data-testid="tm-card"]',
    diagnosis: want.get('recording') ? '[data-testid="diagnosis-summary"]' : '[data-testid="pool-finding"]',
    lessons: '[data-testid="lesson"]',
  }[want.get('view')];
  await page.locator(ready).first().waitFor({ timeout: 30000 });
  if (want.get('view') === 'allocator') {
    await page.waitForFunction((s) => document.querySelector('[data-testid="timeline"]')?.value === s, want.get('step') ?? '0', { timeout: 30000 });
  }
  if (want.get('view') === 'cluster' && want.get('at')) {
    await page.waitForFunction((at) => document.querySelector('[data-testid="replay-timeline"]')?.value === at, want.get('at'), { timeout: 30000 });
  }
}
