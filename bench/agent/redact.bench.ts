// Cost of redacting one typical trajectory step (a 2 KB tool observation): own patterns (sync) vs. own patterns plus
// the secretlint recommended preset (async). Decides which runs on the step path; see docs/trajectory.md.
// Run: node --import tsx bench/agent/redact.bench.ts   (prints one JSON line)
import { redactSecrets, redactSecretsThorough } from '../../src/core/redact/redact';

const ITERATIONS = Number(process.env.OEL_BENCH_ITERATIONS ?? 300);
const text = ('export function add(a: number, b: number) { return a + b; }\n').repeat(30) + 'const url = "https://example.com/api";\n';
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

async function time(fn: () => unknown): Promise<number> {
  for (let i = 0; i < 20; i++) await fn();
  const xs: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = performance.now();
    await fn();
    xs.push(performance.now() - t0);
  }
  return +median(xs).toFixed(4);
}

const patternsMs = await time(() => redactSecrets(text, ['configured-key-value']));
const thoroughMs = await time(() => redactSecretsThorough(text, ['configured-key-value']));
console.log(JSON.stringify({ bench: 'redact_step_2kb', chars: text.length, patternsMedianMs: patternsMs, patternsPlusSecretlintMedianMs: thoroughMs }));
