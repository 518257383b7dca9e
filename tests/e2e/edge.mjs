// End-to-end on the edge deployment: the release page served by the local edge worker
// (scripts/edge → deploy/worker/ under workerd) with its CSP in proxy mode (connect-src
// 'self', written by scripts/csp --proxy /proxy/), reading Debian's docker-registry with its
// DEFAULT config (no CORS headers, as most public registries) through the same-origin proxy.
// The page is opened without `proxy=`: the build's default (the proxy meta) must apply.
//   node tests/e2e/edge.mjs dist
// The harness fails a test on any securitypolicyviolation or console error.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run, assert, assertEq, fact } from './harness.mjs';
import { startRegistry, writeHtpasswd } from '../registry/start.mjs';
import { seed } from '../registry/seed.mjs';
import { seedLayers } from '../registry/layers.mjs';
import { startEdge } from '../proxy/engines.mjs';
import { startTopology } from '../proxy/upstreams.mjs';
import { lockDown } from '../../scripts/csp.mjs';

const dist = process.argv[2] ?? 'dist';
const outDir = 'test-output/e2e-edge';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'me-e2e-edge-'));

// The same build, locked down for a same-origin proxy (scripts/csp is idempotent).
const edgeDist = path.join(dir, 'dist');
fs.cpSync(dist, edgeDist, { recursive: true });
const policy = lockDown(edgeDist, { proxy: '/proxy/' });
assert(/connect-src 'self';/.test(policy.header), `proxy-mode policy: ${policy.header}`);

const stops = [];
try {
  const open = await startRegistry({ name: 'open', dir, storageDir: path.join(dir, 'storage'), cors: false });
  stops.push(open.stop);
  const user = 'edgeuser';
  const password = 'edge-secret-' + Math.random().toString(36).slice(2, 10);
  writeHtpasswd(path.join(dir, 'htpasswd'), user, password);
  const basic = await startRegistry({
    name: 'basic', dir, storageDir: path.join(dir, 'storage'), cors: false,
    auth: { htpasswd: { realm: 'edge-test', path: path.join(dir, 'htpasswd') } },
  });
  stops.push(basic.stop);
  const c = (await seed(open.url, { only: ['multiarch'] })).content.multiarch;
  const layered = (await seedLayers(open.url, { workDir: path.join(dir, 'layers') })).app;
  const noCors = await fetch(`${open.url}/v2/`);
  assertEq(noCors.headers.get('access-control-allow-origin'), null, 'the registry sends no CORS headers');
  // Docker-Hub-like: registry without CORS, token realm on 127.0.0.2, blobs redirected to 127.0.0.3.
  const hub = await startTopology();
  stops.push(hub.stop);
  const edge = await startEdge({ dist: edgeDist, allow: [open.url, basic.url, hub.registry.url, hub.auth.url, hub.cdn.url], dir: path.join(dir, 'edge') });
  stops.push(edge.stop);
  const openHost = new URL(open.url).host;
  const basicHost = new URL(basic.url).host;
  // No `proxy=`: the build's default proxy applies.
  const home = `${edge.url}/`;

  // Every request the page makes must stay on its own origin (the proxy), and no URL may
  // carry the password.
  const watch = (page) => {
    const urls = [];
    page.on('request', (r) => urls.push(r.url()));
    return urls;
  };
  async function inspect(page, reference) {
    await page.goto(home);
    await page.locator('#input').fill(reference);
    await page.locator('#inspect').click();
    await page.locator('[data-fact="kind"], [data-fact="registry-error"]').first().waitFor();
  }

  await run([
    ['served by the edge worker with its CSP header (proxy mode) and the meta policy', async (page) => {
      const res = await page.goto(home);
      const csp = res.headers()['content-security-policy'];
      assertEq(csp, policy.header, 'CSP header = scripts/csp policy');
      assertEq(res.headers()['x-content-type-options'], 'nosniff', 'nosniff');
      assertEq(await page.locator('meta[http-equiv="Content-Security-Policy"]').count(), 1, 'meta CSP');
      await page.locator('h1').waitFor();
    }],
    ['registry without CORS, by tag: index verified through /proxy/; a child by digest verified', async (page) => {
      const urls = watch(page);
      await inspect(page, `${openHost}/${c.repo}:${c.tag}`);
      assertEq(await fact(page, 'kind'), 'OCI image index', 'kind');
      assertEq(await fact(page, 'digest'), c.digest, 'digest');
      assertEq(await fact(page, 'verdict'), 'verified', 'verdict');
      const amd64 = c.manifests['linux/amd64'];
      await page.locator(`tr.image a[data-digest="${amd64.digest}"]`).click();
      await page.locator('[data-fact="kind"]').waitFor();
      assertEq(await fact(page, 'digest'), amd64.digest, 'child digest');
      assertEq(await fact(page, 'verdict'), 'verified', 'child verdict');
      const offOrigin = urls.filter((u) => !u.startsWith(edge.url));
      assertEq(JSON.stringify(offOrigin), '[]', 'requests off the page origin');
      assert(urls.some((u) => u.startsWith(`${edge.url}/proxy/${openHost}/v2/`)), 'registry reached through /proxy/');
      assert(!page.url().includes('proxy='), `the default proxy is not put in the URL: ${page.url()}`);
      await page.screenshot({ path: `${outDir}/by-tag.png`, fullPage: true });
    }],
    ['layers through the proxy: every blob downloaded by the worker, verified twice, merged', async (page) => {
      const urls = watch(page);
      await page.goto(`${home}?ref=${encodeURIComponent(`${openHost}/${layered.repo}:${layered.tag}`)}&view=fs`);
      await page.waitForFunction((n) => document.querySelectorAll('[data-diff-verdict="diff_id verified"]').length === n,
        layered.layers.length, { timeout: 60000 });
      assertEq(await page.locator('.image-layers [data-verdict="verified"]').count(), layered.layers.length, 'every layer verified');
      for (const l of layered.layers) {
        assert(urls.some((u) => u.startsWith(`${edge.url}/proxy/${openHost}/v2/${layered.repo}/blobs/${l.digest}`)), `blob ${l.digest} fetched through the proxy`);
      }
      assert(urls.every((u) => u.startsWith(edge.url) || u.startsWith('blob:')), `only the page's origin: ${urls.filter((u) => !u.startsWith(edge.url))}`);
    }],
    ['registry without CORS, by digest: verified', async (page) => {
      const amd64 = c.manifests['linux/arm64'] ?? Object.values(c.manifests)[1];
      await inspect(page, `${openHost}/${c.repo}@${amd64.digest}`);
      assertEq(await fact(page, 'digest'), amd64.digest, 'digest');
      assertEq(await fact(page, 'verdict'), 'verified', 'verdict');
    }],
    ['Docker-Hub-like topology: token realm on another host, blob redirected to a third: verified', async (page) => {
      const urls = watch(page);
      await inspect(page, `${hub.registry.host}/${hub.content.public.repo}:latest`);
      assertEq(await fact(page, 'digest'), hub.content.public.digest, 'digest');
      assertEq(await fact(page, 'verdict'), 'verified', 'verdict');
      await page.locator(`table.descriptors a[data-digest="${hub.content.config.digest}"]`).first().click();
      await page.locator('[data-fact="kind"]').waitFor();
      assertEq(await fact(page, 'kind'), 'OCI image config', 'config kind');
      assertEq(await fact(page, 'verdict'), 'verified', 'config verdict (blob through the CDN redirect)');
      assert(urls.some((u) => u.startsWith(`${edge.url}/proxy/${hub.auth.host}/token`)), 'token requested through the proxy, once');
      assert(!urls.some((u) => u.includes(`/proxy/${new URL(edge.url).host}/`)), 'realm not proxied twice');
      assertEq(hub.seen('cdn').filter((x) => x.headers.authorization).length, 0, 'Authorization at the CDN');
    }],
    ['the page says it uses the build\'s default proxy; going direct is kept in the URL, across a reload', async (page) => {
      await page.goto(home);
      await page.locator('.registry-settings summary').click();
      const mode = () => fact(page, 'proxy-mode');
      assert(/^Through the proxy \/proxy\/ \(this site's default\).*cannot fake content/.test(await mode()), await mode());
      await page.locator('#reg-proxy-direct').click();
      assert(/^Direct:/.test(await mode()), await mode());
      assert(new URL(page.url()).searchParams.get('proxy') === 'direct', page.url());
      await page.reload();
      assert(/^Direct:/.test(await mode()), `after a reload: ${await mode()}`);
      // Going home keeps the choice (the proxy is a setting of the session).
      await page.locator('a.home').click();
      assert(new URL(page.url()).searchParams.get('proxy') === 'direct', `after going home: ${page.url()}`);
      // Typing the default again makes it the default, and the URL says nothing.
      await page.locator('.registry-settings summary').click();
      await page.locator('#reg-proxy').fill('/proxy/');
      await page.locator('#reg-proxy-apply').click();
      assert(/\(this site's default\)/.test(await mode()), await mode());
      assert(!page.url().includes('proxy='), page.url());
      await page.locator('#reg-proxy').fill('https://px.example/p/');
      await page.locator('#reg-proxy-apply').click();
      assert(/^Through the proxy https:\/\/px\.example\/p\/ \(chosen by you\)/.test(await mode()), await mode());
      assert(new URL(page.url()).searchParams.get('proxy') === 'https://px.example/p/', page.url());
    }],
    ['credentials: after log-in and log-out no storage holds them, and no URL ever did', async (page) => {
      const urls = watch(page);
      await inspect(page, `${basicHost}/${c.repo}:${c.tag}`);
      assert(/username and password/.test(await fact(page, 'registry-error')), 'asks for credentials');
      await page.locator('.registry-settings summary').click();
      await page.locator('#reg-user').fill(user);
      await page.locator('#reg-secret').fill(password);
      await page.locator('#reg-login').click();
      await page.locator('[data-fact="verdict"]').waitFor();
      assertEq(await fact(page, 'verdict'), 'verified', 'verdict after login');
      await page.locator('#reg-logout').click();
      const secrets = [password, Buffer.from(`${user}:${password}`).toString('base64')];
      const stored = await page.evaluate(async () => {
        const out = { local: JSON.stringify({ ...localStorage }), session: JSON.stringify({ ...sessionStorage }), cookie: document.cookie, idb: [], caches: [] };
        for (const db of await indexedDB.databases()) {
          const conn = await new Promise((res, rej) => { const r = indexedDB.open(db.name); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
          for (const name of conn.objectStoreNames) {
            const all = await new Promise((res) => { const r = conn.transaction(name).objectStore(name).getAll(); r.onsuccess = () => res(r.result); r.onerror = () => res([]); });
            out.idb.push(JSON.stringify(all));
          }
          conn.close();
        }
        for (const key of await caches.keys()) {
          const cache = await caches.open(key);
          for (const req of await cache.keys()) out.caches.push(req.url + ' ' + (await (await cache.match(req)).text()));
        }
        return out;
      });
      const cookies = JSON.stringify(await page.context().cookies());
      const everything = JSON.stringify(stored) + cookies + urls.join('\n') + page.url();
      for (const s of secrets) assert(!everything.includes(s), 'a credential was found in storage, cookies or a URL');
      return `${urls.length} requests, ${stored.idb.length} IndexedDB stores, ${stored.caches.length} cache entries checked`;
    }],
  ], {
    outDir,
    // 401: the Basic challenge before the login; 404: distribution 2.8.2 has no referrers API
    // (the client falls back to the sha256-<hex> tag), as in tests/e2e/registry.mjs.
    allowConsole: [/^Failed to load resource: the server responded with a status of (401|404)/],
  });
} finally {
  for (const s of stops.reverse()) await s().catch(() => {});
  fs.rmSync(dir, { recursive: true, force: true });
}
