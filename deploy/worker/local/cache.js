// Local runs only (scripts/edge): the `cacheApiOutbound` service that gives plain workerd a
// `caches.default`, in memory, bounded (MAX_BYTES in all; oldest entries dropped first).
// workerd's side of the protocol (as Miniflare implements it): match = GET with
// `Cache-Control: only-if-cached`, answered with `CF-Cache-Status: HIT` and the stored response,
// or `MISS`; put = PUT whose body is the response serialised as HTTP/1.1; delete = PURGE.
const MAX_BYTES = 64 << 20;
const entries = new Map(); // url → Uint8Array (serialised response)
let total = 0;

function drop(url) {
  const e = entries.get(url);
  if (e) { total -= e.byteLength; entries.delete(url); }
  return Boolean(e);
}

function parse(bytes) {
  let end = -1;
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) { end = i; break; }
  }
  if (end < 0) return null;
  const [statusLine, ...lines] = new TextDecoder().decode(bytes.subarray(0, end)).split('\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1]);
  if (!status) return null;
  const headers = new Headers();
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i > 0) headers.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  headers.set('cf-cache-status', 'HIT');
  return new Response(bytes.subarray(end + 4), { status, headers });
}

export default {
  async fetch(request) {
    const url = request.url;
    if (request.method === 'PUT') {
      const bytes = new Uint8Array(await request.arrayBuffer());
      if (bytes.byteLength > MAX_BYTES) return new Response(null, { status: 413 });
      drop(url);
      entries.set(url, bytes);
      total += bytes.byteLength;
      while (total > MAX_BYTES) drop(entries.keys().next().value);
      return new Response(null, { status: 204 });
    }
    if (request.method === 'PURGE') return new Response(null, { status: drop(url) ? 200 : 404 });
    const bytes = entries.get(url);
    const hit = bytes && parse(bytes);
    return hit ?? new Response(null, { headers: { 'cf-cache-status': 'MISS' } });
  },
};
