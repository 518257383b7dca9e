// Facts the explorer must show for each built-in sample, computed here independently from the
// sample files (node's crypto and JSON.parse), never copied from the app.
import crypto from 'node:crypto';
import fs from 'node:fs';

const dir = new URL('../../samples/', import.meta.url);
const read = (file) => fs.readFileSync(new URL(file, dir));
export const sha256 = (bytes) => 'sha256:' + crypto.createHash('sha256').update(bytes).digest('hex');
// Binary units, one decimal rounded half up, the unit chosen so the value stays below 1024.
export const human = (n) => {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let unit = 1024;
  for (let i = 0; ; i++) {
    const tenths = Math.floor((n * 10 + unit / 2) / unit);
    if (tenths < 10240 || i === units.length - 1) return `${Math.floor(tenths / 10)}.${tenths % 10} ${units[i]}`;
    unit *= 1024;
  }
};

/** The file behind a digest, from the generator's SHA256SUMS (hashlib). */
export function fileOf(digest) {
  const line = fs.readFileSync(new URL('SHA256SUMS', dir), 'utf8').split('\n')
    .find((l) => l.startsWith(digest.replace('sha256:', '') + '  '));
  return line?.split('  ')[1];
}

function manifestFacts(file) {
  const bytes = read(file);
  const doc = JSON.parse(bytes);
  const total = doc.config.size + doc.layers.reduce((s, l) => s + l.size, 0);
  return { digest: sha256(bytes), layerCount: String(doc.layers.length), totalSize: human(total) };
}

export function expectations() {
  const index = JSON.parse(read('index.json'));
  const isAttestation = (m) => m.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest';
  const images = index.manifests.filter((m) => !isAttestation(m));
  return [
    { id: 'oci-index', kind: 'OCI image index', verdict: 'verified', digest: sha256(read('index.json')),
      facts: { 'platform-count': String(images.length), 'attestation-count': String(index.manifests.length - images.length) },
      platforms: images.map((m) => [m.platform.os, m.platform.architecture, m.platform.variant].filter(Boolean).join('/')) },
    { id: 'oci-manifest', kind: 'OCI image manifest', verdict: 'verified', ...withFacts(manifestFacts('manifest-amd64.json')) },
    { id: 'config', kind: 'OCI image config', verdict: 'verified', digest: sha256(read('config-amd64.json')),
      facts: { 'config-platform': 'linux/amd64' } },
    { id: 'docker-list', kind: 'Docker manifest list', verdict: 'verified', digest: sha256(read('manifest-list.json')),
      facts: { 'platform-count': String(JSON.parse(read('manifest-list.json')).manifests.length) } },
    { id: 'docker-manifest', kind: 'Docker image manifest (schema 2)', verdict: 'verified', ...withFacts(manifestFacts('manifest-docker-amd64.json')) },
    { id: 'schema1', kind: 'Docker schema 1 manifest (signed)', verdict: 'verified', digest: sha256(read('schema1.json')), facts: {} },
    { id: 'artifact', kind: 'OCI image manifest', verdict: 'verified', ...withFacts(manifestFacts('artifact-sbom.json'),
      { 'artifact-type': 'application/spdx+json' }) },
    { id: 'helm', kind: 'OCI image manifest', verdict: 'verified', ...withFacts(manifestFacts('helm-manifest.json')) },
    { id: 'dsse', kind: 'JSON (not an OCI document)', verdict: 'verified', digest: sha256(read('dsse-envelope.json')),
      facts: { payload: 'DSSE envelope' } },
  ];
}

function withFacts(m, extra = {}) {
  return { digest: m.digest, facts: { 'layer-count': m.layerCount, 'total-size': m.totalSize, ...extra } };
}

export const tampered = {
  claimed: sha256(read('manifest-amd64.json')),
  actual: sha256(read('tampered-manifest-amd64.json')),
};
export const indexFile = () => JSON.parse(read('index.json'));
export const manifestAmd64 = () => JSON.parse(read('manifest-amd64.json'));
