// Builds and pushes the images the layer tests look inside. Every layer is a real archive made
// by GNU tar from files written to disk here, then compressed by the real tools: gzip, gzip
// run per part and concatenated (multi-member), zstd (several frames plus a skippable frame),
// uncompressed, and an eStargz-shaped gzip (one member per entry, the TOC entry in its own
// member, the 51-byte footer). What a test expects is read back from the archives with
// `tar -tv` / the files on disk, never from the code under test.
//
//   const img = await seedLayers(registryUrl, { workDir });
//   img.app: { repo, tag, digest, layers: [{ kind, mediaType, digest, size, diffId, tar, names }] }
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import { makeClient, makePusher, sha256, tarOneFile, MT } from './seed.mjs';

const MTIME = '2024-01-02 03:04:05Z';
const CREATED = '2024-01-02T03:04:05Z';
const TAR_MT = 'application/vnd.oci.image.layer.v1.tar';

/** A small valid PNG (1×1, red), so the file viewer shows an image. */
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108020000009077' +
  '53de0000000c4944415408d763f8cfc000000301010018dd8db00000000049454e44ae426082', 'hex');

/** A deterministic pseudo-random buffer (incompressible), for sizes that matter. */
function noise(n, seed) {
  const out = Buffer.alloc(n);
  let block = Buffer.from(seed);
  for (let i = 0; i < n; i += 32) {
    block = crypto.createHash('sha256').update(block).digest();
    block.copy(out, i, 0, Math.min(32, n - i));
  }
  return out;
}

/** Writes `files` ({ path: content | { link } | { dir: true } }) under `root`. */
function writeTree(root, files) {
  fs.rmSync(root, { recursive: true, force: true });
  fs.mkdirSync(root, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    const p = path.join(root, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    const special = typeof content === 'object' && !Buffer.isBuffer(content);
    if (special && content.link) fs.symlinkSync(content.link, p);
    else if (special && content.dir) fs.mkdirSync(p, { recursive: true });
    else fs.writeFileSync(p, content);
  }
}

/** GNU tar of `root`'s contents, reproducible (sorted, fixed owner and time). */
function tarOf(root, format = 'pax') {
  const pax = format === 'pax' ? ['--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime'] : [];
  return execFileSync('tar', [
    '-c', '-C', root, '--sort=name', `--format=${format}`, '--owner=0', '--group=0', '--numeric-owner',
    `--mtime=${MTIME}`, ...pax, '.',
  ], { maxBuffer: 1 << 30 });
}

/** Member names of a tar (as `tar -t` prints them, without a leading `./`). */
function namesOf(tar) {
  return execFileSync('tar', ['-t'], { input: tar, maxBuffer: 1 << 30 }).toString('utf8')
    .split('\n').filter(Boolean).map((n) => n.replace(/^\.\//, '').replace(/\/$/, '')).filter((n) => n && n !== '.');
}

const run = (cmd, args, input) => execFileSync(cmd, args, { input, maxBuffer: 1 << 30 });
const gzip = (buf) => run('gzip', ['-9', '-n', '-c'], buf);

/** Splits a tar into parts at 512-byte block boundaries (entry-aligned is not needed for gzip). */
function splitBlocks(tar, parts) {
  const blocks = tar.length / 512;
  const per = Math.ceil(blocks / parts);
  const out = [];
  for (let i = 0; i < blocks; i += per) out.push(tar.subarray(i * 512, Math.min(blocks, i + per) * 512));
  return out;
}

/** Byte ranges of each tar entry, its meta headers included. */
function entryRanges(tar) {
  const ranges = [];
  let off = 0;
  let start = 0;
  while (off + 512 <= tar.length) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const size = parseInt(h.subarray(124, 136).toString('ascii').replace(/\0.*$/, '').trim() || '0', 8);
    const type = String.fromCharCode(h[156]);
    off += 512 + Math.ceil(size / 512) * 512;
    // Meta headers (PAX x/g, GNU L/K) belong to the entry that follows them.
    if (!'xgLK'.includes(type)) {
      ranges.push([start, off]);
      start = off;
    }
  }
  return ranges;
}

/** An eStargz-shaped blob: a gzip member per entry, the TOC entry last in its own member, then
 * the footer (an empty member whose extra field holds the TOC offset + "STARGZ"). */
function estargz(root, files) {
  const tocName = 'stargz.index.json';
  const toc = JSON.stringify({ version: 1, entries: Object.keys(files).map((name) => ({ name, type: 'reg' })) });
  writeTree(root, { ...files, [tocName]: toc });
  const tar = tarOf(root, 'gnu');
  const ranges = entryRanges(tar);
  const members = ranges.slice(0, -1).map(([a, b]) => gzip(tar.subarray(a, b)));
  // The TOC is the last entry (names sort before "stargz."); its member also holds the
  // end-of-archive blocks.
  const tocMember = gzip(tar.subarray(ranges[ranges.length - 1][0]));
  const body = Buffer.concat(members);
  const tocOffset = body.length;
  const extra = Buffer.concat([Buffer.from('SG'), Buffer.from([22, 0]), Buffer.from(tocOffset.toString(16).padStart(16, '0') + 'STARGZ')]);
  const footer = Buffer.concat([
    Buffer.from([0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff]), Buffer.from([extra.length, 0]), extra,
    Buffer.from([0x01, 0x00, 0x00, 0xff, 0xff]), Buffer.alloc(8),
  ]);
  if (footer.length !== 51) throw new Error(`eStargz footer is ${footer.length} bytes`);
  return { tar, blob: Buffer.concat([body, tocMember, footer]) };
}

/**
 * A 2 GiB layer that is small to push: one file of a 64 KiB pseudo-random block repeated
 * 32,768 times, through `zstd -3` (which finds the repeats), streamed so the 2 GiB never sit in
 * memory here. Returns the blob and the tar's digest (the diff_id), computed as it streams.
 */
export async function hugeLayer(blocks = 32768) {
  const block = noise(64 << 10, 'huge');
  const size = blocks * block.length;
  // The header of a one-file tar (seed.mjs writes it), then the data, then the end blocks.
  const header = tarOneFile('big.bin', '').subarray(0, 512);
  const h = Buffer.from(header);
  h.write(size.toString(8).padStart(11, '0') + '\0', 124, 12, 'ascii');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  const diff = crypto.createHash('sha256');
  const zstd = spawn('zstd', ['-3', '-q', '-c']);
  const out = [];
  zstd.stdout.on('data', (d) => out.push(d));
  const done = new Promise((resolve, reject) => { zstd.on('close', (code) => code === 0 ? resolve() : reject(new Error(`zstd exited ${code}`))); });
  const write = (buf) => { diff.update(buf); return zstd.stdin.write(buf) ? null : new Promise((r) => zstd.stdin.once('drain', r)); };
  await write(h);
  for (let i = 0; i < blocks; i++) await write(block);
  await write(Buffer.alloc(1024));
  zstd.stdin.end();
  await done;
  return { blob: Buffer.concat(out), diffId: 'sha256:' + diff.digest('hex'), tarSize: size + 512 + 1024 };
}

/** The layers of `layers/app`: each a different compression, with whiteouts. */
export function buildLayers(workDir) {
  const dir = (n) => path.join(workDir, n);
  const big = noise(300 * 1024, 'big');
  const L = [];
  // 1. gzip: a base filesystem.
  const base = {
    'etc/os-release': 'NAME="Layer Test Linux"\nVERSION_ID="1.0"\n',
    'etc/hosts': '127.0.0.1 localhost\n',
    'bin/hello': Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01\0'), noise(4000, 'hello')]),
    'bin/sh': { link: 'hello' },
    'var/cache/big.bin': big,
    'opt/app/a.txt': 'first version of a\n',
    'opt/app/b.txt': 'b\n',
    'usr/share/logo.png': PNG,
    'usr/share/doc/readme.txt': 'read me\n'.repeat(100),
  };
  writeTree(dir('l1'), base);
  const t1 = tarOf(dir('l1'));
  L.push({ kind: 'gzip', mediaType: MT.ociLayerGzip, tar: t1, blob: gzip(t1), files: base });
  // 2. zstd, several frames and a skippable frame: deletes big.bin, makes opt/app opaque,
  //    overwrites etc/hosts.
  const second = {
    'var/cache/.wh.big.bin': '',
    'opt/app/.wh..wh..opq': '',
    'opt/app/c.txt': 'c replaces the directory\n',
    'etc/hosts': '127.0.0.1 localhost\n::1 localhost\n',
    'usr/bin/tool': noise(20000, 'tool'),
  };
  writeTree(dir('l2'), second);
  const t2 = tarOf(dir('l2'));
  const skippable = Buffer.concat([Buffer.from([0x50, 0x2a, 0x4d, 0x18]), Buffer.from([4, 0, 0, 0]), Buffer.from('skip')]);
  const zstdParts = splitBlocks(t2, 3).map((p) => run('zstd', ['-q', '-c', '-3'], p));
  L.push({ kind: 'zstd', mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd', tar: t2, blob: Buffer.concat([zstdParts[0], skippable, ...zstdParts.slice(1)]), files: second });
  // 3. uncompressed tar.
  const third = { 'srv/data/notes.txt': 'plain tar layer\n', 'etc/hosts': '127.0.0.1 localhost\n::1 localhost\n10.0.0.1 db\n' };
  writeTree(dir('l3'), third);
  const t3 = tarOf(dir('l3'));
  L.push({ kind: 'tar', mediaType: TAR_MT, tar: t3, blob: t3, files: third });
  // 4. multi-member gzip (what pigz and concatenating tools write).
  const fourth = { 'srv/www/index.html': '<h1>hello</h1><script>alert(1)</script>\n', 'srv/www/big.txt': 'line of text\n'.repeat(5000) };
  writeTree(dir('l4'), fourth);
  const t4 = tarOf(dir('l4'));
  L.push({ kind: 'multi-member gzip', mediaType: MT.ociLayerGzip, tar: t4, blob: Buffer.concat(splitBlocks(t4, 4).map(gzip)), files: fourth });
  // 5. eStargz.
  const fifth = { 'app/main.py': 'print("hello from estargz")\n', 'app/lib/util.py': 'X = 1\n' };
  const e = estargz(dir('l5'), fifth);
  L.push({ kind: 'eStargz', mediaType: MT.ociLayerGzip, tar: e.tar, blob: e.blob, files: fifth });
  return L.map((l, i) => ({
    ...l,
    index: i,
    digest: sha256(l.blob),
    size: l.blob.length,
    diffId: sha256(l.tar),
    names: namesOf(l.tar),
    listing: execFileSync('tar', ['-tv', '--numeric-owner', '--utc'], { input: l.tar }).toString('utf8'),
  }));
}

function imageOf(layers, name) {
  const config = {
    created: CREATED,
    architecture: 'amd64',
    os: 'linux',
    config: { Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map((l) => ({ created: CREATED, created_by: `/bin/sh -c #(nop) ADD ${l.kind} layer in /`, comment: name })),
  };
  const configBytes = Buffer.from(JSON.stringify(config, null, 2));
  const manifest = {
    schemaVersion: 2,
    mediaType: MT.ociManifest,
    config: { mediaType: MT.ociConfig, digest: sha256(configBytes), size: configBytes.length },
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
  };
  const bytes = Buffer.from(JSON.stringify(manifest, null, 2));
  return { bytes, digest: sha256(bytes), configBytes, config };
}

/**
 * Pushes `layers/app:v1` (the five layers) and `layers/tampered:v1` (one gzip layer whose
 * stored bytes are then overwritten in `storageDir`, so the registry serves other bytes
 * under its digest).
 */
export async function seedLayers(registryUrl, { workDir, storageDir }) {
  fs.mkdirSync(workDir, { recursive: true });
  const layers = buildLayers(workDir);
  const p = makePusher(makeClient(registryUrl), 4);
  const push = async (repo, tag, ls) => {
    const img = imageOf(ls, repo);
    await p.pushBlobs(repo, [img.configBytes, ...ls.map((l) => l.blob)]);
    await p.pushManifest(repo, tag, MT.ociManifest, img.bytes);
    return { repo, tag, digest: img.digest, layers: ls, config: img.config };
  };
  const app = await push('layers/app', 'v1', layers);
  // A layer of its own for the tampered image, so the app's layers stay intact.
  writeTree(path.join(workDir, 't'), { 'etc/motd': 'genuine\n' });
  const tt = tarOf(path.join(workDir, 't'));
  const genuine = { kind: 'gzip', mediaType: MT.ociLayerGzip, tar: tt, blob: gzip(tt) };
  genuine.digest = sha256(genuine.blob);
  genuine.size = genuine.blob.length;
  genuine.diffId = sha256(tt);
  const tampered = await push('layers/tampered', 'v1', [genuine]);
  if (storageDir) {
    const hex = genuine.digest.slice(7);
    const data = path.join(storageDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
    const other = Buffer.from(genuine.blob);
    other[other.length - 9] ^= 0xff; // same size, other bytes (the gzip CRC no longer matches)
    fs.writeFileSync(data, other);
  }
  // A decompression bomb: 200 MiB of zeros in one file, gzip -9 (about 1030:1, over the
  // default 1000:1 ratio cap once past its 64 MiB grace).
  writeTree(path.join(workDir, 'b'), {});
  fs.writeFileSync(path.join(workDir, 'b', 'zeros'), Buffer.alloc(200 << 20));
  const bt = tarOf(path.join(workDir, 'b'));
  fs.rmSync(path.join(workDir, 'b'), { recursive: true });
  const bomb = { kind: 'gzip bomb', mediaType: MT.ociLayerGzip, tar: bt, blob: gzip(bt) };
  bomb.digest = sha256(bomb.blob);
  bomb.size = bomb.blob.length;
  bomb.diffId = sha256(bt);
  const bombImage = await push('layers/bomb', 'v1', [bomb]);
  const h = await hugeLayer();
  const huge = { kind: '2 GiB zstd', mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd', blob: h.blob, digest: sha256(h.blob), size: h.blob.length, diffId: h.diffId, tarSize: h.tarSize };
  const hugeImage = await push('layers/huge', 'v1', [huge]);
  // Over the worker's 128 MiB keep-in-memory limit: an uncompressed 136 MiB layer of
  // incompressible bytes (AES-CTR keystream) and a small text file.
  const largeFiles = {
    'data/noise.bin': crypto.createCipheriv('aes-128-ctr', Buffer.alloc(16, 7), Buffer.alloc(16, 0)).update(Buffer.alloc(136 << 20)),
    'etc/large.txt': 'a small file in a large layer\n',
  };
  writeTree(path.join(workDir, 'large'), largeFiles);
  const lt = tarOf(path.join(workDir, 'large'));
  fs.rmSync(path.join(workDir, 'large'), { recursive: true });
  const large = { kind: '136 MiB tar', mediaType: TAR_MT, tar: lt, blob: lt, digest: sha256(lt), size: lt.length, diffId: sha256(lt), files: largeFiles };
  const largeImage = await push('layers/large', 'v1', [large]);
  return { app, tampered, bomb: bombImage, huge: hugeImage, large: largeImage };
}
