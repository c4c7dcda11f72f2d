// How close the cheap token estimate (src/core/knowledge/tokens.ts) is to a real BPE tokenizer (gpt-tokenizer, a dev
// dependency kept for this measurement only), on what it budgets: knowledge items, whole knowledge slots chosen per
// request, and trajectory-like text (the project's docs and sources). Targets (docs/benchmarks.md): no per-request
// slot over the budget by the real count; estimate within ±15% on average for items and for files. Exits 1 otherwise (bench/target.ts).
import { readFileSync, readdirSync } from 'node:fs';
import { countTokens } from 'gpt-tokenizer';
import { KNOWLEDGE_FILE, REQUESTS_FILE, type LabelledRequest } from '../../test/fixtures/relevance/generate';
import { knowledgeForPrompt, knowledgeItems, promptLine } from '../../src/core/knowledge/selection';
import { approxTokens } from '../../src/core/knowledge/tokens';
import { meetsTarget } from '../target';

// gpt-tokenizer refuses special-token text such as <|endoftext|> (the old approxTokens threw on such an item); strip it.
const real = (t: string) => countTokens(t.replace(/<\|/g, '<'));
const knowledge = readFileSync(KNOWLEDGE_FILE, 'utf8');
const requests = JSON.parse(readFileSync(REQUESTS_FILE, 'utf8')) as LabelledRequest[];
const items = knowledgeItems([knowledge]);

function errors(texts: string[]): { mean: number; meanAbs: number; p5: number; p95: number; min: number; max: number } {
  const e = texts.map((t) => (approxTokens(t) - real(t)) / real(t)).sort((a, b) => a - b);
  const at = (q: number) => e[Math.min(e.length - 1, Math.floor(e.length * q))];
  return { mean: e.reduce((a, b) => a + b, 0) / e.length, meanAbs: e.reduce((a, b) => a + Math.abs(b), 0) / e.length, p5: at(0.05), p95: at(0.95), min: e[0], max: e[e.length - 1] };
}
const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
const show = (name: string, e: ReturnType<typeof errors>) =>
  console.log(`${name}: mean ${pct(e.mean)}, mean |error| ${(e.meanAbs * 100).toFixed(1)}%, p5 ${pct(e.p5)}, p95 ${pct(e.p95)}, min ${pct(e.min)}, max ${pct(e.max)}`);

const itemErr = errors(items.map(promptLine));
show(`knowledge items (${items.length} prompt lines)`, itemErr);

const files = ['docs', 'src/core/knowledge', 'src/core/agent', 'src/core/tools'].flatMap((d) => readdirSync(d).filter((f) => /\.(md|ts)$/.test(f)).map((f) => `${d}/${f}`));
const fileErr = errors(files.map((f) => readFileSync(f, 'utf8')));
show(`docs and sources (${files.length} files, trajectory-like text)`, fileErr);

let over = 0;
let worst = 0;
for (const budget of [2000, 1000, 500]) {
  for (const r of requests) {
    const k = knowledgeForPrompt({ texts: [knowledge], items, request: r.text, openFiles: r.open ? [r.open] : [], budgetTokens: budget });
    if (!k) continue;
    const n = real(k.text);
    worst = Math.max(worst, n / budget);
    if (n > budget) over++;
  }
}
console.log(`per-request slots at budgets 2000/1000/500 (${requests.length * 3}): ${over} over budget by the real count; fullest at ${(worst * 100).toFixed(1)}% of its budget`);

const texts = files.map((f) => readFileSync(f, 'utf8'));
const timed = (fn: (t: string) => number) => {
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    for (const t of texts) fn(t);
    best = Math.min(best, performance.now() - t0);
  }
  return best;
};
console.log(`time over the ${files.length} files (best of 5): gpt-tokenizer ${timed(real).toFixed(1)} ms, estimate ${timed(approxTokens).toFixed(1)} ms`);

meetsTarget('per-request slots over budget by the real count', over, { max: 0 });
meetsTarget('estimate error on knowledge items, mean', Math.abs(itemErr.mean) * 100, { max: 15 }, ' %');
meetsTarget('estimate error on docs and sources, mean', Math.abs(fileErr.mean) * 100, { max: 15 }, ' %');
