// Benchmark: first render of big documents in the release build, against a baseline measured
// in the same browser in the same run: JSON.parse + pretty-print into a <pre>.
// `node tests/e2e/bench.mjs dist` prints the figures; it asserts nothing about speed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serveDist, launchBrowser } from './harness.mjs';
import { median } from './figures.mjs';

const dist = process.argv[2] ?? 'dist';
const runs = Number(process.env.BENCH_RUNS ?? 5);
const hex = (i, salt) => (salt + i.toString(16)).padStart(64, '0').slice(-64);

function bigIndex(n) {
  const arches = ['amd64', 'arm64', 'arm', 's390x', 'ppc64le', '386', 'riscv64', 'mips64le'];
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: Array.from({ length: n }, (_, i) => ({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: 'sha256:' + hex(i, 'a'),
      size: 1000 + i,
      platform: { os: 'linux', architecture: arches[i % arches.length] },
    })),
  }, null, 2);
}

function bigManifest(n) {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: 'sha256:' + hex(0, 'c'), size: 1234 },
    layers: Array.from({ length: n }, (_, i) => ({
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      digest: 'sha256:' + hex(i, 'b'),
      size: 100000 + i,
    })),
  }, null, 2);
}


async function measure(page, url, file, text) {
  // Explorer: from the file input's change event to the document's kind on screen.
  await page.goto(url);
  await page.locator('#file').waitFor({ state: 'attached' });
  await page.evaluate(() => {
    window.__bench = {};
    document.querySelector('#file').addEventListener('change', () => { window.__bench.start = performance.now(); }, { capture: true });
    new MutationObserver((_, obs) => {
      if (document.querySelector('[data-fact="kind"]')) {
        document.body.offsetHeight; // force layout, as the baseline does
        window.__bench.end = performance.now();
        obs.disconnect();
      }
    }).observe(document.body, { childList: true, subtree: true });
  });
  await page.locator('#file').setInputFiles(file);
  await page.waitForFunction(() => window.__bench.end !== undefined);
  const app = await page.evaluate(() => window.__bench.end - window.__bench.start);
  // Baseline: the same bytes parsed and pretty-printed into a <pre>.
  const baseline = await page.evaluate((t) => {
    const start = performance.now();
    const pre = document.createElement('pre');
    pre.textContent = JSON.stringify(JSON.parse(t), null, 2);
    document.body.appendChild(pre);
    document.body.offsetHeight;
    const ms = performance.now() - start;
    pre.remove();
    return ms;
  }, text);
  return { app, baseline };
}

const server = await serveDist(dist, '/bench/');
const browser = await launchBrowser();
const page = await browser.newPage();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
console.log(`first render, median of ${runs} runs (ms)`);
console.log('document                      bytes   explorer   JSON.parse+<pre>   ratio');
for (const [name, text] of [['index, 10,000 entries', bigIndex(10000)], ['manifest, 1,000 layers', bigManifest(1000)]]) {
  const file = path.join(tmp, name.replace(/\W+/g, '_') + '.json');
  fs.writeFileSync(file, text);
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await measure(page, server.url, file, text));
  const app = median(results.map((r) => r.app));
  const base = median(results.map((r) => r.baseline));
  console.log(`${name.padEnd(26)} ${String(text.length).padStart(8)} ${app.toFixed(1).padStart(10)} ${base.toFixed(1).padStart(18)} ${(app / base).toFixed(1).padStart(7)}x`);
}
await browser.close();
server.close();
