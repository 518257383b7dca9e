// Benchmark of the layer worker in headless Chromium, against baselines measured in the same
// browser in the same run (issue 7 "Benchmarks", LAYERS.md §7 L2–L4, L9):
//   whole pipeline   the app opening a layer URL (fetch from a local docker-registry → SHA-256 →
//                    gunzip / zstd → diff_id SHA-256 → tar walk → listing), MB/s of tar; timed
//                    from page.goto, from the progress bar, and from the worker's blob request;
//   gunzip           that pipeline vs fetch → DecompressionStream("gzip"), and vs the same work in
//                    page JS (DecompressionStream + hash-wasm on both sides, no tar walk);
//   SHA-256          the app on uncompressed 1 and 16 MiB layers vs hash-wasm streaming and
//                    WebCrypto one-shot, with the fetch and on bytes in memory;
//                    (both end to end: the kernels against the same baselines on the same bytes,
//                    which is what the goals are judged on, are in tests/e2e/kernel-bench.mjs)
//   long tasks       main-thread PerformanceObserver('longtask') while a 48 MiB and a ~100 MB
//                    layer download and list, while a 100,000-entry listing is paged, scrolled and
//                    filtered, and while the merged view opens three layers;
//   artifact sizes   dist/worker-*, dist/archiveworker-* and dist/views-*, raw and brotli -q 11.
// All test data is made here, deterministically (fixed seeds, GNU tar --sort=name --mtime,
// gzip -n). MB = 10^6 bytes. BENCH_RUNS runs (default 3), median and range printed. It asserts
// nothing about speed: a missed goal is printed as such; the exit code is non-zero only when a
// figure could not be measured at all (a verdict that never came, a wrong digest).
// `node tests/e2e/layer-bench.mjs dist`
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { serveDist, launchBrowser, observeLongTasks } from './harness.mjs';
import { startRegistry } from '../registry/start.mjs';
import { makeClient, makePusher, sha256, tarOneFile, MT } from '../registry/seed.mjs';
import { noise, writeFiles, tarOf, compress } from './layer-data.mjs';
import { median, mbps, spread, goal, printSummary } from './figures.mjs';

const dist = process.argv[2] ?? 'dist';
const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const began = Date.now();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'me-layer-bench-'));
const TAR_MT = 'application/vnd.oci.image.layer.v1.tar';
const ZSTD_MT = 'application/vnd.oci.image.layer.v1.tar+zstd';
const CREATED = '2024-01-02T03:04:05Z';
const PAGE_ROWS = 200;
/** hash-wasm's browser build (package.json devDependency; `npm ci`). */
const HASH_WASM = new URL('../../node_modules/hash-wasm/dist/sha256.umd.min.js', import.meta.url);
if (!fs.existsSync(HASH_WASM)) {
  console.error(`${HASH_WASM.pathname} not found: run npm ci (hash-wasm is a devDependency)`);
  process.exit(1);
}
/** What could not be measured; any entry makes the exit code 1. */
const unmeasured = [];
const log = (s) => console.log(s);
const secs = () => `${((Date.now() - began) / 1000).toFixed(1)} s`;

// ---------------------------------------------------------------------------------------------
// Test data
// ---------------------------------------------------------------------------------------------

/** A ustar archive of `dirs` directories × `per` empty files, the bytes built here (GNU tar
 * would take minutes for 100,000 files on a busy disk). Names: d000/, d000/f00000.txt … */
function manyEntries(dirs, per) {
  const headers = [];
  const template = Buffer.alloc(512);
  template.write('ustar\0', 257, 'ascii');
  template.write('00', 263, 'ascii');
  template.write('root', 265, 'ascii');
  template.write('root', 297, 'ascii');
  const oct = (h, off, len, n) => h.write(n.toString(8).padStart(len - 1, '0') + '\0', off, len, 'ascii');
  const header = (name, type, mode) => {
    const h = Buffer.from(template);
    h.write(name, 0, 100, 'ascii');
    oct(h, 100, 8, mode);
    oct(h, 108, 8, 0);
    oct(h, 116, 8, 0);
    oct(h, 124, 12, 0);
    oct(h, 136, 12, Date.parse(CREATED) / 1000);
    h.fill(0x20, 148, 156);
    h.write(type, 156, 1, 'ascii');
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
    headers.push(h);
  };
  for (let d = 0; d < dirs; d++) {
    const dir = `d${String(d).padStart(3, '0')}/`;
    header(dir, '5', 0o755);
    for (let f = 0; f < per; f++) header(`${dir}f${String(d * per + f).padStart(5, '0')}.txt`, '0', 0o644);
  }
  headers.push(Buffer.alloc(1024));
  return { tar: Buffer.concat(headers), entries: dirs * (per + 1) };
}

async function buildData() {
  const d = (n) => path.join(tmp, n);
  writeFiles(d('tree48'), 48 << 20, 1);
  const tar48 = tarOf(d('tree48'));
  // ~100 MB: the same files twice, under two directories (copies, so tar stores no hard links).
  fs.cpSync(d('tree48'), d('tree100/a'), { recursive: true });
  fs.cpSync(d('tree48'), d('tree100/b'), { recursive: true });
  const tar100 = tarOf(d('tree100'));
  fs.rmSync(d('tree48'), { recursive: true });
  fs.rmSync(d('tree100'), { recursive: true });
  fs.writeFileSync(d('48.tar'), tar48);
  fs.writeFileSync(d('100.tar'), tar100);
  const [gz48, zst48, gz100] = await Promise.all([
    compress('gzip', ['-6', '-n'], d('48.tar')),
    compress('zstd', ['-q', '-3'], d('48.tar')),
    compress('gzip', ['-6', '-n'], d('100.tar')),
  ]);
  fs.rmSync(d('48.tar'));
  fs.rmSync(d('100.tar'));
  const many = manyEntries(100, 1000);
  const tar1 = tarOneFile('data/one-mib.bin', noise(1 << 20, 'one'));
  const tar16 = tarOneFile('data/sixteen-mib.bin', noise(16 << 20, 'sixteen'));
  const warm = tarOneFile('etc/warm.txt', 'warm-up layer\n');
  const layer = (name, mediaType, tar, blob, extra = {}) => ({
    name, mediaType, tar: tar.length, blob, size: blob.length, digest: sha256(blob), diffId: sha256(tar), ...extra,
  });
  return {
    warm: layer('warm', MT.ociLayerGzip, warm, zlib.gzipSync(warm)),
    gz48: layer('gzip-48', MT.ociLayerGzip, tar48, gz48),
    zst48: layer('zstd-48', ZSTD_MT, tar48, zst48),
    gz100: layer('gzip-100', MT.ociLayerGzip, tar100, gz100),
    tar1: layer('tar-1', TAR_MT, tar1, tar1),
    tar16: layer('tar-16', TAR_MT, tar16, tar16),
    many: layer('many-100k', MT.ociLayerGzip, many.tar, zlib.gzipSync(many.tar, { level: 6 }), { entries: many.entries }),
  };
}

/** Pushes an image `repo:v1` of `layers`, its config's diff_ids right. */
async function pushImage(p, repo, layers) {
  const config = Buffer.from(JSON.stringify({
    created: CREATED, architecture: 'amd64', os: 'linux', config: {},
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map((l) => ({ created: CREATED, created_by: `layer-bench ${l.name}` })),
  }));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: MT.ociManifest,
    config: { mediaType: MT.ociConfig, digest: sha256(config), size: config.length },
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
  }));
  await p.pushBlobs(repo, [config, ...layers.map((l) => l.blob)]);
  await p.pushManifest(repo, 'v1', MT.ociManifest, manifest);
}

/** Each layer as the one layer of its own image `bench/<name>:v1`; and `bench/merged:v1`, whose
 * layers are the 48 MiB gzip and zstd layers and the 100,000-entry one, for the merged view. */
async function push(registryUrl, layers) {
  const p = makePusher(makeClient(registryUrl, { timeoutMs: 120000 }), 2);
  for (const l of Object.values(layers)) {
    l.repo = `bench/${l.name}`;
    l.blobUrl = `${registryUrl}/v2/${l.repo}/blobs/${l.digest}`;
    await pushImage(p, l.repo, [l]);
  }
  const merged = [layers.gz48, layers.zst48, layers.many];
  await pushImage(p, 'bench/merged', merged);
  return { repo: 'bench/merged', layers: merged };
}

// ---------------------------------------------------------------------------------------------
// In the browser
// ---------------------------------------------------------------------------------------------

// Installed before any page script (with `observeLongTasks`): the moments the progress bar,
// the verdict and the first listing row first appear (performance.now(), ms since navigation).
function markFirstViews() {
  const m = (window.__marks = {});
  const obs = new MutationObserver(() => {
    const now = performance.now();
    if (m.progress === undefined && document.querySelector('[data-fact="progress"]')) m.progress = now;
    if (m.verdict === undefined && document.querySelector('[data-verdict], [data-fact="layer-error"]')) m.verdict = now;
    if (m.row === undefined && document.querySelector('table.files tbody tr')) m.row = now;
    if (m.verdict !== undefined && m.row !== undefined) obs.disconnect();
  });
  obs.observe(document, { childList: true, subtree: true });
}

/** A fresh context per run: an empty HTTP cache, so every blob really comes from the registry. */
async function appContext(browser) {
  const context = await browser.newContext();
  await context.addInitScript(observeLongTasks);
  await context.addInitScript(markFirstViews);
  const page = await context.newPage();
  page.on('pageerror', (e) => log(`  page error: ${e}`));
  return { context, page };
}

/** `promise`, or null after `ms`; the timer does not outlive it. */
function within(promise, ms) {
  let timer;
  return Promise.race([promise, new Promise((resolve) => { timer = setTimeout(() => resolve(null), ms); })]).finally(() => clearTimeout(timer));
}
const fact = async (page, name) => (await page.locator(`[data-fact="${name}"]`).first().textContent())?.trim();

/** Opens `l` in the app from its URL; returns the marks, or null (noted as unmeasured). */
async function openLayer(page, site, host, l, { timeout = 120000 } = {}) {
  const ref = `${host}/${l.repo}:v1`;
  const url = `${site.url}?ref=${encodeURIComponent(ref)}&at=${l.digest}&mt=${encodeURIComponent(l.mediaType)}&size=${l.size}&view=files`;
  // The worker's GET of the blob, as the browser's network stack saw it.
  const blobRequest = page.context().waitForEvent('requestfinished', {
    predicate: (r) => r.method() === 'GET' && r.url().includes(`/blobs/${l.digest}`), timeout,
  }).catch(() => null);
  await page.goto(url);
  try {
    await page.waitForFunction(() => window.__marks.verdict !== undefined, null, { timeout, polling: 50 });
    const verdict = await fact(page, 'verdict').catch(() => null);
    if (verdict !== 'verified') {
      const error = await page.locator('[data-fact="layer-error"]').first().textContent({ timeout: 1000 }).catch(() => '');
      throw new Error(`verdict ${JSON.stringify(verdict)} ${error}`);
    }
    await page.waitForFunction(() => window.__marks.row !== undefined, null, { timeout: 30000, polling: 50 });
  } catch (e) {
    unmeasured.push(`${l.name}: ${String(e.message ?? e).split('\n')[0]}`);
    return null;
  }
  const marks = await page.evaluate(() => ({ ...window.__marks, origin: performance.timeOrigin }));
  const request = (await within(blobRequest, 10000))?.timing();
  // From the blob request's start to the verdict (wall clocks of the page and of the network
  // stack: a few ms apart at most).
  if (request) marks.fromRequest = marks.origin + marks.verdict - request.startTime;
  const entries = Number(await fact(page, 'entry-count'));
  const compression = await fact(page, 'compression');
  if (l.entries !== undefined && entries !== l.entries) unmeasured.push(`${l.name}: ${entries} entries listed, the archive has ${l.entries}`);
  return { ...marks, entries, compression };
}

/** Long tasks recorded in the page: [startTime, duration] ms. */
const longTasks = (page) => page.evaluate(() => window.__lt);

/** A blank page without CSP on its own origin, for the baselines (they fetch the registry by CORS). */
function blankServer() {
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>baseline</title>'));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() })));
}

async function baselineContext(browser, blank) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(blank.url);
  await page.addScriptTag({ content: fs.readFileSync(HASH_WASM, 'utf8') });
  await page.evaluate(() => window.hashwasm.createSHA256().then((h) => h.init()));
  return { context, page };
}

/** Whether this browser reports long tasks at all: a 120 ms busy loop must show up as one. */
async function longTaskObserverWorks(page) {
  const seen = await page.evaluate(() => new Promise((resolve) => {
    const durations = [];
    new PerformanceObserver((list) => durations.push(...list.getEntries().map((e) => e.duration))).observe({ type: 'longtask', buffered: true });
    setTimeout(() => {
      const t0 = performance.now();
      while (performance.now() - t0 < 120);
      setTimeout(() => resolve(durations), 300);
    }, 0);
  }));
  return seen.some((d) => d >= 100);
}

/** fetch → DecompressionStream("gzip") → read all; with `hash`, also what the worker hashes:
 * hash-wasm SHA-256 of the compressed chunks on their way in (the digest) and of the output
 * (the diff_id), so the worker's work less the tar walk: { ms, out, digest, diffId }. */
const gunzipBaseline = (page, url, hash) => page.evaluate(async ({ u, hash }) => {
  const CHUNK = 64 << 10;
  const update = (h, bytes) => {
    for (let i = 0; i < bytes.length; i += CHUNK) h.update(bytes.subarray(i, i + CHUNK));
  };
  const t0 = performance.now();
  const [hIn, hOut] = hash ? await Promise.all([window.hashwasm.createSHA256(), window.hashwasm.createSHA256()]) : [];
  let body = (await fetch(u, { cache: 'no-store' })).body;
  if (hIn) {
    body = body.pipeThrough(new TransformStream({
      transform(bytes, out) {
        update(hIn, bytes);
        out.enqueue(bytes);
      },
    }));
  }
  const reader = body.pipeThrough(new DecompressionStream('gzip')).getReader();
  let out = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    out += value.byteLength;
    if (hOut) update(hOut, value);
  }
  return { ms: performance.now() - t0, out, digest: hIn?.digest('hex'), diffId: hOut?.digest('hex') };
}, { u: url, hash });

/** SHA-256 baselines over the blob at `url`: with the fetch (streamed for hash-wasm) and on the
 * bytes already in memory. Each returns ms and the hex digest. */
const hashBaselines = (page, url) => page.evaluate(async (u) => {
  const CHUNK = 64 << 10;
  const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
  const update = (h, bytes) => {
    for (let i = 0; i < bytes.length; i += CHUNK) h.update(bytes.subarray(i, i + CHUNK));
  };
  // hash-wasm, streaming: fetch → every chunk as it arrives, in 64 KiB updates.
  let t0 = performance.now();
  const h = await window.hashwasm.createSHA256();
  h.init();
  const reader = (await fetch(u, { cache: 'no-store' })).body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    update(h, value);
  }
  const hashwasm = { ms: performance.now() - t0, hex: h.digest('hex') };
  // WebCrypto, one-shot (it cannot stream): fetch → arrayBuffer → digest.
  t0 = performance.now();
  const bytes = new Uint8Array(await (await fetch(u, { cache: 'no-store' })).arrayBuffer());
  const webcryptoHex = hex(await crypto.subtle.digest('SHA-256', bytes));
  const webcrypto = { ms: performance.now() - t0, hex: webcryptoHex };
  // Hashing alone, bytes in memory.
  t0 = performance.now();
  h.init();
  update(h, bytes);
  const hashwasmMem = { ms: performance.now() - t0, hex: h.digest('hex') };
  t0 = performance.now();
  const webcryptoMemHex = hex(await crypto.subtle.digest('SHA-256', bytes));
  const webcryptoMem = { ms: performance.now() - t0, hex: webcryptoMemHex };
  return { hashwasm, webcrypto, hashwasmMem, webcryptoMem };
}, url);

// ---------------------------------------------------------------------------------------------
// Figures
// ---------------------------------------------------------------------------------------------

/** Figures by name, indexed by run, so ratios are taken within a run. */
const fig = {};
let runIndex = 0;
const put = (name, value) => { (fig[name] ??= [])[runIndex] = value; };
const vals = (name) => [...(fig[name] ?? [])].filter(Number.isFinite);
const ratios = (a, b) => [...(fig[a] ?? [])].map((x, i) => x / fig[b]?.[i]).filter(Number.isFinite);

function longTaskFigures(tasks, from = 0, to = Infinity) {
  const inside = tasks.filter(([start]) => start >= from && start < to);
  return { count: inside.length, longest: inside.reduce((m, [, d]) => Math.max(m, d), 0) };
}
const ltText = ({ count, longest }) => `${count} long task${count === 1 ? '' : 's'}${count ? `, longest ${longest.toFixed(0)} ms` : ''}`;

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

const reg = await startRegistry({ name: 'layer-bench', dir: tmp, storageDir: path.join(tmp, 'storage') });
const summary = [];
let browser;
const servers = [];
try {
  const L = await buildData();
  log(`layer benchmark: test data built (${secs()})`);
  for (const l of Object.values(L)) {
    log(`  ${l.name.padEnd(10)} ${l.mediaType.padEnd(44)} blob ${String(l.size).padStart(10)} B, tar ${String(l.tar).padStart(10)} B${l.tar !== l.size ? ` (${(l.tar / l.size).toFixed(2)}×)` : ''}`);
  }
  const merged = await push(reg.url, L);
  log(`  pushed to ${reg.url} (${secs()})`);
  const host = new URL(reg.url).host;
  const site = await serveDist(dist, '/explorer/');
  const blank = await blankServer();
  servers.push(site, blank);
  browser = await launchBrowser();
  const lt48 = [];

  for (let i = 0; i < runs; i++) {
    runIndex = i;
    // The app: a fresh context (empty HTTP cache); the warm-up layer loads the page, views and
    // worker modules into the cache, as for a person who has opened one layer before.
    const app = await appContext(browser);
    if (!(await openLayer(app.page, site, host, L.warm, { timeout: 60000 }))) throw new Error('the warm-up layer did not open, so nothing can be measured');
    for (const key of ['gz48', 'zst48', 'tar1', 'tar16']) {
      const l = L[key];
      const m = await openLayer(app.page, site, host, l);
      if (!m) continue;
      put(`${key}.load`, m.verdict);
      put(`${key}.job`, m.verdict - m.progress);
      if (m.fromRequest === undefined) unmeasured.push(`${l.name}: the worker's blob request was not seen`);
      else put(`${key}.req`, m.fromRequest);
      put(`${key}.row`, m.row);
      if (key === 'gz48') {
        const tasks = await longTasks(app.page);
        lt48.push({ boot: longTaskFigures(tasks, 0, m.progress), job: longTaskFigures(tasks, m.progress) });
      }
      l.compression = m.compression;
    }
    await app.context.close();
    // The baselines, on a page without CSP.
    const base = await baselineContext(browser, blank);
    if (i === 0 && !(await longTaskObserverWorks(base.page))) unmeasured.push('long tasks: a 120 ms busy loop was not reported by PerformanceObserver(\'longtask\')');
    const ds = await gunzipBaseline(base.page, L.gz48.blobUrl, false);
    if (ds.out !== L.gz48.tar) unmeasured.push(`DecompressionStream gave ${ds.out} B, the tar is ${L.gz48.tar} B`);
    else put('ds.ms', ds.ms);
    const dsh = await gunzipBaseline(base.page, L.gz48.blobUrl, true);
    if (dsh.out !== L.gz48.tar || `sha256:${dsh.digest}` !== L.gz48.digest || `sha256:${dsh.diffId}` !== L.gz48.diffId) {
      unmeasured.push(`DecompressionStream + hash-wasm gave ${dsh.out} B, digest sha256:${dsh.digest}, diff_id sha256:${dsh.diffId}`);
    } else put('dsh.ms', dsh.ms);
    for (const key of ['tar1', 'tar16']) {
      const r = await hashBaselines(base.page, L[key].blobUrl);
      for (const [name, { ms, hex }] of Object.entries(r)) {
        if (`sha256:${hex}` !== L[key].digest) unmeasured.push(`${name} on ${key}: sha256:${hex}, expected ${L[key].digest}`);
        else put(`${key}.${name}`, ms);
      }
    }
    await base.context.close();
    log(`  run ${i + 1} of ${runs} done (${secs()})`);
  }

  // Long tasks: the ~100 MB layer, and paging / filtering a 100,000-entry listing.
  const app = await appContext(browser);
  await openLayer(app.page, site, host, L.warm);
  let lt100 = null;
  const m100 = await openLayer(app.page, site, host, L.gz100, { timeout: 180000 });
  if (m100) {
    const tasks = await longTasks(app.page);
    lt100 = { boot: longTaskFigures(tasks, 0, m100.progress), job: longTaskFigures(tasks, m100.progress), ms: m100.verdict - m100.progress };
  }
  let ltMany = null;
  const mMany = await openLayer(app.page, site, host, L.many);
  if (mMany) {
    const page = app.page;
    const range = () => page.locator('[data-fact="listing-range"]').textContent();
    const start = await page.evaluate(() => performance.now());
    const pageTimes = [];
    try {
      for (let k = 0; k < 5; k++) {
        const before = await range();
        const t0 = await page.evaluate(() => performance.now());
        await page.locator('#rows-next').click();
        await page.waitForFunction((b) => document.querySelector('[data-fact="listing-range"]').textContent !== b, before, { polling: 'raf' });
        pageTimes.push((await page.evaluate(() => performance.now())) - t0);
        await page.mouse.wheel(0, 4000);
      }
      // "f0999" matches f09990 … f09999.
      await page.locator('#file-filter').pressSequentially('f0999', { delay: 80 });
      await page.waitForFunction(() => document.querySelector('[data-fact="listing-range"]').textContent.endsWith(' of 10'), null, { timeout: 30000 });
      await page.locator('#file-filter').fill('');
      await page.waitForFunction((n) => document.querySelector('[data-fact="listing-range"]').textContent.endsWith(` of ${n}`), mMany.entries, { timeout: 30000 });
      const tasks = await longTasks(page);
      ltMany = {
        open: longTaskFigures(tasks, mMany.progress, start),
        use: longTaskFigures(tasks, start),
        pageMs: median(pageTimes),
        ms: mMany.verdict - mMany.progress,
      };
    } catch (e) {
      unmeasured.push(`paging the 100,000-entry listing: ${String(e.message ?? e).split('\n')[0]}`);
    }
  }
  await app.context.close();

  // Long tasks: the merged view of a three-layer image (gzip, zstd, 100,000 entries).
  let ltMerged = null;
  {
    const app = await appContext(browser);
    await openLayer(app.page, site, host, L.warm);
    const page = app.page;
    await page.goto(`${site.url}?ref=${encodeURIComponent(`${host}/${merged.repo}:v1`)}&view=fs`);
    try {
      const n = merged.layers.length;
      await page.waitForFunction((k) => document.querySelectorAll('[data-diff-verdict="diff_id verified"]').length === k, n, { timeout: 120000, polling: 50 });
      await page.locator('table.files tbody tr').first().waitFor({ timeout: 30000 });
      const ms = await page.evaluate(() => performance.now());
      const tasks = await longTasks(page);
      ltMerged = { ms, all: longTaskFigures(tasks), bytes: merged.layers.reduce((a, l) => a + l.tar, 0) };
    } catch (e) {
      unmeasured.push(`merged view: ${String(e.message ?? e).split('\n')[0]}`);
    }
    await app.context.close();
  }

  // ---- Figures ----------------------------------------------------------------------------
  const rate = (key, bytes) => vals(key).map((ms) => mbps(bytes, ms));
  summary.push(`Layer benchmark, headless Chromium, ${runs} run${runs === 1 ? '' : 's'}, median (min–max); MB/s = 10^6 B/s; ${os.cpus().length} cores, load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  summary.push('Worker figures, each ending when the verdict is on screen (SHA-256 checked, the listing index built):');
  summary.push('  "page load"  from page.goto(layer URL): page start (modules from the HTTP cache, after a warm-up layer),');
  summary.push('               views module, worker start, blob URL, fetch, SHA-256, decompression, tar walk, rendering;');
  summary.push('  "job"        from the progress bar on screen: worker start onwards;');
  summary.push('  "request"    from the start of the worker\'s GET of the blob (the network stack\'s clock): fetch onwards.');
  const workerRates = (key, bytes) => `page load ${spread(rate(`${key}.load`, bytes))}, job ${spread(rate(`${key}.job`, bytes))}, request ${spread(rate(`${key}.req`, bytes))} MB/s`;
  for (const [key, label] of [['gz48', 'gzip -6'], ['zst48', 'zstd -3']]) {
    const l = L[key];
    const load = rate(`${key}.load`, l.tar);
    const line = `whole pipeline, ${label} ${(l.tar / 2 ** 20).toFixed(0)} MiB tar (${(l.size / 1e6).toFixed(1)} MB blob, compression shown: ${l.compression ?? '?'}): ${workerRates(key, l.tar)} of tar; first row ${spread(vals(`${key}.row`))} ms after page.goto`;
    summary.push(`${line}; ${goal(load.length && median(load) >= 80, '≥ 80 MB/s (page load)')}`);
  }
  {
    const l = L.gz48;
    const r = ratios('ds.ms', 'gz48.req');
    const line = `gunzip, 48 MiB tar.gz: the worker (incl. SHA-256 of the blob and of the tar, and the tar walk) request ${spread(rate('gz48.req', l.tar))} MB/s vs fetch → DecompressionStream("gzip") → read all ${spread(rate('ds.ms', l.tar))} MB/s: ${spread(r, 2)}× (job: ${spread(ratios('ds.ms', 'gz48.job'), 2)}×, page load: ${spread(ratios('ds.ms', 'gz48.load'), 2)}×); vs the same work in JS less the tar walk (fetch → hash-wasm SHA-256 of the blob → DecompressionStream → hash-wasm SHA-256 of the tar, the diff_id) ${spread(rate('dsh.ms', l.tar))} MB/s: ${spread(ratios('dsh.ms', 'gz48.req'), 2)}×`;
    summary.push(`${line}; end to end, with the registry fetch and rendering (the ≥ 1.2× goal is judged gunzip against gunzip in the kernel benchmark)`);
  }
  for (const key of ['tar1', 'tar16']) {
    const l = L[key];
    const r = ratios(`${key}.hashwasm`, `${key}.req`);
    const line = `SHA-256, ${(l.size / 2 ** 20).toFixed(0)} MiB uncompressed tar (fetch + SHA-256 + header walk): worker ${workerRates(key, l.size)}; fetch + hash-wasm streaming ${spread(rate(`${key}.hashwasm`, l.size))}, fetch + WebCrypto one-shot ${spread(rate(`${key}.webcrypto`, l.size))} MB/s; bytes in memory: hash-wasm ${spread(rate(`${key}.hashwasmMem`, l.size))}, WebCrypto ${spread(rate(`${key}.webcryptoMem`, l.size))} MB/s; worker (request) ÷ hash-wasm ${spread(r, 2)}×, ÷ WebCrypto ${spread(ratios(`${key}.webcrypto`, `${key}.req`), 2)}×`;
    summary.push(key === 'tar16' ? `${line}; end to end (the ≥ 1.0× goal is judged hash against hash in the kernel benchmark)` : line);
  }
  {
    // Fixed costs (request latency, messages, rendering) cancel out between 1 and 16 MiB.
    const bytes = L.tar16.size - L.tar1.size;
    const marginal = (name) => [...(fig[`tar16.${name}`] ?? [])].map((ms, i) => mbps(bytes, ms - fig[`tar1.${name}`]?.[i]));
    const w = marginal('req');
    const hw = marginal('hashwasm');
    const line = `SHA-256, marginal rate 1 → 16 MiB (fixed costs cancel): worker (request) ${spread(w)} MB/s, fetch + hash-wasm streaming ${spread(hw)} MB/s, ratio ${spread(w.map((x, i) => x / hw[i]).filter(Number.isFinite), 2)}×`;
    summary.push(line);
  }
  const lt48Job = lt48.map((x) => x.job);
  const worst = (xs) => xs.reduce((a, b) => (b.longest > a.longest ? b : a), { count: 0, longest: 0 });
  {
    const line = `long tasks, 48 MiB gzip layer download + listing: ${ltText(worst(lt48Job))} (worst of ${lt48.length} runs; page start before the progress bar: ${ltText(worst(lt48.map((x) => x.boot)))})`;
    summary.push(`${line}; ${goal(lt48.length && worst(lt48Job).longest <= 50, 'none over 50 ms')}`);
  }
  if (lt100) {
    const line = `long tasks, ${(L.gz100.tar / 1e6).toFixed(0)} MB gzip layer (${(L.gz100.size / 1e6).toFixed(0)} MB blob, job ${(lt100.ms / 1000).toFixed(1)} s, ${mbps(L.gz100.tar, lt100.ms).toFixed(0)} MB/s): ${ltText(lt100.job)} (page start: ${ltText(lt100.boot)})`;
    summary.push(`${line}; ${goal(lt100.job.longest <= 50, 'none over 50 ms')}`);
  }
  if (ltMany) {
    const line = `long tasks, ${mMany.entries.toLocaleString('en')}-entry layer: while it opens (job ${(ltMany.ms / 1000).toFixed(1)} s) ${ltText(ltMany.open)}; paging (#rows-next ×5, ${PAGE_ROWS} rows, median ${ltMany.pageMs.toFixed(0)} ms from Playwright's click to the new rows), scrolling and typing into #file-filter: ${ltText(ltMany.use)}`;
    summary.push(`${line}; ${goal(Math.max(ltMany.open.longest, ltMany.use.longest) <= 50, 'none over 50 ms')}`);
  }
  if (ltMerged) {
    const line = `long tasks, merged view of 3 layers (${(ltMerged.bytes / 1e6).toFixed(0)} MB of tar, 100,000+ entries; page.goto → every diff_id verified and rows shown ${(ltMerged.ms / 1000).toFixed(1)} s): ${ltText(ltMerged.all)}, page start included`;
    summary.push(`${line}; ${goal(ltMerged.all.longest <= 50, 'none over 50 ms')}`);
  }
  // ---- Artifact sizes ---------------------------------------------------------------------
  summary.push('artifact                                   raw B    brotli -q 11 B');
  for (const f of fs.readdirSync(dist).filter((f) => /^(worker|archiveworker|views)-.*\.(js|wasm)$/.test(f)).sort()) {
    const raw = fs.statSync(path.join(dist, f)).size;
    const br = execFileSync('brotli', ['-q', '11', '-c', path.join(dist, f)], { maxBuffer: 1 << 28 }).length;
    summary.push(`${f.padEnd(38)} ${String(raw).padStart(9)} ${String(br).padStart(17)}`);
  }
} catch (e) {
  unmeasured.push(`benchmark aborted: ${e.message ?? e}`);
  console.error(e.stack ?? e);
} finally {
  await browser?.close().catch(() => {});
  for (const s of servers) s.close();
  await reg.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}

printSummary('layer benchmark summary', summary, unmeasured, secs());
