// Runs deploy/worker/ locally under workerd (npm devDependency), as Cloudflare would run it:
// dist/ served by workerd's asset router with dist/_headers applied, /proxy/* by the worker,
// and the worker's outbound network limited to the allowlist (deploy/worker/local/egress.js).
//   scripts/edge --port N --allow HOST[,HOST…] [--dist DIR] [--address 127.0.0.1]
//                [--rate R --burst B] [--client-ip-header NAME] [--origins O[,O…]]
//                [--cache-max-bytes N] [--public-origin URL] [--config-dir DIR]
// --allow entries: host[:port] (https), http://host:port (loopback/private only), *.suffix
// (https redirect targets only). The generated workerd config is written to --config-dir (a
// temporary directory by default) and its path printed; workerd runs in the foreground.
// --client-ip-header: the header that names the client for the rate limit; only use it behind
// a front that sets it (otherwise every client shares one bucket: workerd has no peer address).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseAllow } from '../deploy/worker/proxy.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WORKER_DIR = path.join(ROOT, 'deploy', 'worker');
const WORKERD = path.join(ROOT, 'node_modules', '.bin', 'workerd');

function usage(msg) {
  if (msg) console.error(`scripts/edge: ${msg}`);
  console.error('usage: scripts/edge --port N --allow HOST[,HOST…] [--dist DIR] [--address A] [--rate R] [--burst B]\n'
    + '                    [--client-ip-header NAME] [--origins O,…] [--cache-max-bytes N] [--public-origin URL] [--config-dir DIR]');
  process.exit(2);
}

export function parseArgs(argv) {
  const o = { dist: 'dist', address: '127.0.0.1', rate: '20', burst: '200', clientIpHeader: 'CF-Connecting-IP', origins: '*', cacheMaxBytes: '4194304', publicOrigin: '' };
  const names = { '--port': 'port', '--allow': 'allow', '--dist': 'dist', '--address': 'address', '--rate': 'rate', '--burst': 'burst',
    '--client-ip-header': 'clientIpHeader', '--origins': 'origins', '--cache-max-bytes': 'cacheMaxBytes', '--public-origin': 'publicOrigin', '--config-dir': 'configDir' };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    const key = names[flag];
    if (!key) usage(`unknown option ${argv[i]}`);
    const value = inline ?? argv[++i];
    if (value === undefined) usage(`${flag} needs a value`);
    o[key] = value;
  }
  if (!/^[0-9]+$/.test(o.port ?? '')) usage('--port N is required');
  if (!o.allow) usage('--allow HOST[,HOST…] is required');
  return o;
}

const q = (s) => JSON.stringify(String(s)); // capnp text literal (ASCII only here)

/** The workerd configuration (Cap'n Proto text) for the options; worker files are embedded by path. */
export function renderConfig(o, dir) {
  const allow = parseAllow(o.allow);
  const dist = path.resolve(o.dist);
  if (!fs.existsSync(path.join(dist, 'index.html'))) throw new Error(`${dist}/index.html not found (trunk build --release, then scripts/csp ${o.dist})`);
  const headersFile = path.join(dist, '_headers');
  const headers = fs.existsSync(headersFile) ? fs.readFileSync(headersFile, 'utf8') : '';
  if (!headers) console.error(`scripts/edge: warning: ${headersFile} missing, the page is served without its CSP (run scripts/csp ${o.dist})`);
  const compat = /compatibility_date\s*=\s*"([0-9-]+)"/.exec(fs.readFileSync(path.join(ROOT, 'deploy', 'wrangler.toml'), 'utf8'))[1];
  for (const f of ['index.js', 'proxy.js', 'local/egress.js', 'local/cache.js']) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(path.join(WORKER_DIR, f), path.join(dir, f));
  }
  const ignoreFile = path.join(dist, '.assetsignore');
  const ignore = fs.existsSync(ignoreFile) ? fs.readFileSync(ignoreFile, 'utf8') : '';
  // The same asset rules as deploy/wrangler.toml's [assets].
  const assets = JSON.stringify({ run_worker_first: ['/proxy/*'], html_handling: 'auto-trailing-slash', not_found_handling: 'none', headers, ...(ignore ? { ignore } : {}) });
  const routes = { exact: {}, wildcards: allow.wildcards };
  const upstreams = [];
  let n = 0;
  for (const [authority, scheme] of allow.exact) {
    const name = `up${n++}`;
    const u = new URL(`${scheme}://${authority}`);
    routes.exact[`${scheme}:${'//'}${u.host}`] = name;
    const address = `${u.hostname}:${u.port || (scheme === 'https' ? 443 : 80)}`;
    const kind = scheme === 'https'
      ? `https = (options = (), tlsOptions = (trustBrowserCas = true), certificateHost = ${q(u.hostname)})`
      : 'http = ()';
    upstreams.push(`    (name = ${q(name)}, external = (address = ${q(address)}, ${kind})),`);
  }
  const bindings = [
    ['ALLOW', o.allow], ['RATE', o.rate], ['BURST', o.burst], ['CLIENT_IP_HEADER', o.clientIpHeader],
    ['ORIGINS', o.origins], ['CACHE_MAX_BYTES', o.cacheMaxBytes], ['PUBLIC_ORIGIN', o.publicOrigin],
  ].map(([k, v]) => `(name = ${q(k)}, text = ${q(v)})`).join(', ');
  const egressBindings = [
    `(name = "ROUTES", text = ${q(JSON.stringify(routes))})`,
    `(name = "PUBLIC", service = ${allow.wildcards.length ? '"public"' : '"nowhere"'})`,
    ...Object.values(routes.exact).map((name) => `(name = ${q(name)}, service = ${q(name)})`),
  ].join(', ');
  // A client cannot pick its own rate-limit key: CF-Connecting-IP (the default key) is removed
  // from every incoming request; another header is trusted only when --client-ip-header says so.
  const strip = '(name = "CF-Connecting-IP")';
  return `# Generated by scripts/edge; do not edit.
using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "site", assets = (path = ${q(dist)}, config = ${q(assets)}, userWorker = "proxy")),
    (name = "proxy", worker = (
      modules = [(name = "index.js", esModule = embed "index.js"), (name = "proxy.js", esModule = embed "proxy.js")],
      compatibilityDate = ${q(compat)},
      bindings = [${bindings}],
      globalOutbound = "egress",
      cacheApiOutbound = "cache")),
    (name = "egress", worker = (
      modules = [(name = "egress.js", esModule = embed "local/egress.js")],
      compatibilityDate = ${q(compat)},
      bindings = [${egressBindings}],
      globalOutbound = "nowhere")),
    (name = "cache", worker = (
      modules = [(name = "cache.js", esModule = embed "local/cache.js")],
      compatibilityDate = ${q(compat)},
      globalOutbound = "nowhere")),
    (name = "nowhere", network = (allow = [], deny = ["0.0.0.0/0", "::/0", "local", "unix", "unix-abstract"])),
    (name = "public", network = (allow = ["public"], deny = ["private"], tlsOptions = (trustBrowserCas = true))),
${upstreams.join('\n')}
  ],
  sockets = [(name = "http", address = ${q(`${o.address}:${o.port}`)}, service = "site",
    http = (injectRequestHeaders = [${strip}]))],
);
`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const o = parseArgs(process.argv.slice(2));
  const dir = o.configDir ? path.resolve(o.configDir) : fs.mkdtempSync(path.join(os.tmpdir(), 'me-edge-'));
  fs.mkdirSync(dir, { recursive: true });
  let text;
  try {
    text = renderConfig(o, dir);
  } catch (e) {
    usage(e.message);
  }
  const file = path.join(dir, 'edge.capnp');
  fs.writeFileSync(file, text);
  if (!fs.existsSync(WORKERD)) usage(`${WORKERD} not found (npm ci)`);
  console.error(`scripts/edge: http://${o.address}:${o.port}/ (config ${file})`);
  const child = spawn(WORKERD, ['serve', '--experimental', file], { stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, sig) => process.exit(code ?? (sig ? 1 : 0)));
}
