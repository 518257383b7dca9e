// The read-only registry proxy under /proxy/<host>/<path>, as a Workers-style module (plain
// JavaScript, no dependencies, no build step). It implements the contract in docs/deploy.md,
// which tests/proxy/contract.mjs checks against this worker (under workerd) and nginx alike:
//   - upstreams only from an exact allowlist (never from a query parameter or a header);
//   - GET, HEAD (forwarded) and OPTIONS (answered here); nothing else;
//   - requests carry only Accept, Authorization, Range and If-None-Match upstream;
//   - `WWW-Authenticate` realms and `Link` targets are rewritten to stay on this proxy, so the
//     token request and pagination go through the allowlist too;
//   - redirects are followed here (at most MAX_HOPS), only to allowlisted hosts, without
//     Authorization or cookies;
//   - responses carry only the headers a registry client needs, plus CORS and a sandboxing CSP
//     (the proxy shares the page's origin: a registry answering text/html must not run script
//     there);
//   - tags `no-store`, digests immutable, `Vary: Accept, Authorization`;
//   - a per-client rate limit with a 429 that says it is this proxy's;
//   - bodies streamed, never buffered whole (the edge cache buffers at most CACHE_MAX_BYTES).
//
// Configuration (Worker vars / bindings; scripts/edge sets them for workerd):
//   ALLOW            comma-separated allowlist: `host[:port]` (https), `https://host[:port]`,
//                    `http://host:port` (loopback or private addresses only), `*.suffix`
//                    (https, redirect targets only: blob CDNs, never addressable by a client)
//   RATE, BURST      per-client token bucket: RATE requests/s refilled, BURST deep (20, 200)
//   RATE_LIMITER     optional Cloudflare Rate Limiting binding, used instead of the bucket
//   CLIENT_IP_HEADER header naming the client address (default CF-Connecting-IP, which
//                    Cloudflare sets and clients cannot forge there)
//   ORIGINS          `*` (default) or comma-separated page origins allowed to use the proxy
//   CACHE_MAX_BYTES  by-digest responses up to this size are kept in the edge cache (0: off)
//   PUBLIC_ORIGIN    the origin clients see, when a TLS front changes it

export const MAX_HOPS = 3;
const FORWARD_REQUEST_HEADERS = ['accept', 'authorization', 'range', 'if-none-match'];
const PASS_RESPONSE_HEADERS = [
  'content-type', 'content-length', 'content-range', 'accept-ranges', 'etag',
  'docker-content-digest', 'docker-distribution-api-version', 'oci-subject', 'oci-filters-applied',
  'retry-after', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'docker-ratelimit-source',
  'www-authenticate', 'link',
];
const EXPOSE_HEADERS = 'Docker-Content-Digest, WWW-Authenticate, Link, Content-Length, Content-Type, Content-Range, '
  + 'Accept-Ranges, ETag, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Docker-RateLimit-Source, '
  + 'OCI-Subject, OCI-Filters-Applied, Docker-Distribution-API-Version';
const ALLOW_HEADERS = 'Authorization, Accept, Range, If-None-Match';
// A proxied answer is data, never a document of this origin.
export const PROXY_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'";
const DIGEST_PATH = /^\/v2\/((?:[a-z0-9]+(?:[._-]+[a-z0-9]+)*\/)*[a-z0-9]+(?:[._-]+[a-z0-9]+)*)\/(manifests|blobs)\/(sha256:[0-9a-f]{64})$/;
// The raw `<host><path>` after /proxy/ may hold only the characters of registry paths (so no
// "%", "@", "\"), and no "//" or dot segments: nothing for a parser down the line to reinterpret.
const SAFE_TARGET = /^[A-Za-z0-9._~:/+=-]*$/;
const CONFUSING = /\/\/|(^|\/)\.\.?(\/|$)/;
const HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?$/;

/** Parses ALLOW into { exact: Map(authority → scheme), wildcards: [".suffix"] }; throws on a bad entry. */
export function parseAllow(text) {
  const exact = new Map();
  const wildcards = [];
  for (const raw of String(text ?? '').split(/[\s,]+/).filter(Boolean)) {
    if (raw.startsWith('*.')) {
      const suffix = raw.slice(1);
      if (!HOST.test(suffix.slice(1)) || suffix.includes(':')) throw new Error(`allowlist: bad wildcard "${raw}"`);
      wildcards.push(suffix);
      continue;
    }
    const m = /^(?:(https?):\/\/)?([^/]+)\/?$/.exec(raw);
    const scheme = m?.[1] ?? 'https';
    const authority = m?.[2];
    if (!authority || !HOST.test(authority)) throw new Error(`allowlist: bad entry "${raw}" (lowercase host[:port] expected)`);
    if (scheme === 'http' && !isLocal(authority.replace(/:[0-9]+$/, ''))) {
      throw new Error(`allowlist: "${raw}" is http:// but not a loopback or private address (use https)`);
    }
    exact.set(authority, scheme);
  }
  return { exact, wildcards };
}

function isLocal(host) {
  if (host === 'localhost') return true;
  const ip = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host)?.slice(1).map(Number);
  if (!ip || ip.some((n) => n > 255)) return false;
  return ip[0] === 127 || ip[0] === 10 || (ip[0] === 172 && ip[1] >= 16 && ip[1] < 32) || (ip[0] === 192 && ip[1] === 168);
}

/** Whether a redirect may be followed to `url` (exact entry with its scheme, or an https wildcard). */
export function followAllowed(allow, url) {
  const scheme = url.protocol.slice(0, -1);
  const entry = allow.exact.get(url.host);
  if (entry) return entry === scheme;
  return scheme === 'https' && !url.port && allow.wildcards.some((s) => url.hostname.endsWith(s) && url.hostname.length > s.length);
}

const configs = new WeakMap();
function config(env) {
  let c = configs.get(env);
  if (!c) {
    const num = (v, d) => (v === undefined || v === '' ? d : Number(v));
    c = {
      allow: parseAllow(env.ALLOW),
      rate: num(env.RATE, 20),
      burst: num(env.BURST, 200),
      clientHeader: env.CLIENT_IP_HEADER || 'cf-connecting-ip',
      origins: (env.ORIGINS ?? '*').split(/[\s,]+/).filter(Boolean),
      cacheMax: num(env.CACHE_MAX_BYTES, 4 << 20),
    };
    configs.set(env, c);
  }
  return c;
}

function errorBody(code, message) {
  return JSON.stringify({ errors: [{ code, message }] });
}

/** Headers every /proxy/ answer carries: CORS, no sniffing, sandboxed, not cached unless set later. */
function baseHeaders(origin) {
  const h = new Headers({
    'access-control-allow-origin': origin,
    'access-control-expose-headers': EXPOSE_HEADERS,
    'x-content-type-options': 'nosniff',
    'content-security-policy': PROXY_CSP,
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    vary: origin === '*' ? 'Accept, Authorization' : 'Accept, Authorization, Origin',
  });
  return h;
}

function refuse(status, code, message, origin, extra = {}) {
  const h = baseHeaders(origin);
  h.set('content-type', 'application/json');
  for (const [k, v] of Object.entries(extra)) h.set(k, v);
  return new Response(errorBody(code, message), { status, headers: h });
}

// Per-client token buckets, per isolate (each Cloudflare location has its own). Bounded: the
// oldest entries go first when the map is full.
const buckets = new Map();
const MAX_BUCKETS = 10000;
function takeToken(key, rate, burst, now = Date.now()) {
  let b = buckets.get(key);
  if (b) buckets.delete(key);
  else b = { tokens: burst, at: now };
  b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * rate);
  b.at = now;
  const ok = b.tokens >= 1;
  if (ok) b.tokens -= 1;
  buckets.set(key, b);
  if (buckets.size > MAX_BUCKETS) buckets.delete(buckets.keys().next().value);
  return ok ? 0 : Math.max(1, Math.ceil((1 - b.tokens) / rate));
}

async function rateLimited(request, env, c) {
  const key = request.headers.get(c.clientHeader) || 'unknown-client';
  if (env.RATE_LIMITER) {
    const { success } = await env.RATE_LIMITER.limit({ key });
    return success ? 0 : 10;
  }
  return c.rate > 0 ? takeToken(key, c.rate, c.burst) : 0;
}

/** `<origin>/proxy/<host><path+query>` for an absolute http(s) URL. */
function onProxy(publicOrigin, url) {
  return `${publicOrigin}/proxy/${url.host}${url.pathname}${url.search}`;
}

function rewriteChallenge(value, publicOrigin) {
  return value.replace(/(realm=")([^"]*)(")/gi, (all, pre, realm, post) => {
    let u;
    try { u = new URL(realm); } catch { return all; }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return all;
    return pre + onProxy(publicOrigin, u) + post;
  });
}

function rewriteLink(value, publicOrigin, base) {
  return value.replace(/<([^>]*)>/g, (all, target) => {
    let u;
    try { u = new URL(target, base); } catch { return '<>'; }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return '<>';
    return `<${onProxy(publicOrigin, u)}>`;
  });
}

function isRedirect(status) {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/** Fetches `url`, following redirects itself: allowlisted targets only, no credentials after the first hop. */
async function fetchFollowing(url, method, headers, allow) {
  let current = url;
  let res = await fetch(current, { method, headers, redirect: 'manual' });
  for (let hop = 0; isRedirect(res.status); hop++) {
    const location = res.headers.get('location');
    await res.body?.cancel();
    if (!location) return { error: 'a redirect without Location' };
    if (hop >= MAX_HOPS) return { error: `more than ${MAX_HOPS} redirects` };
    let next;
    try { next = new URL(location, current); } catch { return { error: 'a redirect to an unparsable Location' }; }
    if (!followAllowed(allow, next)) return { error: `a redirect to ${next.protocol}//${next.host}, which is not on the allowlist` };
    // Only what selects the bytes goes on: never Authorization or cookies to a storage host.
    const h = new Headers();
    const range = headers.get('range');
    if (range) h.set('range', range);
    current = next;
    res = await fetch(current, { method: method === 'HEAD' ? 'HEAD' : 'GET', headers: h, redirect: 'manual' });
  }
  return { res, url: current };
}

function responseHeaders(res, { origin, publicOrigin, firstUrl, immutable }) {
  const h = baseHeaders(origin);
  for (const k of PASS_RESPONSE_HEADERS) {
    const v = res.headers.get(k);
    if (v !== null) h.set(k, v);
  }
  // A decoded body no longer has the upstream's length.
  if (res.headers.has('content-encoding')) h.delete('content-length');
  const wa = h.get('www-authenticate');
  if (wa !== null) h.set('www-authenticate', rewriteChallenge(wa, publicOrigin));
  const link = h.get('link');
  if (link !== null) h.set('link', rewriteLink(link, publicOrigin, firstUrl));
  if (immutable && (res.status === 200 || res.status === 206)) h.set('cache-control', 'private, max-age=31536000, immutable');
  return h;
}

function publicOriginOf(request, env) {
  return (env.PUBLIC_ORIGIN || new URL(request.url).origin).replace(/\/+$/, '');
}

/** Handles a request whose path starts with /proxy/. */
export async function handleProxy(request, env, ctx) {
  let c;
  try {
    c = config(env);
  } catch (e) {
    return refuse(500, 'UNKNOWN', `proxy misconfigured: ${e.message}`, '*');
  }
  // CORS: any page (a standalone proxy) or only the listed page origins.
  const reqOrigin = request.headers.get('origin');
  let origin = '*';
  if (!c.origins.includes('*')) {
    if (reqOrigin !== null && !c.origins.includes(reqOrigin)) {
      return refuse(403, 'DENIED', `pages from ${reqOrigin} may not use this proxy`, 'null');
    }
    origin = reqOrigin ?? c.origins[0];
  }

  // The raw target, before any URL normalisation: `/proxy/<authority><path>[?query]`.
  const raw = request.url.replace(/^[a-z]+:\/\/[^/]*/i, '');
  const m = /^\/proxy\/([^?#]*)(\?[^#]*)?/.exec(raw);
  const target = m?.[1] ?? '';
  const query = m?.[2] ?? '';
  if (!SAFE_TARGET.test(target) || CONFUSING.test(`/${target}`)) {
    return refuse(400, 'NAME_INVALID', 'the path may only hold the characters of registry paths, without "//" or dot segments', origin);
  }
  const slash = target.indexOf('/');
  const authority = slash < 0 ? target : target.slice(0, slash);
  const path = slash < 0 ? '' : target.slice(slash);
  const scheme = c.allow.exact.get(authority);
  if (!scheme) return refuse(403, 'DENIED', `host "${authority.slice(0, 100)}" is not on this proxy's allowlist`, origin);
  if (!path) return refuse(404, 'NAME_UNKNOWN', 'no path after the host', origin);
  if (request.method === 'OPTIONS') {
    const h = baseHeaders(origin);
    h.set('access-control-allow-methods', 'GET, HEAD, OPTIONS');
    h.set('access-control-allow-headers', ALLOW_HEADERS);
    h.set('access-control-max-age', '600');
    return new Response(null, { status: 200, headers: h });
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return refuse(405, 'UNSUPPORTED', 'the proxy is read-only (GET, HEAD)', origin, { allow: 'GET, HEAD, OPTIONS' });
  }
  const wait = await rateLimited(request, env, c);
  if (wait) {
    return refuse(429, 'TOOMANYREQUESTS', `this proxy's per-client rate limit is exceeded; retry in ${wait} s`, origin, { 'retry-after': String(wait) });
  }

  const upstream = new URL(`${scheme}://${authority}${path}${query}`);
  if (upstream.host !== new URL(`${scheme}://${authority}`).host) return refuse(400, 'NAME_INVALID', 'bad target', origin);
  const headers = new Headers({ 'user-agent': 'manifest-explorer-proxy' });
  for (const k of FORWARD_REQUEST_HEADERS) {
    const v = request.headers.get(k);
    if (v !== null) headers.set(k, v);
  }
  const publicOrigin = publicOriginOf(request, env);
  const digestPath = DIGEST_PATH.exec(path);
  const shape = { origin, publicOrigin, firstUrl: upstream, immutable: digestPath !== null && query === '' };

  const cacheable = digestPath && query === '' && request.method === 'GET' && !headers.has('range') && c.cacheMax > 0 && typeof caches !== 'undefined';
  const cacheKey = cacheable ? new Request(`https://edge-cache.invalid/${authority}/${digestPath[1]}/${digestPath[2]}/${digestPath[3]}`) : null;
  if (cacheKey) {
    const hit = await cachedAfterHead(cacheKey, upstream, headers, c, shape);
    if (hit) return hit;
  }

  let got;
  try {
    got = await fetchFollowing(upstream, request.method, headers, c.allow);
  } catch (e) {
    return refuse(502, 'UNAVAILABLE', `upstream ${authority} did not answer`, origin);
  }
  if (got.error) return refuse(502, 'DENIED', `the upstream answered with ${got.error}`, origin);
  const { res } = got;
  const h = responseHeaders(res, shape);
  let body = request.method === 'HEAD' ? null : res.body;
  const length = Number(res.headers.get('content-length') ?? NaN);
  if (cacheKey && res.status === 200 && body && length <= c.cacheMax) {
    h.set('x-proxy-cache', 'MISS');
    const [toClient, toCache] = body.tee();
    body = toClient;
    // A failed cache write only costs the next client a miss.
    ctx?.waitUntil(store(cacheKey, toCache, digestPath[3], h, c.cacheMax).catch(() => {}));
  }
  return new Response(body, { status: res.status, headers: h });
}

/**
 * A cached by-digest answer, served only when a HEAD upstream with THIS client's credentials
 * succeeds: the cache saves bytes and Docker Hub pulls (HEAD does not count), never access.
 */
async function cachedAfterHead(cacheKey, upstream, headers, c, shape) {
  const cached = await caches.default.match(cacheKey);
  if (!cached) return null;
  let got;
  try {
    got = await fetchFollowing(upstream, 'HEAD', headers, c.allow);
  } catch {
    await cached.body?.cancel();
    return refuse(502, 'UNAVAILABLE', `upstream ${upstream.host} did not answer`, shape.origin);
  }
  if (got.error || got.res.status !== 200) {
    await cached.body?.cancel();
    if (got.error) return refuse(502, 'DENIED', `the upstream answered with ${got.error}`, shape.origin);
    // The client's own answer (401 with its challenge, 404 …), with an error body.
    const h = responseHeaders(got.res, shape);
    h.set('content-type', 'application/json');
    h.delete('content-length');
    return new Response(errorBody(got.res.status === 401 ? 'UNAUTHORIZED' : 'DENIED', `upstream answered ${got.res.status}`), { status: got.res.status, headers: h });
  }
  const h = responseHeaders(cached, shape);
  h.set('x-proxy-cache', 'HIT');
  return new Response(cached.body, { status: 200, headers: h });
}

/** Reads at most `max` bytes; stores them only when they hash to `digest` (no poisoned entries). */
async function store(cacheKey, stream, digest, headers, max) {
  const reader = stream.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) return reader.cancel();
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const ch of chunks) { bytes.set(ch, at); at += ch.byteLength; }
  const hex = [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
  if (`sha256:${hex}` !== digest) return;
  const h = new Headers({ 'cache-control': 'public, max-age=31536000, immutable', 'content-length': String(size) });
  for (const k of ['content-type', 'docker-content-digest', 'etag']) {
    const v = headers.get(k);
    if (v !== null) h.set(k, v);
  }
  await caches.default.put(cacheKey, new Response(bytes, { status: 200, headers: h }));
}
