// Starts Debian's nginx with a test configuration DERIVED FROM deploy/nginx.conf (the blocks
// between "# BEGIN <name>" / "# END <name>" markers are replaced), so tests exercise the real
// deployment file: it serves `distDir` and proxies `/proxy/<host:port>/…` to the LOCAL test
// registries only (the allowlist becomes the given 127.0.0.0/8 upstreams, scheme http; redirects
// may be followed to the `follow` origins, by default any http://127.0.0.1:<port>). nginx runs in the foreground with
// `master_process off` (one process, stopped by its pid), listening on a free 127.0.0.1 port;
// config, logs and temp files live in `dir`.
//
//   const px = await startProxy({ distDir, upstreams: [r.open.url, r.token.url, r.token.issuerUrl] });
//   px = { url, port, configFile, dir, proxyUrl(upstreamUrl) → `${url}/proxy/127.0.0.1:<port>`, stop() }
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { freePort, requireTool, spawnLogged, waitForHttp } from './proc.mjs';

/** Waits until something accepts connections on 127.0.0.1:port (for TLS, where fetch would refuse the test CA). */
async function waitForPort(port, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}`);
    const ok = await new Promise((r) => { const s = net.connect(port, '127.0.0.1', () => { s.destroy(); r(true); }); s.on('error', () => r(false)); });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nginx not listening on ${port} after ${timeoutMs} ms`);
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const DEPLOY_CONF = path.resolve(HERE, '../../deploy/nginx.conf');
export const NGINX_BIN = process.env.NGINX ?? '/usr/sbin/nginx';

function replaceBlock(text, name, lines) {
  const re = new RegExp(`([ \\t]*)# BEGIN ${name}\\n[\\s\\S]*?# END ${name}\\n`);
  if (!re.test(text)) throw new Error(`deploy/nginx.conf lost its "# BEGIN ${name}" / "# END ${name}" markers`);
  return text.replace(re, (_, indent) => lines.map((l) => `${indent}${l}\n`).join(''));
}

/** Host:port of a loopback (127.0.0.0/8) upstream URL or "host:port" string; refuses anything else. */
export function loopbackHost(u) {
  const url = new URL(/^https?:\/\//.test(u) ? u : `http://${u}`);
  if (!/^127\.\d+\.\d+\.\d+$/.test(url.hostname)) throw new Error(`test proxy upstreams must be on 127.0.0.0/8, got ${u}`);
  return `${url.hostname}:${url.port || 80}`;
}

/** The test configuration text (exported for inspection). */
export function renderTestConf({ port, distDir, upstreams, follow, rateLimit = true, tls }) {
  let text = fs.readFileSync(DEPLOY_CONF, 'utf8');
  text = replaceBlock(text, 'main', ['daemon off;', 'master_process off;', 'worker_processes 1;', 'pid nginx.pid;']);
  text = replaceBlock(text, 'resolver', ['# (tests: upstreams are IP literals, no resolver needed)']);
  text = replaceBlock(text, 'upstream allowlist', upstreams.map((u) => `"${loopbackHost(u)}" http;`));
  // Redirect targets: the given loopback origins, or (default) any 127.0.0.1 port.
  text = replaceBlock(text, 'redirect allowlist', follow
    ? follow.map((u) => `"http://${loopbackHost(u)}" 1;`)
    : ['"~^http://127\\.0\\.0\\.1:[0-9]+$" 1;']);
  if (!rateLimit) text = replaceBlock(text, 'rate limit', ['# (benchmark: no rate limit)']);
  // tls: { cert, key } files: the way docs/deploy.md puts TLS on this file.
  text = replaceBlock(text, 'listen', tls
    ? [`listen 127.0.0.1:${port} ssl;`, `ssl_certificate "${tls.cert}";`, `ssl_certificate_key "${tls.key}";`]
    : [`listen 127.0.0.1:${port};`]);
  // The page's CSP comes from the build (scripts/csp writes dist/csp.nginx.conf); a test dist
  // without one gets a policy that allows nothing.
  const dist = path.resolve(distDir).replace(/"/g, '');
  const cspFile = path.join(dist, 'csp.nginx.conf');
  text = replaceBlock(text, 'dist', [
    `set $app_dist "${dist}";`,
    `set $page_csp "default-src 'none'";`,
    'set $page_permissions "";',
    ...(fs.existsSync(cspFile) ? [`include "${cspFile}";`] : []),
  ]);
  return text;
}

export async function startProxy({ distDir, upstreams, follow, rateLimit, tls, dir, port, timeoutMs = 10000 }) {
  if (!fs.existsSync(NGINX_BIN)) throw new Error(`${NGINX_BIN} not found (apt-get install -y nginx, or set NGINX)`);
  requireTool(NGINX_BIN);
  if (!distDir) throw new Error('startProxy needs distDir');
  const d = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'me-nginx-'));
  for (const sub of ['logs', 'tmp']) fs.mkdirSync(path.join(d, sub), { recursive: true });
  const p = port ?? (await freePort());
  const configFile = path.join(d, 'nginx.conf');
  fs.writeFileSync(configFile, renderTestConf({ port: p, distDir, upstreams, follow, rateLimit, tls }));
  const logFile = path.join(d, 'logs', 'nginx.out');
  const proc = spawnLogged(NGINX_BIN, ['-c', configFile, '-p', d + '/', '-e', path.join(d, 'logs', 'error.log')], { logFile });
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${p}`;
  try {
    if (tls) await waitForPort(p, proc.child, timeoutMs);
    else await waitForHttp(`${url}/proxy/not-allowed.example/v2/`, { okStatuses: [403], child: proc.child, logFile: path.join(d, 'logs', 'error.log'), timeoutMs });
  } catch (e) {
    await proc.stop();
    throw e;
  }
  return {
    url,
    port: p,
    dir: d,
    configFile,
    proxyUrl: (upstream) => `${url}/proxy/${loopbackHost(upstream)}`,
    stop: proc.stop,
  };
}
