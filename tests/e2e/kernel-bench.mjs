// Benchmark of the layer worker's compute kernels in a Web Worker of headless Chromium, against
// the browser's own and hash-wasm on the same bytes, in the same worker, in the same run (issue 7
// "Benchmarks": SHA-256 vs hash-wasm streaming and WebCrypto one-shot on 1 and 16 MiB; gunzip vs
// DecompressionStream("gzip") on a ~48 MiB tar.gz).
//
// The app-level figures (tests/e2e/layer-bench.mjs) include the network, the registry and
// rendering, which the baselines there only partly share; here every contender reads the same
// in-memory chunks of 64 KiB (what a fetch delivers, roughly) and nothing else runs:
//   ours        examples/kernel_bench.rs: the layer core's own Hasher, Decoder and LayerReader,
//               built with the release profile and the worker's wasm-opt flags (read from
//               index.html), bytes copied into wasm memory chunk by chunk as the worker does;
//   hash-wasm   createSHA256().update(chunk) per chunk (npm devDependency);
//   WebCrypto   crypto.subtle.digest over the whole buffer (it cannot stream);
//   DS          new Response(chunks as a ReadableStream).body.pipeThrough(DecompressionStream).
// BENCH_RUNS rounds (default 5), contenders interleaved within a round; median and range
// printed. It asserts nothing about speed: a missed goal is printed as such; the exit code is
// non-zero only when a figure could not be measured (a wrong digest or length, a build error).
// `node tests/e2e/kernel-bench.mjs`
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { serveDist, launchBrowser } from './harness.mjs';
import { noise, writeFiles, tarOf, compress } from './layer-data.mjs';
import { median, mbps, spread, goal, printSummary } from './figures.mjs';

const repo = path.resolve(new URL('../..', import.meta.url).pathname);
const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 5));
const began = Date.now();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'me-kernel-bench-'));
const site = path.join(tmp, 'site');
fs.mkdirSync(site);
const log = (s) => console.log(s);
const secs = () => `${((Date.now() - began) / 1000).toFixed(1)} s`;
const sha256 = (b) => `sha256:${crypto.createHash('sha256').update(b).digest('hex')}`;
const unmeasured = [];

/** The kernels as the worker ships them: same profile, features (no "ui") and wasm-opt flags. */
function buildKernels() {
  const html = fs.readFileSync(path.join(repo, 'index.html'), 'utf8');
  const link = /<link[^>]*data-bin="worker"[^>]*>/s.exec(html)?.[0];
  const level = /data-wasm-opt="([^"]+)"/.exec(link ?? '')?.[1];
  const params = /data-wasm-opt-params="([^"]+)"/.exec(link ?? '')?.[1];
  if (!level || !params) throw new Error('index.html: no data-wasm-opt / -params on the worker link');
  const opts = { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] };
  execFileSync('cargo', ['build', '--offline', '--release', '--target', 'wasm32-unknown-unknown', '--no-default-features', '--example', 'kernel_bench'], opts);
  const built = path.join(repo, 'target/wasm32-unknown-unknown/release/examples/kernel_bench.wasm');
  execFileSync('wasm-bindgen', ['--target', 'no-modules', '--no-typescript', '--out-dir', site, built], opts);
  const wasm = path.join(site, 'kernel_bench_bg.wasm');
  execFileSync('wasm-opt', [`-O${level}`, ...params.split(/\s+/), wasm, '-o', wasm], opts);
  return { level, bytes: fs.statSync(wasm).size };
}

async function buildData() {
  const d = (n) => path.join(tmp, n);
  writeFiles(d('tree48'), 48 << 20, 1);
  fs.writeFileSync(d('48.tar'), tarOf(d('tree48')));
  fs.rmSync(d('tree48'), { recursive: true });
  const tar = fs.readFileSync(d('48.tar'));
  const [gz, zst] = await Promise.all([compress('gzip', ['-6', '-n'], d('48.tar')), compress('zstd', ['-q', '-3'], d('48.tar'))]);
  const data = {
    one: noise(1 << 20, 'one'),
    sixteen: noise(16 << 20, 'sixteen'),
    gz,
    zst,
  };
  for (const [name, bytes] of Object.entries(data)) fs.writeFileSync(path.join(site, `${name}.bin`), bytes);
  return {
    tar: { size: tar.length, digest: sha256(tar) },
    blobs: Object.fromEntries(Object.entries(data).map(([k, b]) => [k, { size: b.length, digest: sha256(b) }])),
  };
}

// The worker: loads the kernels and hash-wasm, fetches the data into memory once, then runs
// what it is told and answers { ms, ... } (timed with performance.now() inside the worker).
const WORKER = `
importScripts('kernel_bench.js', 'sha256.umd.min.js');
const CHUNK = 64 << 10;
const chunks = (bytes) => {
  const out = [];
  for (let i = 0; i < bytes.length; i += CHUNK) out.push(bytes.subarray(i, i + CHUNK));
  return out;
};
const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
const data = {};
const ready = (async () => {
  await wasm_bindgen('kernel_bench_bg.wasm');
  for (const name of ['one', 'sixteen', 'gz', 'zst']) {
    data[name] = chunks(new Uint8Array(await (await fetch(name + '.bin')).arrayBuffer()));
  }
})();
const whole = (name) => {
  const parts = data[name];
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { all.set(p, at); at += p.length; }
  return all;
};
const streamOf = (parts) => new ReadableStream({
  start(c) { for (const p of parts) c.enqueue(p.slice()); c.close(); },
});
async function readAll(stream, each) {
  const reader = stream.getReader();
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return n;
    n += value.length;
    each?.(value);
  }
}
const hashwasmUpdate = (h, bytes) => { for (let i = 0; i < bytes.length; i += CHUNK) h.update(bytes.subarray(i, i + CHUNK)); };
const jobs = {
  async oursSha({ name }) {
    const t0 = performance.now();
    const h = new wasm_bindgen.Sha256();
    for (const c of data[name]) h.update(c);
    const digest = h.finish();
    h.free();
    return { ms: performance.now() - t0, digest };
  },
  async hashwasmSha({ name }) {
    const h = await hashwasm.createSHA256();
    const t0 = performance.now();
    h.init();
    for (const c of data[name]) h.update(c);
    return { ms: performance.now() - t0, digest: 'sha256:' + h.digest('hex') };
  },
  async webcryptoSha({ name }) {
    const all = whole(name);
    const t0 = performance.now();
    const digest = 'sha256:' + hex(await crypto.subtle.digest('SHA-256', all));
    return { ms: performance.now() - t0, digest };
  },
  async oursInflate({ name }) {
    const t0 = performance.now();
    const d = new wasm_bindgen.Decompress();
    for (const c of data[name]) d.push(c);
    const out = d.finish();
    d.free();
    return { ms: performance.now() - t0, out };
  },
  async dsInflate({ name }) {
    const t0 = performance.now();
    const out = await readAll(streamOf(data[name]).pipeThrough(new DecompressionStream('gzip')));
    return { ms: performance.now() - t0, out };
  },
  async oursLayer({ name, digest, size, diffId }) {
    const t0 = performance.now();
    const l = new wasm_bindgen.Layer(digest, size, diffId);
    for (const c of data[name]) l.push(c);
    const entries = l.finish();
    l.free();
    return { ms: performance.now() - t0, entries };
  },
  async dsHashwasmLayer({ name }) {
    const [hIn, hOut] = await Promise.all([hashwasm.createSHA256(), hashwasm.createSHA256()]);
    const t0 = performance.now();
    hIn.init();
    hOut.init();
    const parts = data[name];
    for (const c of parts) hIn.update(c);
    const out = await readAll(streamOf(parts).pipeThrough(new DecompressionStream('gzip')), (v) => hashwasmUpdate(hOut, v));
    return { ms: performance.now() - t0, out, digest: 'sha256:' + hIn.digest('hex'), diffId: 'sha256:' + hOut.digest('hex') };
  },
};
onmessage = async ({ data: { id, job, args } }) => {
  try {
    await ready;
    postMessage({ id, ...(await jobs[job](args)) });
  } catch (e) {
    postMessage({ id, error: String(e?.message ?? e) });
  }
};
`;

const PAGE = `<!doctype html><title>kernel bench</title><script>
const w = new Worker('worker.js');
let next = 0;
const waiting = new Map();
w.onmessage = ({ data }) => { waiting.get(data.id)(data); waiting.delete(data.id); };
window.job = (job, args) => new Promise((resolve) => { const id = next++; waiting.set(id, resolve); w.postMessage({ id, job, args }); });
</script>`;


const summary = [];
let browser;
let server;
try {
  const built = buildKernels();
  log(`kernel benchmark: kernels built (wasm-opt -O${built.level}, ${built.bytes} B) (${secs()})`);
  fs.copyFileSync(path.join(repo, 'node_modules/hash-wasm/dist/sha256.umd.min.js'), path.join(site, 'sha256.umd.min.js'));
  fs.writeFileSync(path.join(site, 'worker.js'), WORKER);
  fs.writeFileSync(path.join(site, 'index.html'), PAGE);
  const D = await buildData();
  log(`  data built: tar ${D.tar.size} B, gzip -6 ${D.blobs.gz.size} B, zstd -3 ${D.blobs.zst.size} B (${secs()})`);
  server = await serveDist(site, '/k/');
  browser = await launchBrowser();
  const page = await browser.newPage();
  page.on('pageerror', (e) => unmeasured.push(`page error: ${e}`));
  await page.goto(server.url);
  const job = (name, args) => page.evaluate(([n, a]) => window.job(n, a), [name, args]);

  /** ms per contender and run; a wrong answer is noted and not counted. */
  const fig = {};
  const put = (key, r, check) => {
    const wrong = r.error ?? check(r);
    if (wrong) {
      if (!unmeasured.some((u) => u.startsWith(key))) unmeasured.push(`${key}: ${wrong}`);
      return;
    }
    (fig[key] ??= []).push(r.ms);
  };
  const digestIs = (want) => (r) => (r.digest === want ? null : `digest ${r.digest}, expected ${want}`);
  const outIs = (want) => (r) => (r.out === want ? null : `${r.out} B out, expected ${want}`);
  // One warm-up round (JIT, wasm tier-up), then the measured ones.
  for (let round = -1; round < runs; round++) {
    const keep = round >= 0 ? put : () => {};
    for (const name of ['one', 'sixteen']) {
      const want = digestIs(D.blobs[name].digest);
      keep(`ours.sha.${name}`, await job('oursSha', { name }), want);
      keep(`hashwasm.sha.${name}`, await job('hashwasmSha', { name }), want);
      keep(`webcrypto.sha.${name}`, await job('webcryptoSha', { name }), want);
    }
    keep('ours.inflate.gz', await job('oursInflate', { name: 'gz' }), outIs(D.tar.size));
    keep('ds.inflate.gz', await job('dsInflate', { name: 'gz' }), outIs(D.tar.size));
    keep('ours.inflate.zst', await job('oursInflate', { name: 'zst' }), outIs(D.tar.size));
    const layer = { digest: D.blobs.gz.digest, size: D.blobs.gz.size, diffId: D.tar.digest };
    keep('ours.layer.gz', await job('oursLayer', { name: 'gz', ...layer }), (r) => (r.entries > 0 ? null : 'nothing listed'));
    keep('js.layer.gz', await job('dsHashwasmLayer', { name: 'gz' }), (r) => (r.out === D.tar.size && r.digest === D.blobs.gz.digest && r.diffId === D.tar.digest ? null : `${r.out} B, ${r.digest}, ${r.diffId}`));
    keep('ours.layer.zst', await job('oursLayer', { name: 'zst', ...layer, digest: D.blobs.zst.digest, size: D.blobs.zst.size }), (r) => (r.entries > 0 ? null : 'nothing listed'));
    if (round >= 0) log(`  round ${round + 1} of ${runs} done (${secs()})`);
  }

  const rate = (key, bytes) => (fig[key] ?? []).map((ms) => mbps(bytes, ms));
  const ratio = (a, b) => (fig[a] ?? []).map((ms, i) => fig[b]?.[i] / ms);
  summary.push(`Kernel benchmark, one Web Worker of headless Chromium, ${runs} rounds after a warm-up, median (min–max); MB/s = 10^6 B/s; 64 KiB chunks in memory; ${os.cpus().length} cores, load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  for (const [name, label] of [['one', '1 MiB'], ['sixteen', '16 MiB']]) {
    const n = D.blobs[name].size;
    const r = ratio(`ours.sha.${name}`, `hashwasm.sha.${name}`);
    const line = `SHA-256, ${label}: ours ${spread(rate(`ours.sha.${name}`, n))}, hash-wasm streaming ${spread(rate(`hashwasm.sha.${name}`, n))}, WebCrypto one-shot ${spread(rate(`webcrypto.sha.${name}`, n))} MB/s; ours ÷ hash-wasm ${spread(r, 2)}×, ÷ WebCrypto ${spread(ratio(`ours.sha.${name}`, `webcrypto.sha.${name}`), 2)}×`;
    summary.push(name === 'sixteen' ? `${line}; ${goal(r.length && median(r) >= 1.0, '≥ 1.0× hash-wasm at 16 MiB')}` : line);
  }
  {
    const n = D.tar.size;
    const r = ratio('ours.inflate.gz', 'ds.inflate.gz');
    summary.push(`gunzip, ${(n / 2 ** 20).toFixed(0)} MiB tar from ${(D.blobs.gz.size / 1e6).toFixed(1)} MB gzip -6: ours ${spread(rate('ours.inflate.gz', n))} MB/s of tar vs DecompressionStream("gzip") ${spread(rate('ds.inflate.gz', n))} MB/s: ${spread(r, 2)}×; ${goal(r.length && median(r) >= 1.2, '≥ 1.2× DecompressionStream')}`);
    summary.push(`whole layer read in memory, gzip (SHA-256 of the blob, gunzip, SHA-256 of the tar, tar walk): ours ${spread(rate('ours.layer.gz', n))} MB/s of tar vs the same less the tar walk in JS (hash-wasm, DecompressionStream, hash-wasm) ${spread(rate('js.layer.gz', n))} MB/s: ${spread(ratio('ours.layer.gz', 'js.layer.gz'), 2)}×`);
    summary.push(`zstd -3 (${(D.blobs.zst.size / 1e6).toFixed(1)} MB): decompression ours ${spread(rate('ours.inflate.zst', n))} MB/s of tar, whole layer read ${spread(rate('ours.layer.zst', n))} MB/s (the browser has no zstd to compare with)`);
  }
} catch (e) {
  unmeasured.push(`benchmark aborted: ${e.message ?? e}`);
  console.error(e.stack ?? e);
} finally {
  await browser?.close().catch(() => {});
  server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}

printSummary('kernel benchmark summary', summary, unmeasured, secs());
