// End-to-end tests of the release build: `node tests/e2e/run.mjs dist`.
import crypto from 'node:crypto';
import { serveDist, run, assert, assertEq, fact } from './harness.mjs';
import { expectations, tampered, indexFile, manifestAmd64, fileOf } from './samples.mjs';

const dist = process.argv[2] ?? 'dist';
const outDir = 'test-output/e2e';
// A sub-path, so relative asset URLs and permalinks are exercised the way a real host sees them.
const server = await serveDist(dist, '/tools/explorer/');

const sha256 = (text) => 'sha256:' + crypto.createHash('sha256').update(text, 'utf8').digest('hex');
// textContent, not innerText: CSS text-transform must not change what is asserted.

const manifest = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: {
    mediaType: 'application/vnd.oci.image.config.v1+json',
    digest: 'sha256:' + 'a'.repeat(64),
    size: 1234,
  },
  layers: [
    { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: 'sha256:' + 'b'.repeat(64), size: 5678 },
  ],
}, null, 2);

async function open(page) {
  await page.goto(server.url);
  await page.locator('h1').waitFor();
}

async function inspect(page, text) {
  await page.locator('#input').fill(text);
  await page.locator('#inspect').click();
}

await run([
  ['page mounts from a sub-path', async (page) => {
    await open(page);
    assertEq(await page.locator('h1').innerText(), 'Manifest Explorer', 'heading');
    await page.screenshot({ path: `${outDir}/mounted.png` });
  }],
  ['pasted manifest is inspected and hashed over its exact bytes', async (page) => {
    await open(page);
    await inspect(page, manifest);
    assertEq(await fact(page, 'kind'), 'OCI image manifest', 'kind');
    assertEq(await fact(page, 'digest'), sha256(manifest), 'digest (computed independently by node)');
    await page.screenshot({ path: `${outDir}/inspected.png`, fullPage: true });
  }],
  ['ambiguous document is flagged as an error', async (page) => {
    await open(page);
    const ambiguous = JSON.stringify({ ...JSON.parse(manifest), manifests: [] });
    await inspect(page, ambiguous);
    const findings = await page.locator('[data-severity="error"]').allInnerTexts();
    assert(findings.some((f) => /ambiguous|CVE-2021-41190/i.test(f)), `findings: ${findings.join(' / ')}`);
  }],
  ['typed reference is normalised like docker pull', async (page) => {
    await open(page);
    await inspect(page, 'ubuntu');
    assertEq(await fact(page, 'canonical'), 'docker.io/library/ubuntu:latest', 'canonical');
    assertEq(await fact(page, 'registry'), 'docker.io', 'registry');
    assertEq(await fact(page, 'repository'), 'library/ubuntu', 'repository');
    assertEq(await fact(page, 'tag'), 'latest', 'tag');
    // docker.io sends no CORS headers (here: every non-local request is refused); the page
    // must say what a registry has to send, not fail silently.
    const error = await fact(page, 'registry-error');
    assert(/cross-origin/.test(error) && /Docker-Content-Digest/.test(error), `error: ${error}`);
    assert(await page.locator('.notice.error', { hasText: 'proxy' }).count() === 1, 'suggests the proxy mode');
  }],
  ['invalid reference names the offending character', async (page) => {
    await open(page);
    await inspect(page, 'ubuntu:Bad$Tag');
    const error = await page.locator('[role="alert"]').innerText();
    assert(/\$/.test(error) && /byte 10/.test(error), `error: ${error}`);
  }],
  ...expectations().map((e) => [`sample ${e.id}: kind, digest, verdict and facts`, async (page) => {
    await page.goto(`${server.url}?sample=${e.id}`);
    await page.locator('[data-fact="kind"]').waitFor();
    assertEq(await fact(page, 'kind'), e.kind, 'kind');
    assertEq(await fact(page, 'digest'), e.digest, 'digest');
    assertEq(await fact(page, 'verdict'), e.verdict, 'verdict');
    for (const [name, value] of Object.entries(e.facts)) {
      assertEq(await fact(page, name), value, name);
    }
    if (e.platforms) {
      const shown = await page.locator('tr.image [data-fact="platform"]').allInnerTexts();
      assertEq(JSON.stringify(shown.map((t) => t.trim())), JSON.stringify(e.platforms), 'platforms');
      const unknown = await page.locator('text=unknown/unknown').count();
      assertEq(unknown, 0, 'attestations must not be shown as unknown/unknown platforms');
    }
    await page.screenshot({ path: `${outDir}/sample-${e.id}.png`, fullPage: true });
  }]),
  ['tampered sample is a loud mismatch showing both digests', async (page) => {
    await page.goto(`${server.url}?sample=tampered`);
    assertEq(await fact(page, 'verdict'), 'mismatch', 'verdict');
    assertEq(await fact(page, 'expected-digest'), tampered.claimed, 'expected digest');
    assertEq(await fact(page, 'actual-digest'), tampered.actual, 'actual digest');
    assert(await page.locator('.verdict[role="alert"]').isVisible(), 'mismatch is an alert');
    assertEq(await page.locator('[data-verdict="verified"]').count(), 0, 'nothing may be shown as verified');
    await page.screenshot({ path: `${outDir}/mismatch.png` });
  }],
  ['pasted document with a wrong expected digest is a mismatch', async (page) => {
    await open(page);
    await page.locator('#input').fill(manifest);
    await page.locator('#expect').fill('sha256:' + '0'.repeat(64));
    await page.locator('#inspect').click();
    assertEq(await fact(page, 'verdict'), 'mismatch', 'verdict');
    assertEq(await fact(page, 'actual-digest'), sha256(manifest), 'actual digest');
  }],
  ['navigate index → manifest → config by digest links, then back and forward', async (page) => {
    const index = indexFile();
    const amd64 = index.manifests[0].digest;
    const config = manifestAmd64().config.digest;
    await page.goto(`${server.url}?sample=oci-index`);
    await page.locator(`tr.image a[data-digest="${amd64}"]`).click();
    assertEq(await fact(page, 'kind'), 'OCI image manifest', 'child kind');
    assertEq(await fact(page, 'digest'), amd64, 'child digest');
    assertEq(await fact(page, 'verdict'), 'verified', 'child verdict');
    assert(page.url().includes(`at=${amd64}`), `URL holds the selection: ${page.url()}`);
    await page.locator(`table.descriptors a[data-digest="${config}"]`).first().click();
    assertEq(await fact(page, 'kind'), 'OCI image config', 'config kind');
    assertEq(await fact(page, 'verdict'), 'verified', 'config verdict');
    // History steps are tied to the manifest's layers, with sizes.
    const sizes = await page.locator('table.history td.num .size').count();
    assertEq(sizes, manifestAmd64().layers.length, 'history steps with a layer size');
    await page.goBack();
    assertEq(await fact(page, 'digest'), amd64, 'back to the manifest');
    await page.goBack();
    assertEq(await fact(page, 'kind'), 'OCI image index', 'back to the index');
    await page.goForward();
    assertEq(await fact(page, 'digest'), amd64, 'forward to the manifest');
  }],
  ['permalink reload restores the view, including the raw tab', async (page) => {
    await page.goto(`${server.url}?sample=oci-manifest`);
    await page.locator('[role="tab"]', { hasText: 'Raw' }).click();
    assert(page.url().includes('view=raw'), `URL: ${page.url()}`);
    await page.reload();
    assertEq(await page.locator('[role="tab"][aria-selected="true"]').innerText(), 'Raw', 'selected tab');
    const links = await page.locator('pre.raw a[data-digest]').count();
    assertEq(links, 1 + manifestAmd64().layers.length, 'every digest in the raw view is a link');
    // A pasted document survives a reload too.
    await open(page);
    await inspect(page, manifest);
    await page.reload();
    assertEq(await fact(page, 'digest'), sha256(manifest), 'digest after reload');
    // A typed reference as well.
    await inspect(page, 'alpine@sha256:' + 'c'.repeat(64));
    await page.reload();
    assertEq(await fact(page, 'pull-by-digest'), 'docker.io/library/alpine@sha256:' + 'c'.repeat(64), 'pull by digest');
  }],
  ['a finding links to its place in the raw view', async (page) => {
    await open(page);
    const bad = JSON.stringify({ ...JSON.parse(manifest), layers: [{ ...JSON.parse(manifest).layers[0], size: -1 }] }, null, 2);
    await inspect(page, bad);
    await page.locator('[data-severity="error"] button.pointer', { hasText: '/layers/0/size' }).click();
    const target = page.locator('pre.raw [data-target]');
    await target.first().waitFor();
    assertEq(await target.first().getAttribute('data-pointer'), '/layers/0/size', 'scrolled-to pointer');
  }],
  ['annotation values are text; only http(s) values become links', async (page) => {
    await page.goto(`${server.url}?sample=oci-manifest`);
    await page.locator('.annotations').first().waitFor(); // evaluateAll does not wait for render
    const hrefs = await page.locator('.annotations a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert(hrefs.length > 0 && hrefs.every((h) => /^https?:\/\//.test(h)), `hrefs: ${hrefs}`);
    assert(await page.locator('.annotations td', { hasText: 'javascript:alert' }).count() === 1, 'javascript: value shown as text');
    assertEq(await page.locator('a[href^="javascript:"]').count(), 0, 'no javascript: links');
  }],
  ['an object not in the store says so', async (page) => {
    const layer = manifestAmd64().layers[0].digest;
    assert(!fileOf(layer), 'layers are not shipped');
    await page.goto(`${server.url}?sample=oci-manifest&at=${layer}`);
    assertEq(await fact(page, 'missing-digest'), layer, 'missing digest');
  }],
  ['phone width: no horizontal page scroll, screenshots', async (page) => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const id of ['oci-index', 'config']) {
      await page.goto(`${server.url}?sample=${id}`);
      await page.locator('[data-fact="kind"]').waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert(overflow <= 0, `${id}: page is ${overflow}px wider than the phone`);
      await page.screenshot({ path: `${outDir}/phone-${id}.png`, fullPage: true });
    }
  }],
  ['keyboard: Ctrl+Enter inspects; controls are labelled', async (page) => {
    await open(page);
    await page.locator('#input').focus();
    await page.keyboard.type('ubuntu');
    await page.keyboard.press('Control+Enter');
    assertEq(await fact(page, 'canonical'), 'docker.io/library/ubuntu:latest', 'canonical');
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, textarea')]
      .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')).map((el) => el.id));
    assertEq(JSON.stringify(unlabelled), '[]', 'unlabelled controls');
  }],
], { outDir });
server.close();
