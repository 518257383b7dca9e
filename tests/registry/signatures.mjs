// Seeds cosign-style signatures for tests/e2e/signatures.mjs, made here with a freshly
// generated ECDSA P-256 key (cosign specs/SIGNATURE_SPEC.md: a `sha256-<hex>.sig` tag whose
// OCI manifest has one layer per signature, media type
// application/vnd.dev.cosign.simplesigning.v1+json, the payload a simple-signing document, the
// signature base64 DER ECDSA over the payload bytes in `dev.cosignproject.cosign/signature`).
//   signed:v1  — an image signed with `key`
//   copied:v1  — another image whose .sig is a copy of signed:v1's (binding mismatch)
//   forged:v1  — an image whose .sig layer also carries a self-made certificate annotation
//                (`dev.sigstore.cosign/certificate`) naming `forgedIdentity`
//   plain:v1   — an image with no signature
// and, for the other formats of the panel:
//   attested:v1 — a cosign `.att` (DSSE, in-toto statement naming the image) signed by `key`
//   att-other:v1 — an `.att` whose statement names attested:v1 (binding mismatch)
//   bundled:v1  — a Sigstore bundle v0.3 referrer (DSSE, public-key hint) signed by `key`
//   keyless:v1  — a keyless bundle v0.3 referrer from a test Sigstore instance; its trust root
//                 and identity come from `cargo run --example sig_fixtures` (the Rust test
//                 signers of tests/signature_support/, so no crypto is written here)
//   notation:v1 — a Notation JWS referrer by a test CA (also from sig_fixtures) and a COSE one
//   multi:v1    — an index of two platform images, each with an unsigned BuildKit attestation
// docker-registry 2.8 has no referrers API: referrers are listed in the `sha256-<hex>` tag
// index (image-spec "Referrers Tag Schema"), which the client falls back to.
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeClient, makePusher, sha256, tarOneFile, MT } from './seed.mjs';

const DSSE = 'application/vnd.dsse.envelope.v1+json';
const BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const NOTATION = 'application/vnd.cncf.notary.signature';
const INTOTO = 'application/vnd.in-toto+json';
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

/** `cargo run --example sig_fixtures -- …` (see examples/sig_fixtures.rs), parsed. */
export function sigFixture(...args) {
  const out = execFileSync('cargo', ['run', '--offline', '--quiet', '--example', 'sig_fixtures', '--', ...args], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out);
}

/** DSSE PAE (DSSE protocol.md): "DSSEv1" SP len(type) SP type SP len(body) SP body. */
const pae = (type, body) => Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(type)} ${type} ${body.length} `), body]);

export function statementFor(digest, predicateType = 'https://slsa.dev/provenance/v1') {
  return Buffer.from(JSON.stringify({
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'image', digest: { sha256: digest.slice(7) } }],
    predicateType,
    predicate: { buildDefinition: { buildType: 'e2e' } },
  }));
}


const SIMPLE_SIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';
const json = (o) => Buffer.from(JSON.stringify(o));

function payloadFor(reference, digest) {
  return json({
    critical: {
      identity: { 'docker-reference': reference },
      image: { 'docker-manifest-digest': digest },
      type: 'cosign container image signature',
    },
    optional: null,
  });
}

/** A self-signed certificate whose SAN is `email` (openssl), PEM. */
function forgedCertificate(workDir, email) {
  fs.mkdirSync(workDir, { recursive: true });
  const keyFile = path.join(workDir, 'forged.key');
  const certFile = path.join(workDir, 'forged.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', keyFile, '-out', certFile, '-days', '30', '-subj', '/CN=sigstore-intermediate',
    '-addext', `subjectAltName=email:${email}`,
  ], { stdio: 'pipe' });
  return fs.readFileSync(certFile, 'utf8');
}

/** A one-layer image at `repo:tag`; its manifest digest and size. */
async function pushImageTo(p, repo, text, tag = 'v1') {
  const layer = tarOneFile('hello.txt', text);
  const config = json({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256(layer)] } });
  await p.pushBlobs(repo, [layer, config]);
  const manifest = json({
    schemaVersion: 2,
    mediaType: MT.ociManifest,
    config: { mediaType: MT.ociConfig, digest: sha256(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(layer), size: layer.length }],
  });
  const digest = await p.pushManifest(repo, tag, MT.ociManifest, manifest);
  return { digest, size: manifest.length };
}

/** A cosign `sha256-<hex>.<suffix>` manifest with one layer per `{mediaType, bytes, annotations}`. */
async function pushCosign(p, repo, imageDigest, suffix, layers) {
  const config = json({ architecture: '', os: '', rootfs: { type: 'layers', diff_ids: layers.map((l) => sha256(l.bytes)) } });
  await p.pushBlobs(repo, [...layers.map((l) => l.bytes), config]);
  const manifest = json({
    schemaVersion: 2,
    mediaType: MT.ociManifest,
    config: { mediaType: MT.ociConfig, digest: sha256(config), size: config.length },
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: sha256(l.bytes), size: l.bytes.length, annotations: l.annotations })),
  });
  await p.pushManifest(repo, `${imageDigest.replace(':', '-')}.${suffix}`, MT.ociManifest, manifest);
}

/** A signed simple-signing layer of a `.sig` manifest (the signature over the payload bytes). */
function sigLayer(payload, privateKey) {
  const sig = crypto.sign('sha256', payload, privateKey).toString('base64');
  return { mediaType: SIMPLE_SIGNING, bytes: payload, annotations: { 'dev.cosignproject.cosign/signature': sig } };
}

/** A DSSE layer of an `.att` manifest: `statement` signed over PAE. */
function attLayer(statement, privateKey) {
  const sig = crypto.sign('sha256', pae(INTOTO, statement), privateKey).toString('base64');
  const env = json({ payloadType: INTOTO, payload: statement.toString('base64'), signatures: [{ keyid: '', sig }] });
  return { mediaType: DSSE, bytes: env, annotations: { predicateType: 'https://slsa.dev/provenance/v1' } };
}

/** For tests/e2e/signatures-bench.mjs: `bench:v1` with `count` signatures by one fresh P-256
 * key (64 layers of its `.sig`, the rest in its `.att`: the panel reads at most 64 layers per
 * manifest), and `keyless:v1` with the keyless bundle of sig_fixtures. */
export async function seedBench(registryUrl, { count }) {
  const client = makeClient(registryUrl);
  const p = makePusher(client, 4);
  const host = new URL(registryUrl).host;
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const bench = { repo: 'bench', tag: 'v1', ...(await pushImageTo(p, 'bench', 'bench image\n')) };
  const sigs = Math.min(count, 64);
  const payloads = Array.from({ length: sigs }, (_, i) => payloadFor(`${host}/bench:${i}`, bench.digest));
  await pushCosign(p, 'bench', bench.digest, 'sig', payloads.map((payload) => sigLayer(payload, privateKey)));
  if (count > sigs) {
    const statements = Array.from({ length: count - sigs }, (_, i) => statementFor(bench.digest, `https://example.test/bench/${i}`));
    await pushCosign(p, 'bench', bench.digest, 'att', statements.map((st) => attLayer(st, privateKey)));
  }
  const keyless = { repo: 'keyless', tag: 'v1', ...(await pushImageTo(p, 'keyless', 'keyless image\n')) };
  keyless.fixture = sigFixture('keyless', keyless.digest);
  await pushReferrersTo(p, 'keyless', keyless, [{ artifactType: BUNDLE, mediaType: BUNDLE, bytes: Buffer.from(keyless.fixture.bundle) }]);
  return { host, bench, keyless, count, keyPem: publicKey.export({ type: 'spki', format: 'pem' }) };
}

/** Referrers of `subject` ({digest, size}), each an artifact manifest with one layer, and the
 * `sha256-<hex>` tag index listing them. */
async function pushReferrersTo(p, repo, subject, artifacts) {
  const empty = Buffer.from('{}');
  const entries = [];
  for (const { artifactType, mediaType, bytes } of artifacts) {
    await p.pushBlobs(repo, [empty, bytes]);
    const m = json({
      schemaVersion: 2,
      mediaType: MT.ociManifest,
      artifactType,
      config: { mediaType: MT.ociEmpty, digest: sha256(empty), size: empty.length, data: 'e30=' },
      layers: [{ mediaType, digest: sha256(bytes), size: bytes.length }],
      subject: { mediaType: MT.ociManifest, digest: subject.digest, size: subject.size },
    });
    const digest = await p.pushManifest(repo, sha256(m), MT.ociManifest, m);
    entries.push({ mediaType: MT.ociManifest, digest, size: m.length, artifactType });
  }
  const index = json({ schemaVersion: 2, mediaType: MT.ociIndex, manifests: entries });
  await p.pushManifest(repo, `sha256-${subject.digest.slice(7)}`, MT.ociIndex, index);
  return entries.map((e) => e.digest);
}

export async function seedSignatures(registryUrl, { workDir }) {
  const client = makeClient(registryUrl);
  const p = makePusher(client, 4);
  const host = new URL(registryUrl).host;
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const other = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = (k) => k.export({ type: 'spki', format: 'pem' });
  const fingerprint = (k) => 'SHA256:' + crypto.createHash('sha256').update(k.export({ type: 'spki', format: 'der' })).digest('hex');

  const pushImage = (repo, text, tag) => pushImageTo(p, repo, text, tag);
  const pushSig = (repo, imageDigest, payload, annotations) =>
    pushCosign(p, repo, imageDigest, 'sig', [{ mediaType: SIMPLE_SIGNING, bytes: payload, annotations }]);

  const sign = (payload) => crypto.sign('sha256', payload, privateKey).toString('base64');

  const signed = { repo: 'signed', tag: 'v1', digest: (await pushImage('signed', 'signed image\n')).digest };
  const signedPayload = payloadFor(`${host}/signed`, signed.digest);
  await pushSig('signed', signed.digest, signedPayload, { 'dev.cosignproject.cosign/signature': sign(signedPayload) });

  // The same payload and signature, stored as another image's signature.
  const copied = { repo: 'copied', tag: 'v1', digest: (await pushImage('copied', 'another image\n')).digest };
  await pushSig('copied', copied.digest, signedPayload, { 'dev.cosignproject.cosign/signature': sign(signedPayload) });

  const forgedIdentity = 'release-bot@forged.example';
  const forged = { repo: 'forged', tag: 'v1', digest: (await pushImage('forged', 'forged image\n')).digest };
  const forgedPayload = payloadFor(`${host}/forged`, forged.digest);
  await pushSig('forged', forged.digest, forgedPayload, {
    'dev.cosignproject.cosign/signature': sign(forgedPayload),
    'dev.sigstore.cosign/certificate': forgedCertificate(workDir, forgedIdentity),
  });

  const plain = { repo: 'plain', tag: 'v1', digest: (await pushImage('plain', 'unsigned image\n')).digest };

  const pushAtt = (repo, imageDigest, statement) =>
    pushCosign(p, repo, imageDigest, 'att', [attLayer(statement, privateKey)]);

  const pushReferrers = (repo, subject, artifacts) => pushReferrersTo(p, repo, subject, artifacts);

  const attested = { repo: 'attested', tag: 'v1', ...(await pushImage('attested', 'attested image\n')) };
  await pushAtt('attested', attested.digest, statementFor(attested.digest));
  const attOther = { repo: 'att-other', tag: 'v1', ...(await pushImage('att-other', 'other attested image\n')) };
  await pushAtt('att-other', attOther.digest, statementFor(attested.digest));

  const bundled = { repo: 'bundled', tag: 'v1', ...(await pushImage('bundled', 'bundled image\n')) };
  const bundledStatement = statementFor(bundled.digest);
  const bundle = json({
    mediaType: BUNDLE,
    verificationMaterial: { publicKey: { hint: fingerprint(publicKey) }, tlogEntries: [] },
    dsseEnvelope: { payloadType: INTOTO, payload: bundledStatement.toString('base64'), signatures: [{ keyid: '', sig: crypto.sign('sha256', pae(INTOTO, bundledStatement), privateKey).toString('base64') }] },
  });
  [bundled.referrer] = await pushReferrers('bundled', bundled, [{ artifactType: BUNDLE, mediaType: BUNDLE, bytes: bundle }]);

  const keyless = { repo: 'keyless', tag: 'v1', ...(await pushImage('keyless', 'keyless image\n')) };
  keyless.fixture = sigFixture('keyless', keyless.digest);
  [keyless.referrer] = await pushReferrers('keyless', keyless, [{ artifactType: BUNDLE, mediaType: BUNDLE, bytes: Buffer.from(keyless.fixture.bundle) }]);

  const notation = { repo: 'notation', tag: 'v1', ...(await pushImage('notation', 'notation image\n')) };
  notation.fixture = sigFixture('notation', notation.digest, MT.ociManifest, String(notation.size));
  [notation.jws, notation.cose] = await pushReferrers('notation', notation, [
    { artifactType: NOTATION, mediaType: 'application/jose+json', bytes: Buffer.from(notation.fixture.envelope) },
    { artifactType: NOTATION, mediaType: 'application/cose', bytes: Buffer.from([0xd2, 0x84, 0x40, 0xa0, 0xf6, 0x40]) },
  ]);

  // A BuildKit-style index: two platform images, each followed by an unsigned attestation
  // manifest (platform unknown/unknown, vnd.docker.reference.* annotations, in-toto layers).
  const platforms = [];
  for (const arch of ['amd64', 'arm64']) {
    const img = await pushImage('multi', `multi ${arch}\n`, `img-${arch}`);
    const predicateType = arch === 'amd64' ? 'https://slsa.dev/provenance/v0.2' : 'https://spdx.dev/Document';
    const st = statementFor(img.digest, predicateType);
    const empty = Buffer.from('{}');
    await p.pushBlobs('multi', [st, empty]);
    const att = json({
      schemaVersion: 2,
      mediaType: MT.ociManifest,
      config: { mediaType: MT.ociConfig, digest: sha256(empty), size: empty.length },
      layers: [{ mediaType: INTOTO, digest: sha256(st), size: st.length, annotations: { 'in-toto.io/predicate-type': predicateType } }],
    });
    const attDigest = await p.pushManifest('multi', sha256(att), MT.ociManifest, att);
    platforms.push({ arch, ...img, predicateType, att: { digest: attDigest, size: att.length } });
  }
  const index = json({
    schemaVersion: 2,
    mediaType: MT.ociIndex,
    manifests: [
      ...platforms.map((pl) => ({ mediaType: MT.ociManifest, digest: pl.digest, size: pl.size, platform: { architecture: pl.arch, os: 'linux' } })),
      ...platforms.map((pl) => ({
        mediaType: MT.ociManifest, digest: pl.att.digest, size: pl.att.size,
        platform: { architecture: 'unknown', os: 'unknown' },
        annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': pl.digest },
      })),
    ],
  });
  const multi = { repo: 'multi', tag: 'v1', digest: await p.pushManifest('multi', 'v1', MT.ociIndex, index), platforms };

  return {
    host, signed, copied, forged, plain, forgedIdentity, attested, attOther, bundled, keyless, notation, multi,
    key: { pem: pem(publicKey), fingerprint: fingerprint(publicKey) },
    otherKey: { pem: pem(other.publicKey), fingerprint: fingerprint(other.publicKey) },
  };
}
