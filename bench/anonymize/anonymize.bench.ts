// Anonymizer throughput (items/s) and recall by kind on the seeded labelled corpus (test/fixtures/anonymizer).
// Exits non-zero when it misses a target: throughput >= OEL_BENCH_MIN_ITEMS_PER_S (default 500 items/s, on the
// project's 2-core machine), recall >= 99.5% on secrets and on personal data, benign text intact >= 95%.
// Run: node --import tsx bench/anonymize/anonymize.bench.ts [--table]   (prints JSON lines; --table adds markdown)
import { anonymizeTexts } from '../../src/core/anonymize/anonymize';
import { generateCorpus } from '../../test/fixtures/anonymizer/corpus';
import { pct, scoreOutputs, type CategoryScore } from '../../test/fixtures/anonymizer/score';

const MIN_ITEMS_PER_S = Number(process.env.OEL_BENCH_MIN_ITEMS_PER_S ?? 500);
const ROUNDS = Number(process.env.OEL_BENCH_ROUNDS ?? 5);

const corpus = generateCorpus();
const texts = corpus.items.map((i) => i.text);
const options = { names: corpus.names, terms: corpus.terms };
const chars = texts.reduce((n, t) => n + t.length, 0);

await anonymizeTexts(texts.slice(0, 20), options); // warm up (secretlint's rules load on first use)
const rates: number[] = [];
let outputs: string[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const t0 = performance.now();
  outputs = (await anonymizeTexts(texts, options)).texts;
  rates.push(texts.length / ((performance.now() - t0) / 1000));
}
rates.sort((a, b) => a - b);
const itemsPerS = rates[Math.floor(rates.length / 2)];
const score = scoreOutputs(corpus.items, outputs);

console.log(JSON.stringify({ bench: 'anonymize_throughput', items: texts.length, avgChars: Math.round(chars / texts.length), rounds: ROUNDS, medianItemsPerS: Math.round(itemsPerS), minItemsPerS: Math.round(rates[0]), target: MIN_ITEMS_PER_S }));
const summary = (c: CategoryScore) => ({ total: c.total, ok: c.ok, rate: pct(c), kinds: c.byKind.size });
console.log(JSON.stringify({ bench: 'anonymize_recall', seed: corpus.seed, secret: summary(score.secret), personal: summary(score.personal), benign: summary(score.benign) }));

if (process.argv.includes('--table')) {
  for (const [title, cat] of [['secrets (removed)', score.secret], ['personal and environment data (removed)', score.personal], ['benign look-alikes (intact)', score.benign]] as const) {
    console.log(`\n| ${title} | planted | ok | rate |\n| --- | --- | --- | --- |`);
    for (const [kind, k] of [...cat.byKind].sort((a, b) => a[0].localeCompare(b[0]))) console.log(`| ${kind} | ${k.total} | ${k.ok} | ${pct(k)} |`);
    console.log(`| **all** | **${cat.total}** | **${cat.ok}** | **${pct(cat)}** |`);
  }
}
for (const m of score.misses.slice(0, 10)) console.log(JSON.stringify({ miss: m.category, kind: m.kind, value: m.value }));

const failures: string[] = [];
if (itemsPerS < MIN_ITEMS_PER_S) failures.push(`throughput ${Math.round(itemsPerS)} items/s < ${MIN_ITEMS_PER_S}`);
if (score.secret.ok / score.secret.total < 0.995) failures.push(`secret recall ${pct(score.secret)} < 99.5%`);
if (score.personal.ok / score.personal.total < 0.995) failures.push(`personal recall ${pct(score.personal)} < 99.5%`);
if (score.benign.ok / score.benign.total < 0.95) failures.push(`benign intact ${pct(score.benign)} < 95%`);
if (failures.length) {
  console.error(`anonymize bench: missed targets: ${failures.join('; ')}`);
  process.exit(1);
}
