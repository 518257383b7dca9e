// README — a hostile fake registry for Manifest Explorer's negative tests, on 127.0.0.1 only.
// It answers /v2/ like a registry (200 {}), puts CORS headers on every answer and answers
// preflight OPTIONS with 200. Per repository name (`<url>/v2/<name>/…`):
//   bad/digest    `latest` is an OCI index naming one child by digest (cases.digest.childDigest);
//                 ANY `sha256:` manifest reference answers a valid manifest whose bytes do NOT
//                 hash to the requested digest, with `Docker-Content-Digest` echoing the request.
//   bad/header    by tag: the right body but a wrong `Docker-Content-Digest` (cases.header).
//                 by digest: honest.
//   bad/huge      manifests and blobs: a 20 MiB (Content-Length) valid-JSON manifest body.
//   bad/endless   manifests and blobs: 200, chunked, streams 64 KiB chunks until the client
//                 disconnects; the server ends it after 60 s at the latest.
//   bad/ctype     by tag or digest: a correct manifest served as `text/html; charset=utf-8`.
//   bad/realm     every request: 401 `Bearer realm="https://evil.example/token"` (another host).
//   bad/loop      every request: 401 with a Bearer realm on this server (`<url>/token`), even
//                 when a token is sent; `/token` always issues a token. stats() counts both.
//   bad/redirect  needs a token from `<url>/token` (401 challenge otherwise); `latest` is a
//                 manifest whose config blob GET answers 307 to a second origin
//                 (`redirectUrl`, another 127.0.0.1 port) that serves the blob with CORS and
//                 records the request headers; GET `<redirectUrl>/__seen` returns
//                 {requests:[{method,path,headers}]} (`?reset=1` clears), so a test can check
//                 that Authorization did not follow the redirect.
//   bad/ratelimit every request: 429, `Retry-After: 7`, OCI error envelope TOOMANYREQUESTS.
//   bad/errors    every request: 404, OCI error envelope MANIFEST_UNKNOWN with a detail object.
//   good/referrers  not hostile: `latest` is an honest manifest, and the referrers API
//                 (`/v2/good/referrers/referrers/<digest>`) lists one artifact for it
//                 (cases.referrers), which has one referrer of its own (a signature of the
//                 SBOM, say), since distribution 2.8.2 has no referrers API to test.
// Anything else: 404 NAME_UNKNOWN. `tags/list` for a bad/* name lists `latest`.
//
//   const h = await startHostile();
//   h = { url, redirectUrl, cases, seen(), stats(), resetSeen(), stop() }
import http from 'node:http';
import crypto from 'node:crypto';
import { freePort } from './proc.mjs';

const sha256 = (b) => 'sha256:' + crypto.createHash('sha256').update(b).digest('hex');
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'Docker-Content-Digest, WWW-Authenticate, Link, Content-Length, Retry-After',
};
const PREFLIGHT = {
  ...CORS,
  'Access-Control-Allow-Methods': 'HEAD, GET, OPTIONS',
  'Access-Control-Allow-Headers': 'Authorization, Accept',
  'Access-Control-Max-Age': '600',
};

const CONFIG = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [] } }));
const CONFIG_DIGEST = sha256(CONFIG);
const manifestFor = (annotations) => Buffer.from(JSON.stringify({
  schemaVersion: 2,
  mediaType: OCI_MANIFEST,
  config: { mediaType: OCI_CONFIG, digest: CONFIG_DIGEST, size: CONFIG.length },
  layers: [],
  ...(annotations ? { annotations } : {}),
}));
const GOOD = manifestFor({ 'org.example.case': 'good' });
const GOOD_DIGEST = sha256(GOOD);
const TAMPERED = manifestFor({ 'org.example.case': 'tampered' });
const REFERRER = manifestFor({ 'org.example.case': 'referrer' });
const NESTED_REFERRER = manifestFor({ 'org.example.case': 'referrer of the referrer' });
const NESTED_INDEX = Buffer.from(JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.index.v1+json',
  manifests: [{ mediaType: OCI_MANIFEST, digest: sha256(NESTED_REFERRER), size: NESTED_REFERRER.length, artifactType: 'application/vnd.example.signature' }],
}));
const REFERRERS_INDEX = Buffer.from(JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.index.v1+json',
  manifests: [{ mediaType: OCI_MANIFEST, digest: sha256(REFERRER), size: REFERRER.length, artifactType: 'application/vnd.example.sbom+json' }],
}));
const DIGEST_INDEX = Buffer.from(JSON.stringify({
  schemaVersion: 2,
  mediaType: OCI_INDEX,
  manifests: [{ mediaType: OCI_MANIFEST, digest: GOOD_DIGEST, size: GOOD.length, platform: { architecture: 'amd64', os: 'linux' } }],
}));
const WRONG_HEADER_DIGEST = sha256(Buffer.from('not the manifest'));
const HUGE_SIZE = 20 * 1024 * 1024;
let hugeBody = null;
function huge() {
  if (!hugeBody) {
    const head = Buffer.from(`{"schemaVersion":2,"mediaType":"${OCI_MANIFEST}","config":{"mediaType":"${OCI_CONFIG}","digest":"${CONFIG_DIGEST}","size":${CONFIG.length}},"layers":[],"annotations":{"pad":"`);
    const tail = Buffer.from('"}}');
    hugeBody = Buffer.concat([head, Buffer.alloc(HUGE_SIZE - head.length - tail.length, 0x61), tail]);
  }
  return hugeBody;
}

const errorBody = (code, message, detail) => JSON.stringify({ errors: [{ code, message, detail }] });
const ENDLESS_LIMIT_MS = 60000;

export async function startHostile({ port, redirectPort } = {}) {
  const p = port ?? (await freePort());
  const rp = redirectPort ?? (await freePort());
  const url = `http://127.0.0.1:${p}`;
  const redirectUrl = `http://127.0.0.1:${rp}`;
  const stats = { token: 0, loop: 0, redirectBlob: 0, endlessStreams: 0, endlessBytes: 0, referrersApi: 0 };
  const issued = new Set();
  let seen = [];
  const timers = new Set();

  function send(req, res, status, headers, body) {
    const b = body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(body);
    res.writeHead(status, { ...CORS, 'Docker-Distribution-API-Version': 'registry/2.0', 'Content-Length': String(b.length), ...headers });
    res.end(req.method === 'HEAD' ? undefined : b);
  }
  const manifest = (req, res, body, { type = OCI_MANIFEST, digest = sha256(body) } = {}) =>
    send(req, res, 200, { 'Content-Type': type, 'Docker-Content-Digest': digest }, body);
  const json = (req, res, status, body, extra = {}) => send(req, res, status, { 'Content-Type': 'application/json', ...extra }, body);
  const challenge = (name) => `Bearer realm="${url}/token",service="hostile",scope="repository:${name}:pull"`;

  function endless(req, res) {
    res.writeHead(200, { ...CORS, 'Content-Type': OCI_MANIFEST, 'Docker-Distribution-API-Version': 'registry/2.0' });
    if (req.method === 'HEAD') return res.end();
    stats.endlessStreams++;
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(limit);
      timers.delete(limit);
      res.end();
    };
    const limit = setTimeout(finish, ENDLESS_LIMIT_MS);
    timers.add(limit);
    res.on('close', () => { done = true; clearTimeout(limit); timers.delete(limit); });
    res.write(`{"schemaVersion":2,"mediaType":"${OCI_MANIFEST}","annotations":{"pad":"`);
    const pump = () => {
      while (!done) {
        stats.endlessBytes += chunk.length;
        if (!res.write(chunk)) return res.once('drain', () => setTimeout(pump, 5));
      }
    };
    pump();
  }

  const server = http.createServer((req, res) => {
    if (req.method === 'OPTIONS') return send(req, res, 200, PREFLIGHT);
    const u = new URL(req.url, url);
    if (u.pathname === '/token') {
      stats.token++;
      const token = 'hostile-' + crypto.randomBytes(8).toString('hex');
      issued.add(token);
      return json(req, res, 200, JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }));
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(req, res, 405, errorBody('UNSUPPORTED', 'read-only', null));
    if (u.pathname === '/v2/' || u.pathname === '/v2') return json(req, res, 200, '{}');
    const m = /^\/v2\/(.+)\/(manifests|blobs|tags|referrers)\/(.+)$/.exec(u.pathname);
    if (!m) return json(req, res, 404, errorBody('NOT_FOUND', 'not found', null));
    const [, name, kind, ref] = m;
    const bearer = /^Bearer\s+(\S+)/i.exec(req.headers.authorization ?? '')?.[1];

    if (name === 'good/referrers') {
      stats.referrersApi += kind === 'referrers' ? 1 : 0;
      if (kind === 'referrers') {
        const body = ref === GOOD_DIGEST ? REFERRERS_INDEX
          : ref === sha256(REFERRER) ? NESTED_INDEX
            : Buffer.from('{"schemaVersion":2,"manifests":[]}');
        return send(req, res, 200, { 'Content-Type': 'application/vnd.oci.image.index.v1+json' }, body);
      }
      if (kind === 'tags') return json(req, res, 200, JSON.stringify({ name, tags: ['latest'] }));
      if (kind === 'manifests' && (ref === 'latest' || ref === GOOD_DIGEST)) return manifest(req, res, GOOD);
      if (kind === 'manifests' && ref === sha256(REFERRER)) return manifest(req, res, REFERRER);
      return json(req, res, 404, errorBody('MANIFEST_UNKNOWN', 'manifest unknown', null));
    }
    if (name === 'bad/realm') {
      return json(req, res, 401, errorBody('UNAUTHORIZED', 'authentication required', null),
        { 'WWW-Authenticate': `Bearer realm="https://evil.example/token",service="evil.example",scope="repository:${name}:pull"` });
    }
    if (name === 'bad/loop') {
      stats.loop++;
      return json(req, res, 401, errorBody('UNAUTHORIZED', 'authentication required', null), { 'WWW-Authenticate': challenge(name) });
    }
    if (name === 'bad/ratelimit') {
      return json(req, res, 429, errorBody('TOOMANYREQUESTS', 'too many requests', { retryAfterSeconds: 7 }), { 'Retry-After': '7' });
    }
    if (name === 'bad/errors') {
      return json(req, res, 404, errorBody('MANIFEST_UNKNOWN', 'manifest unknown', { Tag: ref, Reason: 'hostile test case: this manifest never existed' }));
    }
    if (!/^bad\/(digest|header|huge|endless|ctype|redirect)$/.test(name)) {
      return json(req, res, 404, errorBody('NAME_UNKNOWN', 'repository name not known to registry', { name }));
    }
    if (kind === 'tags') {
      return json(req, res, 200, JSON.stringify({ name, tags: ['latest'] }));
    }
    const byDigest = ref.startsWith('sha256:');
    switch (name) {
      case 'bad/digest':
        if (kind === 'manifests' && !byDigest) return manifest(req, res, DIGEST_INDEX, { type: OCI_INDEX });
        return manifest(req, res, TAMPERED, { digest: byDigest ? ref : GOOD_DIGEST });
      case 'bad/header':
        if (kind === 'blobs') return send(req, res, 200, { 'Content-Type': 'application/octet-stream', 'Docker-Content-Digest': CONFIG_DIGEST }, CONFIG);
        return manifest(req, res, GOOD, { digest: byDigest ? GOOD_DIGEST : WRONG_HEADER_DIGEST });
      case 'bad/huge':
        return manifest(req, res, huge());
      case 'bad/endless':
        return endless(req, res);
      case 'bad/ctype':
        return manifest(req, res, GOOD, { type: 'text/html; charset=utf-8' });
      case 'bad/redirect':
        if (!bearer || !issued.has(bearer)) {
          return json(req, res, 401, errorBody('UNAUTHORIZED', 'authentication required', null), { 'WWW-Authenticate': challenge(name) });
        }
        if (kind === 'blobs') {
          stats.redirectBlob++;
          return send(req, res, 307, { Location: `${redirectUrl}/blobs/${ref}?from=hostile` });
        }
        return manifest(req, res, GOOD);
    }
    return json(req, res, 404, errorBody('NAME_UNKNOWN', 'unknown', null));
  });

  const other = http.createServer((req, res) => {
    const u = new URL(req.url, redirectUrl);
    if (u.pathname === '/__seen') {
      if (u.searchParams.has('reset')) seen = [];
      return json(req, res, 200, JSON.stringify({ requests: seen }));
    }
    seen.push({ method: req.method, path: u.pathname + u.search, headers: req.headers });
    if (seen.length > 1000) seen.shift();
    if (req.method === 'OPTIONS') return send(req, res, 200, PREFLIGHT);
    if (u.pathname === `/blobs/${CONFIG_DIGEST}`) {
      return send(req, res, 200, { 'Content-Type': 'application/octet-stream', 'Docker-Content-Digest': CONFIG_DIGEST }, CONFIG);
    }
    return json(req, res, 404, errorBody('BLOB_UNKNOWN', 'blob unknown', null));
  });

  for (const s of [server, other]) s.keepAliveTimeout = 1000;
  await new Promise((resolve, reject) => { server.once('error', reject); server.listen(p, '127.0.0.1', resolve); });
  await new Promise((resolve, reject) => { other.once('error', reject); other.listen(rp, '127.0.0.1', resolve); });

  const close = (s) => new Promise((resolve) => { s.closeAllConnections?.(); s.close(() => resolve()); });
  return {
    url,
    redirectUrl,
    cases: {
      digest: { repo: 'bad/digest', tag: 'latest', childDigest: GOOD_DIGEST, servedDigest: sha256(TAMPERED) },
      header: { repo: 'bad/header', tag: 'latest', trueDigest: GOOD_DIGEST, headerDigest: WRONG_HEADER_DIGEST },
      huge: { repo: 'bad/huge', tag: 'latest', size: HUGE_SIZE },
      endless: { repo: 'bad/endless', tag: 'latest', limitMs: ENDLESS_LIMIT_MS },
      ctype: { repo: 'bad/ctype', tag: 'latest', digest: GOOD_DIGEST, contentType: 'text/html; charset=utf-8' },
      realm: { repo: 'bad/realm', realm: 'https://evil.example/token' },
      loop: { repo: 'bad/loop', realm: `${url}/token` },
      redirect: { repo: 'bad/redirect', tag: 'latest', digest: GOOD_DIGEST, blobDigest: CONFIG_DIGEST, realm: `${url}/token` },
      ratelimit: { repo: 'bad/ratelimit', retryAfter: 7 },
      errors: { repo: 'bad/errors' },
      referrers: { repo: 'good/referrers', tag: 'latest', subject: GOOD_DIGEST, referrer: sha256(REFERRER), nested: sha256(NESTED_REFERRER) },
    },
    seen: () => seen.slice(),
    resetSeen: () => { seen = []; },
    stats: () => ({ ...stats }),
    stop: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.all([close(server), close(other)]);
    },
  };
}
