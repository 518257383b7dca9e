// Self-test of the local registry test infrastructure: starts the registries (start.mjs),
// seeds them (seed.mjs), starts the hostile registry (hostile.mjs) and the nginx proxy
// derived from deploy/nginx.conf (nginx.mjs), then checks with node's fetch that everything
// answers as designed. Prints one line per check and "N passed, N failed"; exits non-zero on
// failure; stops everything at the end (also on failure, and after a 240 s watchdog).
//   node tests/registry/selftest.mjs [workdir]     (default: a fresh temp dir, removed on success)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { startRegistries } from './start.mjs';
import { seed, MT } from './seed.mjs';
import { startHostile } from './hostile.mjs';
import { startProxy, DEPLOY_CONF, NGINX_BIN } from './nginx.mjs';

const sha256 = (b) => 'sha256:' + crypto.createHash('sha256').update(b).digest('hex');
const ACCEPT = [MT.ociIndex, MT.ociManifest, MT.dockerList, MT.dockerManifest].join(', ');
const PREFLIGHT = {
  Origin: 'http://app.example',
  'Access-Control-Request-Method': 'GET',
  'Access-Control-Request-Headers': 'authorization,accept',
};
const basicAuth = (u, p) => 'Basic ' + Buffer.from(`${u}:${p}`).toString('base64');

let passed = 0, failed = 0;
const failures = [];
async function check(name, fn) {
  try {
    const note = await fn();
    passed++;
    console.log(`ok   - ${name}${note ? ` (${note})` : ''}`);
  } catch (e) {
    failed++;
    failures.push(name);
    console.log(`FAIL - ${name}: ${e.message}`);
  }
}
function assert(cond, msg) { if (!cond) throw new Error(msg); }
function eq(a, b, what) { if (a !== b) throw new Error(`${what}: expected ${JSON.stringify(b)}, got ${JSON.stringify(a)}`); }

async function get(url, opts = {}) {
  const res = await fetch(url, { signal: AbortSignal.timeout(20000), ...opts });
  const body = opts.method === 'HEAD' ? Buffer.alloc(0) : Buffer.from(await res.arrayBuffer());
  return { res, body, status: res.status, h: (k) => res.headers.get(k) };
}
function challenge(h) {
  const m = /^Bearer\s+(.*)$/i.exec(h ?? '');
  if (!m) return null;
  return Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
}
async function tokenFor(ch, scope, authHeader) {
  const u = new URL(ch.realm);
  if (ch.service) u.searchParams.set('service', ch.service);
  u.searchParams.set('scope', scope ?? ch.scope);
  const r = await get(u, { headers: authHeader ? { Authorization: authHeader } : {} });
  return { status: r.status, json: r.status === 200 ? JSON.parse(r.body) : null, r };
}
async function preflightOk(url) {
  const r = await get(url, { method: 'OPTIONS', headers: PREFLIGHT });
  eq(r.status, 200, `OPTIONS ${url} status`);
  eq(r.h('access-control-allow-origin'), '*', 'Access-Control-Allow-Origin');
  const allow = (r.h('access-control-allow-headers') ?? '').toLowerCase();
  assert(allow.includes('authorization') && allow.includes('accept'), `Allow-Headers is "${allow}"`);
  const methods = (r.h('access-control-allow-methods') ?? '').toUpperCase();
  assert(methods.includes('GET'), `Allow-Methods is "${methods}"`);
}
async function manifestOk(base, repo, ref, digest, mediaType, headers = {}) {
  const r = await get(`${base}/v2/${repo}/manifests/${ref}`, { headers: { Accept: ACCEPT, ...headers } });
  eq(r.status, 200, `GET ${repo}:${ref} status`);
  eq(sha256(r.body), digest, `sha256 of ${repo}:${ref} body`);
  eq(r.h('docker-content-digest'), digest, 'Docker-Content-Digest');
  if (mediaType) eq(r.h('content-type'), mediaType, 'Content-Type');
  return JSON.parse(r.body);
}
async function allTags(base, repo, n, headers = {}) {
  // First page under `base` (which may carry a path prefix, e.g. /proxy/<host>); later pages
  // follow the Link target, relative links resolved against the page that sent them.
  let next = `${base.replace(/\/+$/, '')}/v2/${repo}/tags/list?n=${n}`;
  const tags = [];
  let pages = 0;
  while (next && pages < 50) {
    const r = await get(next, { headers });
    eq(r.status, 200, `tags page ${pages}`);
    const j = JSON.parse(r.body);
    assert(j.tags.length <= n, `page has ${j.tags.length} > n=${n}`);
    tags.push(...j.tags);
    const link = r.h('link');
    const target = link ? /^<([^>]+)>;\s*rel="next"/.exec(link)?.[1] : null;
    next = target ? new URL(target, next).toString() : null;
    pages++;
  }
  return { tags, pages };
}

const work = process.argv[2] ? path.resolve(process.argv[2]) : fs.mkdtempSync(path.join(os.tmpdir(), 'me-registry-selftest-'));
fs.mkdirSync(work, { recursive: true });
const toStop = [];
async function stopEverything() {
  for (const s of toStop.splice(0).reverse()) {
    try { await s(); } catch (e) { console.log(`(stop failed: ${e.message})`); }
  }
}
const watchdog = setTimeout(async () => {
  console.log('FAIL - watchdog: selftest took longer than 240 s');
  await stopEverything();
  process.exit(2);
}, 240000);

let r, h, px, described;
try {
  const t0 = Date.now();
  r = await startRegistries({ dir: path.join(work, 'registries') });
  toStop.push(r.stopAll);
  h = await startHostile();
  toStop.push(h.stop);
  console.log(`# started in ${Date.now() - t0} ms: open ${r.open.url} (paged ${r.open.pagedUrl}), basic ${r.basic.url} (raw ${r.basic.rawUrl}), token ${r.token.url} (raw ${r.token.rawUrl}, issuer ${r.token.issuerUrl}), hostile ${h.url} (redirect origin ${h.redirectUrl})`);

  // ---------------------------------------------------------------- seeding
  await check('seed everything into open in < 30 s', async () => {
    described = await seed(r.open.url);
    fs.writeFileSync(path.join(work, 'seeded.json'), JSON.stringify(described, null, 2));
    assert(described.durationMs < 30000, `took ${described.durationMs} ms`);
    return `${described.durationMs} ms, ${described.counts.blobs} blobs, ${described.counts.manifests} manifest PUTs`;
  });
  if (!described) throw new Error('seeding failed; nothing else can be checked');
  const C = described.content;
  await check('seed through basic (Basic auth)', async () => {
    const d = await seed(r.basic.url, { auth: { user: r.basic.user, password: r.basic.password }, only: ['nested'] });
    eq(d.content.nested.digest, C.nested.digest, 'same digest as on open');
    eq(d.counts.tokenRequests, 0, 'token requests');
  });
  await check('seed through token (Bearer dance with push,pull scope)', async () => {
    const d = await seed(r.token.url, { auth: { user: r.token.user, password: r.token.password }, only: ['public', 'chart'] });
    assert(d.counts.tokenRequests >= 2, `token requests ${d.counts.tokenRequests}`);
    const granted = r.token.issuer.requests().filter((x) => x.user === r.token.user);
    assert(granted.some((x) => x.granted.some((a) => a.actions.includes('push'))), 'push granted');
    return `${d.counts.tokenRequests} token requests`;
  });

  // ---------------------------------------------------------------- seeded content
  await check('multiarch: OCI index, 2 images + 2 attestations, byte-exact', async () => {
    const idx = await manifestOk(r.open.url, 'demo/multiarch', 'v1', C.multiarch.digest, MT.ociIndex);
    eq(idx.manifests.length, 4, 'entries');
    const att = idx.manifests.filter((m) => m.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest');
    eq(att.length, 2, 'attestation entries');
    for (const a of att) {
      eq(a.platform.os, 'unknown', 'attestation os');
      assert(Object.values(C.multiarch.manifests).some((m) => m.digest === a.annotations['vnd.docker.reference.digest']), 'attestation refers to an image');
      await manifestOk(r.open.url, 'demo/multiarch', a.digest, a.digest, MT.ociManifest);
    }
    for (const [plat, m] of Object.entries(C.multiarch.manifests)) {
      const man = await manifestOk(r.open.url, 'demo/multiarch', m.digest, m.digest, MT.ociManifest);
      const cfg = await get(`${r.open.url}/v2/demo/multiarch/blobs/${man.config.digest}`);
      eq(sha256(cfg.body), m.configDigest, 'config digest');
      const c = JSON.parse(cfg.body);
      assert(c.history?.length >= 1, 'config has history');
      eq([c.os, c.architecture, c.variant].filter(Boolean).join('/'), plat, 'config platform');
      const layer = await get(`${r.open.url}/v2/demo/multiarch/blobs/${man.layers[0].digest}`);
      eq(sha256(layer.body), m.layerDigests[0], 'layer digest');
      const tar = zlib.gunzipSync(layer.body);
      eq(sha256(tar), c.rootfs.diff_ids[0], 'diff_id = sha256(tar)');
      assert(tar.subarray(257, 262).toString() === 'ustar', 'ustar magic');
    }
  });
  await check('dockerlist: Docker manifest list of two Docker v2 manifests', async () => {
    const l = await manifestOk(r.open.url, 'demo/dockerlist', 'v1', C.dockerlist.digest, MT.dockerList);
    eq(l.manifests.length, 2, 'entries');
    for (const m of l.manifests) await manifestOk(r.open.url, 'demo/dockerlist', m.digest, m.digest, MT.dockerManifest);
  });
  await check('chart: Helm chart manifest', async () => {
    const m = await manifestOk(r.open.url, 'charts/api', '1.0.0', C.chart.digest, MT.ociManifest);
    eq(m.config.mediaType, MT.helmConfig, 'config type');
    eq(m.layers[0].mediaType, MT.helmChart, 'layer type');
  });
  await check('artifact with subject + referrers fallback tag (no referrers API in 2.8.2)', async () => {
    const a = await manifestOk(r.open.url, 'demo/multiarch', C.artifact.digest, C.artifact.digest, MT.ociManifest);
    eq(a.artifactType, 'application/spdx+json', 'artifactType');
    eq(a.subject.digest, C.multiarch.manifests['linux/amd64'].digest, 'subject');
    eq(a.config.mediaType, MT.ociEmpty, 'empty config');
    const fb = await manifestOk(r.open.url, 'demo/multiarch', C.artifact.fallbackTag, C.artifact.fallbackIndexDigest, MT.ociIndex);
    eq(fb.manifests[0].digest, C.artifact.digest, 'fallback index lists the artifact');
    const ref = await get(`${r.open.url}/v2/demo/multiarch/referrers/${a.subject.digest}`);
    eq(ref.status, 404, 'referrers API status (2.8.2 has none)');
  });
  await check('big/layers:600 has 600 layers, all blobs present', async () => {
    const m = await manifestOk(r.open.url, 'big/layers', '600', C.bigLayers.digest, MT.ociManifest);
    eq(m.layers.length, 600, 'layers');
    eq(new Set(m.layers.map((l) => l.digest)).size, 600, 'distinct layers');
    const last = await get(`${r.open.url}/v2/big/layers/blobs/${m.layers[599].digest}`, { method: 'HEAD' });
    eq(last.status, 200, 'HEAD last layer');
  });
  await check('big/index:2000 has 2000 entries', async () => {
    const m = await manifestOk(r.open.url, 'big/index', '2000', C.bigIndex.digest, MT.ociIndex);
    eq(m.manifests.length, 2000, 'entries');
    return `${C.bigIndex.size} bytes, ${C.bigIndex.childDigests.length} distinct children`;
  });
  await check('nested a/b/c/d/app:latest and public/hello:latest', async () => {
    await manifestOk(r.open.url, 'a/b/c/d/app', 'latest', C.nested.digest, MT.ociManifest);
    await manifestOk(r.open.url, 'public/hello', 'latest', C.public.digest, MT.ociManifest);
  });

  // ---------------------------------------------------------------- tags and pagination
  await check('quirk: 2.8.2 ignores n on tags/list (no Link, all tags)', async () => {
    const t = await get(`${r.open.url}/v2/many/tags/tags/list?n=100`);
    eq(t.h('link'), null, 'Link');
    eq(JSON.parse(t.body).tags.length, 253, 'tags returned');
  });
  await check('tags list pagination n=100 with Link (open.pagedUrl front)', async () => {
    const first = await get(`${r.open.pagedUrl}/v2/many/tags/tags/list?n=100`);
    assert(/^<\/v2\/many\/tags\/tags\/list\?last=[^&]+&n=100>; rel="next"$/.test(first.h('link') ?? ''), `Link is ${first.h('link')}`);
    const { tags, pages } = await allTags(r.open.pagedUrl, 'many/tags', 100);
    eq(pages, 3, 'pages');
    eq(JSON.stringify(tags), JSON.stringify(C.manyTags.tags), 'all tags in order');
    eq(tags.filter((t) => t.endsWith('.sig')).length, 1, '.sig tag');
    return first.h('link');
  });
  await check('catalog pagination on raw 2.8.2 has Link', async () => {
    const c = await get(`${r.open.url}/v2/_catalog?n=5`);
    assert(/rel="next"/.test(c.h('link') ?? ''), `Link is ${c.h('link')}`);
  });

  // ---------------------------------------------------------------- CORS
  await check('quirk: 2.8.2 answers preflight with 401 when auth is on (basic, token raw)', async () => {
    for (const u of [r.basic.rawUrl, r.token.rawUrl]) {
      const p = await get(`${u}/v2/demo/multiarch/manifests/v1`, { method: 'OPTIONS', headers: PREFLIGHT });
      eq(p.status, 401, `raw OPTIONS ${u}`);
      eq(p.h('access-control-allow-origin'), '*', 'its ACAO (http.headers apply to 401 too)');
    }
  });
  for (const [name, base] of [
    ['open', () => r.open.url], ['open paged', () => r.open.pagedUrl], ['basic', () => r.basic.url], ['token', () => r.token.url],
  ]) {
    await check(`preflight 200 + CORS on ${name} (/v2/ and a manifest path)`, async () => {
      await preflightOk(`${base()}/v2/`);
      await preflightOk(`${base()}/v2/demo/multiarch/manifests/v1`);
    });
  }
  await check('preflight 200 + CORS on the token issuer', () => preflightOk(`${r.token.issuerUrl}/token?service=x&scope=repository:a:pull`));
  await check('preflight 200 + CORS on hostile and its redirect origin', async () => {
    await preflightOk(`${h.url}/v2/bad/digest/manifests/latest`);
    await preflightOk(`${h.redirectUrl}/blobs/${h.cases.redirect.blobDigest}`);
  });
  await check('Expose-Headers on open and on a 401', async () => {
    const o = await get(`${r.open.url}/v2/`);
    const b = await get(`${r.basic.url}/v2/`);
    for (const x of [o, b]) {
      const e = x.h('access-control-expose-headers') ?? '';
      for (const k of ['Docker-Content-Digest', 'WWW-Authenticate', 'Link', 'Content-Length']) assert(e.includes(k), `${k} not in ${e}`);
    }
  });

  // ---------------------------------------------------------------- basic auth
  await check('basic: 401 Basic without credentials, 200 with', async () => {
    const a = await get(`${r.basic.url}/v2/demo/multiarch/manifests/v1`, { headers: { Accept: ACCEPT } });
    eq(a.status, 401, 'anonymous');
    assert(/^Basic realm=/.test(a.h('www-authenticate') ?? ''), `challenge ${a.h('www-authenticate')}`);
    await manifestOk(r.basic.url, 'demo/multiarch', 'v1', C.multiarch.digest, MT.ociIndex, { Authorization: basicAuth(r.basic.user, r.basic.password) });
    const w = await get(`${r.basic.url}/v2/`, { headers: { Authorization: basicAuth(r.basic.user, 'wrong') } });
    eq(w.status, 401, 'wrong password');
  });
  await check('basic front: tags pagination with credentials', async () => {
    const { tags } = await allTags(r.basic.url, 'many/tags', 100, { Authorization: basicAuth(r.basic.user, r.basic.password) });
    eq(tags.length, 253, 'tags');
  });

  // ---------------------------------------------------------------- token auth
  await check('token: anonymous pull of public/hello', async () => {
    const a = await get(`${r.token.url}/v2/public/hello/manifests/latest`, { headers: { Accept: ACCEPT } });
    eq(a.status, 401, 'first status');
    const ch = challenge(a.h('www-authenticate'));
    assert(ch, `challenge ${a.h('www-authenticate')}`);
    eq(ch.realm, r.token.realm, 'realm');
    eq(ch.scope, 'repository:public/hello:pull', 'scope');
    const t = await tokenFor(ch);
    eq(t.status, 200, 'token status');
    for (const k of ['token', 'access_token', 'expires_in', 'issued_at']) assert(k in t.json, `token response lacks ${k}`);
    eq(t.r.h('access-control-allow-origin'), '*', 'token endpoint ACAO');
    await manifestOk(r.token.url, 'public/hello', 'latest', C.public.digest, MT.ociManifest, { Authorization: `Bearer ${t.json.token}` });
  });
  await check('token: anonymous gets nothing outside public/ (401 with the token)', async () => {
    const a = await get(`${r.token.url}/v2/demo/multiarch/manifests/v1`);
    const ch = challenge(a.h('www-authenticate'));
    const t = await tokenFor(ch);
    eq(t.status, 200, 'token status');
    const payload = JSON.parse(Buffer.from(t.json.token.split('.')[1], 'base64url'));
    eq(payload.access.length, 0, 'granted access');
    const b = await get(`${r.token.url}/v2/demo/multiarch/manifests/v1`, { headers: { Authorization: `Bearer ${t.json.token}` } });
    eq(b.status, 401, 'with anonymous token');
  });
  await check('token: user/password pull of demo/multiarch; wrong password 401', async () => {
    const a = await get(`${r.token.url}/v2/demo/multiarch/manifests/v1`);
    const ch = challenge(a.h('www-authenticate'));
    const t = await tokenFor(ch, undefined, basicAuth(r.token.user, r.token.password));
    eq(t.status, 200, 'token status');
    await manifestOk(r.token.url, 'demo/multiarch', 'v1', C.multiarch.digest, MT.ociIndex, { Authorization: `Bearer ${t.json.access_token}` });
    const bad = await tokenFor(ch, undefined, basicAuth(r.token.user, 'nope'));
    eq(bad.status, 401, 'wrong password');
    eq(bad.r.h('www-authenticate'), null, 'no Basic challenge from the issuer (no browser dialog)');
  });
  await check('token: 2.8.2 accepts JWT with x5c only and with kid only', async () => {
    const access = [{ type: 'repository', name: 'public/hello', actions: ['pull'] }];
    for (const header of ['x5c', 'kid']) {
      const { token } = r.token.issuer.mint(access, { header });
      const x = await get(`${r.token.url}/v2/public/hello/manifests/latest`, { headers: { Accept: ACCEPT, Authorization: `Bearer ${token}` } });
      eq(x.status, 200, `${header}-only token`);
    }
    const { token } = r.token.issuer.mint(access, { audience: 'other-service' });
    const y = await get(`${r.token.url}/v2/public/hello/manifests/latest`, { headers: { Authorization: `Bearer ${token}` } });
    eq(y.status, 401, 'wrong audience');
  });

  // ---------------------------------------------------------------- hostile
  const H = h.cases;
  await check('hostile: /v2/ answers 200 with CORS', async () => {
    const x = await get(`${h.url}/v2/`);
    eq(x.status, 200, 'status');
    eq(x.h('access-control-allow-origin'), '*', 'ACAO');
  });
  await check('hostile bad/digest: body does not match the requested digest', async () => {
    const idx = await get(`${h.url}/v2/bad/digest/manifests/latest`, { headers: { Accept: ACCEPT } });
    const child = JSON.parse(idx.body).manifests[0].digest;
    eq(child, H.digest.childDigest, 'index child');
    const x = await get(`${h.url}/v2/bad/digest/manifests/${child}`);
    eq(x.status, 200, 'status');
    eq(x.h('docker-content-digest'), child, 'header echoes the request');
    assert(sha256(x.body) !== child, 'body must not match');
  });
  await check('hostile bad/header: wrong Docker-Content-Digest by tag', async () => {
    const x = await get(`${h.url}/v2/bad/header/manifests/latest`);
    eq(sha256(x.body), H.header.trueDigest, 'body digest');
    assert(x.h('docker-content-digest') !== sha256(x.body), 'header must be wrong');
  });
  await check('hostile bad/huge: 20 MiB body', async () => {
    const hd = await get(`${h.url}/v2/bad/huge/manifests/latest`, { method: 'HEAD' });
    eq(hd.h('content-length'), String(20 * 1024 * 1024), 'HEAD Content-Length');
    const x = await get(`${h.url}/v2/bad/huge/manifests/latest`);
    eq(x.body.length, 20 * 1024 * 1024, 'bytes');
  });
  await check('hostile bad/endless: streams until the client disconnects', async () => {
    const ac = new AbortController();
    const res = await fetch(`${h.url}/v2/bad/endless/manifests/latest`, { signal: ac.signal });
    eq(res.headers.get('content-length'), null, 'Content-Length');
    const reader = res.body.getReader();
    let n = 0;
    while (n < 4 * 1024 * 1024) {
      const { value, done } = await reader.read();
      assert(!done, 'stream ended early');
      n += value.length;
    }
    ac.abort();
    await reader.cancel().catch(() => {});
    await new Promise((res2) => setTimeout(res2, 300));
    const a = h.stats().endlessBytes;
    await new Promise((res2) => setTimeout(res2, 300));
    eq(h.stats().endlessBytes, a, 'server stopped writing after the disconnect');
    return `read ${n} bytes`;
  });
  await check('hostile bad/ctype: manifest served as text/html', async () => {
    const x = await get(`${h.url}/v2/bad/ctype/manifests/latest`);
    eq(x.h('content-type'), 'text/html; charset=utf-8', 'Content-Type');
    eq(sha256(x.body), H.ctype.digest, 'body digest');
  });
  await check('hostile bad/realm: Bearer realm on another host', async () => {
    const x = await get(`${h.url}/v2/bad/realm/manifests/latest`);
    eq(x.status, 401, 'status');
    eq(challenge(x.h('www-authenticate'))?.realm, 'https://evil.example/token', 'realm');
  });
  await check('hostile bad/loop: 401 even with a freshly issued token', async () => {
    const x = await get(`${h.url}/v2/bad/loop/manifests/latest`);
    const ch = challenge(x.h('www-authenticate'));
    eq(ch.realm, `${h.url}/token`, 'realm');
    const t = await tokenFor(ch);
    eq(t.status, 200, 'token issued');
    const y = await get(`${h.url}/v2/bad/loop/manifests/latest`, { headers: { Authorization: `Bearer ${t.json.token}` } });
    eq(y.status, 401, 'still 401');
    assert(h.stats().loop >= 2, 'loop counter');
  });
  await check('hostile bad/redirect: 307 to another origin that records headers', async () => {
    const a = await get(`${h.url}/v2/bad/redirect/manifests/latest`);
    eq(a.status, 401, 'without token');
    const t = await tokenFor(challenge(a.h('www-authenticate')));
    const auth = { Authorization: `Bearer ${t.json.token}` };
    await manifestOk(h.url, 'bad/redirect', 'latest', H.redirect.digest, MT.ociManifest, auth);
    const blobUrl = `${h.url}/v2/bad/redirect/blobs/${H.redirect.blobDigest}`;
    const m = await get(blobUrl, { headers: auth, redirect: 'manual' });
    eq(m.status, 307, 'status');
    assert(m.h('location').startsWith(h.redirectUrl + '/'), `Location ${m.h('location')}`);
    h.resetSeen();
    const f = await get(blobUrl, { headers: { ...auth, 'X-Probe': 'selftest' } });
    eq(sha256(f.body), H.redirect.blobDigest, 'blob after redirect');
    const seen = JSON.parse((await get(`${h.redirectUrl}/__seen`)).body).requests;
    eq(seen.length, 1, 'requests seen at the redirect origin');
    eq(seen[0].headers['x-probe'], 'selftest', 'recorded header');
    return `node fetch ${seen[0].headers.authorization ? 'FORWARDED' : 'dropped'} Authorization on the cross-origin redirect`;
  });
  await check('hostile bad/ratelimit: 429, Retry-After 7, TOOMANYREQUESTS', async () => {
    const x = await get(`${h.url}/v2/bad/ratelimit/manifests/latest`);
    eq(x.status, 429, 'status');
    eq(x.h('retry-after'), '7', 'Retry-After');
    eq(JSON.parse(x.body).errors[0].code, 'TOOMANYREQUESTS', 'code');
    assert((x.h('access-control-expose-headers') ?? '').includes('Retry-After'), 'Retry-After exposed');
  });
  await check('hostile bad/errors: 404 MANIFEST_UNKNOWN with a detail object', async () => {
    const x = await get(`${h.url}/v2/bad/errors/manifests/v9`);
    eq(x.status, 404, 'status');
    const e = JSON.parse(x.body).errors[0];
    eq(e.code, 'MANIFEST_UNKNOWN', 'code');
    assert(e.detail && typeof e.detail === 'object' && e.detail.Tag === 'v9', 'detail object');
  });

  // ---------------------------------------------------------------- nginx proxy
  await check('deploy/nginx.conf passes nginx -t', async () => {
    const pre = path.join(work, 'nginx-t');
    for (const s of ['logs', 'tmp']) fs.mkdirSync(path.join(pre, s), { recursive: true });
    execFileSync(NGINX_BIN, ['-t', '-q', '-c', DEPLOY_CONF, '-p', pre + '/', '-e', path.join(pre, 'logs', 'error.log')], { stdio: 'pipe' });
  });
  const dist = path.join(work, 'dist');
  fs.mkdirSync(dist, { recursive: true });
  fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>Manifest Explorer test dist</title>');
  await check('nginx proxy starts (config derived from deploy/nginx.conf)', async () => {
    px = await startProxy({
      distDir: dist,
      upstreams: [r.open.url, r.basic.url, r.token.url, r.token.issuerUrl, h.url],
      dir: path.join(work, 'nginx'),
    });
    toStop.push(px.stop);
    return px.url;
  });
  if (px) {
    await check('proxy: serves dist/', async () => {
      const x = await get(`${px.url}/`);
      eq(x.status, 200, 'status');
      assert(x.body.toString().includes('Manifest Explorer test dist'), 'index.html');
    });
    await check('proxy: /proxy/127.0.0.1:<open>/v2/ with CORS (one ACAO) and preflight', async () => {
      const x = await get(`${px.proxyUrl(r.open.url)}/v2/`);
      eq(x.status, 200, 'status');
      eq(x.h('access-control-allow-origin'), '*', 'ACAO exactly once');
      await preflightOk(`${px.proxyUrl(r.open.url)}/v2/demo/multiarch/manifests/v1`);
      await preflightOk(`${px.proxyUrl(r.token.issuerUrl)}/token`);
    });
    await check('proxy: manifests byte-exact through the proxy', async () => {
      await manifestOk(px.proxyUrl(r.open.url), 'demo/multiarch', 'v1', C.multiarch.digest, MT.ociIndex);
      await manifestOk(px.proxyUrl(r.open.url), 'big/index', '2000', C.bigIndex.digest, MT.ociIndex);
    });
    await check('proxy: token realm rewritten; token flow through the proxy (anonymous + password)', async () => {
      const base = px.proxyUrl(r.token.url);
      const a = await get(`${base}/v2/public/hello/manifests/latest`);
      eq(a.status, 401, 'status');
      const ch = challenge(a.h('www-authenticate'));
      eq(ch.realm, `${px.proxyUrl(r.token.issuerUrl)}/token`, 'rewritten realm');
      eq(ch.service, r.token.service, 'service kept');
      eq(ch.scope, 'repository:public/hello:pull', 'scope kept');
      const t = await tokenFor(ch);
      eq(t.status, 200, 'anonymous token via proxy');
      await manifestOk(base, 'public/hello', 'latest', C.public.digest, MT.ociManifest, { Authorization: `Bearer ${t.json.token}` });
      const b = await get(`${base}/v2/demo/multiarch/manifests/v1`);
      const t2 = await tokenFor(challenge(b.h('www-authenticate')), undefined, basicAuth(r.token.user, r.token.password));
      eq(t2.status, 200, 'password token via proxy');
      await manifestOk(base, 'demo/multiarch', 'v1', C.multiarch.digest, MT.ociIndex, { Authorization: `Bearer ${t2.json.token}` });
      return ch.realm;
    });
    await check('proxy: Link rewritten (tags pagination through proxy + basic front)', async () => {
      const base = px.proxyUrl(r.basic.url);
      const auth = { Authorization: basicAuth(r.basic.user, r.basic.password) };
      const x = await get(`${base}/v2/many/tags/tags/list?n=100`, { headers: auth });
      assert((x.h('link') ?? '').startsWith(`<${base}/v2/many/tags/tags/list?last=`), `Link ${x.h('link')}`);
      const { tags, pages } = await allTags(base, 'many/tags', 100, auth);
      eq(tags.length, 253, 'tags');
      eq(pages, 3, 'pages');
      // absolute next links must stay under the proxy
      const c = await get(`${px.proxyUrl(r.open.url)}/v2/_catalog?n=2`);
      assert((c.h('link') ?? '').startsWith(`<${px.proxyUrl(r.open.url)}/v2/_catalog?`), `catalog Link ${c.h('link')}`);
    });
    await check('proxy: blob redirect followed server-side without Authorization', async () => {
      const base = px.proxyUrl(h.url);
      const a = await get(`${base}/v2/bad/redirect/blobs/${H.redirect.blobDigest}`);
      const t = await tokenFor(challenge(a.h('www-authenticate')));
      eq(t.status, 200, 'token through proxy (realm rewritten)');
      h.resetSeen();
      const x = await get(`${base}/v2/bad/redirect/blobs/${H.redirect.blobDigest}`, { headers: { Authorization: `Bearer ${t.json.token}` }, redirect: 'manual' });
      eq(x.status, 200, 'status (no 307 reaches the client)');
      eq(sha256(x.body), H.redirect.blobDigest, 'blob');
      eq(x.h('access-control-allow-origin'), '*', 'ACAO');
      const seen = h.seen();
      eq(seen.length, 1, 'requests at the redirect origin');
      eq(seen[0].headers.authorization, undefined, 'Authorization at the redirect origin');
    });
    await check('proxy: hostile 429 passes through with Retry-After and CORS', async () => {
      const x = await get(`${px.proxyUrl(h.url)}/v2/bad/ratelimit/manifests/latest`);
      eq(x.status, 429, 'status');
      eq(x.h('retry-after'), '7', 'Retry-After');
      eq(x.h('access-control-allow-origin'), '*', 'ACAO');
    });
    await check('proxy: non-allowlisted host 403, evil realm not reachable, POST 405', async () => {
      const x = await get(`${px.url}/proxy/evil.example/v2/`);
      eq(x.status, 403, 'evil.example');
      const y = await get(`${px.url}/proxy/127.0.0.1:1/v2/`);
      eq(y.status, 403, 'unlisted loopback port');
      const rr = await get(`${px.proxyUrl(h.url)}/v2/bad/realm/manifests/latest`);
      eq(challenge(rr.h('www-authenticate'))?.realm, `${px.url}/proxy/evil.example/token`, 'realm rewritten into the (refusing) proxy');
      const z = await get(`${px.proxyUrl(r.open.url)}/v2/demo/x/blobs/uploads/`, { method: 'POST' });
      eq(z.status, 405, 'POST');
      eq(z.h('access-control-allow-origin'), '*', 'ACAO on 405');
    });
    await check('proxy: access log has no Authorization or query strings', async () => {
      await new Promise((res2) => setTimeout(res2, 200));
      const log = fs.readFileSync(path.join(px.dir, 'logs', 'access.log'), 'utf8');
      assert(log.length > 0, 'empty access log');
      assert(!/Basic |Bearer |scope=/.test(log), 'secret-ish content in the access log');
    });
  }
} catch (e) {
  failed++;
  console.log(`FAIL - setup: ${e.stack}`);
} finally {
  await stopEverything();
  clearTimeout(watchdog);
}
if (r) {
  const after = await fetch(`${r.open.url}/v2/`, { signal: AbortSignal.timeout(2000) }).then(() => 'still up', () => 'down');
  if (after !== 'down') { failed++; console.log('FAIL - open registry still answers after stopAll'); }
}
console.log(`\n${passed} passed, ${failed} failed${failures.length ? ` (${failures.join('; ')})` : ''}`);
if (failed === 0 && !process.argv[2]) fs.rmSync(work, { recursive: true, force: true });
else console.log(`# work dir kept: ${work}`);
process.exit(failed ? 1 : 0);
