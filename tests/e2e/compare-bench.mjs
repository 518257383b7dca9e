// Benchmark of the compare view in headless Chromium against a local docker-registry (issue 8
// "Benchmark"): the descriptor comparison of two 50-layer images (30 layers shared), and the
// file diff of two images of ~300 MB in total (a 100 MB base layer shared, 50 MB unique to
// each; every distinct layer downloaded once, verified, decompressed, each file hashed, then
// the two merged trees diffed in the worker). Data is made here (AES-CTR keystream as
// incompressible, deterministic content; tars written by tests/registry/compare.mjs). Prints
// the figures; asserts nothing about speed; exits non-zero only when a figure could not be
// measured (a view that never showed, a wrong count).
// `node tests/e2e/compare-bench.mjs dist`   (BENCH_RUNS=3 runs of the descriptor comparison)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { serveDist, launchBrowser } from './harness.mjs';
import { startRegistry } from '../registry/start.mjs';
import { makeClient, makePusher } from '../registry/seed.mjs';
import { layer, image, pushImage, expectedComparison } from '../registry/compare.mjs';
import { median } from './figures.mjs';

const dist = process.argv[2] ?? 'dist';
const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const began = Date.now();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'me-compare-bench-'));
const log = (s) => console.log(s);
const MB = 1e6;

/** `n` deterministic incompressible bytes for `seed`. */
function content(n, seed) {
  const key = crypto.createHash('sha256').update(seed).digest().subarray(0, 16);
  return crypto.createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(n));
}

/** `count` files of `size` bytes under `dir`. */
function files(dir, count, size, seed) {
  const out = {};
  for (let i = 0; i < count; i++) out[`${dir}/f${String(i).padStart(4, '0')}.bin`] = content(size, `${seed}-${i}`);
  return out;
}

const reg = await startRegistry({ name: 'compare-bench', dir: tmp, storageDir: path.join(tmp, 'storage') });
let site;
let browser;
let failed = false;
try {
  const pusher = makePusher(makeClient(reg.url), 4);
  // 1. Two 50-layer images, 30 layers shared (the first 20 and 10 more further up).
  const small = (i, side) => layer({ [`l/${side}${i}.txt`]: `layer ${i} of ${side}\n` }, 1);
  const sharedLayers = Array.from({ length: 30 }, (_, i) => small(i, 'shared'));
  const layersA = [...sharedLayers.slice(0, 20), ...Array.from({ length: 20 }, (_, i) => small(i, 'a')), ...sharedLayers.slice(20)];
  const layersB = [...sharedLayers.slice(0, 20), ...Array.from({ length: 20 }, (_, i) => small(i, 'b')), ...sharedLayers.slice(20)];
  const a50 = await pushImage(pusher, 'bench/fifty', 'a', image(layersA));
  const b50 = await pushImage(pusher, 'bench/fifty', 'b', image(layersB));

  // 2. ~300 MB in total: base 100 MB (500 files of 200 kB), A adds 50 MB (250 new files),
  //    B 50 MB (125 files replaced, 125 new, 50 deleted).
  const t0 = Date.now();
  const baseFiles = files('data', 500, 200_000, 'base');
  const base = layer(baseFiles, 1);
  const upperA = layer(files('a', 250, 200_000, 'a'), 1);
  const replaced = Object.fromEntries(Object.keys(baseFiles).slice(0, 125).map((p, i) => [p, content(200_000, `b-replaced-${i}`)]));
  const deleted = Object.fromEntries(Object.keys(baseFiles).slice(400, 450).map((p) => [p.replace(/[^/]+$/, (n) => `.wh.${n}`), '']));
  const upperB = layer({ ...replaced, ...files('b', 125, 200_000, 'b'), ...deleted }, 1);
  const bigA = await pushImage(pusher, 'bench/big', 'a', image([base, upperA]));
  const bigB = await pushImage(pusher, 'bench/big', 'b', image([base, upperB]));
  const total = bigA.manifest.layers.concat(bigB.manifest.layers).reduce((s, l) => s + l.size, 0);
  log(`data: 50-layer images pushed; big images ${(total / MB).toFixed(0)} MB in total (${((base.size + upperA.size + upperB.size) / MB).toFixed(0)} MB distinct), made in ${Date.now() - t0} ms`);

  site = await serveDist(dist, '/explorer/');
  browser = await launchBrowser();
  const host = new URL(reg.url).host;
  const url = (a, b, extra = '') => `${site.url}?ref=${encodeURIComponent(`${host}/${a.repo}:${a.tag}`)}&view=compare&vs=${encodeURIComponent(`${host}/${b.repo}:${b.tag}`)}${extra}`;

  // Descriptor comparison.
  const walls = [];
  const cores = [];
  const expected = expectedComparison(a50.manifest, b50.manifest);
  for (let i = 0; i < runs; i++) {
    const page = await (await browser.newContext()).newPage();
    const start = Date.now();
    await page.goto(url(a50, b50));
    await page.locator('[data-fact="dedup"]').waitFor({ timeout: 60000 });
    walls.push(Date.now() - start);
    cores.push(Number(await page.locator('[data-fact="compare-time"]').getAttribute('data-us')));
    const dedup = Number(await page.locator('[data-fact="dedup"]').getAttribute('data-bytes'));
    if (dedup !== expected.dedup) {
      log(`FAIL: dedup on screen ${dedup}, expected ${expected.dedup}`);
      failed = true;
    }
    await page.context().close();
  }
  log(`descriptor comparison, two 50-layer images (30 shared): compare() ${median(cores)} µs median (${Math.min(...cores)}–${Math.max(...cores)}); page load to figures ${median(walls)} ms median (${Math.min(...walls)}–${Math.max(...walls)}), ${runs} runs`);

  // File diff.
  const page = await (await browser.newContext()).newPage();
  const start = Date.now();
  await page.goto(url(bigA, bigB, '&files=1'));
  await page.locator('[data-fact="files-added"], [data-fact="file-diff-error"]').first().waitFor({ timeout: 110000 });
  const wall = Date.now() - start;
  if (await page.locator('[data-fact="file-diff-error"]').count()) {
    log(`FAIL: file diff: ${await page.locator('[data-fact="file-diff-error"]').first().textContent()}`);
    failed = true;
  } else {
    const ms = Number(await page.locator('[data-fact="file-diff-time"]').getAttribute('data-ms'));
    const fact = async (n) => (await page.locator(`[data-fact="${n}"]`).textContent()).trim();
    const added = await fact('files-added');
    const removed = await fact('files-removed');
    const changed = await fact('files-changed');
    // A's 250 files go, B's 125 come; 50 deleted in B; 125 replaced.
    if (!added.startsWith('125 files') || !removed.startsWith('300 files') || changed !== '125') {
      log(`FAIL: file diff counts: added ${added}, removed ${removed}, changed ${changed}`);
      failed = true;
    }
    log(`file diff, two images of ${(total / MB).toFixed(0)} MB in total (${((base.size + upperA.size + upperB.size) / MB).toFixed(0)} MB downloaded): ${ms} ms from the first layer request to the diff on screen, ${wall} ms from page load (added ${added}; removed ${removed}; changed ${changed})`);
  }
  await page.context().close();
} catch (e) {
  log(`FAIL: ${e.stack ?? e}`);
  failed = true;
} finally {
  await browser?.close();
  site?.close();
  await reg.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
  log(`compare-bench: done in ${((Date.now() - began) / 1000).toFixed(1)} s`);
  process.exitCode = failed ? 1 : 0;
}
