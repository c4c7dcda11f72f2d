// Submissions per second and latency percentiles with 50 concurrent clients on loopback. Bounded: a fixed number of
// requests (and a 60 s cap); it starts its own server in a temporary data folder and stops it at the end.
// Run: node --import tsx bench/server/submissions.bench.ts   (prints one JSON line)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../src/server/app';
import { loadConfig } from '../../src/server/config';
import { createTinyModel } from '../../test/support/tinyModel';

const CLIENTS = 50;
const PER_CLIENT = 40;
const CAP_MS = 60_000;

async function main(): Promise<void> {
  const data = join(mkdtempSync(join(tmpdir(), 'oel-bench-')), 'data');
  const cfg = loadConfig({ model_dir: createTinyModel(), data_dir: data, host: '127.0.0.1', port: 0, rate_limit: { burst: 1e6, per_second: 1e6 } });
  const srv = await startServer(cfg, { bootstrapTeam: 'bench' });
  const tokens = Array.from({ length: CLIENTS }, (_, i) => srv.tokens.create('bench', 'member', `m${i}`).token);
  const latencies: number[] = [];
  let errors = 0;
  const deadline = Date.now() + CAP_MS;
  const t0 = performance.now();
  await Promise.all(tokens.map(async (tok, c) => {
    for (let i = 0; i < PER_CLIENT && Date.now() < deadline; i++) {
      const s = performance.now();
      const res = await fetch(`${srv.url}/v1/submissions`, {
        method: 'POST', headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' },
        body: JSON.stringify({ submission_id: `c${c}-${i}`, items: [{ client_id: 'x', text: `client ${c} item ${i} ${'lorem ipsum '.repeat(4)}` }, { client_id: 'shared', text: 'Read the whole error message first.' }] }),
      });
      await res.arrayBuffer();
      if (res.status !== 200) errors++;
      latencies.push(performance.now() - s);
    }
  }));
  const wall = (performance.now() - t0) / 1000;
  await srv.close();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  process.stdout.write(`${JSON.stringify({
    bench: 'server.submissions', clients: CLIENTS, requests: latencies.length, errors, wall_s: +wall.toFixed(2),
    submissions_per_s: +(latencies.length / wall).toFixed(1), p50_ms: +pct(0.5).toFixed(1), p99_ms: +pct(0.99).toFixed(1), max_ms: +pct(1).toFixed(1),
    node: process.version,
  })}\n`);
}

main().then(() => process.exit(0), (e: unknown) => { process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`); process.exit(1); });
