// Step-append latency of the trajectory store with 100, 1,000 and 10,000 stored episodes: p50 and p99 of
// TrajectoryStore.append (the write path; redaction runs before it, off the loop). Target: p50 <= 1 ms and flat.
// Run: node --import tsx bench/agent/append.bench.ts   (prints one JSON line per size)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrajectoryStore } from '../../src/core/trajectory/store';
import type { EpisodeHeader, Step } from '../../src/core/trajectory/episode';
import { meetsTarget } from '../target';

const APPENDS = Number(process.env.OEL_BENCH_APPENDS ?? 2000);

function header(id: string, startedAt: string): EpisodeHeader {
  return { kind: 'header', schema: 1, id, title: `task ${id}`, startedAt, workspace: 'bench', provider: { baseUrl: 'http://127.0.0.1/v1', model: 'm' }, systemPrompt: { template: 'You are an agent.\n{{knowledge}}', knowledge: null }, trusted: true };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function measure(stored: number): Promise<{ bench: string; storedEpisodes: number; appends: number; p50Ms: number; p99Ms: number }> {
  const base = mkdtempSync(join(tmpdir(), 'oel-bench-append-'));
  const episodesDir = join(base, 'episodes');
  const indexFile = join(base, 'index.json');
  // Pre-create the stored episodes fast: minimal files plus one index write, as a long-lived store would hold.
  const store0 = await TrajectoryStore.open({ episodesDir, indexFile });
  store0.close();
  const rows = [];
  for (let i = 0; i < stored; i++) {
    const id = `old-${i}`;
    const at = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
    writeFileSync(join(episodesDir, `${id}.jsonl`), JSON.stringify(header(id, at)) + '\n' + JSON.stringify({ kind: 'end', at, reason: 'completed' }) + '\n');
    rows.push({ id, title: `task ${id}`, startedAt: at, endedAt: at, endReason: 'completed', feedback: null, workspace: 'bench', file: join(episodesDir, `${id}.jsonl`) });
  }
  writeFileSync(indexFile, JSON.stringify({ version: 1, episodes: rows }));
  const store = await TrajectoryStore.open({ episodesDir, indexFile });
  await store.create(header('live', new Date().toISOString()));
  const step: Step = { kind: 'tool', at: new Date().toISOString(), callId: 'c1', name: 'read_file', args: { path: 'src/app.ts' }, status: 'ok', output: 'x'.repeat(2000), originalSize: 2000, truncated: false, durationMs: 1.2 };
  const times: number[] = [];
  for (let i = 0; i < APPENDS; i++) {
    const t0 = performance.now();
    store.append('live', step);
    times.push(performance.now() - t0);
  }
  store.close();
  rmSync(base, { recursive: true, force: true });
  times.sort((a, b) => a - b);
  return { bench: 'trajectory_step_append', storedEpisodes: stored, appends: APPENDS, p50Ms: +percentile(times, 50).toFixed(4), p99Ms: +percentile(times, 99).toFixed(4) };
}

const results: Awaited<ReturnType<typeof measure>>[] = [];
for (const n of [100, 1000, 10000]) {
  const r = await measure(n);
  results.push(r);
  console.log(JSON.stringify(r));
}
for (const r of results) meetsTarget(`step append p50 with ${r.storedEpisodes} stored episodes`, r.p50Ms, { max: 1 }, ' ms');
