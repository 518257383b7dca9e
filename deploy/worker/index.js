// Manifest Explorer at the edge: one Worker that puts the page and its registry proxy on one
// origin. Static files (Trunk's dist/) are served by the platform's asset router, which applies
// dist/_headers (CSP and the rest, written by scripts/csp); only /proxy/* reaches this code
// (wrangler.toml: `run_worker_first = ["/proxy/*"]`), and so does a path that matches no file.
// Runs unchanged on Cloudflare (`wrangler deploy` in deploy/) and under workerd (scripts/edge).
import { handleProxy, PROXY_CSP } from './proxy.js';

export default {
  async fetch(request, env, ctx) {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith('/proxy/')) return handleProxy(request, env, ctx);
    // Not a file of dist/: a plain 404 (the app routes on the query string, so it needs no
    // fallback to index.html, and a missing script must not come back as HTML).
    return new Response('not found\n', {
      status: 404,
      headers: {
        'content-type': 'text/plain; charset=utf-8',
        'x-content-type-options': 'nosniff',
        'content-security-policy': PROXY_CSP,
        'cache-control': 'no-store',
      },
    });
  },
};
