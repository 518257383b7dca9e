// The two proxy engines, started the same way for the contract suite and the benchmark:
//   workerd  deploy/worker/ through scripts/edge (outbound limited to the allowlist)
//   nginx    a configuration derived from deploy/nginx.conf (tests/registry/nginx.mjs)
// Both serve `dist` and proxy `/proxy/<host:port>/…` to loopback upstreams only.
//   const e = await startEdge({ dist, allow: [url…], dir });   e = { name, url, stop, pid }
//   const n = await startNginx({ dist, upstreams: [url…], follow: [url…], dir });
// The rate-limit key: nginx uses the client address (tests bind 127.0.1.x); scripts/edge is
// told to trust X-Test-Client (a stand-in for Cloudflare's CF-Connecting-IP).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, spawnLogged, waitForHttp } from '../registry/proc.mjs';
import { startProxy, loopbackHost } from '../registry/nginx.mjs';
import { lockDown } from '../../scripts/csp.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLIENT_HEADER = 'X-Test-Client';

export async function startEdge({ dist, allow, dir, extraArgs = [] }) {
  fs.mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const logFile = path.join(dir, 'workerd.log');
  const args = [path.join(ROOT, 'scripts', 'edge.mjs'), '--port', String(port), '--dist', dist, '--config-dir', dir,
    '--allow', allow.map((u) => `http://${loopbackHost(u)}`).join(','), '--client-ip-header', CLIENT_HEADER, ...extraArgs];
  const proc = spawnLogged(process.execPath, args, { logFile });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/proxy/not-allowed.example/v2/`, { okStatuses: [403], child: proc.child, logFile, timeoutMs: 20000 });
  } catch (e) {
    await proc.stop();
    throw e;
  }
  // The server is workerd, a child of node scripts/edge.mjs.
  const pid = () => Number(fs.readFileSync(`/proc/${proc.child.pid}/task/${proc.child.pid}/children`, 'utf8').trim().split(/\s+/)[0]);
  return { name: 'workerd', url, port, pid, stop: proc.stop, logFile };
}

export async function startNginx({ dist, upstreams, follow, dir, rateLimit, tls }) {
  const px = await startProxy({ distDir: dist, upstreams, follow, dir, rateLimit, tls });
  return { name: 'nginx', url: px.url, port: px.port, pid: () => Number(fs.readFileSync(path.join(px.dir, 'nginx.pid'), 'utf8')), stop: px.stop, dir: px.dir };
}

/** A Trunk-shaped dist/ (inline module loader, hashed js/wasm/css, an unhashed worker loader), locked down by scripts/csp. */
export function fakeDist(dir, { proxy = '/proxy/' } = {}) {
  fs.mkdirSync(dir, { recursive: true });
  const h = '0123456789abcdef';
  fs.writeFileSync(path.join(dir, 'index.html'), `<!DOCTYPE html>\n<html lang="en">\n  <head>\n    <meta charset="utf-8" />\n    <title>t</title>\n`
    + `    <link rel="stylesheet" href="./main-${h}.css" />\n<script type="module">\nimport init from './app-${h}.js';\nawait init({ module_or_path: './app-${h}_bg.wasm' });\n</script>\n  </head>\n  <body></body>\n</html>\n`);
  fs.writeFileSync(path.join(dir, `app-${h}.js`), 'export default async function init() {}\n');
  fs.writeFileSync(path.join(dir, `app-${h}_bg.wasm`), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  fs.writeFileSync(path.join(dir, `main-${h}.css`), 'body{}\n');
  fs.writeFileSync(path.join(dir, 'worker.js'), 'self.onmessage = () => {};\n');
  return { dir, hash: h, ...lockDown(dir, { proxy }) };
}
