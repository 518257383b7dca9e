// Local runs only (scripts/edge): the proxy Worker's `globalOutbound`. Every fetch() the
// proxy makes arrives here, and goes out only to an allowlisted server: each exact allowlist
// entry is its own ExternalServer binding (ROUTES maps "scheme://host:port" → binding name);
// an https host matching a `*.suffix` entry goes to PUBLIC, a network service limited to public
// addresses. Anything else is refused before any connection or DNS lookup, so the local
// proxy's reach is the allowlist even if the proxy code had a bug. This Worker's own
// globalOutbound is a network that allows nothing.
let routes;
export default {
  async fetch(request, env) {
    routes ??= JSON.parse(env.ROUTES);
    const url = new URL(request.url);
    const key = `${url.protocol}//${url.host}`;
    let target = routes.exact[key] ? env[routes.exact[key]] : null;
    if (!target && url.protocol === 'https:' && !url.port
      && routes.wildcards.some((s) => url.hostname.endsWith(s) && url.hostname.length > s.length)) {
      target = env.PUBLIC;
    }
    if (!target) {
      return new Response(`egress to ${key} refused: not on the allowlist\n`, { status: 403, headers: { 'x-egress-refused': '1' } });
    }
    return target.fetch(request.url, { method: request.method, headers: request.headers, body: request.body, redirect: 'manual' });
  },
};
