// End-to-end tests of the signatures panel (`view=sigs`) against Debian's docker-registry on
// 127.0.0.1: cosign-style `.sig` and `.att` tags and Sigstore bundle referrers made by
// tests/registry/signatures.mjs with a key generated for this run; a keyless bundle from a test
// Sigstore instance, a Notation JWS by a test CA (both from `cargo run --example sig_fixtures`),
// and unsigned BuildKit attestations in an index; verified in the page through WebCrypto.
// Expected fingerprints and digests come from Node's crypto and the fixtures' own inputs,
// never from the app.
// `node tests/e2e/signatures.mjs dist`
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serveDist, run, assert, assertEq, REGISTRY_404S } from './harness.mjs';
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

  /** Fills a field and fires its change event. */
  async function fill(page, selector, text) {
    await page.locator(selector).fill(text);
    await page.locator(selector).dispatchEvent('change');
  }
  /** The first row whose origin names `from`, once its verdict is `verdict`. */
  async function rowFrom(page, from, verdict) {
    await page.waitForFunction(([f, v]) => [...document.querySelectorAll('.sig-rows > li')]
      .some((li) => li.textContent.includes(f) && li.dataset.verdict === v), [from, verdict], { timeout: 30000 });
    return rows(page).filter({ hasText: from }).first();
  }
  const text = async (loc) => (await loc.textContent()).trim();
  const utc = (seconds) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
  const k = s.keyless.fixture;
  const signedBy = `Signed by ${k.san} (issuer ${k.issuer}), certificate from the certificate authority ${k.ca}, logged in Rekor entry #${k.logIndex} at ${utc(k.integratedTime)} — signs this image`;

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
    ['a cosign .att (DSSE in-toto): needs the key, valid with it, invalid with another', async (page) => {
      await open(page, s.attested);
      assertEq(await rows(page).count(), 1, 'one attestation row');
      assert((await sentence(page)).includes("needs the signer's public key"), `sentence: ${await sentence(page)}`);
      assertEq(await text(page.locator('.sig-rows .claims').first()), s.attested.digest, 'the in-toto subject');
      await useKey(page, s.key.pem, 'valid');
      const valid = await sentence(page);
      assert(valid.includes(s.key.fingerprint) && valid.includes(`signs ${s.attested.digest} (this image)`), `valid sentence: ${valid}`);
      assert((await text(rows(page).first())).includes(`tag ${s.attested.digest.replace(':', '-')}.att`), 'origin names the .att tag');
      await page.screenshot({ path: `${outDir}/att-valid.png`, fullPage: true });
      await useKey(page, s.otherKey.pem, 'invalid');
      assert(!(await sentence(page)).includes(s.key.fingerprint), 'the signer is not claimed');
    }],
    ['a cosign .att whose statement names another image: binding mismatch before any key', async (page) => {
      await open(page, s.attOther);
      assertEq(await rows(page).first().getAttribute('data-verdict'), 'invalid', 'verdict');
      assertEq(await sentence(page), `signs ${s.attested.digest}, not this image (${s.attOther.digest})`, 'binding sentence');
      await useKey(page, s.key.pem, 'invalid');
      assertEq(await sentence(page), `signs ${s.attested.digest}, not this image (${s.attOther.digest})`, 'binding sentence with the right key');
    }],
    ['a Sigstore bundle v0.3 referrer with a public-key hint: valid with the key, invalid with another', async (page) => {
      await open(page, s.bundled);
      const row = await rowFrom(page, `referrer ${s.bundled.referrer}`, 'not-verifiable');
      assert((await text(row.locator('.verdict-sentence'))).includes("needs the signer's public key"), 'needs the key');
      await useKey(page, s.key.pem, 'valid');
      const valid = await sentence(page);
      assertEq(valid, `Signature valid for key ${s.key.fingerprint} (ECDSA P-256, key you supplied) — signs ${s.bundled.digest} (this image)`, 'valid sentence');
      await page.locator('.sig-rows details.checks summary').first().click();
      assert((await text(page.locator('.sig-rows details.checks').first())).includes('transparency log'), 'the check list says what about the log');
      await page.screenshot({ path: `${outDir}/bundle-valid.png`, fullPage: true });
      await useKey(page, s.otherKey.pem, 'invalid');
    }],
    ['keyless bundle without its trust root: not from a trusted Sigstore instance', async (page) => {
      await open(page, s.keyless);
      const row = await rowFrom(page, `referrer ${s.keyless.referrer}`, 'not-verifiable');
      assertEq(await text(row.locator('.verdict-sentence')), 'certificate not from a trusted Sigstore instance (trust root dated 2026-08-21)', 'sentence');
      assert((await text(page.locator('[data-fact="trust-root"]'))).startsWith('Sigstore public-good'), 'the public-good root is in force');
      assert((await text(page.locator('[data-fact="trust-root"]'))).includes('2026-08-21'), 'with its date');
      // The SAN is only in the disclosure.
      const outside = await page.evaluate(() => {
        const copy = document.querySelector('.signatures').cloneNode(true);
        copy.querySelectorAll('details.unverified-cert, textarea, input').forEach((d) => d.remove());
        return copy.textContent;
      });
      assert(!outside.includes(k.san), 'identity of an unverified certificate shown outside the disclosure');
    }],
    ['keyless bundle with the pasted trust root: signed by, matches, does not match', async (page) => {
      await open(page, s.keyless);
      await page.locator('details.trust-fields summary').click();
      await fill(page, '#sig-trust-root', k.trustedRoot);
      await page.waitForFunction(() => document.querySelector('[data-fact="trust-root"]')?.textContent.startsWith('pasted'), null, { timeout: 30000 });
      assertEq(await text(page.locator('[data-fact="trust-root"]')), `pasted, ${k.certificateAuthorities} CAs / ${k.tlogs} logs`, 'root in force');
      let row = await rowFrom(page, `referrer ${s.keyless.referrer}`, 'valid');
      assertEq(await text(row.locator('.verdict-sentence')), signedBy, 'signed-by sentence');
      assert((await text(row)).includes('Anyone can obtain a Sigstore certificate'), 'reminder without an expected identity');
      await fill(page, '#sig-issuer', k.issuer);
      await fill(page, '#sig-identity', k.san);
      await page.waitForFunction(() => document.querySelector('.sig-rows > li')?.textContent.includes('Matches the expected identity'), null, { timeout: 30000 });
      row = await rowFrom(page, `referrer ${s.keyless.referrer}`, 'valid');
      assert((await text(row)).includes(`Matches the expected identity ${k.san} (issuer ${k.issuer})`), `matches: ${await text(row)}`);
      assert(!(await text(row)).includes('Anyone can obtain'), 'no reminder once matched');
      await page.screenshot({ path: `${outDir}/keyless-matches.png`, fullPage: true });
      await fill(page, '#sig-identity', 'someone-else@example.com');
      row = await rowFrom(page, `referrer ${s.keyless.referrer}`, 'invalid');
      assertEq(await text(row.locator('.verdict-sentence')), `Signed by ${k.san} (issuer ${k.issuer}), not by the expected someone-else@example.com (issuer ${k.issuer})`, 'does not match');
      await page.screenshot({ path: `${outDir}/keyless-does-not-match.png`, fullPage: true });
    }],
    ['the pasted trust root stays for the session; a broken one is an error', async (page) => {
      await open(page, s.keyless);
      await page.locator('details.trust-fields summary').click();
      await fill(page, '#sig-trust-root', k.trustedRoot);
      await rowFrom(page, `referrer ${s.keyless.referrer}`, 'valid');
      // Another image through the page's own navigation (manifest page, then its sigs link).
      await page.evaluate((u) => { history.pushState(null, '', u); dispatchEvent(new PopStateEvent('popstate')); }, url(s.plain));
      await page.locator('[data-fact="no-signatures"]').waitFor({ timeout: 30000 });
      assert((await text(page.locator('[data-fact="trust-root"]'))).startsWith('pasted'), 'still the pasted root');
      await fill(page, '#sig-trust-root', '{"mediaType": "nope"}');
      await page.locator('[data-fact="sigs-error"]').waitFor({ timeout: 30000 });
      assert((await text(page.locator('[data-fact="sigs-error"]'))).includes('mediaType'), 'names the problem');
    }],
    ['a trust root opened from a file', async (page) => {
      await open(page, s.keyless);
      await page.locator('details.trust-fields summary').click();
      await page.locator('#sig-trust-root-file').setInputFiles({ name: 'trusted_root.json', mimeType: 'application/json', buffer: Buffer.from(k.trustedRoot) });
      const row = await rowFrom(page, `referrer ${s.keyless.referrer}`, 'valid');
      assertEq(await text(row.locator('.verdict-sentence')), signedBy, 'signed-by sentence');
    }],
    ['Notation JWS referrer: intact but untrusted without a root, valid with the pasted root; COSE not yet', async (page) => {
      await open(page, s.notation);
      const jws = `Notation referrer ${s.notation.jws}`;
      let row = await rowFrom(page, jws, 'not-verifiable');
      assert((await text(row.locator('.verdict-sentence'))).startsWith('Signature intact, signer not trusted'), `untrusted: ${await text(row)}`);
      const cose = await rowFrom(page, `Notation referrer ${s.notation.cose}`, 'not-verifiable');
      assert((await text(cose.locator('.verdict-sentence'))).includes('application/cose'), 'COSE named');
      await page.locator('details.trust-fields summary').click();
      await fill(page, '#sig-notation-root', s.notation.fixture.rootPem);
      row = await rowFrom(page, jws, 'valid');
      const fp = crypto.createHash('sha256').update(new crypto.X509Certificate(s.notation.fixture.rootPem).raw).digest('hex');
      const sentenceText = await text(row.locator('.verdict-sentence'));
      assert(sentenceText.includes(s.notation.fixture.rootName) && sentenceText.includes(fp), `root and fingerprint in: ${sentenceText}`);
      assert(sentenceText.endsWith(`signs ${s.notation.digest} (this image)`), `binding in: ${sentenceText}`);
      await row.locator('details.checks summary').click();
      assert((await text(row.locator('details.checks'))).includes('revocation — not checked'), 'revocation reported as not checked');
      await page.screenshot({ path: `${outDir}/notation-valid.png`, fullPage: true });
    }],
    ['unsigned BuildKit attestations of an index, per platform (from the index page\'s link)', async (page) => {
      await page.goto(`${site.url}?ref=${encodeURIComponent(`${s.host}/${s.multi.repo}:${s.multi.tag}`)}`);
      await page.locator('#browse-sigs').click();
      await page.locator('.sig-rows > li').first().waitFor({ timeout: 30000 });
      assertEq(await text(page.locator('[data-fact="sig-image"]')), s.multi.digest, 'the index digest');
      for (const pl of s.multi.platforms) {
        const row = await rowFrom(page, `attestation manifest ${pl.att.digest} for linux/${pl.arch} (${pl.digest})`, 'unsigned');
        assertEq(await text(row.locator('.verdict-sentence')), 'Unsigned attestation: anyone with push access could have written this', 'unsigned sentence');
        assertEq(await text(row.locator('.predicate')), pl.predicateType, 'predicate type');
        assertEq(await text(row.locator('.claims')), pl.digest, 'the statement names the platform image');
      }
      assertEq(await rows(page).count(), 2, 'one row per attestation');
      await page.screenshot({ path: `${outDir}/unsigned-index.png`, fullPage: true });
    }],
    ['a platform manifest reached through the index tag: only its own attestation', async (page) => {
      const [amd64, arm64] = s.multi.platforms;
      await page.goto(`${url(s.multi)}&at=${amd64.digest}`);
      const row = await rowFrom(page, `attestation manifest ${amd64.att.digest}`, 'unsigned');
      assertEq(await text(page.locator('[data-fact="sig-image"]')), amd64.digest, 'the platform image');
      assertEq(await rows(page).count(), 1, 'only this platform');
      assert(!(await text(page.locator('.sig-rows'))).includes(arm64.digest), 'not the other platform');
      assertEq(await text(row.locator('.predicate')), amd64.predicateType, 'predicate type');
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
    // A missing .sig / .att tag is one of these 404s.
    allowConsole: REGISTRY_404S,
  });
} finally {
  site?.close();
  await reg.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
