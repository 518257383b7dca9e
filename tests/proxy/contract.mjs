// The proxy contract (docs/deploy.md), checked against BOTH engines with the same requests:
// deploy/worker/ under workerd (scripts/edge) and deploy/nginx.conf under Debian's nginx, in
// front of loopback fake upstreams in a Docker-Hub-like topology (upstreams.mjs). Also the
// page's response headers (CSP from scripts/csp, nosniff, cache policy, wasm type).
// Prints one line per check and engine, then "N passed, N failed"; exits non-zero on failure.
//   node tests/proxy/contract.mjs [--only workerd|nginx]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import https from 'node:https';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { startTopology, HOSTILE_HEADERS, USER, PASSWORD, MT_MANIFEST, SLOW_PAUSE_MS } from './upstreams.mjs';
import { startEdge, startNginx, fakeDist, CLIENT_HEADER } from './engines.mjs';
import { renderConfig } from '../../scripts/edge.mjs';
import { spawnLogged, freePort, waitForHttp } from '../registry/proc.mjs';
import { MAX_HOPS, parseAllow, followAllowed, handleProxy } from '../../deploy/worker/proxy.js';

const sha256 = (b) => 'sha256:' + crypto.createHash('sha256').update(b).digest('hex');
const basic = (u, p) => 'Basic ' + Buffer.from(`${u}:${p}`).toString('base64');
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;

let passed = 0, failed = 0;
const failures = [];
function assert(c, m) { if (!c) throw new Error(m); }
function eq(a, b, what) { if (a !== b) throw new Error(`${what}: expected ${JSON.stringify(b)}, got ${JSON.stringify(a)}`); }

// Raw HTTP (node's fetch would normalise the probe paths). `client` picks the rate-limit
// identity: source address 127.0.1.<client> (nginx) and X-Test-Client (workerd).
function request(base, rawPath, { method = 'GET', headers = {}, client = 1, timeoutMs = 15000 } = {}) {
  const u = new URL(base);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: u.hostname, port: u.port, method, path: rawPath, localAddress: `127.0.1.${client}`,
      headers: { [CLIENT_HEADER]: `client-${client}`, Connection: 'close', ...headers },
    }, (res) => {
      const chunks = [];
      let firstByteMs = null;
      res.on('data', (c) => { firstByteMs ??= Date.now() - started; chunks.push(c); });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), firstByteMs }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout ${method} ${rawPath}`)));
    req.on('error', reject);
    req.end();
  });
}
const challengeOf = (h) => Object.fromEntries([...(h ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));

// ------------------------------------------------------------------ the worker's module, in node
async function unit(name, fn) {
  try { await fn(); passed++; console.log(`ok   - [worker module] ${name}`); }
  catch (e) { failed++; failures.push(`[worker module] ${name}`); console.log(`FAIL - [worker module] ${name}: ${e.message}`); }
}
await unit('allowlist entries: http only for loopback/private addresses, lowercase exact hosts, *.suffix wildcards', () => {
  const a = parseAllow('ghcr.io, http://127.0.0.1:5000, http://10.0.0.5:5000, https://quay.io:8443, *.r2.cloudflarestorage.com');
  eq(JSON.stringify([...a.exact]), JSON.stringify([['ghcr.io', 'https'], ['127.0.0.1:5000', 'http'], ['10.0.0.5:5000', 'http'], ['quay.io:8443', 'https']]), 'exact');
  eq(a.wildcards.join(), '.r2.cloudflarestorage.com', 'wildcards');
  for (const bad of ['http://ghcr.io', 'GHCR.io', 'ghcr.io/v2', 'user@ghcr.io', '*.', 'http://8.8.8.8:80', 'ftp://x']) {
    let threw = false;
    try { parseAllow(bad); } catch { threw = true; }
    assert(threw, `"${bad}" accepted`);
  }
});
await unit('redirect targets: exact entry with its scheme, or an https wildcard (no port, a real subdomain)', () => {
  const a = parseAllow('http://127.0.0.3:9000, ghcr.io, *.r2.cloudflarestorage.com');
  const ok = (u) => followAllowed(a, new URL(u));
  assert(ok('http://127.0.0.3:9000/x') && ok('https://ghcr.io/x') && ok('https://b.r2.cloudflarestorage.com/x'), 'allowed ones');
  for (const u of ['https://127.0.0.3:9000/x', 'http://ghcr.io/x', 'https://r2.cloudflarestorage.com/x', 'https://evilr2.cloudflarestorage.com.evil/x',
    'https://b.r2.cloudflarestorage.com:444/x', 'http://b.r2.cloudflarestorage.com/x', 'https://ghcr.io.evil.example/x']) assert(!ok(u), `${u} allowed`);
});
await unit('ORIGINS: a page from another origin is refused before anything goes upstream; a listed one gets its own ACAO', async () => {
  const env = { ALLOW: 'ghcr.io', ORIGINS: 'https://explorer.example' };
  const r = await handleProxy(new Request('https://explorer.example/proxy/ghcr.io/v2/', { method: 'OPTIONS', headers: { Origin: 'https://other.example' } }), env);
  eq(r.status, 403, 'other origin');
  const ok = await handleProxy(new Request('https://explorer.example/proxy/ghcr.io/v2/', { method: 'OPTIONS', headers: { Origin: 'https://explorer.example' } }), env);
  eq(ok.status, 200, 'listed origin');
  eq(ok.headers.get('access-control-allow-origin'), 'https://explorer.example', 'ACAO');
  assert(/Origin/.test(ok.headers.get('vary')), 'Vary: Origin');
});

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'me-proxy-contract-'));
const watchdog = setTimeout(() => { console.log('FAIL - watchdog: contract suite over 150 s'); process.exit(2); }, 150000);
const t = await startTopology();
const C = t.content;
const dist = fakeDist(path.join(work, 'dist'));
const engines = [];
try {
  if (only !== 'nginx') engines.push(await startEdge({ dist: dist.dir, allow: [t.registry.url, t.auth.url, t.cdn.url], dir: path.join(work, 'edge') }));
  if (only !== 'workerd') engines.push(await startNginx({ dist: dist.dir, upstreams: [t.registry.url, t.auth.url], follow: [t.cdn.url], dir: path.join(work, 'nginx') }));
} catch (e) {
  console.log(`FAIL - engines did not start: ${e.stack}`);
  await Promise.all(engines.map((e2) => e2.stop()));
  await t.stop();
  process.exit(1);
}

let clientSeq = 1;
for (const E of engines) {
  const R = `/proxy/${t.registry.host}`;
  const A = `/proxy/${t.auth.host}`;
  const check = async (name, fn) => {
    const client = ++clientSeq; // a fresh rate-limit identity per check
    try {
      const note = await fn(client);
      passed++;
      console.log(`ok   - [${E.name}] ${name}${note ? ` (${note})` : ''}`);
    } catch (e) {
      failed++;
      failures.push(`[${E.name}] ${name}`);
      console.log(`FAIL - [${E.name}] ${name}: ${e.message}`);
    }
  };
  const get = (p, o = {}) => request(E.url, p, o);
  async function token(client, scope, auth) {
    const r = await get(`${A}/token?service=fake-registry&scope=${encodeURIComponent(scope)}`, { client, headers: auth ? { Authorization: auth } : {} });
    eq(r.status, 200, 'token status');
    return JSON.parse(r.body).token;
  }
  const bearer = async (client, repo = C.public.repo, auth) => ({ Authorization: `Bearer ${await token(client, `repository:${repo}:pull`, auth)}` });

  // ------------------------------------------------------------------ the page's headers
  await check('page: index.html with the build\'s CSP (loader hash, frame-ancestors), nosniff, no-referrer, permissions, no-cache', async (client) => {
    const r = await get('/', { client });
    eq(r.status, 200, 'status');
    const csp = r.headers['content-security-policy'] ?? '';
    eq(csp, dist.header, 'CSP header = scripts/csp policy');
    assert(csp.includes(dist.hashes[0]) && csp.includes("frame-ancestors 'none'") && !/unsafe-inline|unsafe-eval'/.test(csp.replace("'wasm-unsafe-eval'", '')), `CSP ${csp}`);
    eq(r.headers['x-content-type-options'], 'nosniff', 'nosniff');
    eq(r.headers['referrer-policy'], 'no-referrer', 'Referrer-Policy');
    assert(/camera=\(\)/.test(r.headers['permissions-policy'] ?? ''), `Permissions-Policy ${r.headers['permissions-policy']}`);
    eq(r.headers['cache-control'], 'no-cache', 'Cache-Control');
    assert(r.body.toString().includes('http-equiv="Content-Security-Policy"'), 'meta CSP in the page');
  });
  await check('page: hashed js/css/wasm immutable, wasm as application/wasm; unhashed worker.js no-cache with the CSP; a missing file is a 404, not HTML', async (client) => {
    for (const f of [`app-${dist.hash}.js`, `main-${dist.hash}.css`, `app-${dist.hash}_bg.wasm`]) {
      const r = await get(`/${f}`, { client });
      eq(r.status, 200, `${f} status`);
      eq(r.headers['cache-control'], 'public, max-age=31536000, immutable', `${f} Cache-Control`);
      eq(r.headers['x-content-type-options'], 'nosniff', `${f} nosniff`);
      eq(r.headers['content-security-policy'], dist.header, `${f} CSP (a URL worker gets its response's policy)`);
    }
    eq((await get(`/app-${dist.hash}_bg.wasm`, { client })).headers['content-type'], 'application/wasm', 'wasm Content-Type');
    const w = await get('/worker.js', { client });
    eq(w.headers['cache-control'], 'no-cache', 'worker.js Cache-Control');
    eq(w.headers['content-security-policy'], dist.header, 'worker.js CSP');
    for (const f of ['/_headers', '/csp.nginx.conf', '/.assetsignore']) eq((await get(f, { client })).status, 404, `${f} is not served`);
    const miss = await get('/no-such-file.js', { client });
    eq(miss.status, 404, 'missing file');
    assert(!/text\/html/.test(miss.headers['content-type'] ?? ''), `missing file served as ${miss.headers['content-type']}`);
  });

  // ------------------------------------------------------------------ CORS, methods
  await check('preflight answered by the proxy: 200, ACAO *, GET/HEAD/OPTIONS only, Authorization/Accept/Range allowed; nothing sent upstream', async (client) => {
    t.reset();
    const r = await get(`${R}/v2/library/app/manifests/latest`, { method: 'OPTIONS', client, headers: { Origin: 'https://page.example', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization,accept,range' } });
    eq(r.status, 200, 'status');
    eq(r.headers['access-control-allow-origin'], '*', 'ACAO');
    const methods = (r.headers['access-control-allow-methods'] ?? '').split(/,\s*/).sort().join(',');
    eq(methods, 'GET,HEAD,OPTIONS', 'Allow-Methods');
    const allowed = (r.headers['access-control-allow-headers'] ?? '').toLowerCase();
    for (const k of ['authorization', 'accept', 'range']) assert(allowed.includes(k), `Allow-Headers ${allowed}`);
    eq(t.seen('registry').length, 0, 'requests upstream');
  });
  await check('write methods refused with 405 and never reach the registry', async (client) => {
    t.reset();
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const r = await get(`${R}/v2/library/app/blobs/uploads/`, { method, client });
      eq(r.status, 405, method);
      eq(r.headers['access-control-allow-origin'], '*', `${method} ACAO`);
    }
    eq(t.seen('registry').length, 0, 'requests upstream');
  });

  // ------------------------------------------------------------------ auth, realm, tokens
  await check('401 challenge: realm rewritten onto the proxy (token host on another address), service and scope kept', async (client) => {
    const r = await get(`${R}/v2/library/app/manifests/latest`, { client });
    eq(r.status, 401, 'status');
    const ch = challengeOf(r.headers['www-authenticate']);
    eq(ch.realm, `${E.url}${A}/token`, 'realm');
    eq(ch.service, 'fake-registry', 'service');
    eq(ch.scope, 'repository:library/app:pull', 'scope');
    assert((r.headers['access-control-expose-headers'] ?? '').includes('WWW-Authenticate'), 'WWW-Authenticate exposed');
    eq(r.headers['cache-control'], 'no-store', '401 not cached');
  });
  await check('anonymous token through the proxy; manifest by tag byte-exact, Docker-Content-Digest exposed, no-store, Vary: Accept, Authorization', async (client) => {
    const r = await get(`${R}/v2/library/app/manifests/latest`, { client, headers: { Accept: MT_MANIFEST, ...(await bearer(client)) } });
    eq(r.status, 200, 'status');
    eq(sha256(r.body), C.public.digest, 'body digest');
    eq(r.headers['docker-content-digest'], C.public.digest, 'Docker-Content-Digest');
    const expose = r.headers['access-control-expose-headers'] ?? '';
    for (const k of ['Docker-Content-Digest', 'Content-Length', 'Content-Range', 'Retry-After', 'Link']) assert(expose.includes(k), `${k} not exposed: ${expose}`);
    eq(r.headers['cache-control'], 'no-store', 'tag Cache-Control (upstream said public, max-age=86400)');
    const vary = (r.headers.vary ?? '').toLowerCase();
    assert(vary.includes('accept') && vary.includes('authorization'), `Vary ${r.headers.vary}`);
    eq(r.headers['ratelimit-remaining'], '99;w=21600', 'RateLimit-Remaining passed');
  });
  await check('manifest by digest: immutable (private) for the browser cache', async (client) => {
    const r = await get(`${R}/v2/library/app/manifests/${C.public.digest}`, { client, headers: await bearer(client) });
    eq(r.status, 200, 'status');
    eq(sha256(r.body), C.public.digest, 'digest');
    eq(r.headers['cache-control'], 'private, max-age=31536000, immutable', 'Cache-Control');
  });
  await check('password login: Basic goes to the token host only; the private manifest with the user token', async (client) => {
    t.reset();
    const auth = await bearer(client, C.private.repo, basic(USER, PASSWORD));
    const r = await get(`${R}/v2/${C.private.repo}/manifests/latest`, { client, headers: auth });
    eq(r.status, 200, 'status');
    eq(sha256(r.body), C.private.digest, 'digest');
    assert(t.seen('auth').some((x) => x.headers.authorization === basic(USER, PASSWORD)), 'Basic reached the token host');
    assert(t.seen('registry').every((x) => !/^Basic /.test(x.headers.authorization ?? '')), 'Basic never reached the registry');
    const bad = await get(`${A}/token?service=fake-registry&scope=repository:private/app:pull`, { client, headers: { Authorization: basic(USER, 'wrong') } });
    eq(bad.status, 401, 'wrong password');
  });

  // ------------------------------------------------------------------ headers both ways
  await check('request headers: only Accept, Authorization, Range, If-None-Match go upstream (no cookies, Origin, Referer, client address)', async (client) => {
    t.reset();
    await get(`${R}/v2/library/app/manifests/latest`, { client, headers: { Accept: MT_MANIFEST, Cookie: 'session=page', Origin: 'https://page.example', Referer: 'https://page.example/?secret', 'X-Forwarded-For': '10.1.2.3', 'X-Custom': 'x', 'If-None-Match': '"x"', ...(await bearer(client)) } });
    const seen = t.seen('registry').at(-1).headers;
    for (const k of ['cookie', 'origin', 'referer', 'x-forwarded-for', 'x-custom', 'x-real-ip', CLIENT_HEADER.toLowerCase(), 'cf-connecting-ip']) eq(seen[k], undefined, `upstream got ${k}`);
    eq(seen.accept, MT_MANIFEST, 'Accept');
    assert(/^Bearer /.test(seen.authorization ?? ''), 'Authorization');
    eq(seen['if-none-match'], '"x"', 'If-None-Match');
  });
  await check('response headers: no cookies, Clear-Site-Data, Refresh, HSTS, upstream CORS or CSP reach the page; the proxy\'s sandboxing CSP is set', async (client) => {
    const r = await get(`${R}/v2/library/app/manifests/latest`, { client, headers: await bearer(client) });
    for (const k of ['set-cookie', 'clear-site-data', 'refresh', 'strict-transport-security', 'access-control-allow-credentials']) eq(r.headers[k], undefined, k);
    eq(r.headers['access-control-allow-origin'], '*', 'ACAO (upstream said https://evil.example)');
    eq(r.headers['content-security-policy'], "default-src 'none'; sandbox; frame-ancestors 'none'", 'proxy CSP');
    eq(r.headers['x-content-type-options'], 'nosniff', 'nosniff');
    const tok = await get(`${A}/token?service=fake-registry&scope=repository:library/app:pull`, { client });
    eq(tok.headers['set-cookie'], undefined, 'token endpoint Set-Cookie');
    if (E.name === 'nginx') return `upstream X-Upstream-Private ${r.headers['x-upstream-private'] ? 'passes (stock nginx hides a list, it cannot allow one)' : 'dropped'}`;
    eq(r.headers['x-upstream-private'], undefined, 'an unknown upstream header');
    return 'unknown upstream headers dropped (allowed-list)';
  });

  // ------------------------------------------------------------------ Link
  await check('Link: relative next link rewritten onto the proxy; all tags page by page', async (client) => {
    const auth = await bearer(client);
    let next = `${R}/v2/library/app/tags/list?n=2`;
    const tags = [];
    for (let i = 0; next && i < 10; i++) {
      const r = await get(next, { client, headers: auth });
      eq(r.status, 200, `page ${i}`);
      tags.push(...JSON.parse(r.body).tags);
      const target = /^<([^>]+)>;\s*rel="next"/.exec(r.headers.link ?? '')?.[1];
      if (i === 0) eq(target, `${E.url}${R}/v2/library/app/tags/list?last=b&n=2`, 'first Link');
      next = target ? target.slice(E.url.length) : null;
    }
    eq(tags.join(','), C.tags.join(','), 'tags');
  });
  await check('Link: absolute next link (catalog) rewritten onto the proxy', async (client) => {
    const r = await get(`${R}/v2/_catalog?n=1`, { client });
    eq(r.status, 200, 'status');
    eq(r.headers.link, `<${E.url}${R}/v2/_catalog?last=library%2Fapp&n=1>; rel="next"`, 'Link');
  });

  // ------------------------------------------------------------------ blobs and redirects
  await check('blob: relative then absolute redirect followed inside the proxy; the CDN sees no Authorization or cookies', async (client) => {
    const auth = await bearer(client);
    t.reset();
    const r = await get(`${R}/v2/library/app/blobs/${C.config.digest}`, { client, headers: { ...auth, Cookie: 'a=b' } });
    eq(r.status, 200, 'status (no 3xx reaches the page)');
    eq(sha256(r.body), C.config.digest, 'blob digest');
    eq(r.headers['set-cookie'], undefined, 'CDN Set-Cookie');
    eq(r.headers['access-control-allow-origin'], '*', 'ACAO');
    eq(r.headers['cache-control'], 'private, max-age=31536000, immutable', 'Cache-Control');
    const cdn = t.seen('cdn');
    eq(cdn.length, 1, 'CDN requests');
    eq(cdn[0].headers.authorization, undefined, 'Authorization at the CDN');
    eq(cdn[0].headers.cookie, undefined, 'Cookie at the CDN');
    assert(cdn[0].url.includes('X-Amz-Signature=abc'), `signed query kept: ${cdn[0].url}`);
    eq(t.seen('registry').filter((x) => x.url.startsWith('/cdn-redirect')).length, 1, 'relative Location followed on the registry host');
  });
  await check('blob Range read: 206 with Content-Range exposed, Range reaches the CDN', async (client) => {
    const auth = await bearer(client);
    t.reset();
    const r = await get(`${R}/v2/library/app/blobs/${C.layer.digest}`, { client, headers: { ...auth, Range: 'bytes=100-199' } });
    eq(r.status, 206, 'status');
    eq(r.headers['content-range'], `bytes 100-199/${C.layer.bytes.length}`, 'Content-Range');
    assert(r.body.equals(C.layer.bytes.subarray(100, 200)), 'the 100 bytes');
    eq(t.seen('cdn')[0].headers.range, 'bytes=100-199', 'Range at the CDN');
  });
  await check('blob HEAD: 200 with the size, no body', async (client) => {
    const r = await get(`${R}/v2/library/app/blobs/${C.layer.digest}`, { method: 'HEAD', client, headers: await bearer(client) });
    eq(r.status, 200, 'status');
    eq(r.headers['content-length'], String(C.layer.bytes.length), 'Content-Length');
    eq(r.body.length, 0, 'body');
  });
  await check(`redirect chains: 2 more hops followed; a long chain is cut off (workerd after ${MAX_HOPS}, nginx after 10) with an error`, async (client) => {
    const auth = await bearer(client);
    const ok = await get(`${R}/v2/library/app/blobs/${C.chainBlob}?hops=2`, { client, headers: auth });
    eq(ok.status, 200, 'two more hops');
    eq(sha256(ok.body), C.config.digest, 'bytes at the end of the chain');
    t.reset();
    const long = await get(`${R}/v2/library/app/blobs/${C.chainBlob}?hops=30`, { client, headers: auth });
    assert(long.status >= 500 && long.status < 600, `status ${long.status}`);
    assert(t.seen('cdn').length <= 11, `${t.seen('cdn').length} hops taken`);
    return `${long.status} after ${t.seen('cdn').length} CDN hops`;
  });
  await check('body streamed: the first bytes reach the client before the upstream has finished', async (client) => {
    const r = await get(`${R}/v2/library/app/blobs/${C.slowBlob}`, { client, headers: await bearer(client) });
    eq(r.status, 200, 'status');
    eq(r.body.length, 128 * 1024, 'bytes');
    assert(r.firstByteMs < SLOW_PAUSE_MS / 2, `first byte ${r.firstByteMs} ms after the request (the upstream pauses ${SLOW_PAUSE_MS} ms mid-body)`);
    return `first byte ${r.firstByteMs} ms`;
  });

  // ------------------------------------------------------------------ open-relay probes
  await check('open-relay probes refused; the non-allowlisted host (127.0.0.4) sees nothing', async (client) => {
    t.reset();
    const reg = t.registry.host, evil = t.evil.host;
    const probes = [
      `/proxy/${evil}/v2/`,
      `/proxy//${evil}/v2/`,
      `/proxy/${reg}@${evil}/v2/`,
      `/proxy/${reg}%40${evil}/v2/`,
      `/proxy/${reg}%2F@${evil}/v2/`,
      `/proxy/${reg}%2f..%2f${evil}/v2/`,
      `/proxy/${reg}/../${evil}/v2/`,
      `/proxy/${reg}/v2/../../${evil}/v2/`,
      `/proxy/${reg}/v2/%2e%2e/%2e%2e/${evil}/v2/`,
      `/proxy/${reg}//${evil}/v2/`,
      `/proxy/${reg}/%2F%2F${evil}/v2/`,
      `/proxy/${reg}\\@${evil}/v2/`,
      `/proxy/${evil}%2Fv2/`,
      `/proxy/http:%2F%2F${evil}/v2/`,
      `/proxy/${reg}/v2/?host=${evil}&url=http://${evil}/`,
      `/proxy/${reg.replace(/:\d+$/, '')}:${t.evil.srv.address().port}/v2/`,
      `http://${evil}/v2/`, // absolute-form request line, as to a forward proxy
    ];
    const statuses = [];
    for (const p of probes) {
      const r = await get(p, { client, headers: { Host: evil } }).catch((e) => ({ status: `error ${e.message}`, body: Buffer.alloc(0) }));
      statuses.push(r.status);
      assert(!r.body.toString().includes('relayed!'), `${p} was relayed`);
    }
    const auth = await bearer(client);
    const redir = await get(`${R}/v2/library/app/blobs/${C.evilBlob}`, { client, headers: auth });
    eq(redir.status, 502, 'redirect to a non-allowlisted host');
    eq(t.seen('evil').length, 0, 'requests that reached 127.0.0.4');
    return `statuses ${[...new Set(statuses)].join('/')}, redirect ${redir.status}`;
  });

  // ------------------------------------------------------------------ rate limits
  await check('upstream rate limit (Docker Hub style) passed through: 429, Retry-After and RateLimit-* exposed', async (client) => {
    const r = await get(`${R}/v2/ratelimited/app/manifests/latest`, { client });
    eq(r.status, 429, 'status');
    eq(r.headers['retry-after'], '30', 'Retry-After');
    eq(r.headers['ratelimit-remaining'], '0;w=21600', 'RateLimit-Remaining');
    assert(/pull rate limit/.test(r.body.toString()), `upstream body kept: ${r.body}`);
    for (const k of ['Retry-After', 'RateLimit-Remaining']) assert((r.headers['access-control-expose-headers'] ?? '').includes(k), `${k} exposed`);
  });
  await check('per-client rate limit: a flooding client gets a clear 429 from the proxy; another client is not affected', async (client) => {
    let limited = null, n = 0;
    for (let batch = 0; batch < 20 && !limited; batch++) {
      const rs = await Promise.all(Array.from({ length: 25 }, () => get(`${R}/v2/`, { client })));
      n += rs.length;
      limited = rs.find((r) => r.status === 429) ?? null;
    }
    assert(limited, `no 429 after ${n} requests`);
    assert(Number(limited.headers['retry-after']) >= 1, `Retry-After ${limited.headers['retry-after']}`);
    eq(JSON.parse(limited.body).errors[0].code, 'TOOMANYREQUESTS', 'code');
    assert(/this proxy/.test(limited.body.toString()), `says it is the proxy's limit: ${limited.body}`);
    eq(limited.headers['access-control-allow-origin'], '*', 'ACAO on the 429');
    const other = await get(`${R}/v2/`, { client: client + 100 });
    eq(other.status, 401, 'another client');
    return `429 after ${n} requests`;
  });

  // ------------------------------------------------------------------ edge cache (workerd)
  if (E.name === 'workerd') {
    await check('edge cache: a by-digest hit is served only after a HEAD upstream with the new client\'s own credentials', async (client) => {
      // A repository no other check used: the cache key holds registry + repository + digest.
      const repo = 'library/cache-test';
      const first = await get(`${R}/v2/${repo}/manifests/${C.public.digest}`, { client, headers: await bearer(client, repo) });
      eq(first.status, 200, 'first GET');
      eq(first.headers['x-proxy-cache'], 'MISS', 'first X-Proxy-Cache');
      await new Promise((r) => setTimeout(r, 200)); // the cache write finishes after the answer
      const other = await bearer(client + 1, repo);
      t.reset();
      const hit = await get(`${R}/v2/${repo}/manifests/${C.public.digest}`, { client: client + 1, headers: other });
      eq(hit.status, 200, 'second GET');
      eq(hit.headers['x-proxy-cache'], 'HIT', 'X-Proxy-Cache');
      eq(sha256(hit.body), C.public.digest, 'cached bytes');
      const up = t.seen('registry');
      eq(up.map((x) => x.method).join(','), 'HEAD', 'upstream saw one HEAD (no GET: not a Docker Hub pull)');
      eq(up[0].headers.authorization, other.Authorization, 'the HEAD carried the second client\'s token');
      const anon = await get(`${R}/v2/${repo}/manifests/${C.public.digest}`, { client: client + 2 });
      eq(anon.status, 401, 'no credentials: the upstream\'s 401, not the cached bytes');
      assert(!anon.body.includes(C.public.bytes.subarray(0, 40)), 'no cached bytes in the 401');
    });
    await check('edge cache: content fetched with a password is not served to an anonymous token', async (client) => {
      const user = await bearer(client, C.private.repo, basic(USER, PASSWORD));
      const first = await get(`${R}/v2/${C.private.repo}/manifests/${C.private.digest}`, { client, headers: user });
      eq(first.status, 200, 'user GET');
      await new Promise((r) => setTimeout(r, 200));
      const anonToken = await bearer(client + 1, C.private.repo);
      const r = await get(`${R}/v2/${C.private.repo}/manifests/${C.private.digest}`, { client: client + 1, headers: anonToken });
      eq(r.status, 401, 'anonymous token');
      assert(sha256(r.body) !== C.private.digest, 'private bytes leaked');
    });
  }
}

// scripts/edge's network containment on its own: the proxy worker replaced by one that fetches
// whatever URL it is given, behind the same egress worker and network services. Only the
// allowlisted origins are reachable, even for code that tries anything.
if (only !== 'nginx') {
  const name = '[workerd egress] a worker that fetches anything still reaches only the allowlist';
  let proc;
  try {
    const edir = path.join(work, 'egress');
    fs.mkdirSync(edir, { recursive: true });
    const port = await freePort();
    const text = renderConfig({ port: String(port), address: '127.0.0.1', dist: dist.dir, allow: `http://${t.registry.host}`, rate: '0', burst: '1',
      clientIpHeader: 'CF-Connecting-IP', origins: '*', cacheMaxBytes: '0', publicOrigin: '' }, edir);
    fs.writeFileSync(path.join(edir, 'edge.capnp'), text);
    fs.writeFileSync(path.join(edir, 'index.js'), `export default { async fetch(req) {
      const target = new URL(req.url).searchParams.get('url');
      try { const r = await fetch(target, { redirect: 'manual' }); return new Response(await r.text(), { status: 200, headers: { 'x-upstream-status': String(r.status) } }); }
      catch (e) { return new Response(String(e), { status: 200, headers: { 'x-upstream-status': 'error' } }); }
    } };\n`);
    const logFile = path.join(edir, 'workerd.log');
    proc = spawnLogged(path.join(path.dirname(new URL(import.meta.url).pathname), '../../node_modules/.bin/workerd'), ['serve', '--experimental', path.join(edir, 'edge.capnp')], { logFile });
    const base = `http://127.0.0.1:${port}/proxy/x?url=`;
    await waitForHttp(`${base}${encodeURIComponent(`${t.registry.url}/v2/`)}`, { okStatuses: [200], child: proc.child, logFile, timeoutMs: 15000 });
    t.reset();
    const status = async (u) => (await fetch(base + encodeURIComponent(u))).headers.get('x-upstream-status');
    eq(await status(`${t.registry.url}/v2/`), '401', 'the allowlisted registry');
    for (const u of [`${t.evil.url}/`, `${t.auth.url}/token`, `http://localhost:${t.registry.srv.address().port}/v2/`, `https://${t.registry.host}/v2/`, 'https://example.com/', 'http://[::1]:1/']) {
      const st = await status(u);
      assert(st === '403' || st === 'error', `${u}: upstream status ${st}`);
    }
    eq(t.seen('evil').length + t.seen('auth').length, 0, 'requests that reached unlisted servers');
    passed++;
    console.log(`ok   - ${name}`);
  } catch (e) {
    failed++;
    failures.push(name);
    console.log(`FAIL - ${name}: ${e.message}`);
  }
  await proc?.stop();
}

// nginx behind TLS, configured as docs/deploy.md says (listen … ssl): the page and the proxy
// over https, with the realm rewritten to the https origin.
if (only !== 'workerd') {
  const name = '[nginx+TLS] page and proxy over https; realm rewritten onto the https origin';
  let tlsEngine;
  try {
    const tdir = path.join(work, 'tls');
    fs.mkdirSync(tdir, { recursive: true });
    const cert = path.join(tdir, 'cert.pem'), key = path.join(tdir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert,
      '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'pipe' });
    tlsEngine = await startNginx({ dist: dist.dir, upstreams: [t.registry.url, t.auth.url], follow: [t.cdn.url], dir: path.join(tdir, 'nginx'), tls: { cert, key } });
    const ca = fs.readFileSync(cert);
    const sget = (p) => new Promise((resolve, reject) => {
      https.get(`${tlsEngine.url}${p}`, { ca }, (res) => { res.resume(); res.on('end', () => resolve(res)); }).on('error', reject);
    });
    const page = await sget('/');
    eq(page.statusCode, 200, 'page status');
    eq(page.headers['content-security-policy'], dist.header, 'CSP over https');
    const r = await sget(`/proxy/${t.registry.host}/v2/library/app/manifests/latest`);
    eq(r.statusCode, 401, 'proxy status');
    eq(challengeOf(r.headers['www-authenticate']).realm, `${tlsEngine.url}/proxy/${t.auth.host}/token`, 'realm');
    assert(tlsEngine.url.startsWith('https://'), 'https origin');
    passed++;
    console.log(`ok   - ${name}`);
  } catch (e) {
    failed++;
    failures.push(name);
    console.log(`FAIL - ${name}: ${e.message}`);
  }
  await tlsEngine?.stop();
}

for (const E of engines) await E.stop();
await t.stop();
clearTimeout(watchdog);
console.log(`\n${passed} passed, ${failed} failed${failures.length ? ` (${failures.join('; ')})` : ''}`);
if (failed === 0) fs.rmSync(work, { recursive: true, force: true });
else console.log(`# work dir kept: ${work}`);
process.exit(failed ? 1 : 0);
