// Seeds a registry with the content the Manifest Explorer tests look at, pushing over the OCI
// distribution API only (no docker, no skopeo):
//   blob:     HEAD /v2/<name>/blobs/<d> (skip if present) → POST /v2/<name>/blobs/uploads/ →
//             PUT <Location>{?|&}digest=<d> (monolithic; Location absolute or relative)
//   manifest: PUT /v2/<name>/manifests/<ref> with Content-Type = the manifest's media type
// Every byte is built here, deterministically (fixed timestamps, gzip mtime 0), and every
// digest in the returned description is computed by the seeder from the bytes it sent.
// `auth: { user, password }` answers the registry's challenge: Basic, or the Bearer token
// dance (GET <realm>?service=…&scope=repository:<name>:pull,push with Basic credentials).
//
//   const d = await seed('http://127.0.0.1:5000', { auth, only: ['public'] });
//
// Content keys (for `only`): multiarch, dockerlist, chart, artifact, bigLayers, bigIndex,
// manyTags, nested, public. See describe() at the bottom for the returned shape.
import crypto from 'node:crypto';
import zlib from 'node:zlib';

export const MT = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  helmConfig: 'application/vnd.cncf.helm.config.v1+json',
  helmChart: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
  inToto: 'application/vnd.in-toto+json',
  spdx: 'application/spdx+json',
};

const CREATED = '2024-01-02T03:04:05Z';
const MTIME = Date.parse(CREATED) / 1000;

export const sha256 = (buf) => 'sha256:' + crypto.createHash('sha256').update(buf).digest('hex');
const jsonBytes = (obj) => Buffer.from(JSON.stringify(obj, null, 3));
const desc = (mediaType, bytes, extra = {}) => ({ mediaType, digest: sha256(bytes), size: bytes.length, ...extra });

/** One-file ustar archive, hand-written header. */
export function tarOneFile(name, content, mtime = MTIME) {
  const data = Buffer.from(content);
  const h = Buffer.alloc(512);
  const put = (off, len, str) => h.write(str.slice(0, len), off, len, 'ascii');
  const oct = (off, len, n) => put(off, len, n.toString(8).padStart(len - 1, '0') + '\0');
  put(0, 100, name);
  oct(100, 8, 0o644);
  oct(108, 8, 0);
  oct(116, 8, 0);
  oct(124, 12, data.length);
  oct(136, 12, mtime);
  h.fill(0x20, 148, 156); // checksum counted as spaces
  put(156, 1, '0');
  put(257, 6, 'ustar\0');
  put(263, 2, '00');
  put(265, 32, 'root');
  put(297, 32, 'root');
  let sum = 0;
  for (const b of h) sum += b;
  put(148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  const pad = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([h, data, pad, Buffer.alloc(1024)]);
}

const gzip = (buf) => zlib.gzipSync(buf, { level: 9 });

/** A layer: { tar, gz, diffId } */
function layer(name, content) {
  const tar = tarOneFile(name, content);
  return { tar, gz: gzip(tar), diffId: sha256(tar) };
}

const platformKey = (p) => [p.os, p.architecture, p.variant].filter(Boolean).join('/');

// ---------------------------------------------------------------------------------------------
// HTTP client with auth
// ---------------------------------------------------------------------------------------------

function parseChallenge(h) {
  if (!h) return null;
  const m = /^(\w+)\s*(.*)$/s.exec(h.trim());
  if (!m) return null;
  const params = {};
  for (const p of m[2].matchAll(/(\w+)="([^"]*)"/g)) params[p[1].toLowerCase()] = p[2];
  return { scheme: m[1].toLowerCase(), params };
}

export function makeClient(registryUrl, { auth, timeoutMs = 30000 } = {}) {
  const base = registryUrl.replace(/\/+$/, '');
  const basicHeader = auth ? 'Basic ' + Buffer.from(`${auth.user}:${auth.password}`).toString('base64') : null;
  let mode = null; // null | 'basic' | 'bearer'
  const tokens = new Map(); // scope → token
  const stats = { requests: 0, tokenRequests: 0 };

  async function getToken(challenge, scope) {
    const realm = new URL(challenge.params.realm);
    if (challenge.params.service) realm.searchParams.set('service', challenge.params.service);
    realm.searchParams.set('scope', scope);
    stats.tokenRequests++;
    const res = await fetch(realm, {
      headers: basicHeader ? { Authorization: basicHeader } : {},
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await res.text();
    if (!res.ok) throw new Error(`token endpoint ${realm} answered ${res.status}: ${body}`);
    const j = JSON.parse(body);
    const t = j.token ?? j.access_token;
    if (!t) throw new Error(`token endpoint gave no token: ${body}`);
    tokens.set(scope, t);
    return t;
  }

  /** request(method, pathOrUrl, { repo, headers, body, okStatuses }) → Response (body read as .bytes) */
  async function request(method, target, { repo, headers = {}, body, ok = [200, 201, 202] } = {}) {
    const url = /^https?:/.test(target) ? target : base + target;
    const scope = repo ? `repository:${repo}:pull,push` : 'registry:catalog:*';
    for (let attempt = 0; attempt < 3; attempt++) {
      const h = { ...headers };
      if (mode === 'basic') h.Authorization = basicHeader;
      else if (mode === 'bearer' && tokens.has(scope)) h.Authorization = `Bearer ${tokens.get(scope)}`;
      stats.requests++;
      const res = await fetch(url, { method, headers: h, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
      const bytes = Buffer.from(await res.arrayBuffer());
      if (res.status === 401 && attempt < 2) {
        const ch = parseChallenge(res.headers.get('www-authenticate'));
        if (!ch) throw new Error(`${method} ${url}: 401 without a usable challenge`);
        if (ch.scheme === 'basic') {
          if (!basicHeader) throw new Error(`${method} ${url}: registry wants Basic auth, none given`);
          mode = 'basic';
        } else if (ch.scheme === 'bearer') {
          mode = 'bearer';
          await getToken(ch, scope);
        } else throw new Error(`unsupported auth scheme ${ch.scheme}`);
        continue;
      }
      if (!ok.includes(res.status)) {
        throw new Error(`${method} ${url} → ${res.status}: ${bytes.toString('utf8').slice(0, 500)}`);
      }
      res.bytes = bytes;
      return res;
    }
    throw new Error(`${method} ${url}: still 401 after authenticating`);
  }

  return { request, stats, base };
}

/** Runs async fn over items with at most `limit` in flight. */
export async function pool(items, limit, fn) {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  });
  await Promise.all(workers);
}

// ---------------------------------------------------------------------------------------------
// Pushing
// ---------------------------------------------------------------------------------------------

export function makePusher(client, concurrency) {
  const pushedBlobs = new Set(); // repo|digest
  const counts = { blobs: 0, blobsSkipped: 0, manifests: 0 };

  async function pushBlob(repo, bytes, digest = sha256(bytes)) {
    const key = `${repo}|${digest}`;
    if (pushedBlobs.has(key)) return digest;
    pushedBlobs.add(key);
    const head = await client.request('HEAD', `/v2/${repo}/blobs/${digest}`, { repo, ok: [200, 404] });
    if (head.status === 200) {
      counts.blobsSkipped++;
      return digest;
    }
    const start = await client.request('POST', `/v2/${repo}/blobs/uploads/`, { repo, ok: [202] });
    const loc = start.headers.get('location');
    if (!loc) throw new Error(`no Location for upload to ${repo}`);
    const u = new URL(loc, client.base + '/');
    u.searchParams.set('digest', digest); // handles with or without an existing query
    const put = await client.request('PUT', u.toString(), {
      repo,
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes.length) },
      body: bytes,
      ok: [201],
    });
    const got = put.headers.get('docker-content-digest');
    if (got && got !== digest) throw new Error(`registry stored blob ${digest} as ${got}`);
    counts.blobs++;
    return digest;
  }

  async function pushBlobs(repo, list) {
    await pool(list, concurrency, (b) => pushBlob(repo, b));
  }

  async function pushManifest(repo, ref, mediaType, bytes) {
    const digest = sha256(bytes);
    const res = await client.request('PUT', `/v2/${repo}/manifests/${ref}`, {
      repo,
      headers: { 'Content-Type': mediaType },
      body: bytes,
      ok: [201],
    });
    const got = res.headers.get('docker-content-digest');
    if (got && got !== digest) throw new Error(`registry stored manifest ${repo}:${ref} as ${got}, sent ${digest}`);
    counts.manifests++;
    return digest;
  }

  return { pushBlob, pushBlobs, pushManifest, counts };
}

/** Builds an image (config + one layer or more) for a platform; returns its parts. */
function buildImage({ platform, name, docker = false, layers: layerSpecs }) {
  const layers = (layerSpecs ?? [[`etc/${name.replace(/\W+/g, '-')}.txt`, `hello from ${name} on ${platformKey(platform)}\n`]])
    .map(([f, c]) => layer(f, c));
  const config = {
    created: CREATED,
    architecture: platform.architecture,
    ...(platform.variant ? { variant: platform.variant } : {}),
    os: platform.os,
    ...(platform['os.version'] ? { 'os.version': platform['os.version'] } : {}),
    config: {
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      Cmd: ['/bin/sh'],
      Labels: { 'org.opencontainers.image.title': name },
    },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: [
      { created: CREATED, created_by: `/bin/sh -c #(nop) ADD file:${layers[0].diffId.slice(7, 19)} in /`, comment: 'seed.mjs' },
      { created: CREATED, created_by: '/bin/sh -c #(nop)  CMD ["/bin/sh"]', empty_layer: true },
    ],
  };
  const configBytes = jsonBytes(config);
  const manifest = {
    schemaVersion: 2,
    mediaType: docker ? MT.dockerManifest : MT.ociManifest,
    config: desc(docker ? MT.dockerConfig : MT.ociConfig, configBytes),
    layers: layers.map((l) => desc(docker ? MT.dockerLayer : MT.ociLayerGzip, l.gz)),
  };
  const bytes = jsonBytes(manifest);
  return {
    platform,
    mediaType: manifest.mediaType,
    bytes,
    digest: sha256(bytes),
    configBytes,
    configDigest: sha256(configBytes),
    layers,
    blobs: [configBytes, ...layers.map((l) => l.gz)],
  };
}

async function pushImage(p, repo, img, ref) {
  await p.pushBlobs(repo, img.blobs);
  await p.pushManifest(repo, ref ?? img.digest, img.mediaType, img.bytes);
  return img.digest;
}

const imageInfo = (img) => ({
  digest: img.digest,
  mediaType: img.mediaType,
  size: img.bytes.length,
  platform: img.platform,
  configDigest: img.configDigest,
  layerDigests: img.layers.map((l) => sha256(l.gz)),
  diffIds: img.layers.map((l) => l.diffId),
});

const PLATFORMS = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64', variant: 'v8' },
  { os: 'linux', architecture: 'arm', variant: 'v7' },
  { os: 'linux', architecture: 'arm', variant: 'v6' },
  { os: 'linux', architecture: '386' },
  { os: 'linux', architecture: 'ppc64le' },
  { os: 'linux', architecture: 's390x' },
  { os: 'linux', architecture: 'riscv64' },
  { os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348.2113' },
];

// ---------------------------------------------------------------------------------------------
// The content
// ---------------------------------------------------------------------------------------------

const STEPS = {
  async multiarch(p, out) {
    const repo = 'demo/multiarch';
    const imgs = [PLATFORMS[0], PLATFORMS[1]].map((platform) => buildImage({ platform, name: 'multiarch' }));
    const entries = [];
    const attestations = {};
    for (const img of imgs) {
      await pushImage(p, repo, img);
      entries.push(desc(img.mediaType, img.bytes, { platform: img.platform }));
    }
    for (const img of imgs) {
      // BuildKit-style attestation manifest: unknown/unknown, in-toto layer, refers to the image.
      const statement = jsonBytes({
        _type: 'https://in-toto.io/Statement/v0.1',
        predicateType: 'https://spdx.dev/Document',
        subject: [{ name: `pkg:docker/${repo}@v1?platform=${encodeURIComponent(platformKey(img.platform))}`, digest: { sha256: img.digest.slice(7) } }],
        predicate: { spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', name: 'sbom', packages: [] },
      });
      const cfg = jsonBytes({ architecture: 'unknown', os: 'unknown', config: {}, rootfs: { type: 'layers', diff_ids: [sha256(statement)] } });
      const att = {
        schemaVersion: 2,
        mediaType: MT.ociManifest,
        config: desc(MT.ociConfig, cfg),
        layers: [desc(MT.inToto, statement, { annotations: { 'in-toto.io/predicate-type': 'https://spdx.dev/Document' } })],
      };
      const attBytes = jsonBytes(att);
      await p.pushBlobs(repo, [cfg, statement]);
      await p.pushManifest(repo, sha256(attBytes), MT.ociManifest, attBytes);
      entries.push(desc(MT.ociManifest, attBytes, {
        annotations: { 'vnd.docker.reference.digest': img.digest, 'vnd.docker.reference.type': 'attestation-manifest' },
        platform: { architecture: 'unknown', os: 'unknown' },
      }));
      attestations[platformKey(img.platform)] = { digest: sha256(attBytes), size: attBytes.length, refersTo: img.digest, layerDigest: sha256(statement) };
    }
    const index = jsonBytes({ schemaVersion: 2, mediaType: MT.ociIndex, manifests: entries });
    const digest = await p.pushManifest(repo, 'v1', MT.ociIndex, index);
    out.multiarch = {
      repo, tag: 'v1', digest, mediaType: MT.ociIndex, size: index.length,
      manifests: Object.fromEntries(imgs.map((i) => [platformKey(i.platform), imageInfo(i)])),
      attestations,
    };
    out._amd64 = { repo, img: imgs[0] };
  },

  async dockerlist(p, out) {
    const repo = 'demo/dockerlist';
    const imgs = [PLATFORMS[0], PLATFORMS[1]].map((platform) => buildImage({ platform, name: 'dockerlist', docker: true }));
    for (const img of imgs) await pushImage(p, repo, img);
    const list = jsonBytes({
      schemaVersion: 2,
      mediaType: MT.dockerList,
      manifests: imgs.map((i) => desc(i.mediaType, i.bytes, { platform: i.platform })),
    });
    const digest = await p.pushManifest(repo, 'v1', MT.dockerList, list);
    out.dockerlist = {
      repo, tag: 'v1', digest, mediaType: MT.dockerList, size: list.length,
      manifests: Object.fromEntries(imgs.map((i) => [platformKey(i.platform), imageInfo(i)])),
    };
  },

  async chart(p, out) {
    const repo = 'charts/api';
    const chartYaml = 'apiVersion: v2\nname: api\nversion: 1.0.0\ndescription: A test chart\ntype: application\nappVersion: "1.0"\n';
    const tgz = gzip(tarOneFile('api/Chart.yaml', chartYaml));
    const cfg = jsonBytes({ name: 'api', version: '1.0.0', description: 'A test chart', apiVersion: 'v2', appVersion: '1.0', type: 'application' });
    await p.pushBlobs(repo, [cfg, tgz]);
    const m = jsonBytes({
      schemaVersion: 2,
      mediaType: MT.ociManifest,
      config: desc(MT.helmConfig, cfg),
      layers: [desc(MT.helmChart, tgz)],
      annotations: { 'org.opencontainers.image.title': 'api', 'org.opencontainers.image.version': '1.0.0', 'org.opencontainers.image.created': CREATED },
    });
    const digest = await p.pushManifest(repo, '1.0.0', MT.ociManifest, m);
    out.chart = { repo, tag: '1.0.0', digest, mediaType: MT.ociManifest, size: m.length, configDigest: sha256(cfg), layerDigest: sha256(tgz) };
  },

  async artifact(p, out) {
    if (!out._amd64) await STEPS.multiarch(p, out);
    const { repo, img } = out._amd64;
    const empty = Buffer.from('{}');
    const sbom = jsonBytes({ spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', name: 'multiarch-amd64', dataLicense: 'CC0-1.0', packages: [] });
    await p.pushBlobs(repo, [empty, sbom]);
    const annotations = { 'org.opencontainers.image.created': CREATED };
    const m = jsonBytes({
      schemaVersion: 2,
      mediaType: MT.ociManifest,
      artifactType: MT.spdx,
      config: desc(MT.ociEmpty, empty, { data: 'e30=' }),
      layers: [desc(MT.spdx, sbom, { annotations: { 'org.opencontainers.image.title': 'sbom.spdx.json' } })],
      subject: desc(img.mediaType, img.bytes),
      annotations,
    });
    const digest = await p.pushManifest(repo, sha256(m), MT.ociManifest, m);
    const fallbackTag = 'sha256-' + img.digest.slice(7);
    const idx = jsonBytes({
      schemaVersion: 2,
      mediaType: MT.ociIndex,
      manifests: [desc(MT.ociManifest, m, { artifactType: MT.spdx, annotations })],
    });
    const fallbackIndexDigest = await p.pushManifest(repo, fallbackTag, MT.ociIndex, idx);
    out.artifact = {
      repo, digest, mediaType: MT.ociManifest, size: m.length, artifactType: MT.spdx,
      subject: img.digest, configDigest: sha256(empty), layerDigest: sha256(sbom),
      fallbackTag, fallbackIndexDigest,
    };
  },

  async bigLayers(p, out) {
    const repo = 'big/layers';
    const specs = Array.from({ length: 600 }, (_, i) => [`layer/${String(i).padStart(3, '0')}.txt`, `layer ${i}\n`]);
    const img = buildImage({ platform: PLATFORMS[0], name: 'big-layers', layers: specs });
    await pushImage(p, repo, img, '600');
    out.bigLayers = { repo, tag: '600', digest: img.digest, mediaType: img.mediaType, size: img.bytes.length, layerCount: img.layers.length, configDigest: img.configDigest };
  },

  async bigIndex(p, out) {
    const repo = 'big/index';
    const imgs = PLATFORMS.map((platform) => buildImage({ platform, name: 'big-index' }));
    await pool(imgs, 4, (img) => pushImage(p, repo, img));
    const manifests = Array.from({ length: 2000 }, (_, i) => {
      const img = imgs[i % imgs.length];
      return desc(img.mediaType, img.bytes, { platform: img.platform, annotations: { 'org.example.entry': String(i) } });
    });
    const idx = jsonBytes({ schemaVersion: 2, mediaType: MT.ociIndex, manifests });
    const digest = await p.pushManifest(repo, '2000', MT.ociIndex, idx);
    out.bigIndex = {
      repo, tag: '2000', digest, mediaType: MT.ociIndex, size: idx.length, entryCount: 2000,
      childDigests: imgs.map((i) => i.digest), platforms: imgs.map((i) => platformKey(i.platform)),
    };
  },

  async manyTags(p, out) {
    const repo = 'many/tags';
    const img = buildImage({ platform: PLATFORMS[0], name: 'many-tags' });
    await pushImage(p, repo, img);
    const hex = img.digest.slice(7);
    const tags = [
      ...Array.from({ length: 250 }, (_, i) => `v1.0.${String(i).padStart(3, '0')}`),
      `sha256-${hex}.sig`, `sha256-${hex}.att`, `sha256-${hex}.sbom`,
    ];
    await pool(tags, 8, (t) => p.pushManifest(repo, t, img.mediaType, img.bytes));
    out.manyTags = { repo, digest: img.digest, mediaType: img.mediaType, size: img.bytes.length, tags: [...tags].sort() };
  },

  async nested(p, out) {
    const repo = 'a/b/c/d/app';
    const img = buildImage({ platform: PLATFORMS[0], name: 'nested' });
    await pushImage(p, repo, img, 'latest');
    out.nested = { repo, tag: 'latest', ...imageInfo(img) };
  },

  async public(p, out) {
    const repo = 'public/hello';
    const img = buildImage({ platform: PLATFORMS[0], name: 'public-hello' });
    await pushImage(p, repo, img, 'latest');
    out.public = { repo, tag: 'latest', ...imageInfo(img) };
  },
};

export const SEED_KEYS = Object.keys(STEPS);

/**
 * Pushes the content (all of it, or the keys in `only`) and returns the description:
 * { registry, durationMs, stepMs: {<key>: ms}, counts: {blobs, blobsSkipped, manifests, requests, tokenRequests},
 *   content: { <key>: {...} }, tags: { <repo>: [sorted tags pushed] } }
 */
export async function seed(registryUrl, { auth, only, concurrency = 8 } = {}) {
  const t0 = Date.now();
  const client = makeClient(registryUrl, { auth });
  const p = makePusher(client, concurrency);
  const out = {};
  const keys = only ?? SEED_KEYS;
  const stepMs = {};
  for (const k of keys) {
    if (!STEPS[k]) throw new Error(`unknown seed key ${k} (known: ${SEED_KEYS.join(', ')})`);
    const s0 = Date.now();
    if (!out[k]) await STEPS[k](p, out);
    stepMs[k] = Date.now() - s0;
  }
  const content = {};
  for (const k of keys) content[k] = out[k];
  if (keys.includes('artifact') && !keys.includes('multiarch')) content.multiarch = out.multiarch;
  const tags = {};
  for (const c of Object.values(content)) {
    const list = (tags[c.repo] ??= new Set());
    if (c.tag) list.add(c.tag);
    for (const t of c.tags ?? []) list.add(t);
    if (c.fallbackTag) list.add(c.fallbackTag);
  }
  return {
    registry: registryUrl,
    durationMs: Date.now() - t0,
    stepMs,
    counts: { ...p.counts, ...client.stats },
    content,
    tags: Object.fromEntries(Object.entries(tags).map(([r, s]) => [r, [...s].sort()])),
  };
}
