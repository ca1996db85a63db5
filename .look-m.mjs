import { launch } from './tests/e2e/support.mjs';
const [url, out] = process.argv.slice(2);
const b = await launch();
const p = await b.newPage({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
await p.goto(url);
await p.waitForTimeout(2500);
if (process.env.ACT) { await eval(process.env.ACT); await p.waitForTimeout(1500); }
await p.screenshot({ path: out, fullPage: !!process.env.FULL, clip: process.env.CLIP ? JSON.parse(process.env.CLIP) : undefined });
console.log(await p.evaluate(() => document.body.innerText.slice(0, 1500)));
await b.close();
