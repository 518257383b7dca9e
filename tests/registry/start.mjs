// Starts the local test registries for Manifest Explorer (Debian's docker-registry 2.8.2 =
// distribution), all on free 127.0.0.1 ports, each waited for until `/v2/` answers:
//   open  : no auth; CORS via `http.headers`. `open.pagedUrl` is the same registry behind
//           cors-front.mjs with tags-list pagination emulated (2.8.2 ignores `n` on tags/list).
//   basic : `auth.htpasswd` (bcrypt, made with apache2-utils' `htpasswd -B`), behind
//           cors-front.mjs because 2.8.2 answers preflight OPTIONS with 401 (the front also
//           emulates tags-list pagination).
//   token : `auth.token` (realm = token-issuer.mjs, service, issuer, rootcertbundle), also
//           behind cors-front.mjs; anonymous pull on `public/*`, user/password for all.
// By default the three share one filesystem storage (`<dir>/storage`), so one
// `seed(open.url)` makes the content visible through all three (pass `sharedStorage: false`
// for separate storages). Config files, htpasswd, token key/cert and logs are in `dir`.
//
//   const r = await startRegistries({ dir });
//   r.open  = { url, pagedUrl, stop }
//   r.basic = { url, rawUrl, user, password, stop }            (rawUrl: the registry without the front)
//   r.token = { url, rawUrl, issuerUrl, realm, service, user, password, issuer: <token-issuer>, stop }
//   await r.stopAll();
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { freePort, requireTool, spawnLogged, waitForHttp } from './proc.mjs';
import { startCorsFront } from './cors-front.mjs';
import { startTokenIssuer } from './token-issuer.mjs';

export const REGISTRY_BIN = process.env.DOCKER_REGISTRY ?? '/usr/bin/docker-registry';

// One comma-joined value per header: the registry writes each list item as its own header
// line, and a proxy that copies headers one by one (the CORS front) keeps only the last line.
export const CORS_HEADERS = {
  'Access-Control-Allow-Origin': ['*'],
  'Access-Control-Allow-Methods': ['HEAD, GET, OPTIONS'],
  'Access-Control-Allow-Headers': ['Authorization, Accept'],
  'Access-Control-Expose-Headers': ['Docker-Content-Digest, WWW-Authenticate, Link, Content-Length'],
};

/** Starts one docker-registry with a generated config; returns { url, port, stop, logFile }. */
export async function startRegistry({ name, dir, storageDir, auth, port, cors = true, timeoutMs = 15000 }) {
  if (!fs.existsSync(REGISTRY_BIN)) {
    throw new Error(`${REGISTRY_BIN} not found (apt-get install -y docker-registry, or set DOCKER_REGISTRY)`);
  }
  fs.mkdirSync(dir, { recursive: true });
  fs.mkdirSync(storageDir, { recursive: true });
  const p = port ?? (await freePort());
  // JSON is valid YAML; distribution reads it with yaml.v2.
  const config = {
    version: 0.1,
    log: { level: 'info', formatter: 'text', fields: { instance: name } },
    storage: {
      filesystem: { rootdirectory: storageDir },
      maintenance: { uploadpurging: { enabled: false } },
    },
    // cors: false leaves distribution's default (no CORS headers), as most public registries.
    http: { addr: `127.0.0.1:${p}`, ...(cors ? { headers: CORS_HEADERS } : {}) },
  };
  if (auth) config.auth = auth;
  const configFile = path.join(dir, `${name}-config.yml`);
  fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
  const logFile = path.join(dir, `${name}.log`);
  const proc = spawnLogged(REGISTRY_BIN, ['serve', configFile], {
    logFile,
    env: { REGISTRY_HTTP_SECRET: crypto.randomBytes(16).toString('hex'), OTEL_TRACES_EXPORTER: 'none' },
  });
  const url = `http://127.0.0.1:${p}`;
  try {
    await waitForHttp(`${url}/v2/`, { child: proc.child, logFile, timeoutMs });
  } catch (e) {
    await proc.stop();
    throw e;
  }
  return { url, port: p, stop: proc.stop, logFile, configFile };
}

/** Writes a bcrypt htpasswd file (distribution 2.8 accepts only bcrypt entries). */
export function writeHtpasswd(file, user, password) {
  requireTool('htpasswd', 'install apache2-utils: apt-get install -y apache2-utils');
  // -B bcrypt, -b password from argv, -c create, -C cost (low: tests only).
  execFileSync('htpasswd', ['-B', '-b', '-c', '-C', '5', file, user, password], { stdio: 'pipe' });
}

export async function startRegistries({ dir, sharedStorage = true, timeoutMs = 15000 } = {}) {
  if (!dir) throw new Error('startRegistries({ dir }) needs a directory');
  fs.mkdirSync(dir, { recursive: true });
  const stops = [];
  const stopAll = async () => {
    const list = stops.splice(0).reverse();
    for (const s of list) {
      try { await s(); } catch {}
    }
  };
  const storage = (n) => path.join(dir, sharedStorage ? 'storage' : `storage-${n}`);
  try {
    // open
    const open = await startRegistry({ name: 'open', dir, storageDir: storage('open'), timeoutMs });
    stops.push(open.stop);
    const openPaged = await startCorsFront({ targetPort: open.port, paginateTags: true, answerPreflight: false });
    stops.push(openPaged.stop);

    // basic (htpasswd) + CORS front
    const user = 'testuser';
    const password = 'testpass-' + crypto.randomBytes(4).toString('hex');
    const htpasswdFile = path.join(dir, 'htpasswd');
    writeHtpasswd(htpasswdFile, user, password);
    const basicReg = await startRegistry({
      name: 'basic', dir, storageDir: storage('basic'), timeoutMs,
      auth: { htpasswd: { realm: 'manifest-explorer-test', path: htpasswdFile } },
    });
    stops.push(basicReg.stop);
    const basicFront = await startCorsFront({ targetPort: basicReg.port, paginateTags: true });
    stops.push(basicFront.stop);

    // token issuer + token registry + CORS front
    const issuer = await startTokenIssuer({ dir: path.join(dir, 'token-issuer') });
    stops.push(issuer.stop);
    const tokenReg = await startRegistry({
      name: 'token', dir, storageDir: storage('token'), timeoutMs,
      auth: {
        token: {
          realm: issuer.realm,
          service: issuer.service,
          issuer: issuer.issuer,
          rootcertbundle: issuer.certFile,
        },
      },
    });
    stops.push(tokenReg.stop);
    const tokenFront = await startCorsFront({ targetPort: tokenReg.port, paginateTags: true });
    stops.push(tokenFront.stop);

    const both = (a, b) => async () => { await a(); await b(); };
    return {
      dir,
      open: { url: open.url, pagedUrl: openPaged.url, stop: both(openPaged.stop, open.stop), logFile: open.logFile },
      basic: {
        url: basicFront.url, rawUrl: basicReg.url, user, password,
        stop: both(basicFront.stop, basicReg.stop), logFile: basicReg.logFile,
      },
      token: {
        url: tokenFront.url, rawUrl: tokenReg.url,
        issuerUrl: issuer.url, realm: issuer.realm, service: issuer.service,
        user: issuer.user, password: issuer.password, issuer,
        stop: both(tokenFront.stop, both(tokenReg.stop, issuer.stop)), logFile: tokenReg.logFile,
      },
      stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
