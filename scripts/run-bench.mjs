// Runs every bench/**/*.bench.ts with tsx, one process each, and prints what each printed, then a summary.
// Files are discovered, so benches added under any bench/ subfolder (agent, knowledge, server, extension...) run too.
// Usage: npm run bench [-- FILTER...]   e.g. `npm run bench -- agent` runs only files whose path contains "agent".
import { listFiles } from './list-files.mjs';
import { spawnSync } from 'node:child_process';

const filters = process.argv.slice(2);
const files = listFiles('bench', (name) => name.endsWith('.bench.ts'));
const selected = files.filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (selected.length === 0) {
  console.error(`run-bench: no *.bench.ts files under bench/${filters.length ? ` matching ${filters.join(', ')}` : ''}`);
  process.exit(1);
}
const summary = [];
for (const file of selected) {
  console.log(`\n=== ${file}`);
  const started = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', file], { stdio: 'inherit' });
  summary.push({ file, status: r.status === 0 ? 'ok' : `failed (${r.status ?? r.signal})`, seconds: ((Date.now() - started) / 1000).toFixed(1) });
}
console.log('\n=== summary');
for (const s of summary) console.log(`${s.status.padEnd(12)} ${s.seconds.padStart(7)} s  ${s.file}`);
process.exit(summary.every((s) => s.status === 'ok') ? 0 : 1);
