// End-to-end tests of image archives opened from disk: an image (a two-platform index and a
// single-platform tag, gzip layers made by GNU tar) is pushed to Debian's docker-registry,
// then copied by skopeo to an OCI layout folder (`oci:`), an `oci-archive:` and a
// `docker-archive:` tar, and written in the Docker 25+ `docker save` form by the fixture
// script (tests/fixtures/archive/make.py, `docker25()`). Each is opened through the file
// picker (the folder through the folder input): tags, a verified manifest, and a layer listing
// equal to `tar -t` of that layer. A layout with one layer's bytes changed (same length) is a
// loud mismatch while the rest stays usable; the committed hostile fixtures (missing blob,
// blob name that is no digest, `../` member, a tar that is no layout) each show their message.
// A 2 GiB archive (a sparse file under /tmp, deleted after) prints its time to first view.
// Compare: two tags of the layout folder ("Compare with…" on a manifest, the other tag picked
// from the archive's list), an oci-archive image against its registry original and back (swap),
// and the legacy docker-archive copy against it (other blob digests, the same files); two
// different archives (`release-1.tar`, `release-2.tar`: oci-archives of the amd and arm tags),
// the first opened on the page, the second picked inside the compare view.
// Expected values come from the files skopeo and tar wrote, read here, never from the app.
// `node tests/e2e/archives.mjs dist`
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { serveDist, run, assert, assertEq, fact, listedPaths, workerBinaries } from './harness.mjs';
import { startRegistry } from '../registry/start.mjs';
import { makeClient, makePusher, sha256, MT } from '../registry/seed.mjs';
import { expectedComparison } from '../registry/compare.mjs';
import { bytesOf, checkFigures } from './compare-checks.mjs';

const dist = process.argv[2] ?? 'dist';
const outDir = 'test-output/e2e-archives';
const FIXTURES = path.resolve('tests/fixtures/archive');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'me-archives-'));

/** A gzip layer made by GNU tar from `files` ({ path: text }); its member names as tar -t lists them. */
function layer(name, files) {
  const root = path.join(dir, 'src', name);
  for (const [p, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), content);
  }
  const tar = execFileSync('tar', ['-c', '-C', root, '--sort=name', '--format=pax', '--owner=0', '--group=0',
    '--numeric-owner', '--mtime=2024-01-02 03:04:05Z', '--pax-option=delete=atime,delete=ctime', '.']);
  const blob = execFileSync('gzip', ['-n', '-c'], { input: tar });
  const names = execFileSync('tar', ['-t'], { input: tar }).toString().split('\n').filter(Boolean)
    .map((n) => n.replace(/^\.\//, '').replace(/\/$/, '')).filter((n) => n !== '' && n !== '.');
  return { tar, blob, digest: sha256(blob), size: blob.length, diffId: sha256(tar), names };
}

function image(arch, layers) {
  const config = Buffer.from(JSON.stringify({
    architecture: arch, os: 'linux', created: '2024-01-02T03:04:05Z', config: { Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map((l, i) => ({ created: '2024-01-02T03:04:05Z', created_by: `/bin/sh -c #(nop) ADD layer ${i + 1}` })),
  }));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: MT.ociManifest,
    config: { mediaType: MT.ociConfig, digest: sha256(config), size: config.length },
    layers: layers.map((l) => ({ mediaType: MT.ociLayerGzip, digest: l.digest, size: l.size })),
  }));
  return { config, manifest, digest: sha256(manifest), layers };
}

const skopeo = (...args) => execFileSync('skopeo', ['--insecure-policy', 'copy', '-q', '--src-tls-verify=false', ...args]);

/** The layers of the layout at `root` (a folder), by digest, as the files on disk say. */
const blobPath = (root, digest) => path.join(root, 'blobs', 'sha256', digest.slice(7));

const sorted = (a) => JSON.stringify([...a].sort());

const reg = await startRegistry({ name: 'archives', dir, storageDir: path.join(dir, 'storage') });
let site;
try {
  // The image: a base layer shared by both platforms, one layer of each platform's own.
  const base = layer('base', { 'etc/os-release': 'NAME="Archive Test"\n', 'bin/hello': 'hello\n' });
  const amdTop = layer('amd', { 'opt/amd64.txt': 'amd64 layer\n', 'opt/app/config.yaml': 'a: 1\n' });
  const armTop = layer('arm', { 'opt/arm64.txt': 'arm64 layer\n' });
  /** Runs the file diff of an amd64 side (base + amdTop) against an arm64 side (base + armTop),
   * named nameA and nameB, and checks it against the two merged trees as tar -t lists them: added =
   * only in B, removed = only in A, nothing changed. Returns the two path sets. */
  async function checkFileDiff(page, [nameA, nameB]) {
    await page.locator('#file-diff').click();
    await page.locator('[data-fact="files-added"]').waitFor({ timeout: 60000 });
    const rows = await page.locator('table.file-diff tbody tr').evaluateAll((trs) => trs.map((r) => [r.dataset.path, r.dataset.change]));
    const by = (change) => sorted(rows.filter((r) => r[1] === change).map((r) => r[0]));
    const [inA, inB] = [new Set([...base.names, ...amdTop.names]), new Set([...base.names, ...armTop.names])];
    assertEq(by('added'), sorted([...inB].filter((n) => !inA.has(n))), `added = only in ${nameB}`);
    assertEq(by('removed'), sorted([...inA].filter((n) => !inB.has(n))), `removed = only in ${nameA}`);
    assertEq(by('changed'), sorted([]), 'nothing changed');
    return [inA, inB];
  }
  const amd = image('amd64', [base, amdTop]);
  const arm = image('arm64', [base, armTop]);
  const index = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: MT.ociIndex,
    manifests: [
      { mediaType: MT.ociManifest, digest: amd.digest, size: amd.manifest.length, platform: { os: 'linux', architecture: 'amd64' } },
      { mediaType: MT.ociManifest, digest: arm.digest, size: arm.manifest.length, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    ],
  }));
  const p = makePusher(makeClient(reg.url), 4);
  const repo = 'archive/app';
  await p.pushBlobs(repo, [amd.config, arm.config, base.blob, amdTop.blob, armTop.blob]);
  await p.pushManifest(repo, 'amd', MT.ociManifest, amd.manifest);
  await p.pushManifest(repo, 'arm', MT.ociManifest, arm.manifest);
  await p.pushManifest(repo, 'multi', MT.ociIndex, index);
  const host = new URL(reg.url).host;
  const src = (tag) => `docker://${host}/${repo}:${tag}`;

  // The archives, made by skopeo (and, for Docker 25+, by the fixture script).
  const made = Date.now();
  const layout = path.join(dir, 'oci');
  skopeo('--all', src('multi'), `oci:${layout}:multi`);
  skopeo(src('amd'), `oci:${layout}:single`);
  const ociArchive = path.join(dir, 'app-oci.tar');
  skopeo('--all', src('multi'), `oci-archive:${ociArchive}:multi`);
  const dockerArchive = path.join(dir, 'app-docker.tar');
  skopeo(src('amd'), `docker-archive:${dockerArchive}:example/app:single`);
  execFileSync('python3', ['-c', `
import importlib.util, sys
spec = importlib.util.spec_from_file_location("make", sys.argv[1])
make = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make)
make.HERE = sys.argv[2]
make.docker25()
`, path.join(FIXTURES, 'make.py'), dir]);
  const docker25 = path.join(dir, 'docker25.tar');
  // Two releases as two files: the same base layer in both (read and verified from each).
  const release1 = path.join(dir, 'release-1.tar');
  skopeo(src('amd'), `oci-archive:${release1}:release`);
  const release2 = path.join(dir, 'release-2.tar');
  skopeo(src('arm'), `oci-archive:${release2}:release`);
  console.log(`archives made in ${Date.now() - made} ms`);
  // What skopeo wrote: the tags of index.json, read here.
  const layoutIndex = JSON.parse(fs.readFileSync(path.join(layout, 'index.json')));
  const tagOf = (name) => layoutIndex.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === name);
  // skopeo recompresses nothing for oci: (same digests), so the amd64 layers are ours.
  const singleManifest = JSON.parse(fs.readFileSync(blobPath(layout, tagOf('single').digest)));
  assertEq(singleManifest.layers[1].digest, amdTop.digest, 'skopeo kept the layer digests');

  // A layout folder with the amd64 top layer's bytes changed (same length).
  const tampered = path.join(dir, 'tampered', 'layout');
  fs.cpSync(layout, tampered, { recursive: true });
  {
    const file = blobPath(tampered, amdTop.digest);
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 9] ^= 0xff;
    fs.writeFileSync(file, bytes);
  }

  site = await serveDist(dist, '/explorer/');

  async function openFile(page, file) {
    await page.goto(site.url);
    await page.locator('#file').setInputFiles(file);
  }
  async function openFolder(page, folder) {
    await page.goto(site.url);
    await page.locator('#folder').setInputFiles(folder);
  }
  const archiveShown = (page) => page.locator('[data-fact="archive-format"], [data-fact="archive-error"], [data-fact="not-an-archive"]').first().waitFor({ timeout: 30000 });
  const tags = (page) => page.locator('table.archive-tags tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.tag));
  /** Clicks the digest link of tag `name`, then waits for the document's verdict. */
  async function openTag(page, name) {
    await page.locator(`table.archive-tags tr[data-tag="${name}"] a[data-digest]`).click();
    await page.locator('[data-verdict], [data-fact="document-error"]').first().waitFor({ timeout: 30000 });
  }
  /** From a manifest on screen: opens layer `digest` and returns its listing. */
  async function openLayer(page, digest) {
    await page.locator(`a[data-digest="${digest}"]`).first().click();
    await page.locator('[data-fact="blob-digest"], [data-fact="layer-error"]').first().waitFor({ timeout: 30000 });
  }

  await run([
    ['an oci-archive tar: tags, the verified index and manifest, a layer listing equal to tar -t', async (page) => {
      await openFile(page, ociArchive);
      await archiveShown(page);
      assertEq(await fact(page, 'archive-format'), 'OCI image layout', 'format');
      assertEq(JSON.stringify(await tags(page)), JSON.stringify(['multi']), 'tags');
      await page.screenshot({ path: `${outDir}/oci-archive.png`, fullPage: true });
      await openTag(page, 'multi');
      assertEq(await fact(page, 'verdict'), 'verified', 'the index is verified');
      assertEq(await fact(page, 'digest'), sha256(index), 'the index skopeo copied, byte for byte');
      assert(page.url().includes(`at=${sha256(index)}`) && page.url().includes('disk=1'), `navigation is in the URL: ${page.url()}`);
      await page.locator(`a[data-digest="${amd.digest}"]`).first().click();
      await page.locator('[data-verdict]').first().waitFor();
      assertEq(await fact(page, 'digest'), amd.digest, 'the amd64 manifest');
      assertEq(await fact(page, 'verdict'), 'verified', 'the manifest is verified');
      await openLayer(page, amdTop.digest);
      assertEq(await fact(page, 'verdict'), 'verified', 'the layer is verified');
      assertEq(await fact(page, 'blob-digest'), amdTop.digest, 'layer digest');
      assertEq(sorted(await listedPaths(page)), sorted(amdTop.names), 'listing = tar -t');
      assertEq(JSON.stringify(workerBinaries(page)), '["archiveworker","worker"]', 'the archive worker reads the archive, the layer worker its layer');
      await page.screenshot({ path: `${outDir}/oci-archive-layer.png`, fullPage: true });
      // Back returns to the manifest, then to the index, then to the tags.
      await page.goBack();
      await page.locator('[data-fact="digest"]').first().waitFor();
      assertEq(await fact(page, 'digest'), amd.digest, 'Back: the manifest again');
      await page.goBack();
      await page.locator('[data-fact="digest"]').first().waitFor();
      assertEq(await fact(page, 'digest'), sha256(index), 'Back: the index again');
      await page.goBack();
      await archiveShown(page);
      assertEq(JSON.stringify(await tags(page)), JSON.stringify(['multi']), 'Back: the tags again');
    }],
    ['a file of a layer inside the archive, and the merged filesystem', async (page) => {
      await openFile(page, ociArchive);
      await archiveShown(page);
      await openTag(page, 'multi');
      await page.locator(`a[data-digest="${arm.digest}"]`).first().click();
      await page.locator('#browse-fs').click();
      await page.locator('[data-fact="listing-range"]').waitFor({ timeout: 30000 });
      const merged = await listedPaths(page);
      const expected = new Set([...base.names, ...armTop.names]);
      assertEq(sorted(merged), sorted(expected), 'merged = the union of both layers (tar -t)');
      await page.locator('tr[data-path="opt/arm64.txt"] a').click();
      await page.locator('[data-fact="file-text"]').waitFor({ timeout: 30000 });
      assertEq(await page.locator('[data-fact="file-text"]').textContent(), 'arm64 layer\n', 'file text');
    }],
    ['a docker-archive tar (legacy docker save): RepoTags, the made-up manifest, an uncompressed layer', async (page) => {
      await openFile(page, dockerArchive);
      await archiveShown(page);
      assertEq(await fact(page, 'archive-format'), 'docker save', 'format');
      // What skopeo wrote into manifest.json.
      const manifestJson = JSON.parse(execFileSync('tar', ['-xOf', dockerArchive, 'manifest.json']));
      assertEq(JSON.stringify(await tags(page)), JSON.stringify(manifestJson[0].RepoTags), 'tags = RepoTags');
      await openTag(page, manifestJson[0].RepoTags[0]);
      assertEq(await fact(page, 'verdict'), 'verified', 'the made-up manifest hashes to its digest');
      // The legacy layer is the uncompressed tar: its digest is the diff_id.
      await openLayer(page, amdTop.diffId);
      assertEq(await fact(page, 'verdict'), 'verified', 'layer verified');
      assertEq(await fact(page, 'compression'), 'tar', 'uncompressed');
      assertEq(sorted(await listedPaths(page)), sorted(amdTop.names), 'listing = tar -t');
    }],
    ['a Docker 25+ docker save: tags from index.json and manifest.json', async (page) => {
      await openFile(page, docker25);
      await archiveShown(page);
      assertEq(await fact(page, 'archive-format'), 'docker save (Docker 25+, OCI layout)', 'format');
      assertEq(JSON.stringify(await tags(page)), JSON.stringify(['single', 'example/app:single']), 'tags');
      await openTag(page, 'single');
      assertEq(await fact(page, 'verdict'), 'verified', 'manifest verified');
      await openLayer(page, amdTop.diffId);
      assertEq(await fact(page, 'verdict'), 'verified', 'layer verified');
      assertEq(sorted(await listedPaths(page)), sorted(amdTop.names), 'listing = tar -t');
    }],
    ['an OCI layout folder through the folder input', async (page) => {
      await openFolder(page, layout);
      await archiveShown(page);
      assertEq(await fact(page, 'archive-format'), 'OCI image layout', 'format');
      const expected = layoutIndex.manifests.map((m) => m.annotations['org.opencontainers.image.ref.name']);
      assertEq(JSON.stringify(await tags(page)), JSON.stringify(expected), 'tags = index.json ref.names');
      await openTag(page, 'single');
      assertEq(await fact(page, 'verdict'), 'verified', 'manifest verified');
      await openLayer(page, base.digest);
      assertEq(await fact(page, 'verdict'), 'verified', 'layer verified');
      assertEq(sorted(await listedPaths(page)), sorted(base.names), 'listing = tar -t');
      await page.screenshot({ path: `${outDir}/folder-layer.png`, fullPage: true });
    }],
    ['an OCI layout folder dropped on the input box (a directory entry, walked)', async (page) => {
      await page.goto(site.url);
      // A drag from the OS, as Chromium receives it: file paths (here a directory).
      const box = await page.locator('form.input-box').boundingBox();
      const cdp = await page.context().newCDPSession(page);
      const at = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
      const data = { items: [], files: [layout], dragOperationsMask: 1 };
      for (const type of ['dragEnter', 'dragOver', 'drop']) await cdp.send('Input.dispatchDragEvent', { type, ...at, data });
      await archiveShown(page);
      assertEq(await fact(page, 'archive-format'), 'OCI image layout', 'format');
      const files = fs.readdirSync(path.join(layout, 'blobs', 'sha256')).length;
      assertEq(await fact(page, 'archive-files'), `${files + 2} (${files} blobs named by digest)`, 'every file found by the walk');
      await openTag(page, 'single');
      await openLayer(page, amdTop.digest);
      assertEq(await fact(page, 'verdict'), 'verified', 'layer verified');
      assertEq(sorted(await listedPaths(page)), sorted(amdTop.names), 'listing = tar -t');
    }],
    ['a tampered layer in a layout folder is a loud mismatch; the rest stays usable', async (page) => {
      // First the genuine folder in the same tab: the copy has the same name and size, and the
      // verdict on the genuine layer must not be reused for it.
      await openFolder(page, layout);
      await archiveShown(page);
      await openTag(page, 'single');
      await openLayer(page, amdTop.digest);
      assertEq(await fact(page, 'verdict'), 'verified', 'the genuine layer verifies');
      await page.locator('#folder').setInputFiles(tampered);
      await page.locator('table.archive-tags').waitFor({ timeout: 30000 });
      await archiveShown(page);
      assertEq(JSON.stringify(await tags(page)), JSON.stringify(['multi', 'single']), 'tags still listed');
      await openTag(page, 'single');
      await openLayer(page, amdTop.digest);
      assertEq(await fact(page, 'verdict'), 'mismatch', 'the changed bytes are a mismatch');
      assertEq(await page.locator('table.files').count(), 0, 'nothing listed from them');
      await page.screenshot({ path: `${outDir}/tampered.png`, fullPage: true });
      await page.goBack();
      await page.locator('[data-verdict]').first().waitFor();
      await openLayer(page, base.digest);
      assertEq(await fact(page, 'verdict'), 'verified', 'the other layer still verifies');
      assertEq(sorted(await listedPaths(page)), sorted(base.names), 'and lists');
    }],
    ['hostile archives each show their specific message', async (page) => {
      const fixtureIndex = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'oci/index.json')));
      const multi = fixtureIndex.manifests.find((m) => m.annotations['org.opencontainers.image.ref.name'] === 'multi');
      const inner = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'oci/blobs/sha256', multi.digest.slice(7))));
      const missing = inner.manifests[1].digest;
      const problems = async () => page.locator('[data-problem]').allTextContents();

      await openFile(page, path.join(FIXTURES, 'hostile-missing.tar'));
      await archiveShown(page);
      let found = await problems();
      assert(found.some((p) => p.includes(`blob ${missing} is missing`)), `missing blob named: ${found}`);
      assertEq(JSON.stringify(await tags(page)), JSON.stringify(['multi']), 'the tag is still there');
      await page.screenshot({ path: `${outDir}/hostile-missing.png`, fullPage: true });
      await openTag(page, 'multi');
      await page.locator(`a[data-digest="${missing}"]`).first().click();
      await page.locator('[data-fact="document-error"]').waitFor({ timeout: 30000 });
      assert((await fact(page, 'document-error')).includes(`blob ${missing} is missing`), 'opening it says so');

      await openFile(page, path.join(FIXTURES, 'hostile-badname.tar'));
      await archiveShown(page);
      found = await problems();
      assert(found.some((p) => p.startsWith('blobs/sha256/not-a-digest is not named by a digest')), `bad name: ${found}`);

      await openFile(page, path.join(FIXTURES, 'hostile-dotdot.tar'));
      await archiveShown(page);
      found = await problems();
      assert(found.some((p) => p.startsWith('tar member "../escape" refused')), `../ refused: ${found}`);
      assert(found.some((p) => p.startsWith('tar member "/etc/absolute" refused')), `absolute refused: ${found}`);

      await openFile(page, path.join(FIXTURES, 'hostile-notlayout.tar'));
      await archiveShown(page);
      const note = await fact(page, 'not-an-archive');
      assert(note.includes('no oci-layout, index.json or manifest.json') && note.includes('README.txt'), `not a layout: ${note}`);
      // ... and it is listed as a layer, as any tar is.
      const members = execFileSync('tar', ['-tf', path.join(FIXTURES, 'hostile-notlayout.tar')]).toString().split('\n').filter(Boolean);
      assertEq(sorted(await listedPaths(page)), sorted(members), 'listed as a layer: tar -t');
    }],
    ['compare two tags of a layout folder: figures, platform, file diff, command line', async (page) => {
      await openFolder(page, layout);
      await archiveShown(page);
      await openTag(page, 'single');
      await page.locator('#archive-compare').click();
      // The other side: the index tagged multi, picked from the archive's images.
      await page.locator('#compare-disk').selectOption(tagOf('multi').digest);
      // B follows A's platform (amd64): the same manifest on both sides.
      await checkFigures(page, expectedComparison(JSON.parse(amd.manifest), JSON.parse(amd.manifest)), 'single vs multi (amd64)');
      await page.locator('#platform-b').selectOption('linux/arm64/v8');
      await page.waitForFunction(() => new URL(location.href).searchParams.get('pb') === 'linux/arm64/v8');
      await checkFigures(page, expectedComparison(JSON.parse(amd.manifest), JSON.parse(arm.manifest)), 'single vs multi (arm64)');
      const url = new URL(page.url());
      for (const [key, value] of [['disk', '1'], ['view', 'compare'], ['at', amd.digest], ['vs', 'disk:'], ['vsat', tagOf('multi').digest]]) {
        assertEq(url.searchParams.get(key), value, `${key} in the URL`);
      }
      assert((await page.locator('[data-side="A"]').textContent()).includes('single in oci'), 'A names its tag and folder');
      assert((await page.locator('[data-side="B"]').textContent()).includes('multi in oci'), 'B names its tag and folder');
      const commands = await page.locator('section.compare .commands').textContent();
      assert(commands.includes(`regctl manifest diff ocidir://oci@${amd.digest} ocidir://oci@${arm.digest}`), commands);
      // The file diff, every layer read from the folder: the two merged trees as tar -t lists them.
      await checkFileDiff(page, ['amd64', 'arm64']);
      assertEq(await bytesOf(page, 'files-added'), 'arm64 layer\n'.length, 'bytes added');
      await page.screenshot({ path: `${outDir}/compare-tags.png`, fullPage: true });
      // A file link goes to that side's merged view in the archive.
      const link = await page.locator('tr[data-path="opt/arm64.txt"] a').first().getAttribute('href');
      assert(link.includes('disk=1') && link.includes('view=fs') && link.includes(`at=${arm.digest}`), `link into B's merged view: ${link}`);
      await page.locator('tr[data-path="opt/arm64.txt"] a').first().click();
      await page.locator('[data-fact="file-text"]').waitFor({ timeout: 30000 });
      assertEq(await page.locator('[data-fact="file-text"]').textContent(), 'arm64 layer\n', 'the file, from the archive');
    }],
    ['compare an oci-archive image with its registry original, swap, and the file diff', async (page) => {
      await openFile(page, ociArchive);
      await archiveShown(page);
      await openTag(page, 'multi');
      await page.locator('#archive-compare').click();
      const original = `${host}/${repo}:multi`;
      await page.locator('#compare-vs').fill(original);
      await page.locator('#compare-go').click();
      const same = expectedComparison(JSON.parse(amd.manifest), JSON.parse(amd.manifest));
      await checkFigures(page, same, 'archive vs registry');
      assertEq(await bytesOf(page, 'shared'), await bytesOf(page, 'size-a'), 'everything shared');
      assertEq(await page.locator('[data-fact="index-unchanged"]').textContent(), '2 platforms unchanged.', 'the same index');
      await page.locator('#compare-swap').click();
      await page.waitForFunction(() => new URL(location.href).searchParams.get('vs') === 'disk:');
      assertEq(new URL(page.url()).searchParams.get('ref'), original, 'A is the registry image now');
      assertEq(new URL(page.url()).searchParams.get('disk'), null, 'and the route is no disk route');
      await checkFigures(page, same, 'registry vs archive');
      assert((await page.locator('[data-side="B"]').textContent()).includes('open from disk'), 'B says where it is from');
      // Every layer read twice (from the registry and from the file), verified, the same files.
      await page.locator('#file-diff').click();
      await page.locator('[data-fact="files-added"]').waitFor({ timeout: 60000 });
      for (const name of ['files-added', 'files-removed', 'files-changed']) {
        assert((await page.locator(`[data-fact="${name}"]`).textContent()).startsWith('0'), `${name}: none`);
      }
      assertEq(Number(await page.locator('[data-fact="files-unchanged"]').textContent()), new Set([...base.names, ...amdTop.names]).size, 'every path unchanged');
      assert((await page.locator('[data-fact="file-diff-time"]').textContent()).startsWith('4 layers read and verified'), 'two layers from each place');
      await page.screenshot({ path: `${outDir}/compare-registry.png`, fullPage: true });
      // After a reload the file is gone: the disk side says so.
      await page.reload();
      await page.locator('[data-fact="compare-error"]').waitFor({ timeout: 30000 });
      assert((await page.locator('[data-fact="compare-error"]').textContent()).includes('nothing is open from disk'), 'the disk side is gone');
    }],
    ['compare a legacy docker save with its registry original: other blobs, the same files', async (page) => {
      await openFile(page, dockerArchive);
      await archiveShown(page);
      await openTag(page, JSON.parse(execFileSync('tar', ['-xOf', dockerArchive, 'manifest.json']))[0].RepoTags[0]);
      await page.locator('#archive-compare').click();
      await page.locator('#compare-vs').fill(`${host}/${repo}:amd`);
      await page.locator('#compare-go').click();
      await page.locator('[data-fact="dedup"]').waitFor({ timeout: 30000 });
      await page.locator('[data-fact="synthesized"]').waitFor();
      // The archive's layers are the uncompressed tars: their digests are the diff_ids.
      assertEq(await page.locator('table.compare-layers tr[data-state="shared"]').count(), 0, 'no layer blob shared');
      const onlyA = await page.locator('table.compare-layers tr[data-state="only-a"] [data-digest]').evaluateAll((e) => e.map((x) => x.dataset.digest));
      assertEq(JSON.stringify(onlyA), JSON.stringify([base.diffId, amdTop.diffId]), 'A lists the diff_ids');
      await page.locator('#file-diff').click();
      await page.locator('[data-fact="files-added"]').waitFor({ timeout: 60000 });
      assertEq(await page.locator('table.file-diff tbody tr').count(), 0, 'no file differs');
      assertEq(Number(await page.locator('[data-fact="files-unchanged"]').textContent()), new Set([...base.names, ...amdTop.names]).size, 'every path unchanged');
    }],
    ['compare two different archives: the second opened in the compare view', async (page) => {
      await openFile(page, release1);
      await archiveShown(page);
      await openTag(page, 'release');
      await page.locator('#archive-compare').click();
      await page.locator('#compare-other-file').setInputFiles(release2);
      await page.locator('#compare-other').selectOption(arm.digest, { timeout: 30000 });
      await checkFigures(page, expectedComparison(JSON.parse(amd.manifest), JSON.parse(arm.manifest)), 'release-1 vs release-2');
      const url = new URL(page.url());
      for (const [key, value] of [['disk', '1'], ['view', 'compare'], ['at', amd.digest], ['vs', 'disk2:'], ['vsat', arm.digest]]) {
        assertEq(url.searchParams.get(key), value, `${key} in the URL`);
      }
      assert((await page.locator('[data-side="A"]').textContent()).includes('release in release-1.tar'), 'A names its tag and file');
      assert((await page.locator('[data-side="B"]').textContent()).includes('release in release-2.tar'), 'B names its tag and file');
      // The config diff, each config read from its own file.
      const arch = await page.locator('tr[data-field="architecture"]').textContent();
      assert(arch.includes('amd64') && arch.includes('arm64'), `architecture differs: ${arch}`);
      // B has no first-side form: no swap, and why.
      assert(await page.locator('#compare-swap').isDisabled(), 'swap disabled');
      assert((await fact(page, 'swap-none')).includes('B is a file opened here'), 'and the reason');
      // Only the page's file has views to link to.
      assertEq(await page.locator(`table.compare-layers [data-digest="${amdTop.digest}"] a`).count(), 1, "A's layer is a link");
      assertEq(await page.locator(`table.compare-layers [data-digest="${armTop.digest}"] a`).count(), 0, "B's layer is not");
      // The file diff: the shared base read from each file, so four layers.
      const [inA, inB] = await checkFileDiff(page, ['release-1', 'release-2']);
      assertEq(Number(await page.locator('[data-fact="files-unchanged"]').textContent()), [...inA].filter((n) => inB.has(n)).length, 'the base unchanged');
      assert((await fact(page, 'file-diff-time')).startsWith('4 layers read and verified'), 'the shared base read from both files');
      await page.screenshot({ path: `${outDir}/compare-two-archives.png`, fullPage: true });
      // After a reload neither file is open; with A in the registry, B says it is gone.
      const gone = new URL(page.url());
      gone.searchParams.delete('disk');
      gone.searchParams.delete('files');
      gone.searchParams.set('ref', `${host}/${repo}:amd`);
      await page.goto(gone.href);
      await page.locator('[data-fact="compare-error"]').waitFor({ timeout: 30000 });
      const error = await fact(page, 'compare-error');
      assert(error.startsWith('B: the other file or folder is no longer open'), `B is gone: ${error}`);
    }],
    ['compare an archive with a layout folder opened in the compare view; another file clears it', async (page) => {
      await openFile(page, release1);
      await archiveShown(page);
      await openTag(page, 'release');
      await page.locator('#archive-compare').click();
      await page.locator('#compare-other-folder').setInputFiles(layout);
      await page.locator('#compare-other').selectOption(tagOf('multi').digest, { timeout: 30000 });
      // B is an index: it follows A's platform (amd64), the same manifest as A.
      await checkFigures(page, expectedComparison(JSON.parse(amd.manifest), JSON.parse(amd.manifest)), 'release-1 vs the folder');
      assert((await page.locator('[data-side="B"]').textContent()).includes('multi in oci'), 'B names its tag and folder');
      assertEq(await page.locator('section.compare .commands').count(), 0, 'no command line: A is a tar');
      // Choosing another file drops the side B named in the folder.
      await page.locator('#compare-other-file').setInputFiles(release2);
      await page.waitForFunction(() => new URL(location.href).searchParams.get('vs') === null);
      await page.locator('#compare-other').selectOption(arm.digest, { timeout: 30000 });
      await checkFigures(page, expectedComparison(JSON.parse(amd.manifest), JSON.parse(arm.manifest)), 'then release-2');
    }],
    ['a 2 GiB archive shows its first view quickly', async (page) => {
      // A layout tar whose one layer is 2 GiB of zeros: a hole in a sparse file, never written.
      const big = path.join(dir, 'big.tar');
      const size = 2 ** 31;
      const fake = 'sha256:' + 'ab'.repeat(32);
      const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [fake] } }));
      const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MT.ociManifest,
        config: { mediaType: MT.ociConfig, digest: sha256(config), size: config.length },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: fake, size }] }));
      const idx = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: MT.ociManifest, digest: sha256(manifest),
        size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': 'big' } }] }));
      execFileSync('python3', ['-c', `
import io, sys, tarfile, json
out, size, fake = sys.argv[1], int(sys.argv[2]), sys.argv[3]
small = json.loads(sys.stdin.read())
with open(out, "wb") as f:
    def add(name, data):
        info = tarfile.TarInfo(name); info.size = len(data)
        f.write(info.tobuf(tarfile.USTAR_FORMAT)); f.write(data); f.write(b"\\0" * (-len(data) % 512))
    for name, text in small:
        add(name, text.encode())
    info = tarfile.TarInfo("blobs/sha256/" + fake[7:]); info.size = size
    f.write(info.tobuf(tarfile.USTAR_FORMAT))
    f.seek(size, 1)
    f.write(b"\\0" * 1024)
`, big, String(size), fake], { input: JSON.stringify([
        ['oci-layout', '{"imageLayoutVersion":"1.0.0"}'], ['index.json', idx.toString()],
        [`blobs/sha256/${sha256(manifest).slice(7)}`, manifest.toString()], [`blobs/sha256/${sha256(config).slice(7)}`, config.toString()],
      ]) });
      try {
        assert(fs.statSync(big).size > size, 'a 2 GiB file');
        await page.goto(site.url);
        const started = Date.now();
        await page.locator('#file').setInputFiles(big);
        await page.locator('table.archive-tags tr[data-tag="big"]').waitFor({ timeout: 30000 });
        const ms = Date.now() - started;
        const opened = await page.locator('[data-fact="archive-opened"]').getAttribute('data-ms');
        console.log(`2 GiB archive: first view ${ms} ms after setInputFiles (the worker probe: ${opened} ms; ${await fact(page, 'archive-opened')})`);
        assert(ms < 15000, `first view within a generous 15 s (took ${ms} ms)`);
        assertEq(await page.locator('[data-problem]').count(), 0, 'no problems');
      } finally {
        fs.rmSync(big, { force: true });
      }
    }],
  ], { outDir });
} finally {
  site?.close();
  await reg.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
