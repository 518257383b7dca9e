// End-to-end tests of the release build: `node tests/e2e/run.mjs dist`.
import crypto from 'node:crypto';
import { serveDist, run, assert, assertEq } from './harness.mjs';

const dist = process.argv[2] ?? 'dist';
const outDir = 'test-output/e2e';
// A sub-path, so relative asset URLs and permalinks are exercised the way a real host sees them.
const server = await serveDist(dist, '/tools/explorer/');

const sha256 = (text) => 'sha256:' + crypto.createHash('sha256').update(text, 'utf8').digest('hex');
const fact = (page, name) => page.locator(`[data-fact="${name}"]`).first().innerText();

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
  }],
  ['invalid reference names the offending character', async (page) => {
    await open(page);
    await inspect(page, 'ubuntu:Bad$Tag');
    const error = await page.locator('[role="alert"]').innerText();
    assert(/\$/.test(error) && /byte 10/.test(error), `error: ${error}`);
  }],
], { outDir });
server.close();
