// Builds and pushes the images the compare tests look at, and works out, independently of the
// app, what a comparison of them must show. Layers are tars written here member by member
// (ustar headers, like seed.mjs's tarOneFile) and gzipped by node's zlib; what a test expects is
// computed from the descriptors and file lists pushed, never from the code under test.
//
//   const s = await seedCompare(registryUrl);
//   s.v1, s.v2, s.v3: { repo, tag, digest, manifest, config, files }   (one repository)
//   s.index: { repo, tag, digest, platforms: { 'linux/amd64': image, 'linux/arm64': image } }
//   expectedComparison(a.manifest, b.manifest) → { sizeA, sizeB, shared, onlyA, onlyB, dedup, commonBase, divergesAt }
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { makeClient, makePusher, sha256, MT } from './seed.mjs';

const MTIME = Date.parse('2024-01-02T03:04:05Z') / 1000;

/** One ustar header block for `e` ({ name, type: '0' | '2' | '5', mode, size, link }). */
function header(e) {
  const h = Buffer.alloc(512);
  const put = (off, len, str) => h.write(str, off, len, 'utf8');
  const oct = (off, len, n) => put(off, len, n.toString(8).padStart(len - 1, '0') + '\0');
  if (Buffer.byteLength(e.name) > 100) throw new Error(`name over 100 bytes: ${e.name}`);
  put(0, 100, e.name);
  oct(100, 8, e.mode ?? (e.type === '5' ? 0o755 : 0o644));
  oct(108, 8, 0);
  oct(116, 8, 0);
  oct(124, 12, e.size);
  oct(136, 12, MTIME);
  h.fill(0x20, 148, 156);
  put(156, 1, e.type ?? '0');
  if (e.link) put(157, 100, e.link);
  put(257, 6, 'ustar\0');
  put(263, 2, '00');
  let sum = 0;
  for (const b of h) sum += b;
  put(148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return h;
}

/**
 * A tar of `files`: { path: Buffer | string | { link } | { dir: true } | { mode, data } }, in
 * the order given, plus the end-of-archive blocks.
 */
export function tarOf(files) {
  const parts = [];
  for (const [name, v] of Object.entries(files)) {
    const special = typeof v === 'object' && !Buffer.isBuffer(v);
    if (special && v.dir) {
      parts.push(header({ name: name.endsWith('/') ? name : `${name}/`, type: '5', size: 0 }));
    } else if (special && v.link) {
      parts.push(header({ name, type: '2', size: 0, link: v.link, mode: 0o777 }));
    } else {
      const data = Buffer.from(special ? v.data : v);
      parts.push(header({ name, type: '0', size: data.length, mode: special ? v.mode : undefined }));
      parts.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
    }
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** A gzip layer of `files`: { blob, tar, digest, size, diffId, files }. */
export function layer(files, level = 6) {
  const tar = tarOf(files);
  const blob = zlib.gzipSync(tar, { level });
  return { files, tar, blob, digest: sha256(blob), size: blob.length, diffId: sha256(tar) };
}

/** An image of `layers` with `config` fields; { manifest, manifestBytes, digest, configBytes }. */
export function image(layers, { created = '2024-01-02T03:04:05Z', env = [], cmd = ['/bin/sh'], labels, platform, steps } = {}) {
  const config = {
    created,
    architecture: platform?.architecture ?? 'amd64',
    os: platform?.os ?? 'linux',
    config: { Env: env, Cmd: cmd, ...(labels ? { Labels: labels } : {}) },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map((l, i) => ({ created, created_by: steps?.[i] ?? `/bin/sh -c #(nop) ADD layer ${i + 1}` })),
  };
  const configBytes = Buffer.from(JSON.stringify(config, null, 2));
  const manifest = {
    schemaVersion: 2,
    mediaType: MT.ociManifest,
    config: { mediaType: MT.ociConfig, digest: sha256(configBytes), size: configBytes.length },
    layers: layers.map((l) => ({ mediaType: MT.ociLayerGzip, digest: l.digest, size: l.size })),
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2));
  return { manifest, manifestBytes, digest: sha256(manifestBytes), config, configBytes, layers };
}

/** Pushes `img` (config, layers, manifest) as `repo:tag` (or untagged by digest). */
export async function pushImage(pusher, repo, tag, img) {
  await pusher.pushBlobs(repo, [img.configBytes, ...img.layers.map((l) => l.blob)]);
  await pusher.pushManifest(repo, tag ?? img.digest, MT.ociManifest, img.manifestBytes);
  return { repo, tag, ...img };
}

/**
 * What a comparison of two manifests must show, from their descriptors: blobs are the config
 * and the layers, matched by digest; sizes of distinct blobs.
 */
export function expectedComparison(a, b) {
  const blobs = (m) => new Map([m.config, ...m.layers].map((d) => [d.digest, d.size]));
  const [ba, bb] = [blobs(a), blobs(b)];
  const sum = (entries) => entries.reduce((s, [, size]) => s + size, 0);
  const listed = (m) => m.config.size + m.layers.reduce((s, l) => s + l.size, 0);
  let commonBase = 0;
  while (commonBase < Math.min(a.layers.length, b.layers.length) && a.layers[commonBase].digest === b.layers[commonBase].digest) commonBase++;
  const same = commonBase === a.layers.length && commonBase === b.layers.length;
  const union = new Map([...ba, ...bb]);
  return {
    sizeA: listed(a),
    sizeB: listed(b),
    shared: sum([...ba].filter(([d]) => bb.has(d))),
    sharedLayers: a.layers.filter((l, i) => b.layers.some((r) => r.digest === l.digest) && a.layers.findIndex((x) => x.digest === l.digest) === i).length,
    onlyA: sum([...ba].filter(([d]) => !bb.has(d))),
    onlyB: sum([...bb].filter(([d]) => !ba.has(d))),
    dedup: sum([...union]),
    commonBase,
    divergesAt: same ? null : commonBase + 1,
    configEqual: a.config.digest === b.config.digest,
  };
}

/** The deduplicated size of several manifests (each distinct blob once). */
export function expectedDedup(manifests) {
  const union = new Map(manifests.flatMap((m) => [m.config, ...m.layers].map((d) => [d.digest, d.size])));
  return [...union.values()].reduce((s, n) => s + n, 0);
}

/** Pseudo-random bytes (incompressible), deterministic by seed. */
export function noise(n, seed) {
  const out = Buffer.alloc(n);
  let block = crypto.createHash('sha256').update(seed).digest();
  for (let i = 0; i < n; i += 32) {
    block = crypto.createHash('sha256').update(block).digest();
    block.copy(out, i, 0, Math.min(32, n - i));
  }
  return out;
}

/**
 * `compare/app:v1`, `:v2` (same base layer, another app layer, one more layer), `:v3` (the
 * base only), and `compare/multi:idx`, an index of linux/amd64 and linux/arm64 that share
 * the base. v1 → v2 in files: srv/new.bin added, etc/old.txt removed (whiteout), opt/app/main
 * changed in size and content, etc/conf changed in content only (same size), bin/sh's link
 * target changed, the rest unchanged.
 */
export async function seedCompare(registryUrl) {
  const pusher = makePusher(makeClient(registryUrl), 4);
  const base = layer({
    'bin/': { dir: true },
    'bin/busybox': noise(20000, 'busybox'),
    'bin/sh': { link: 'busybox' },
    'etc/': { dir: true },
    'etc/os-release': 'NAME="Compare Test Linux"\n',
    'etc/conf': 'colour=red\n',
    'etc/old.txt': 'removed in v2\n',
  });
  const app1 = layer({ 'opt/': { dir: true }, 'opt/app/': { dir: true }, 'opt/app/main': 'print("v1")\n' });
  const app2 = layer({
    'opt/': { dir: true },
    'opt/app/': { dir: true },
    'opt/app/main': 'print("v2, with more to say")\n',
    'etc/.wh.old.txt': '',
    'srv/': { dir: true },
    'srv/new.bin': noise(5000, 'new'),
  });
  const conf2 = layer({ 'etc/conf': 'colour=blu\n', 'bin/sh': { link: 'dash' } });
  const repo = 'compare/app';
  const v1 = await pushImage(pusher, repo, 'v1', image([base, app1], {
    env: ['PATH=/bin', 'MODE=one'],
    steps: ['ADD base /', 'COPY app v1 /opt/app'],
  }));
  const v2 = await pushImage(pusher, repo, 'v2', image([base, app2, conf2], {
    created: '2024-02-03T04:05:06Z',
    env: ['PATH=/bin', 'MODE=two', 'EXTRA=1'],
    labels: { 'org.opencontainers.image.version': '2' },
    steps: ['ADD base /', 'COPY app v2 /opt/app', 'RUN set colour'],
  }));
  const v3 = await pushImage(pusher, repo, 'v3', image([base], { steps: ['ADD base /'] }));
  const files = {
    added: ['srv', 'srv/new.bin'],
    removed: ['etc/old.txt'],
    changed: { 'opt/app/main': 'size,content', 'etc/conf': 'content', 'bin/sh': 'link' },
  };

  // The index: two platforms sharing the base layer.
  const arm = layer({ 'opt/': { dir: true }, 'opt/arch': 'arm64\n' });
  const amd = layer({ 'opt/': { dir: true }, 'opt/arch': 'amd64\n', 'opt/extra': 'only on amd64\n' });
  const multi = 'compare/multi';
  const pAmd = await pushImage(pusher, multi, null, image([base, amd], { platform: { os: 'linux', architecture: 'amd64' } }));
  const pArm = await pushImage(pusher, multi, null, image([base, arm], { platform: { os: 'linux', architecture: 'arm64' } }));
  const index = {
    schemaVersion: 2,
    mediaType: MT.ociIndex,
    manifests: [
      { mediaType: MT.ociManifest, digest: pAmd.digest, size: pAmd.manifestBytes.length, platform: { os: 'linux', architecture: 'amd64' } },
      { mediaType: MT.ociManifest, digest: pArm.digest, size: pArm.manifestBytes.length, platform: { os: 'linux', architecture: 'arm64' } },
    ],
  };
  const indexBytes = Buffer.from(JSON.stringify(index, null, 2));
  await pusher.pushManifest(multi, 'idx', MT.ociIndex, indexBytes);
  return {
    v1, v2, v3, files,
    index: { repo: multi, tag: 'idx', digest: sha256(indexBytes), platforms: { 'linux/amd64': pAmd, 'linux/arm64': pArm } },
  };
}
