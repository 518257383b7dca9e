// A tiny end-to-end harness: serves a built dist/ under a sub-path from a loopback HTTP
// server, drives Debian's Chromium with playwright-core, and reports "N passed, N failed".
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.json': 'application/json',
};

/** The `/*` headers of `dir/_headers` (scripts/csp: the CSP and the rest), as a static host sends them. */
function hostHeaders(root) {
  const file = path.join(root, '_headers');
  if (!fs.existsSync(file)) return {};
  const block = /^\/\*\n((?:[ \t]+.+\n)*)/m.exec(fs.readFileSync(file, 'utf8'))?.[1] ?? '';
  return Object.fromEntries(block.split('\n').filter(Boolean).map((l) => l.trim().split(/:\s*(.*)/s).slice(0, 2)));
}

/** Serves `dir` at `prefix` (e.g. "/explorer/") on 127.0.0.1, with its _headers; resolves to { url, close }. */
export function serveDist(dir, prefix) {
  const root = path.resolve(dir);
  const headers = hostHeaders(root);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (!url.pathname.startsWith(prefix)) {
      res.writeHead(404).end('outside the app prefix');
      return;
    }
    let rel = decodeURIComponent(url.pathname.slice(prefix.length)) || 'index.html';
    const file = path.resolve(root, rel);
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ url: `http://127.0.0.1:${port}${prefix}`, close: () => server.close() });
    });
  });
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** The binaries (`worker`, `archiveworker`) of the Web Workers the page runs, sorted, read from
 * their content-hashed script names (scripts/trunk-post-build). */
export function workerBinaries(page) {
  return page.workers().map((w) => /\/([a-z]+)-[0-9a-f]{16}\.js$/.exec(new URL(w.url()).pathname)?.[1] ?? w.url()).sort();
}

/** Runs named async tests in order, each with a fresh page; prints a summary; sets exit code. */
export async function run(tests, { outDir, allowConsole = [] }) {
  fs.mkdirSync(outDir, { recursive: true });
  const browser = await launchBrowser();
  let passed = 0;
  let failed = 0;
  for (const [name, test] of tests) {
    const context = await browser.newContext();
    // Tests may only reach this machine: a request to any other host (a reference typed in a
    // test names docker.io, say) is refused here, before any DNS lookup, as a browser refuses a
    // registry without CORS headers.
    await context.route(() => true, (route) => {
      const { hostname } = new URL(route.request().url());
      if (['127.0.0.1', 'localhost', '[::1]'].includes(hostname)) return route.continue();
      return route.abort('blockedbyclient');
    });
    // Every test runs under the page's CSP: any violation (a blocked script, style, fetch,
    // worker or image) fails the test.
    const errors = [];
    await context.exposeBinding('__cspViolation', (_source, v) => errors.push(`CSP violation: ${v}`));
    await context.addInitScript(() => addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolation(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
    }));
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => {
      const expected = m.text().includes('ERR_BLOCKED_BY_CLIENT') || allowConsole.some((re) => re.test(m.text()));
      if (m.type() === 'error' && !expected) errors.push(m.text());
    });
    const started = Date.now();
    try {
      await test(page);
      if (errors.length) throw new Error(`console errors: ${errors.join(' | ')}`);
      passed++;
      console.log(`ok   ${name} (${Date.now() - started} ms)`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${name}\n     ${String(e.stack ?? e).split('\n').slice(0, 6).join('\n     ')}`);
      await page.screenshot({ path: path.join(outDir, `FAILED-${name.replace(/\W+/g, '_')}.png`) }).catch(() => {});
    }
    await context.close();
  }
  await browser.close();
  console.log(`e2e: ${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

export function assert(cond, message) {
  if (!cond) throw new Error(message);
}

export function assertEq(actual, expected, what) {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

/** The trimmed text of the first `[data-fact=name]` element. */
export const fact = async (page, name) => (await page.locator(`[data-fact="${name}"]`).first().textContent()).trim();

/** Every path of the file listing on screen, all pages (the root row, path '', left out). */
export async function listedPaths(page) {
  await page.locator('[data-fact="listing-range"]').waitFor({ timeout: 30000 });
  const paths = [];
  for (;;) {
    paths.push(...(await page.locator('table.files tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.path))));
    const next = page.locator('#rows-next');
    if (await next.isDisabled()) break;
    const before = await fact(page, 'listing-range');
    await next.click();
    await page.waitForFunction((b) => document.querySelector('[data-fact="listing-range"]').textContent !== b, before);
  }
  return paths.filter((p) => p !== '');
}

/**
 * Console errors that Debian's docker-registry (distribution 2.8.2) causes by design, for
 * `run`'s `allowConsole`: a missing tag is a 404 the browser logs, and there is no referrers
 * API, whose 404 comes without CORS headers (the client falls back to the tag schema).
 */
export const REGISTRY_404S = [
  /^Failed to load resource: the server responded with a status of 404/,
  /\/referrers\/sha256:[0-9a-f]{64}' from origin '[^']+' has been blocked by CORS policy/,
  /^Failed to load resource: net::ERR_FAILED$/,
];

/**
 * An init script (`context.addInitScript(observeLongTasks)`): every main-thread long task as
 * `[startTime, duration]` in `window.__lt`, from before any page script runs.
 */
export function observeLongTasks() {
  window.__lt = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__lt.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  } catch {}
}
