// End-to-end tests of the signatures panel (`view=sigs`) against Debian's docker-registry on
// 127.0.0.1: cosign-style `.sig` tags made by tests/registry/signatures.mjs with a key
// generated for this run, verified in the page through WebCrypto. Expected fingerprints and
// digests come from Node's crypto, never from the app.
// `node tests/e2e/signatures.mjs dist`
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serveDist, run, assert, assertEq } from './harness.mjs';
import { startRegistry } from '../registry/start.mjs';
import { seedSignatures } from '../registry/signatures.mjs';

const dist = process.argv[2] ?? 'dist';
const outDir = 'test-output/e2e-signatures';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'me-sigs-'));
const storageDir = path.join(dir, 'storage');

const reg = await startRegistry({ name: 'sigs', dir, storageDir });
let site;
try {
  const s = await seedSignatures(reg.url, { workDir: path.join(dir, 'work') });
  site = await serveDist(dist, '/explorer/');
  const url = (img) => `${site.url}?ref=${encodeURIComponent(`${s.host}/${img.repo}:${img.tag}`)}&view=sigs`;
  const rows = (page) => page.locator('.sig-rows > li');
  const sentence = async (page) => (await page.locator('.sig-rows > li .verdict-sentence').first().textContent()).trim();

  async function open(page, img) {
    await page.goto(url(img));
    await page.locator('.sig-rows > li, [data-fact="no-signatures"], [data-fact="sigs-error"]').first().waitFor({ timeout: 30000 });
    assertEq((await page.locator('[data-fact="sig-image"]').textContent()).trim(), img.digest, 'the image digest the page computed');
  }
  /** Pastes a key (or clears it) and waits for the first row to show `verdict`. */
  async function useKey(page, pem, verdict) {
    await page.locator('#sig-key').fill(pem);
    await page.locator('#sig-key').dispatchEvent('change');
    await page.waitForFunction((v) => document.querySelector('.sig-rows > li')?.dataset.verdict === v, verdict, { timeout: 30000 });
  }

  await run([
    ['without a key: not verifiable, needs the signer\'s public key', async (page) => {
      await open(page, s.signed);
      assertEq(await rows(page).count(), 1, 'one signature row');
      assertEq(await rows(page).first().getAttribute('data-verdict'), 'not-verifiable', 'verdict');
      assert((await sentence(page)).includes("needs the signer's public key"), `sentence: ${await sentence(page)}`);
      assertEq((await page.locator('.sig-rows .claims').first().textContent()).trim(), s.signed.digest, 'claimed subject');
      await page.screenshot({ path: `${outDir}/no-key.png`, fullPage: true });
    }],
    ['the right key: valid, names the key fingerprint and this image', async (page) => {
      await open(page, s.signed);
      await useKey(page, s.key.pem, 'valid');
      const text = await sentence(page);
      assert(text.includes(s.key.fingerprint), `fingerprint ${s.key.fingerprint} in: ${text}`);
      assert(text.includes(`signs ${s.signed.digest} (this image)`), `binding in: ${text}`);
      assert(text.includes('ECDSA P-256'), `algorithm in: ${text}`);
      await page.locator('.sig-rows details.checks summary').first().click();
      assert(await page.locator('.sig-rows details.checks li[data-outcome="passed"]').count() >= 2, 'passed checks listed');
      assertEq(await page.locator('.sig-rows details.checks li[data-outcome="failed"]').count(), 0, 'no failed check');
      await page.screenshot({ path: `${outDir}/valid.png`, fullPage: true });
    }],
    ['another key: invalid', async (page) => {
      await open(page, s.signed);
      await useKey(page, s.otherKey.pem, 'invalid');
      const text = await sentence(page);
      assert(!text.includes(s.key.fingerprint), `the signer's fingerprint is not claimed: ${text}`);
      await page.screenshot({ path: `${outDir}/other-key.png`, fullPage: true });
    }],
    ['a signature copied to another image: signs the other digest, not this image', async (page) => {
      await open(page, s.copied);
      // The binding fails before any key is considered: no key is needed for this verdict.
      assertEq(await rows(page).first().getAttribute('data-verdict'), 'invalid', 'verdict');
      const text = await sentence(page);
      assertEq(text, `signs ${s.signed.digest}, not this image (${s.copied.digest})`, 'binding mismatch sentence');
      assertEq((await page.locator('.sig-rows .claims').first().textContent()).trim(), s.signed.digest, 'claimed subject is the other image');
      await page.screenshot({ path: `${outDir}/copied.png`, fullPage: true });
    }],
    ['a forged certificate annotation: its identity only inside the unverified disclosure', async (page) => {
      await open(page, s.forged);
      assert((await rows(page).first().getAttribute('data-verdict')) !== 'valid', 'not valid');
      const cert = page.locator('.sig-rows details.unverified-cert');
      assertEq(await cert.count(), 1, 'one unverified certificate disclosure');
      assertEq((await cert.locator('summary').textContent()).trim(), 'unverified certificate contents', 'disclosure label');
      assert((await cert.textContent()).includes(s.forgedIdentity), 'the claimed identity is in the disclosure');
      const outside = await page.evaluate(() => {
        const copy = document.querySelector('.signatures').cloneNode(true);
        copy.querySelectorAll('details.unverified-cert').forEach((d) => d.remove());
        return copy.textContent;
      });
      assert(!outside.includes(s.forgedIdentity), `identity shown outside the disclosure: ${outside}`);
      assert(!outside.includes('forged.example'), 'no part of the forged identity outside the disclosure');
      await cert.locator('summary').click();
      await page.screenshot({ path: `${outDir}/forged-certificate.png`, fullPage: true });
    }],
    ['an image with no signature says so; the manifest page links to the panel', async (page) => {
      await page.goto(`${site.url}?ref=${encodeURIComponent(`${s.host}/${s.plain.repo}:${s.plain.tag}`)}`);
      await page.locator('#browse-sigs').click();
      await page.locator('[data-fact="no-signatures"]').waitFor({ timeout: 30000 });
      assert(page.url().includes('view=sigs'), `view=sigs in the URL: ${page.url()}`);
      assertEq((await page.locator('[data-fact="sig-image"]').textContent()).trim(), s.plain.digest, 'image digest');
    }],
  ], {
    outDir,
    // A missing .sig / .att tag is a 404 the browser logs; distribution 2.8.2 has no referrers
    // API and answers its 404 without CORS headers (the client falls back to the tag schema).
    allowConsole: [
      /^Failed to load resource: the server responded with a status of 404/,
      /\/referrers\/sha256:[0-9a-f]{64}' from origin '[^']+' has been blocked by CORS policy/,
      /^Failed to load resource: net::ERR_FAILED$/,
    ],
  });
} finally {
  site?.close();
  await reg.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
