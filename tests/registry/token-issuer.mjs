// A test token server for the `token` registry instance (distribution `auth.token`), on
// 127.0.0.1 only. At start it makes an RSA key with node's crypto and a self-signed X.509
// certificate for it with the `openssl` CLI (distribution 2.8 reads `rootcertbundle` as
// certificates, not bare keys), writes the bundle the registry needs, and then answers
//   GET  /token?service=…&scope=repository:<name>:pull,push[&scope=…]   (Docker token spec)
//   POST /token  (OAuth2 form: grant_type=password, username, password, service, scope)
// with {"token","access_token","expires_in","issued_at"}. Grants:
//   - anonymous: `pull` on repositories under `public/` only (other actions/repos dropped);
//   - Basic user/password (the configured pair): every requested action on every repository
//     and `registry:catalog:*`;
//   - wrong password: 401 with an OCI-style error body (no WWW-Authenticate: Basic, so a
//     browser never shows a login dialog).
// JWT: RS256, header {typ, alg, kid, x5c}. distribution 2.8 (registry/auth/token/token.go)
// picks the signing key from `x5c` first (chain verified against rootcertbundle), else from
// `jwk`, else from `kid`, where kid must be the libtrust key ID of a key in rootcertbundle
// (base32 of the first 30 bytes of SHA-256(SPKI DER), in 4-char groups joined by ':').
// `aud` must be a single string in 2.8 (arrays came in 3.0). Both `kid` and `x5c` are set.
// Every response carries CORS headers (the issuer is another origin for the browser) and
// preflight OPTIONS answers 200.
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { freePort, requireTool } from './proc.mjs';

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Authorization, Accept, Content-Type',
  'Access-Control-Max-Age': '600',
};

const b64url = (buf) => Buffer.from(buf).toString('base64url');

/** libtrust key ID as used by distribution's `kid` lookup. */
export function libtrustKeyId(publicKey) {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const sum = crypto.createHash('sha256').update(der).digest().subarray(0, 30);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, value = 0, s = '';
  for (const byte of sum) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      s += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) s += alphabet[(value << (5 - bits)) & 31];
  return s.match(/.{1,4}/g).join(':');
}

/** Parses "type:name:a,b" (the name may itself contain ':' only in odd cases; the last part is actions). */
export function parseScope(scope) {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last === first) return null;
  return {
    type: scope.slice(0, first),
    name: scope.slice(first + 1, last),
    actions: scope.slice(last + 1).split(',').filter(Boolean),
  };
}

/**
 * Starts the issuer. Returns { url, realm, service, issuer, certFile, keyId, user, password,
 * mint(access, opts), requests(), stop() }. `requests()` lists {user, scopes, granted} per
 * token request (for assertions).
 */
export async function startTokenIssuer({
  dir,
  port,
  service = 'test-registry',
  issuer = 'test-token-issuer',
  user = 'tokenuser',
  password = 'tokenpass',
  publicPrefix = 'public/',
  expiresIn = 300,
}) {
  requireTool('openssl', 'apt-get install -y openssl');
  fs.mkdirSync(dir, { recursive: true });
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyFile = path.join(dir, 'token-key.pem');
  const certFile = path.join(dir, 'token-cert.pem');
  fs.writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  execFileSync('openssl', ['req', '-x509', '-new', '-key', keyFile, '-out', certFile, '-days', '2',
    '-subj', '/CN=manifest-explorer test token issuer', '-sha256'], { stdio: 'pipe' });
  const certPem = fs.readFileSync(certFile, 'utf8');
  const certDerB64 = certPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const keyId = libtrustKeyId(publicKey);
  const log = [];

  /** Signs a token for `access` ([{type,name,actions}]); opts.header = 'both'|'x5c'|'kid'. */
  function mint(access, { subject = '', header = 'both', ttl = expiresIn, audience = service } = {}) {
    const now = Math.floor(Date.now() / 1000);
    const h = { typ: 'JWT', alg: 'RS256' };
    if (header === 'both' || header === 'kid') h.kid = keyId;
    if (header === 'both' || header === 'x5c') h.x5c = [certDerB64];
    const claims = {
      iss: issuer,
      sub: subject,
      aud: audience,
      exp: now + ttl,
      nbf: now - 10,
      iat: now,
      jti: crypto.randomBytes(12).toString('hex'),
      access,
    };
    const input = `${b64url(JSON.stringify(h))}.${b64url(JSON.stringify(claims))}`;
    const sig = crypto.sign('sha256', Buffer.from(input), privateKey);
    return { token: `${input}.${b64url(sig)}`, issuedAt: new Date(now * 1000).toISOString() };
  }

  function grant(who, scopes) {
    const access = [];
    for (const s of scopes) {
      const p = parseScope(s);
      if (!p) continue;
      let actions = [];
      if (who) actions = p.actions;
      else if (p.type === 'repository' && p.name.startsWith(publicPrefix)) actions = p.actions.filter((a) => a === 'pull');
      if (actions.length) access.push({ type: p.type, name: p.name, actions });
    }
    return access;
  }

  function send(res, status, body, extra = {}) {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { ...CORS, 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...extra });
    res.end(text);
  }

  function handleToken(res, params, authHeader) {
    let who = null;
    if (params.username !== undefined || authHeader) {
      let u = params.username, p = params.password;
      if (authHeader) {
        const m = /^Basic\s+(.+)$/i.exec(authHeader);
        if (!m) return send(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'only Basic credentials are accepted here' }] });
        const dec = Buffer.from(m[1], 'base64').toString('utf8');
        const i = dec.indexOf(':');
        u = dec.slice(0, i);
        p = dec.slice(i + 1);
      }
      if (u !== user || p !== password) {
        log.push({ user: u, scopes: params.scopes, granted: null, rejected: true });
        return send(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'bad username or password' }] });
      }
      who = u;
    }
    if (params.service && params.service !== service) {
      return send(res, 400, { errors: [{ code: 'DENIED', message: `unknown service ${params.service}` }] });
    }
    const access = grant(who, params.scopes);
    log.push({ user: who, scopes: params.scopes, granted: access });
    const { token, issuedAt } = mint(access, { subject: who ?? '' });
    send(res, 200, { token, access_token: token, expires_in: expiresIn, issued_at: issuedAt });
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (req.method === 'OPTIONS') {
      res.writeHead(200, { ...CORS, 'Content-Length': '0' });
      return res.end();
    }
    if (url.pathname !== '/token') return send(res, 404, { errors: [{ code: 'NOT_FOUND', message: 'try /token' }] });
    if (req.method === 'GET') {
      return handleToken(res, { service: url.searchParams.get('service'), scopes: url.searchParams.getAll('scope') },
        req.headers.authorization);
    }
    if (req.method === 'POST') {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c) => { if (body.length < 65536) body += c; });
      req.on('end', () => {
        const f = new URLSearchParams(body);
        if (f.get('grant_type') !== 'password') {
          return send(res, 400, { error: 'unsupported_grant_type' });
        }
        handleToken(res, {
          service: f.get('service'),
          scopes: (f.get('scope') ?? '').split(' ').filter(Boolean),
          username: f.get('username') ?? '',
          password: f.get('password') ?? '',
        });
      });
      return;
    }
    send(res, 405, { errors: [{ code: 'UNSUPPORTED', message: 'method not allowed' }] });
  });
  server.keepAliveTimeout = 1000;
  const listenPort = port ?? (await freePort());
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${listenPort}`;
  return {
    url,
    realm: `${url}/token`,
    service,
    issuer,
    certFile,
    keyId,
    user,
    password,
    mint,
    requests: () => log.slice(),
    stop: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}
