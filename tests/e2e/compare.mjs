// End-to-end tests of the compare view against Debian's docker-registry on 127.0.0.1: two
// images pushed here that share a base layer, an index of two platforms, and three tags of one
// repository. Every figure on screen is checked against what this test computes from the
// manifests it pushed (tests/registry/compare.mjs), never against the app's own output.
// `node tests/e2e/compare.mjs dist`
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serveDist, run, assert, assertEq, fact, REGISTRY_404S, workerBinaries } from './harness.mjs';
import { startRegistry } from '../registry/start.mjs';
import { seedCompare, expectedComparison, expectedDedup } from '../registry/compare.mjs';
import { bytesOf, checkFigures } from './compare-checks.mjs';

const dist = process.argv[2] ?? 'dist';
const outDir = 'test-output/e2e-compare';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'me-compare-'));

const reg = await startRegistry({ name: 'compare', dir, storageDir: path.join(dir, 'storage') });
let site;
try {
  const s = await seedCompare(reg.url);
  const host = new URL(reg.url).host;
  site = await serveDist(dist, '/explorer/');
  const ref = (img, tag = img.tag) => `${host}/${img.repo}:${tag}`;
  const compareUrl = (a, b, extra = '') =>
    `${site.url}?ref=${encodeURIComponent(a)}&view=compare&vs=${encodeURIComponent(b)}${extra}`;

  await run([
    ['from a manifest: "Compare with…", type the other side, figures equal the test\'s own', async (page) => {
      await page.goto(`${site.url}?ref=${encodeURIComponent(ref(s.v1))}`);
      await page.locator('#browse-compare').click();
      await page.locator('#compare-vs').fill(ref(s.v2));
      await page.locator('#compare-go').click();
      await checkFigures(page, expectedComparison(s.v1.manifest, s.v2.manifest), 'v1 vs v2');
      const url = new URL(page.url());
      assertEq(url.searchParams.get('view'), 'compare', 'view in the URL');
      assertEq(url.searchParams.get('vs'), ref(s.v2), 'the other side in the URL');
      assertEq(url.searchParams.get('at'), s.v1.digest, 'side A pinned to the manifest it came from');
      // Every layer digest links to that layer's file listing in its side's repository.
      const href = await page.locator('table.compare-layers tr[data-state="only-b"] a').first().getAttribute('href');
      assert(href.includes('view=files') && href.includes(`at=${s.v2.manifest.layers[1].digest}`), `only-b layer link: ${href}`);
      // Command line equivalents name both manifests by digest.
      const commands = await page.locator('section.compare .commands').textContent();
      assert(commands.includes(`regctl manifest diff ${host}/${s.v1.repo}@${s.v1.digest} ${host}/${s.v2.repo}@${s.v2.digest}`), commands);
      assert(commands.includes(`regctl blob diff-config ${host}/${s.v1.repo} ${s.v1.manifest.config.digest}`), commands);
      await page.screenshot({ path: `${outDir}/descriptors.png`, fullPage: true });
      // The permalink reloads to the same view.
      await page.reload();
      await checkFigures(page, expectedComparison(s.v1.manifest, s.v2.manifest), 'after reload');
    }],
    ['swap exchanges the sides', async (page) => {
      await page.goto(compareUrl(ref(s.v1), ref(s.v2)));
      await page.locator('[data-fact="dedup"]').waitFor({ timeout: 30000 });
      await page.locator('#compare-swap').click();
      await page.waitForFunction(() => new URL(location.href).searchParams.get('ref')?.endsWith(':v2'));
      await checkFigures(page, expectedComparison(s.v2.manifest, s.v1.manifest), 'v2 vs v1');
    }],
    ['the same image on both sides: everything shared, no divergence', async (page) => {
      await page.goto(compareUrl(ref(s.v3), `${host}/${s.v3.repo}@${s.v3.digest}`));
      await checkFigures(page, expectedComparison(s.v3.manifest, s.v3.manifest), 'v3 vs itself');
      await page.locator('[data-fact="config-same"]').waitFor();
    }],
    ['config diff: env, labels, created, history aligned; ignoring timestamps hides created', async (page) => {
      await page.goto(compareUrl(ref(s.v1), ref(s.v2)));
      await page.locator('table.config-diff').waitFor({ timeout: 30000 });
      const env = await page.locator('tr[data-kind="env"]').evaluateAll((rows) => rows.map((r) => r.dataset.key));
      assertEq(JSON.stringify(env), JSON.stringify(['EXTRA', 'MODE']), 'env keys that differ');
      assertEq(await page.locator('tr[data-kind="label"][data-key="org.opencontainers.image.version"]').count(), 1, 'label added');
      assertEq(await page.locator('tr[data-field="created"]').count(), 1, 'created differs');
      const history = await page.locator('tr[data-history]').evaluateAll((rows) => rows.map((r) => r.dataset.history));
      // ADD base (same but for created), COPY v1 → removed + added, RUN added.
      assertEq(JSON.stringify(history.slice().sort()), JSON.stringify(['added', 'added', 'changed', 'removed']), `history rows ${history}`);
      await page.locator('#ignore-timestamps').check();
      await page.waitForFunction(() => new URL(location.href).searchParams.get('notime') === '1');
      await page.locator('table.config-diff').waitFor({ timeout: 30000 });
      assertEq(await page.locator('tr[data-field="created"]').count(), 0, 'created ignored');
      const quiet = await page.locator('tr[data-history]').evaluateAll((rows) => rows.map((r) => r.dataset.history));
      assertEq(JSON.stringify(quiet.slice().sort()), JSON.stringify(['added', 'added', 'removed', 'same']), `history rows ignoring timestamps ${quiet}`);
      assert((await page.locator('section.compare .commands').textContent()).includes('diffoci diff --semantic'), 'diffoci --semantic when ignoring timestamps');
      await page.screenshot({ path: `${outDir}/config.png`, fullPage: true });
    }],
    ['two platforms of one index: picked by pa/pb, figures equal the test\'s own, index diff', async (page) => {
      const idx = ref(s.index);
      const amd = s.index.platforms['linux/amd64'];
      const arm = s.index.platforms['linux/arm64'];
      await page.goto(compareUrl(idx, idx, '&pa=linux/amd64&pb=linux/arm64'));
      await checkFigures(page, expectedComparison(amd.manifest, arm.manifest), 'amd64 vs arm64');
      assertEq(await page.locator('#platform-a').inputValue(), 'linux/amd64', 'A platform');
      assertEq(await page.locator('#platform-b').inputValue(), 'linux/arm64', 'B platform');
      assertEq(await fact(page, 'index-unchanged'), '2 platforms unchanged.', 'the same index on both sides');
      // Choosing another platform for B: the same on both, everything shared.
      await page.locator('#platform-b').selectOption('linux/amd64');
      await page.waitForFunction(() => new URL(location.href).searchParams.get('pb') === 'linux/amd64');
      await checkFigures(page, expectedComparison(amd.manifest, amd.manifest), 'amd64 vs amd64');
      // Without pa/pb both sides show the same (first) platform.
      await page.goto(compareUrl(idx, idx));
      await checkFigures(page, expectedComparison(amd.manifest, amd.manifest), 'default platform');
      // An index against one image: the index shows that image's platform (from its config).
      await page.goto(compareUrl(idx, `${host}/${s.index.repo}@${arm.digest}`));
      await checkFigures(page, expectedComparison(arm.manifest, arm.manifest), 'index vs arm64 image');
      assertEq(await page.locator('#platform-a').inputValue(), 'linux/arm64', 'A follows B');
    }],
    ['file diff: added, removed and changed files, each linking to its side\'s merged view', async (page) => {
      await page.goto(compareUrl(ref(s.v1), ref(s.v2)));
      await page.locator('#file-diff').click();
      await page.locator('[data-fact="files-added"]').waitFor({ timeout: 60000 });
      const rows = await page.locator('table.file-diff tbody tr').evaluateAll((trs) =>
        trs.map((r) => [r.dataset.path, r.dataset.change, r.querySelector('[data-changed]').dataset.changed]));
      const by = (change) => rows.filter((r) => r[1] === change).map((r) => r[0]).sort();
      assertEq(JSON.stringify(by('added')), JSON.stringify(s.files.added), 'added');
      assertEq(JSON.stringify(by('removed')), JSON.stringify(s.files.removed), 'removed');
      const changed = Object.fromEntries(rows.filter((r) => r[1] === 'changed').map((r) => [r[0], r[2]]));
      assertEq(JSON.stringify(changed, Object.keys(changed).sort()), JSON.stringify(s.files.changed, Object.keys(s.files.changed).sort()), 'changed and what');
      const v2Files = Object.assign({}, ...s.v2.layers.map((l) => l.files));
      assertEq(await bytesOf(page, 'files-added'), v2Files['srv/new.bin'].length, 'bytes added');
      // Largest size change first: srv/new.bin.
      assertEq(rows[0][0], 'srv/new.bin', 'sorted by size change');
      assertEq(JSON.stringify(workerBinaries(page)), '["worker"]', 'the file diff runs in the layer worker (no archive worker for registry images)');
      const link = await page.locator('tr[data-path="srv/new.bin"] a').first().getAttribute('href');
      assert(link.includes('view=fs') && link.includes('path=srv/new.bin') && link.includes(`at=${s.v2.digest}`), `link to B's merged view: ${link}`);
      assert(page.url().includes('files=1'), 'the file diff is in the permalink');
      await page.screenshot({ path: `${outDir}/files.png`, fullPage: true });
      await page.locator('tr[data-path="srv/new.bin"] a').first().click();
      await page.locator('[data-fact="file-hex"], [data-fact="file-text"]').first().waitFor({ timeout: 60000 });
    }],
    ['several tags: chosen on the tag list, matrix and dedup size equal the test\'s own', async (page) => {
      await page.goto(`${site.url}?ref=${encodeURIComponent(ref(s.v1))}&view=compare`);
      await page.locator('#list-tags-to-compare').click();
      for (const tag of ['v1', 'v2', 'v3']) await page.locator(`input[data-tag="${tag}"]`).check();
      await page.locator('#compare-tags').click();
      await page.locator('[data-fact="matrix-dedup"]').waitFor({ timeout: 30000 });
      const manifests = [s.v1, s.v2, s.v3].map((i) => i.manifest);
      assertEq(await bytesOf(page, 'matrix-dedup'), expectedDedup(manifests), 'dedup of three tags');
      // The base layer is in all three.
      const base = s.v1.manifest.layers[0].digest;
      assertEq(await page.locator(`table.blob-matrix tr[data-digest="${base}"]`).getAttribute('data-images'), '3', 'base in three tags');
      assertEq(await page.locator('table.blob-matrix tbody tr').count(), new Set(manifests.flatMap((m) => [m.config, ...m.layers].map((d) => d.digest))).size, 'one row per distinct blob');
      assert(page.url().includes('tags=v1%2Cv2%2Cv3'), `tags in the permalink: ${page.url()}`);
      await page.screenshot({ path: `${outDir}/tags.png`, fullPage: true });
    }],
    ['two built-in samples: "Compare with…" under a sample, figures equal those of the sample files', async (page) => {
      // The figures are computed here from the files in samples/, which the app embeds.
      const sample = (name) => JSON.parse(fs.readFileSync(path.join('samples', name), 'utf8'));
      await page.goto(`${site.url}?sample=oci-manifest`);
      await page.locator('#document-compare').click();
      await page.locator('#compare-vs').fill('sample:docker-manifest');
      await page.locator('#compare-go').click();
      const oci = sample('manifest-amd64.json');
      await checkFigures(page, expectedComparison(oci, sample('manifest-docker-amd64.json')), 'oci vs docker sample');
      assertEq(new URL(page.url()).searchParams.get('vs'), 'sample:docker-manifest', 'the sample side in the URL');
      await page.locator('[data-fact="config-same"]').waitFor();
      assert((await fact(page, 'file-diff-none')).includes('a built-in sample has no layer blobs'), 'no file diff for samples');
      assertEq(await page.locator('#file-diff').count(), 0, 'no file diff button');
      // Two platforms of the sample index, then swapped.
      const index = sample('index.json');
      const entry = (arch) => index.manifests.find((m) => m.platform?.architecture === arch);
      const byDigest = Object.fromEntries(fs.readFileSync('samples/SHA256SUMS', 'utf8').trim().split('\n')
        .map((l) => l.split('  ')).map(([hex, name]) => [`sha256:${hex}`, name]));
      const amd = sample(byDigest[entry('amd64').digest]);
      const arm = sample(byDigest[entry('arm64').digest]);
      await page.goto(`${site.url}?sample=oci-index&view=compare&vs=sample:oci-index&pa=linux/amd64&pb=linux/arm64`);
      await checkFigures(page, expectedComparison(amd, arm), 'index amd64 vs arm64');
      assertEq(await fact(page, 'index-unchanged'), `${index.manifests.filter((m) => m.platform?.os !== 'unknown').length} platforms unchanged.`, 'the same index');
      await page.locator('table.config-diff tr[data-field="architecture"]').waitFor();
      await page.locator('#compare-swap').click();
      await page.waitForFunction(() => new URL(location.href).searchParams.get('pa') === 'linux/arm64');
      await checkFigures(page, expectedComparison(arm, amd), 'swapped');
      await page.screenshot({ path: `${outDir}/samples.png`, fullPage: true });
      // The tampered sample is refused: its bytes are not the ones it is addressed by.
      await page.goto(`${site.url}?sample=tampered&view=compare&vs=sample:oci-manifest`);
      await page.locator('[data-fact="compare-error"]').waitFor({ timeout: 30000 });
      assert((await fact(page, 'compare-error')).includes('not what they claim to be'), 'tampered sample');
    }],
    ['a pasted manifest against a registry image: verified only with its expected digest, config from the registry side', async (page) => {
      await page.goto(site.url);
      await page.locator('#input').fill(s.v2.manifestBytes.toString('utf8'));
      await page.locator('#expect').fill(s.v2.digest);
      await page.locator('#inspect').click();
      await page.locator('#document-compare').click();
      await page.locator('#compare-vs').fill(ref(s.v1));
      await page.locator('#compare-go').click();
      await checkFigures(page, expectedComparison(s.v2.manifest, s.v1.manifest), 'pasted v2 vs v1');
      assertEq(await page.locator('[data-fact="pasted-verdict"]').getAttribute('data-state'), 'verified', 'expected digest matched');
      // A's config is read from B's repository by digest (the same repository here).
      await page.locator('table.config-diff tr[data-kind="env"]').first().waitFor();
      assert((await fact(page, 'file-diff-none')).includes('only the manifest was pasted'), 'no file diff for a pasted manifest');
      assert(await page.locator('#compare-swap').isDisabled(), 'a pasted document stays A');
      const own = await page.locator('p.compare-side[data-side="A"] a').getAttribute('href');
      assert(own.includes('doc=') && !own.includes('at=') && own.includes(`expect=${s.v2.digest}`), `A's digest links to the pasted document itself: ${own}`);
      await page.screenshot({ path: `${outDir}/pasted.png`, fullPage: true });
      // No expected digest: unverified; B's repository without A's config: not available.
      const doc = encodeURIComponent(s.v1.manifestBytes.toString('utf8'));
      await page.goto(`${site.url}?doc=${doc}&view=compare&vs=${encodeURIComponent(ref(s.index))}`);
      await page.locator('[data-fact="dedup"]').waitFor({ timeout: 30000 });
      assertEq(await page.locator('[data-fact="pasted-verdict"]').getAttribute('data-state'), 'unverified', 'no expected digest');
      const config = await page.locator('section.compare-config').textContent();
      assert(config.includes('config not available: only the manifest was pasted'), config);
    }],
    ['a side that does not exist, and too many tags, are clear errors', async (page) => {
      await page.goto(compareUrl(ref(s.v1), `${host}/${s.v1.repo}:nope`));
      await page.locator('[data-fact="compare-error"]').waitFor({ timeout: 30000 });
      assert((await fact(page, 'compare-error')).includes(':nope'), 'the error names the side');
      // Too many tags at once: refused before any request.
      const tags = Array.from({ length: 51 }, (_, i) => `t${i}`).join(',');
      await page.goto(`${site.url}?ref=${encodeURIComponent(ref(s.v1))}&view=compare&tags=${tags}`);
      await page.locator('[data-fact="compare-error"]').waitFor({ timeout: 30000 });
      assertEq(await fact(page, 'compare-error'), '51 tags asked for; at most 50 are compared at once', 'tag cap');
    }],
  ], {
    outDir,
    allowConsole: REGISTRY_404S,
  });
} finally {
  site?.close();
  await reg.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
