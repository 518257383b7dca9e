// A layer of 1,000,000 entries opened from disk (issue 7, LAYERS.md L8: "a 1M-entry TOC ≤ 128
// MiB", the worker ≤ 256 MiB): it lists in full, and the layer worker's wasm memory is read
// from the page twice: after the read (the listing), and after the first page of rows (the
// merged tree and its sorted index built too), as the summary of a second, small file opened
// in the same tab reports it. wasm memory never shrinks, so each figure is a high-water mark.
// The layer is the one tests/listing_memory.rs measures natively: 1,000 directories and
// 999,000 empty files `d000/f00000.txt`, ustar, gzip level 1 (512 MB of tar, ≈ 8 MB on disk).
//
// Usage: node tests/e2e/million.mjs dist
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { serveDist, run, assert, assertEq, fact } from './harness.mjs';

const dist = process.argv[2] ?? 'dist';
const outDir = path.resolve('target/e2e-million');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'million-'));
const DIRS = 1000;
const FILES_PER_DIR = 999;
const MIB = 1024 * 1024;

/** A ustar header block as GNU tar writes one (root/root, mode, mtime). */
function header(name, typeflag) {
  const h = Buffer.alloc(512);
  h.write(name, 0, 'latin1');
  const octal = (at, len, n) => h.write(n.toString(8).padStart(len - 1, '0') + '\0', at, 'latin1');
  octal(100, 8, typeflag === '5' ? 0o755 : 0o644);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, 0);
  octal(136, 12, 1_700_000_000);
  h.write(typeflag, 156, 'latin1');
  h.write('ustar\x0000', 257, 'latin1');
  h.write('root', 265, 'latin1');
  h.write('root', 297, 'latin1');
  h.fill(' ', 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0', 148, 'latin1');
  return h;
}

/** Writes the layer, gzip level 1, one directory's headers at a time. */
async function writeLayer(file) {
  const gz = zlib.createGzip({ level: 1 });
  const done = new Promise((resolve, reject) => {
    gz.pipe(fs.createWriteStream(file)).on('finish', resolve).on('error', reject);
  });
  for (let d = 0; d < DIRS; d++) {
    const dname = `d${String(d).padStart(3, '0')}`;
    const blocks = [header(`${dname}/`, '5')];
    for (let f = 0; f < FILES_PER_DIR; f++) blocks.push(header(`${dname}/f${String(f).padStart(5, '0')}.txt`, '0'));
    if (!gz.write(Buffer.concat(blocks))) await new Promise((r) => gz.once('drain', r));
  }
  gz.end(Buffer.alloc(1024));
  await done;
}

const memory = async (page) =>
  Number((await page.locator('[data-fact="worker-memory"]').getAttribute('title')).split(' ')[0]);

let site;
try {
  const big = path.join(dir, 'million.tar.gz');
  const small = path.join(dir, 'small.tar.gz');
  const started = Date.now();
  await writeLayer(big);
  fs.writeFileSync(small, zlib.gzipSync(Buffer.concat([header('one.txt', '0'), Buffer.alloc(1024)])));
  console.log(`     wrote ${big}: ${fs.statSync(big).size} bytes in ${Date.now() - started} ms`);
  site = await serveDist(dist, '/explorer/');
  await run([
    ['a 1,000,000-entry layer from disk lists, and the worker stays ≤ 256 MiB', async (page) => {
      await page.goto(site.url);
      const t0 = Date.now();
      await page.locator('#file').setInputFiles(big);
      await page.locator('[data-verdict]').first().waitFor({ timeout: 300000 });
      assertEq(await fact(page, 'entry-count'), String(DIRS * (FILES_PER_DIR + 1)), 'every entry listed');
      const afterRead = await memory(page);
      await page.locator('table.files tbody tr[data-path="d000/f00000.txt"]').waitFor({ timeout: 300000 });
      const listed = Date.now() - t0;
      // A second file in the same tab (the same page, so the same worker): its summary reports
      // the memory the worker reached building the first one's tree and index. It is opened
      // over the one shown (the route stays `disk=1`), which mounts the view again with it.
      await page.locator('#file').setInputFiles(small);
      await page.waitForFunction(() => document.querySelector('[data-fact="entry-count"]')?.textContent.trim() === '1', null, { timeout: 60000 });
      const afterRows = await memory(page);
      console.log(`     worker memory: ${(afterRead / MIB).toFixed(1)} MiB after the read, ${(afterRows / MIB).toFixed(1)} MiB after the first page of rows; first rows ${listed} ms after setInputFiles`);
      assert(afterRows >= afterRead, `memory does not shrink: ${afterRead} then ${afterRows}`);
      assert(afterRows <= 256 * MIB, `worker memory ${afterRows} bytes`);
    }],
  ], { outDir });
} finally {
  site?.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
