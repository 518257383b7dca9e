// End-to-end tests of the layer worker against Debian's docker-registry on 127.0.0.1: images
// whose layers are gzip, zstd (several frames, a skippable frame), uncompressed tar,
// multi-member gzip and eStargz, with a whiteout and an opaque directory; a layer whose stored
// bytes were replaced; and a .tar.zst opened from disk. Expected listings and contents come
// from GNU tar and the files the seeder wrote (tests/registry/layers.mjs), never from the app.
// `node tests/e2e/layers.mjs dist`
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { serveDist, run, assert, assertEq, fact, listedPaths, workerBinaries } from './harness.mjs';
import { startRegistry } from '../registry/start.mjs';
import { seedLayers } from '../registry/layers.mjs';

const dist = process.argv[2] ?? 'dist';
const outDir = 'test-output/e2e-layers';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'me-layers-'));
const storageDir = path.join(dir, 'storage');
const sha256 = (b) => 'sha256:' + crypto.createHash('sha256').update(b).digest('hex');
/** The app's size text for `bytes` (tenths of the unit, rounded half up), for comparing. */
const kib = (bytes) => { const t = Math.floor((bytes * 10 + 512) / 1024); return `${Math.floor(t / 10)}.${t % 10} KiB`; };

const reg = await startRegistry({ name: 'layers', dir, storageDir });
let site;
try {
  const { app: img, tampered, bomb, huge, large } = await seedLayers(reg.url, { workDir: path.join(dir, 'work'), storageDir });
  const host = new URL(reg.url).host;
  site = await serveDist(dist, '/explorer/');
  const ref = `${host}/${img.repo}:${img.tag}`;
  const layerUrl = (l, extra = '') =>
    `${site.url}?ref=${encodeURIComponent(ref)}&at=${l.digest}&mt=${encodeURIComponent(l.mediaType)}&size=${l.size}&view=files${extra}`;

  async function openLayer(page, l) {
    await page.goto(layerUrl(l));
    await page.locator('[data-verdict], [data-fact="layer-error"]').first().waitFor({ timeout: 30000 });
  }

  const tests = img.layers.map((l) => [`${l.kind} layer: verified, and the listing equals tar -t`, async (page) => {
    await openLayer(page, l);
    assertEq(await fact(page, 'verdict'), 'verified', 'digest verdict');
    assertEq(await fact(page, 'blob-digest'), l.digest, 'digest shown');
    await page.locator('table.files tbody tr').first().waitFor();
    const listed = await listedPaths(page);
    assertEq(JSON.stringify([...listed].sort()), JSON.stringify([...l.names].sort()), 'paths listed');
    // The root directory entry ./ is listed too: entries = tar's members.
    assertEq(await fact(page, 'entry-count'), String(l.names.length + 1), 'entry count');
    assertEq(JSON.stringify(workerBinaries(page)), '["worker"]', 'the layer views run the layer worker');
    await page.screenshot({ path: `${outDir}/layer-${l.kind.replace(/\W+/g, '-')}.png`, fullPage: true });
  }]);

  await run([
    ...tests,
    ['a file: text shown escaped, sha256 and download match the bytes the seeder wrote', async (page) => {
      const l = img.layers[0];
      await openLayer(page, l);
      await page.locator('tr[data-path="etc/os-release"] a').click();
      await page.locator('[data-fact="file-text"]').waitFor();
      const text = l.files['etc/os-release'];
      assertEq(await page.locator('[data-fact="file-text"]').textContent(), text, 'file text');
      assertEq(await fact(page, 'file-sha256'), sha256(Buffer.from(text)), 'file sha256');
      assert(page.url().includes('path=etc/os-release'), `the file is in the URL: ${page.url()}`);
      // A reload shows the same file (the permalink reopens the layer).
      await page.reload();
      await page.locator('[data-fact="file-text"]').waitFor({ timeout: 30000 });
      assertEq(await page.locator('[data-fact="file-text"]').textContent(), text, 'file text after reload');
      // A binary file is shown as hex; its download has the right bytes.
      await page.locator('tr[data-path="bin/hello"] a').click();
      await page.locator('[data-fact="file-hex"]').waitFor();
      assert((await page.locator('[data-fact="file-hex"]').textContent()).startsWith('00000000: 7f45 4c46'), 'hex dump of an ELF header');
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#file-download').click()]);
      const saved = fs.readFileSync(await download.path());
      assertEq(sha256(saved), sha256(l.files['bin/hello']), 'downloaded file sha256');
      assertEq(await fact(page, 'file-sha256'), sha256(l.files['bin/hello']), 'shown sha256 of the binary');
      // An image is shown through a blob: URL in <img>.
      await page.locator('tr[data-path="usr/share/logo.png"] a').click();
      await page.locator('img.file-image').waitFor();
      assert((await page.locator('img.file-image').getAttribute('src')).startsWith('blob:'), 'image from a blob: URL');
      await page.screenshot({ path: `${outDir}/file.png`, fullPage: true });
    }],
    ['after the kept bytes are forgotten, a file is read by downloading the layer again', async (page) => {
      const l = img.layers[0];
      await openLayer(page, l);
      await page.locator('#clear-kept').click();
      await page.waitForFunction(() => document.querySelector('.layer p .hint')?.textContent.includes('freed'));
      let blobGets = 0;
      page.on('request', (r) => { if (r.method() === 'GET' && r.url().endsWith(`/blobs/${l.digest}`)) blobGets++; });
      await page.locator('tr[data-path="usr/share/doc/readme.txt"] a').click();
      await page.locator('[data-fact="file-text"]').waitFor({ timeout: 30000 });
      assertEq(await page.locator('[data-fact="file-text"]').textContent(), l.files['usr/share/doc/readme.txt'], 'file text');
      assertEq(await fact(page, 'file-sha256'), sha256(Buffer.from(l.files['usr/share/doc/readme.txt'])), 'file sha256');
      assertEq(blobGets, 1, 'the layer was downloaded again, once');
    }],
    ['a layer over 128 MiB is kept by the browser: a file is read and the blob saved without a second download', async (page) => {
      const l = large.layers[0];
      await page.goto(`${site.url}?ref=${encodeURIComponent(`${host}/${large.repo}:${large.tag}`)}&at=${l.digest}&mt=${encodeURIComponent(l.mediaType)}&size=${l.size}&view=files`);
      await page.locator('[data-verdict], [data-fact="layer-error"]').first().waitFor({ timeout: 60000 });
      assertEq(await fact(page, 'verdict'), 'verified', 'digest verdict');
      let blobGets = 0;
      page.on('request', (r) => { if (r.method() === 'GET' && r.url().endsWith(`/blobs/${l.digest}`)) blobGets++; });
      await page.locator('tr[data-path="etc/large.txt"] a').click();
      await page.locator('[data-fact="file-text"]').waitFor({ timeout: 30000 });
      assertEq(await page.locator('[data-fact="file-text"]').textContent(), l.files['etc/large.txt'], 'file text');
      assertEq(blobGets, 0, 'read from the kept copy, not downloaded again');
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60000 }), page.locator('#save-blob').click()]);
      const saved = fs.readFileSync(await download.path());
      assertEq(saved.length, l.size, 'saved blob size');
      assertEq(sha256(saved), l.digest, 'saved blob sha256');
      assertEq(blobGets, 0, 'saved from the kept copy');
      // Forgotten: the next file read downloads the layer again.
      await page.locator('#clear-kept').click();
      await page.waitForFunction(() => document.querySelector('.layer p .hint')?.textContent.includes('freed'));
      await page.locator('tr[data-path="data/noise.bin"] a').click();
      const want = sha256(l.files['data/noise.bin']);
      await page.waitForFunction((w) => document.querySelector('[data-fact="file-sha256"]')?.textContent.trim() === w, want, { timeout: 60000 });
      assertEq(blobGets, 1, 'downloaded again, once, after forgetting');
    }],
    ['HTML in a layer is text, never markup', async (page) => {
      const l = img.layers[3];
      await openLayer(page, l);
      await page.locator('tr[data-path="srv/www/index.html"] a').click();
      await page.locator('[data-fact="file-text"]').waitFor();
      assertEq(await page.locator('[data-fact="file-text"]').textContent(), l.files['srv/www/index.html'], 'markup shown as text');
      assertEq(await page.locator('.file-viewer h1').count(), 0, 'no element made from the file');
    }],
    ['find: substring and prefix filters, largest first', async (page) => {
      await openLayer(page, img.layers[0]);
      await page.locator('#file-filter').fill('APP');
      await page.waitForFunction(() => document.querySelector('[data-fact="listing-range"]').textContent.includes('of 3'));
      const found = await page.locator('table.files tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.path));
      assertEq(JSON.stringify(found), JSON.stringify(['opt/app', 'opt/app/a.txt', 'opt/app/b.txt']), 'case-insensitive substring');
      await page.locator('#file-filter').fill('');
      await page.locator('#file-prefix').fill('/usr/share/doc/');
      await page.waitForFunction(() => document.querySelector('[data-fact="listing-range"]').textContent.includes('of 1'));
      await page.locator('#file-prefix').fill('');
      await page.locator('#sort-size').check();
      await page.waitForFunction(() => document.querySelector('table.files tbody tr')?.dataset.path === 'var/cache/big.bin');
    }],
    ['merged filesystem: all layers verified twice, whiteouts applied, bytes accounted for', async (page) => {
      await page.goto(`${site.url}?ref=${encodeURIComponent(ref)}&view=fs`);
      await page.waitForFunction((n) => document.querySelectorAll('[data-diff-verdict="diff_id verified"]').length === n, img.layers.length, { timeout: 60000 });
      assertEq(await page.locator('.image-layers [data-verdict="verified"]').count(), img.layers.length, 'every layer digest verified');
      await page.locator('table.files tbody tr').first().waitFor();
      const merged = await listedPaths(page);
      for (const gone of ['var/cache/big.bin', 'opt/app/a.txt', 'opt/app/b.txt', 'var/cache/.wh.big.bin', 'opt/app/.wh..wh..opq']) {
        assert(!merged.includes(gone), `${gone} is not in the merged filesystem`);
      }
      for (const kept of ['opt/app/c.txt', 'etc/os-release', 'srv/www/index.html', 'app/main.py', 'usr/bin/tool']) {
        assert(merged.includes(kept), `${kept} is in the merged filesystem`);
      }
      // etc/hosts comes from the third layer (L3), the last one to write it.
      assertEq((await page.locator('tr[data-path="etc/hosts"] .layer-badge').first().textContent()).trim(), 'L3', 'etc/hosts from L3');
      await page.locator('tr[data-path="etc/hosts"] a').click();
      await page.locator('[data-fact="file-text"]').waitFor();
      assertEq(await page.locator('[data-fact="file-text"]').textContent(), img.layers[2].files['etc/hosts'], 'merged file content is the top layer\'s');
      // Deleted and overwritten copies on request.
      await page.locator('#show-hidden').check();
      await page.locator('tr[data-path="var/cache/big.bin"] .state.deleted').waitFor();
      assertEq((await page.locator('tr[data-path="var/cache/big.bin"] .state').textContent()).trim(), 'deleted by L2', 'big.bin deleted by L2');
      assertEq(await page.locator('tr[data-path="etc/hosts"] .state.overwritten').count(), 2, 'two lower copies of etc/hosts overwritten');
      // Reclaimable: big.bin (deleted), a.txt and b.txt (opaque dir), and the two lower copies of etc/hosts.
      const l1 = img.layers[0].files;
      const l2 = img.layers[1].files;
      const reclaimable = l1['var/cache/big.bin'].length + l1['opt/app/a.txt'].length + l1['opt/app/b.txt'].length
        + l1['etc/hosts'].length + l2['etc/hosts'].length;
      assert((await page.locator('[data-fact="reclaimable"]').textContent()).includes(kib(reclaimable)), `reclaimable ${reclaimable} B: ${await fact(page, 'reclaimable')}`);
      await page.screenshot({ path: `${outDir}/merged.png`, fullPage: true });
    }],
    ['a layer the registry serves with other bytes is a loud mismatch, and is not listed', async (page) => {
      const l = tampered.layers[0];
      await page.goto(`${site.url}?ref=${encodeURIComponent(`${host}/${tampered.repo}:${tampered.tag}`)}&at=${l.digest}&mt=${encodeURIComponent(l.mediaType)}&size=${l.size}&view=files`);
      await page.locator('[data-verdict]').first().waitFor({ timeout: 30000 });
      assertEq(await fact(page, 'verdict'), 'mismatch', 'verdict');
      assertEq(await page.locator('table.files').count(), 0, 'no listing of unverified bytes');
      await page.screenshot({ path: `${outDir}/mismatch.png`, fullPage: true });
    }],
    ['a gzip bomb stops at the ratio cap with a named error; raising the caps reads it', async (page) => {
      const l = bomb.layers[0];
      await page.goto(`${site.url}?ref=${encodeURIComponent(`${host}/${bomb.repo}:${bomb.tag}`)}&at=${l.digest}&mt=${encodeURIComponent(l.mediaType)}&size=${l.size}&view=files`);
      await page.locator('[data-fact="layer-error"]').waitFor({ timeout: 30000 });
      const error = await fact(page, 'layer-error');
      assert(error.includes('ratio above 1000:1') && error.includes('max_ratio'), `the cap is named: ${error}`);
      await page.screenshot({ path: `${outDir}/cap.png`, fullPage: true });
      await page.locator('#raise-caps').click();
      await page.locator('[data-verdict]').first().waitFor({ timeout: 60000 });
      assertEq(await fact(page, 'verdict'), 'verified', 'read whole with raised caps');
      assertEq(await page.locator('tr[data-path="zeros"]').count(), 1, 'the file is listed');
    }],
    ['a 2 GiB layer streams through the worker in bounded memory (≤ 256 MiB)', async (page) => {
      const l = huge.layers[0];
      await page.goto(`${site.url}?ref=${encodeURIComponent(`${host}/${huge.repo}:${huge.tag}`)}&at=${l.digest}&mt=${encodeURIComponent(l.mediaType)}&size=${l.size}&view=files`);
      // 2 GiB out of 0.26 MB is over the default 1000:1 ratio cap: raise it once.
      await page.locator('#raise-caps').click({ timeout: 60000 });
      await page.locator('[data-verdict]').first().waitFor({ timeout: 180000 });
      assertEq(await fact(page, 'verdict'), 'verified', 'digest');
      const memory = Number(await page.locator('[data-fact="worker-memory"]').getAttribute('title').then((t) => t.split(' ')[0]));
      console.log(`     worker memory after streaming ${l.tarSize} bytes of tar: ${memory} bytes`);
      assert(memory > 0 && memory <= 256 * 1024 * 1024, `worker memory ${memory} bytes`);
      assertEq(await page.locator('tr[data-path="big.bin"] td.num').textContent(), String(l.tarSize - 1536), 'the file size');
    }],
    ['cancel stops a download; opening the layer again reads it', async (page) => {
      const l = img.layers[0];
      // Hold the blob's GET (the worker's request) until the person has clicked Cancel.
      let release;
      const held = new Promise((r) => { release = r; });
      await page.context().route(`**/v2/${img.repo}/blobs/${l.digest}`, async (route) => {
        if (route.request().method() === 'GET') await held;
        await route.continue();
      });
      await page.goto(layerUrl(l));
      await page.locator('#cancel').click();
      release();
      await page.locator('[data-fact="layer-error"]').waitFor({ timeout: 30000 });
      assertEq(await fact(page, 'layer-error'), 'cancelled', 'the job says it was cancelled');
      assertEq(await page.locator('table.files').count(), 0, 'nothing listed');
      await page.context().unroute(`**/v2/${img.repo}/blobs/${l.digest}`);
      await page.reload();
      await page.locator('[data-verdict]').first().waitFor({ timeout: 30000 });
      assertEq(await fact(page, 'verdict'), 'verified', 'read after a reload');
    }],
    ['a .tar.zst opened from disk lists offline', async (page) => {
      const l = img.layers[1];
      const file = path.join(dir, 'layer.tar.zst');
      fs.writeFileSync(file, execFileSync('zstd', ['-q', '-c'], { input: l.tar }));
      await page.goto(site.url);
      await page.locator('#file').setInputFiles(file);
      await page.locator('[data-verdict]').first().waitFor({ timeout: 30000 });
      assertEq(await fact(page, 'verdict'), 'unverified', 'nothing to compare a file from disk with');
      assertEq(await fact(page, 'compression'), 'zstd', 'compression sniffed');
      const listed = await listedPaths(page);
      assertEq(JSON.stringify([...listed].sort()), JSON.stringify([...l.names].sort()), 'paths listed');
      assertEq(JSON.stringify(workerBinaries(page)), '["archiveworker","worker"]', 'a file from disk is probed by the archive worker, then read as a layer by the layer worker');
      // Another file opened over the one shown (the route stays `disk=1`) replaces it.
      const other = img.layers[0];
      const second = path.join(dir, 'other.tar.gz');
      fs.writeFileSync(second, zlib.gzipSync(other.tar));
      await page.locator('#file').setInputFiles(second);
      await page.waitForFunction(() => document.querySelector('[data-fact="compression"]')?.textContent.trim() === 'gzip', null, { timeout: 30000 });
      const listedSecond = await listedPaths(page);
      assertEq(JSON.stringify([...listedSecond].sort()), JSON.stringify([...other.names].sort()), 'the second file\'s paths listed');
    }],
  ], { outDir });
} finally {
  site?.close();
  await reg.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
