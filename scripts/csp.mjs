// Post-build step (after `trunk build`): locks the page down with a Content-Security-Policy
// that allows exactly this build's inline loader, and writes the response headers for hosts
// that can set them. Run it after EVERY build: the loader's hash changes with the file names.
//   scripts/csp DIST [--proxy PREFIX]
//     --proxy /proxy/                 the page uses a proxy on its own origin: connect-src 'self',
//                                     and <meta name="manifest-explorer-proxy"> names the prefix
//     --proxy https://px.example/p/   a proxy elsewhere: connect-src 'self' https://px.example
//     (none)                          direct mode: the page talks to registries itself, so
//                                     connect-src allows any https: origin and local registries
//                                     (http://127.0.0.1:*, http://localhost:*; CSP has no IPv6 literals); CSP checks every
//                                     redirect hop, blob CDNs included, hence https: and not a list
// Writes into DIST:
//   index.html        + <meta http-equiv="Content-Security-Policy"> (no frame-ancestors: a
//                       meta policy ignores it) and, with --proxy, the proxy meta; idempotent
//   _headers          Cloudflare/Netlify-style headers: the CSP (with frame-ancestors), nosniff,
//                       Referrer-Policy, Permissions-Policy, per-file Cache-Control, wasm type
//   csp.nginx.conf    the same CSP and Permissions-Policy for deploy/nginx.conf (`include`)
//   .assetsignore     keeps csp.nginx.conf out of a Cloudflare deploy
// Prints the policy. Exits non-zero when index.html has no inline loader, a nonce placeholder,
// or an inline script/style it cannot account for.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';

export const PERMISSIONS_POLICY = [
  'accelerometer', 'autoplay', 'camera', 'clipboard-read', 'display-capture', 'encrypted-media', 'fullscreen',
  'geolocation', 'gyroscope', 'hid', 'idle-detection', 'magnetometer', 'microphone', 'midi', 'payment',
  'picture-in-picture', 'publickey-credentials-get', 'screen-wake-lock', 'serial', 'usb', 'xr-spatial-tracking',
].map((f) => `${f}=()`).join(', ');
// Trunk's content hash in file names: `<name>-<16 hex>[_bg].<ext>`.
export const HASHED = /-[0-9a-f]{16}(_bg)?\.(js|wasm|css)$/;
const DIRECT_CONNECT = ["'self'", 'https:', 'http://127.0.0.1:*', 'http://localhost:*'];
const CSP_META = /[ \t]*<meta http-equiv="Content-Security-Policy"[^>]*>\n?/gi;
const PROXY_META = /[ \t]*<meta name="manifest-explorer-proxy"[^>]*>\n?/gi;

/** sha256 (base64) of each inline <script> (no src) in `html`. */
export function inlineScriptHashes(html) {
  const hashes = [];
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    if (/\bsrc\s*=/.test(m[1])) continue;
    hashes.push(`'sha256-${crypto.createHash('sha256').update(m[2], 'utf8').digest('base64')}'`);
  }
  return hashes;
}

/** The policy as directive → sources; `frameAncestors` false for the <meta> form. */
export function policy({ hashes, proxy }, { frameAncestors }) {
  let connect = DIRECT_CONNECT;
  if (proxy) {
    connect = ["'self'"];
    if (/^https?:\/\//.test(proxy)) connect.push(new URL(proxy).origin);
  }
  const d = [
    ['default-src', ["'none'"]],
    ['script-src', ["'self'", ...hashes, "'wasm-unsafe-eval'"]],
    ['worker-src', ["'self'"]],
    ['connect-src', connect],
    ['img-src', ["'self'", 'blob:', 'data:']],
    ['style-src', ["'self'"]],
    ['object-src', ["'none'"]],
    ['base-uri', ["'none'"]],
    ['form-action', ["'none'"]],
  ];
  if (frameAncestors) d.push(['frame-ancestors', ["'none'"]]);
  return d.map(([k, v]) => `${k} ${v.join(' ')}`).join('; ');
}

function listFiles(dir, base = '') {
  return fs.readdirSync(path.join(dir, base), { withFileTypes: true }).flatMap((e) => {
    const rel = base ? `${base}/${e.name}` : e.name;
    return e.isDirectory() ? listFiles(dir, rel) : [rel];
  });
}

export function headersFile({ csp, files }) {
  const out = ['# Written by scripts/csp for this build; do not edit (rerun scripts/csp after every build).',
    '/*', `  Content-Security-Policy: ${csp}`, '  X-Content-Type-Options: nosniff', '  Referrer-Policy: no-referrer',
    `  Permissions-Policy: ${PERMISSIONS_POLICY}`];
  // One rule per file, so no two rules set Cache-Control on one path (hosts join such values).
  out.push('/', '  Cache-Control: no-cache');
  for (const f of files.filter((x) => !x.startsWith('_') && !x.startsWith('.') && x !== 'csp.nginx.conf').sort()) {
    out.push(`/${f}`, `  Cache-Control: ${HASHED.test(f) ? 'public, max-age=31536000, immutable' : 'no-cache'}`);
    if (f.endsWith('.wasm')) out.push('  Content-Type: application/wasm');
  }
  return out.join('\n') + '\n';
}

export function lockDown(dist, { proxy } = {}) {
  const indexFile = path.join(dist, 'index.html');
  let html = fs.readFileSync(indexFile, 'utf8');
  if (html.includes('{{__TRUNK NONCE__}}')) throw new Error('index.html has a nonce placeholder (create_nonce): a static host cannot fill it');
  if (/\son[a-z]+\s*=/i.test(html.replace(/<script\b[\s\S]*?<\/script>/gi, ''))) throw new Error('index.html has an inline event handler, which the policy would block');
  if (/<style\b|\sstyle\s*=/i.test(html)) throw new Error('index.html has inline style, which style-src \'self\' would block');
  const hashes = inlineScriptHashes(html);
  if (hashes.length === 0) throw new Error('index.html has no inline loader script: is this a Trunk build?');
  const config = { hashes, proxy };
  const meta = policy(config, { frameAncestors: false });
  const header = policy(config, { frameAncestors: true });
  html = html.replace(CSP_META, '').replace(PROXY_META, '');
  const tags = [`<meta http-equiv="Content-Security-Policy" content="${meta}" />`];
  if (proxy) tags.push(`<meta name="manifest-explorer-proxy" content="${proxy.replace(/[<>"&]/g, '')}" />`);
  // Right after <meta charset>: before anything the policy governs.
  const charset = /<meta charset="utf-8"\s*\/?>\n?/i.exec(html);
  if (!charset) throw new Error('index.html has no <meta charset="utf-8">');
  const at = charset.index + charset[0].length;
  html = `${html.slice(0, at)}    ${tags.join('\n    ')}\n${html.slice(at)}`;
  fs.writeFileSync(indexFile, html);
  fs.writeFileSync(path.join(dist, '_headers'), headersFile({ csp: header, files: listFiles(dist) }));
  fs.writeFileSync(path.join(dist, 'csp.nginx.conf'), `# Written by scripts/csp; included by deploy/nginx.conf.\nset $page_csp "${header}";\nset $page_permissions "${PERMISSIONS_POLICY}";\n`);
  fs.writeFileSync(path.join(dist, '.assetsignore'), 'csp.nginx.conf\n');
  return { meta, header, hashes };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const dist = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--proxy');
  const p = args.indexOf('--proxy');
  const proxy = p >= 0 ? args[p + 1] : undefined;
  if (!dist || (p >= 0 && !proxy) || (proxy && !/^(\/|https?:\/\/)/.test(proxy))) {
    console.error('usage: scripts/csp DIST [--proxy /proxy/ | --proxy https://host/prefix/]');
    process.exit(2);
  }
  try {
    const r = lockDown(dist, { proxy });
    console.log(`scripts/csp: ${dist}: ${r.hashes.length} inline script(s); ${proxy ? `proxy ${proxy}` : 'direct mode'}\n  ${r.header}`);
  } catch (e) {
    console.error(`scripts/csp: ${dist}: ${e.message}`);
    process.exit(1);
  }
}
