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
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeClient, makePusher, sha256, tarOneFile, MT } from './seed.mjs';

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

export async function seedSignatures(registryUrl, { workDir }) {
  const client = makeClient(registryUrl);
  const p = makePusher(client, 4);
  const host = new URL(registryUrl).host;
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const other = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = (k) => k.export({ type: 'spki', format: 'pem' });
  const fingerprint = (k) => 'SHA256:' + crypto.createHash('sha256').update(k.export({ type: 'spki', format: 'der' })).digest('hex');

  async function pushImage(repo, text) {
    const layer = tarOneFile('hello.txt', text);
    const config = json({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256(layer)] } });
    await p.pushBlobs(repo, [layer, config]);
    const manifest = json({
      schemaVersion: 2,
      mediaType: MT.ociManifest,
      config: { mediaType: MT.ociConfig, digest: sha256(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(layer), size: layer.length }],
    });
    return p.pushManifest(repo, 'v1', MT.ociManifest, manifest);
  }

  async function pushSig(repo, imageDigest, payload, annotations) {
    const config = json({ architecture: '', os: '', rootfs: { type: 'layers', diff_ids: [sha256(payload)] } });
    await p.pushBlobs(repo, [payload, config]);
    const manifest = json({
      schemaVersion: 2,
      mediaType: MT.ociManifest,
      config: { mediaType: MT.ociConfig, digest: sha256(config), size: config.length },
      layers: [{ mediaType: SIMPLE_SIGNING, digest: sha256(payload), size: payload.length, annotations }],
    });
    await p.pushManifest(repo, `${imageDigest.replace(':', '-')}.sig`, MT.ociManifest, manifest);
  }

  const sign = (payload) => crypto.sign('sha256', payload, privateKey).toString('base64');

  const signed = { repo: 'signed', tag: 'v1', digest: await pushImage('signed', 'signed image\n') };
  const signedPayload = payloadFor(`${host}/signed`, signed.digest);
  await pushSig('signed', signed.digest, signedPayload, { 'dev.cosignproject.cosign/signature': sign(signedPayload) });

  // The same payload and signature, stored as another image's signature.
  const copied = { repo: 'copied', tag: 'v1', digest: await pushImage('copied', 'another image\n') };
  await pushSig('copied', copied.digest, signedPayload, { 'dev.cosignproject.cosign/signature': sign(signedPayload) });

  const forgedIdentity = 'release-bot@forged.example';
  const forged = { repo: 'forged', tag: 'v1', digest: await pushImage('forged', 'forged image\n') };
  const forgedPayload = payloadFor(`${host}/forged`, forged.digest);
  await pushSig('forged', forged.digest, forgedPayload, {
    'dev.cosignproject.cosign/signature': sign(forgedPayload),
    'dev.sigstore.cosign/certificate': forgedCertificate(workDir, forgedIdentity),
  });

  const plain = { repo: 'plain', tag: 'v1', digest: await pushImage('plain', 'unsigned image\n') };

  return {
    host, signed, copied, forged, plain, forgedIdentity,
    key: { pem: pem(publicKey), fingerprint: fingerprint(publicKey) },
    otherKey: { pem: pem(other.publicKey), fingerprint: fingerprint(other.publicKey) },
  };
}
