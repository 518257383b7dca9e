// Benchmark of the signatures panel in the release build, against Debian's docker-registry on
// 127.0.0.1 (seeded by tests/registry/signatures.mjs `seedBench`):
//   keyless      one keyless bundle v0.3 (test Sigstore instance: P-384 chain, SCT, SET,
//                inclusion proof + checkpoint, identity, P-256 signature) re-verified in the page:
//                from the field's change event to the verdict in the DOM, as the expected
//                identity toggles between the signer and someone else (each a full
//                verification); and the first verification after the trust root is pasted;
//   100 sigs     100 cosign signatures by one P-256 key (64 `.sig` layers + 36 `.att` DSSE
//                layers, the blobs already fetched): change event → 100 valid rows, with the main
//                thread's longest task (PerformanceObserver 'longtask'); baseline: the same 100
//                rows re-run without the key (parsing, binding and rendering, no signature math).
// BENCH_RUNS runs (default 5), median and range printed. It asserts nothing about speed; the exit
// code is non-zero only when a figure could not be measured (a verdict that never came).
// `node tests/e2e/signatures-bench.mjs dist`
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serveDist, launchBrowser, observeLongTasks } from './harness.mjs';
import { startRegistry } from '../registry/start.mjs';
import { seedBench } from '../registry/signatures.mjs';
import { median } from './figures.mjs';

const dist = process.argv[2] ?? 'dist';
const runs = Number(process.env.BENCH_RUNS ?? 5);
const COUNT = 100;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'me-sigs-bench-'));
const fmt = (xs) => `${median(xs).toFixed(1)} ms (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}, n=${xs.length})`;

/** Runs in the page: sets `selector` to `value`, fires change, resolves with the ms until
 * `done()` holds in the DOM (checked on every mutation) and the longest task in that window. */
function inPage(sel, val, done) {
  return new Promise((resolve, reject) => {
    const el = document.querySelector(sel);
    let timer;
    const obs = new MutationObserver(() => { if (done()) finish(); });
    const t0 = performance.now();
    function finish() {
      const t1 = performance.now();
      obs.disconnect();
      clearTimeout(timer);
      // Long tasks are reported after they end: give the observer a moment.
      setTimeout(() => {
        const longest = window.__lt.filter(([s, d]) => s + d >= t0 && s <= t1).reduce((m, [, d]) => Math.max(m, d), 0);
        resolve({ ms: t1 - t0, longest });
      }, 100);
    }
    timer = setTimeout(() => { obs.disconnect(); reject(new Error(`timed out waiting for ${done}`)); }, 30000);
    obs.observe(document, { childList: true, subtree: true, characterData: true, attributes: true });
    el.value = val;
    el.dispatchEvent(new Event('change', { bubbles: true }));
  });
}

/** `inPage` through an expression string (the page's CSP forbids eval in the page itself;
 * Playwright evaluates a string through the debugger protocol). `done` is source text. */
const timeChange = (page, selector, value, done) =>
  page.evaluate(`(${inPage})(${JSON.stringify(selector)}, ${JSON.stringify(value)}, ${done})`);

const reg = await startRegistry({ name: 'sigs-bench', dir, storageDir: path.join(dir, 'storage') });
let site;
let browser;
try {
  const s = await seedBench(reg.url, { count: COUNT });
  site = await serveDist(dist, '/explorer/');
  browser = await launchBrowser();
  const context = await browser.newContext();
  await context.addInitScript(observeLongTasks);
  const page = await context.newPage();
  const url = (img) => `${site.url}?ref=${encodeURIComponent(`${s.host}/${img.repo}:${img.tag}`)}&view=sigs`;
  const k = s.keyless.fixture;

  // Keyless.
  await page.goto(url(s.keyless));
  await page.locator('.sig-rows > li').first().waitFor({ timeout: 30000 });
  await page.locator('details.trust-fields summary').click();
  const firstVerify = await timeChange(page, '#sig-trust-root', k.trustedRoot,
    "() => document.querySelector('.sig-rows > li')?.dataset.verdict === 'valid'");
  await page.locator('#sig-issuer').fill(k.issuer);
  await page.locator('#sig-issuer').dispatchEvent('change');
  const keyless = [];
  for (let i = 0; i < runs; i++) {
    const match = await timeChange(page, '#sig-identity', k.san,
      "() => document.querySelector('.sig-rows > li')?.textContent.includes('Matches the expected identity')");
    const miss = await timeChange(page, '#sig-identity', 'someone-else@example.com',
      "() => document.querySelector('.sig-rows > li')?.dataset.verdict === 'invalid'");
    keyless.push(match.ms, miss.ms);
  }

  // 100 signatures.
  const t0 = Date.now();
  await page.goto(url(s.bench));
  await page.waitForFunction((n) => document.querySelectorAll('.sig-rows > li').length === n, COUNT, { timeout: 60000 });
  const loadMs = Date.now() - t0;
  const withKey = [];
  const withoutKey = [];
  let longestWith = 0;
  let longestWithout = 0;
  const all = (verdict) => `() => { const r = document.querySelectorAll('.sig-rows > li'); return r.length === ${COUNT} && [...r].every((li) => li.dataset.verdict === '${verdict}'); }`;
  for (let i = 0; i < runs; i++) {
    const a = await timeChange(page, '#sig-key', s.keyPem, all('valid'));
    const b = await timeChange(page, '#sig-key', '', all('not-verifiable'));
    withKey.push(a.ms);
    withoutKey.push(b.ms);
    longestWith = Math.max(longestWith, a.longest);
    longestWithout = Math.max(longestWithout, b.longest);
  }

  // The observer must see a task it is shown: a 120 ms busy loop.
  const selfCheck = await page.evaluate(() => new Promise((resolve) => {
    setTimeout(() => {
      const t0 = performance.now();
      while (performance.now() - t0 < 120);
      setTimeout(() => resolve(window.__lt.filter(([s]) => s >= t0 - 5).reduce((m, [, d]) => Math.max(m, d), 0)), 300);
    }, 0);
  }));
  if (selfCheck < 100) throw new Error(`the long-task observer did not see a 120 ms task (saw ${selfCheck} ms)`);

  console.log('signatures panel benchmark (release build, headless Chromium, WebCrypto)');
  console.log(`  keyless bundle, first verification after pasting the trust root: ${firstVerify.ms.toFixed(1)} ms`);
  console.log(`  keyless bundle, re-verified (identity toggled):                  ${fmt(keyless)}`);
  console.log(`  ${COUNT} signatures (64 .sig + 36 .att, P-256): opening the panel (fetch, verify, render): ${loadMs} ms`);
  console.log(`  ${COUNT} signatures verified with the key:                       ${fmt(withKey)}; longest main-thread task ${longestWith.toFixed(0)} ms`);
  console.log(`  baseline: the same ${COUNT} rows without a key (no signature math): ${fmt(withoutKey)}; longest task ${longestWithout.toFixed(0)} ms`);
  console.log(`  (long-task observer self-check: a 120 ms busy loop reported as ${selfCheck.toFixed(0)} ms)`);
  console.log(`  signature math and its rounds, per signature: ${((median(withKey) - median(withoutKey)) / COUNT).toFixed(2)} ms`);
} catch (e) {
  console.error(`signatures-bench: ${e.stack ?? e}`);
  process.exitCode = 1;
} finally {
  await browser?.close();
  site?.close();
  await reg.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
