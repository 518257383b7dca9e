// Checks of the compare view shared by the suites that open it (compare.mjs, archives.mjs):
// the descriptor figures on screen against the ones a test computed itself from the
// manifests (tests/registry/compare.mjs `expectedComparison`).
import { assertEq, fact } from './harness.mjs';

export const bytesOf = async (page, name) => Number(await page.locator(`[data-fact="${name}"]`).first().getAttribute('data-bytes'));

/** The descriptor figures on screen equal the ones computed here from the manifests. */
export async function checkFigures(page, expected, what) {
  await page.locator('[data-fact="dedup"]').waitFor({ timeout: 30000 });
  for (const [name, value] of [['size-a', expected.sizeA], ['size-b', expected.sizeB], ['shared', expected.shared],
    ['only-a', expected.onlyA], ['only-b', expected.onlyB], ['dedup', expected.dedup]]) {
    assertEq(await bytesOf(page, name), value, `${what}: ${name}`);
  }
  assertEq(await page.locator('[data-fact="common-base"]').getAttribute('data-layers'), String(expected.commonBase), `${what}: same base`);
  assertEq(await fact(page, 'diverges-at'), expected.divergesAt === null ? 'none: the same layer list' : `layer ${expected.divergesAt}`, `${what}: divergence`);
  assertEq(await fact(page, 'config-equal'), expected.configEqual ? 'the same config blob' : 'different config blobs', `${what}: config`);
  assertEq(await page.locator('table.compare-layers tr[data-state="shared"]').count(), expected.sharedLayers, `${what}: shared layer rows`);
}
