// A tiny CORS-fixing front for registry instances with auth on. distribution 2.8.2 runs its
// auth check before routing, so a browser's preflight (OPTIONS, no credentials) gets 401 and
// the browser then refuses the real request (distribution#4458). This front, on its own
// 127.0.0.1 port, answers every OPTIONS itself with 200 and the CORS headers, and forwards
// every other request unchanged (method, path, headers including Host, body) to the
// registry, streaming the answer back. The registry's own `http.headers` already put the CORS
// headers on its answers (401 included), so nothing is added to forwarded answers.
//
// With `paginateTags: true` it also emulates tags-list pagination, which 2.8.2 lacks (it
// ignores `n`/`last` on /v2/<name>/tags/list and never sends `Link`; only /v2/_catalog
// paginates). The front then fetches the full list from the registry (same credentials),
// keeps the tags lexically after `last`, at most `n`, and adds
// `Link: </v2/<name>/tags/list?last=<last tag>&n=<n>>; rel="next"` when more remain — the
// behaviour of distribution 3.x and most hosted registries.
import http from 'node:http';
import { freePort } from './proc.mjs';

export const PREFLIGHT_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'HEAD, GET, OPTIONS',
  'Access-Control-Allow-Headers': 'Authorization, Accept',
  'Access-Control-Max-Age': '600',
};

function paginate(req, res, targetPort, name, u) {
  const up = http.request(
    { host: '127.0.0.1', port: targetPort, method: 'GET', path: `/v2/${name}/tags/list`, headers: req.headers },
    (ur) => {
      const chunks = [];
      let size = 0;
      ur.on('data', (c) => { size += c.length; if (size <= 16 << 20) chunks.push(c); });
      ur.on('end', () => {
        const body = Buffer.concat(chunks);
        let j;
        try { j = ur.statusCode === 200 ? JSON.parse(body) : null; } catch { j = null; }
        if (!j || !Array.isArray(j.tags)) {
          res.writeHead(ur.statusCode, ur.rawHeaders);
          return res.end(body);
        }
        const n = u.searchParams.has('n') ? Math.max(0, parseInt(u.searchParams.get('n'), 10) || 0) : Infinity;
        const last = u.searchParams.get('last');
        let tags = [...j.tags].sort();
        if (last !== null) tags = tags.filter((t) => t > last);
        const page = tags.slice(0, n);
        const headers = {};
        for (let i = 0; i < ur.rawHeaders.length; i += 2) {
          const k = ur.rawHeaders[i];
          if (!/^(content-length|transfer-encoding|connection|keep-alive)$/i.test(k)) headers[k] = ur.rawHeaders[i + 1];
        }
        if (page.length && tags.length > page.length) {
          const next = `/v2/${name}/tags/list?last=${encodeURIComponent(page[page.length - 1])}&n=${n}`;
          headers.Link = `<${next}>; rel="next"`;
        }
        const out = Buffer.from(JSON.stringify({ name: j.name, tags: page }));
        headers['Content-Length'] = String(out.length);
        res.writeHead(200, headers);
        res.end(out);
      });
    },
  );
  up.setTimeout(60000, () => up.destroy(new Error('upstream timeout')));
  up.on('error', (e) => { if (!res.headersSent) res.writeHead(502).end(`cors-front: ${e.message}`); });
  up.end();
}

/** Starts the front for `targetPort`; returns { url, port, stop }. */
export async function startCorsFront({ targetPort, port, paginateTags = false, answerPreflight = true }) {
  const server = http.createServer((req, res) => {
    if (req.method === 'OPTIONS' && answerPreflight) {
      res.writeHead(200, { ...PREFLIGHT_HEADERS, 'Content-Length': '0' });
      return res.end();
    }
    if (paginateTags && req.method === 'GET') {
      const u = new URL(req.url, 'http://x');
      const m = /^\/v2\/(.+)\/tags\/list$/.exec(u.pathname);
      if (m && (u.searchParams.has('n') || u.searchParams.has('last'))) return paginate(req, res, targetPort, m[1], u);
    }
    const up = http.request(
      { host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers },
      (ur) => {
        res.writeHead(ur.statusCode, ur.rawHeaders);
        ur.pipe(res);
      },
    );
    up.setTimeout(60000, () => up.destroy(new Error('upstream timeout')));
    up.on('error', (e) => {
      if (!res.headersSent) {
        res.writeHead(502, { 'Content-Type': 'text/plain', 'Access-Control-Allow-Origin': '*' });
        res.end(`cors-front: ${e.message}`);
      } else res.destroy();
    });
    req.pipe(up);
  });
  server.keepAliveTimeout = 1000;
  const p = port ?? (await freePort());
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(p, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${p}`,
    port: p,
    stop: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}
