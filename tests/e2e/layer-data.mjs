// Test data shared by the layer benchmarks (tests/e2e/layer-bench.mjs, kernel-bench.mjs): made
// here, deterministically (fixed seeds, GNU tar --sort=name --mtime, gzip -n), so a run measures
// the same bytes every time.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';

const MTIME = '2024-01-02 03:04:05Z';

function xorshift(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s;
  };
}

/** Incompressible bytes: AES-128-CTR of zeros under a key made from `seed`. */
export function noise(n, seed) {
  const key = crypto.createHash('sha256').update(String(seed)).digest().subarray(0, 16);
  return crypto.createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(n));
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'zen', 'tor', 'pre', 'ion', 'ex', 'al', 'ber', 'cu', 'dis', 'fa', 'gor', 'han'];
const VOCAB = (() => {
  const r = xorshift(7);
  return Array.from({ length: 8192 }, () => {
    let w = '';
    for (let i = 0, n = 1 + (r() % 4); i < n; i++) w += SYLLABLES[r() % SYLLABLES.length];
    return w;
  });
})();

/** Log-like text, words drawn with a skewed distribution: gzip -6 makes it about 3× smaller. */
function text(n, seed) {
  const r = xorshift(seed);
  const two = (x) => String(x).padStart(2, '0');
  const lines = [];
  let len = 0;
  while (len < n) {
    let line = `2024-01-${two(1 + (r() % 28))} ${two(r() % 24)}:${two(r() % 60)} `;
    for (let i = 0, words = 4 + (r() % 12); i < words; i++) line += VOCAB[Math.floor(VOCAB.length * (r() / 2 ** 32) ** 3)] + ' ';
    line += `id=${r() % 100000}\n`;
    lines.push(line);
    len += line.length;
  }
  return Buffer.from(lines.join('')).subarray(0, n);
}

/** Writes files of `total` bytes under `root`: one in ten pseudo-random (a binary), the rest
 * text; gzip -6 makes the tar about 2.5× smaller. Returns the file count. */
export function writeFiles(root, total, seed) {
  const r = xorshift(seed);
  let written = 0;
  let count = 0;
  while (written < total) {
    const size = Math.min(total - written, 8192 + (r() % (384 << 10)));
    const binary = r() % 10 === 0;
    const dir = path.join(root, binary ? `usr/lib/pkg${count % 37}` : `usr/share/doc/pkg${count % 53}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${binary ? 'lib' : 'notes'}${count}${binary ? '.so' : '.txt'}`),
      binary ? noise(size, `${seed}-${count}`) : text(size, seed * 100003 + count));
    written += size;
    count++;
  }
  return count;
}

/** GNU tar of `root`'s contents, reproducible (sorted, fixed owner and time). */
export const tarOf = (root) => execFileSync('tar', [
  '-c', '-C', root, '--sort=name', '--format=pax', '--owner=0', '--group=0', '--numeric-owner', `--mtime=${MTIME}`,
  '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime', '.',
], { maxBuffer: 1 << 30 });

const run = promisify(execFile);
/** Compresses `file` with a real tool (gzip -6 -n, zstd -3), off the event loop. */
export const compress = async (cmd, args, file) => (await run(cmd, [...args, '-c', file], { encoding: 'buffer', maxBuffer: 1 << 30 })).stdout;
