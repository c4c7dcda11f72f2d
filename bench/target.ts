/**
 * Targets of the benches: each bench states its target through {@link meetsTarget}, which prints the verdict and makes
 * the bench process exit non-zero when it is missed, so `npm run bench` shows a regression at once (the targets and
 * figures are in docs/benchmarks.md; timed assertions stay out of the test suite).
 */

/** Records whether `value` meets `target` (`max`: at most, `min`: at least); a miss sets the exit code to 1. */
export function meetsTarget(what: string, value: number, target: { max?: number; min?: number }, unit = ''): boolean {
  const ok = (target.max === undefined || value <= target.max) && (target.min === undefined || value >= target.min);
  const bound = target.max !== undefined ? `≤ ${target.max}${unit}` : `≥ ${target.min}${unit}`;
  const line = `target ${ok ? 'met' : 'MISSED'}: ${what} = ${+value.toFixed(3)}${unit} (target ${bound})`;
  if (ok) console.log(line);
  else {
    console.error(line);
    process.exitCode = 1;
  }
  return ok;
}
