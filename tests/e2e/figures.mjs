// How the benchmarks print figures: medians and ranges, MB/s, goals, and the closing summary.
// They assert nothing about speed; a run fails only when a figure could not be measured.

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** MB/s (10^6 bytes a second) of `bytes` in `ms`. */
export const mbps = (bytes, ms) => bytes / 1e3 / ms;
/** "median (min–max)" of a list of numbers, `d` decimals; non-numbers are left out. */
export function spread(all, d = 0) {
  const xs = all.filter(Number.isFinite);
  if (!xs.length) return 'not measured';
  const f = (x) => x.toFixed(d);
  return xs.length === 1 ? f(xs[0]) : `${f(median(xs))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})`;
}
export const goal = (ok, text) => (ok ? `goal ${text}: met` : `goal ${text}: MISSED`);

/** Prints `== title ==`, the summary lines, what could not be measured and the run time, and
 * sets the exit code: 1 when anything could not be measured. */
export function printSummary(title, summary, unmeasured, elapsed) {
  console.log('');
  console.log(`== ${title} ==`);
  for (const s of summary) console.log(`  ${s}`);
  for (const u of unmeasured) console.log(`  NOT MEASURED: ${u}`);
  console.log(`  total ${elapsed}`);
  process.exitCode = unmeasured.length ? 1 : 0;
}
