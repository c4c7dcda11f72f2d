// The team client on loopback against the real server: submission round-trip percentiles through TeamClient (build,
// send, validate the answer; one client, sequential), and download + verification of a 20 MB adapter version (signed
// manifest, streamed files, sha256, stored by rename). Starts its own server in a temporary folder.
// Run: node --import tsx bench/team/client.bench.ts   (prints one JSON line and the target verdicts)
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../src/server/app';
import { release } from '../../src/server/adapters';
import { loadConfig } from '../../src/server/config';
import { buildSubmission, joinTeam, receiveAdapter, TeamClient } from '../../src/core/team';
import { createTinyModel } from '../../test/support/tinyModel';
import { meetsTarget } from '../target';

const SUBMISSIONS = 300;
const ADAPTER_MB = 20;
const DOWNLOADS = 5;

async function main(): Promise<void> {
  const base = mkdtempSync(join(tmpdir(), 'oel-bench-team-'));
  const cfg = loadConfig({ model_dir: createTinyModel(), data_dir: join(base, 'data'), host: '127.0.0.1', port: 0, rate_limit: { burst: 1e6, per_second: 1e6 } });
  const srv = await startServer(cfg, { bootstrapTeam: 'bench' });
  try {
    const token = srv.tokens.create('bench', 'member', 'm').token;
    const client = new TeamClient({ pin: await joinTeam({ url: srv.url, token, key_id: srv.key.keyId }), token });
    const identity = { anonymize: (texts: string[]) => ({ texts }) };
    const rtt: number[] = [];
    for (let i = 0; i < SUBMISSIONS; i++) {
      const s = performance.now();
      const draft = await buildSubmission({ items: Array.from({ length: 5 }, (_, n) => ({ id: `K-b${i}x${n}`, text: `Item ${n} of submission ${i}: ${'prefer explicit error messages; '.repeat(3)}` })) }, identity);
      await client.submit(draft.body);
      rtt.push(performance.now() - s);
    }
    rtt.sort((a, b) => a - b);
    const pct = (p: number) => rtt[Math.min(rtt.length - 1, Math.floor(p * rtt.length))];

    // A 20 MB version released through the server's own path (no training: the bytes are what matters here).
    const out = join(base, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'adapter_model.safetensors'), randomBytes(ADAPTER_MB * 1024 * 1024));
    writeFileSync(join(out, 'adapter_config.json'), '{"r": 8}\n');
    const gate = { passed: true, heldout_kl_before: 1, heldout_kl_after: 0.5, kl_reduction: 0.5, min_kl_reduction: 0.05, ood_kl_new_vs_prev: 0, max_ood_kl: 0.5, reasons: [] };
    const dir = await release({ dataDir: cfg.data_dir, team: 'bench', version: 1, parentVersion: null, roundId: 'r-bench', baseModelId: 'tiny', knowledge: [], metrics: {} as never, gate, trainerOutputDir: out, key: srv.key });
    await srv.store.addAdapter({ team: 'bench', version: 1, parent_version: null, round_id: 'r-bench', created_at: new Date().toISOString(), dir });
    const dl: number[] = [];
    for (let i = 0; i < DOWNLOADS; i++) {
      const s = performance.now();
      const r = await receiveAdapter({ client, version: 1, root: join(base, `client${i}`) });
      if (!r.ok) throw new Error(r.message);
      dl.push(performance.now() - s);
    }
    dl.sort((a, b) => a - b);
    const median = dl[Math.floor(dl.length / 2)];
    process.stdout.write(`${JSON.stringify({
      bench: 'team.client', submissions: SUBMISSIONS, items_per_submission: 5, rtt_p50_ms: +pct(0.5).toFixed(2), rtt_p99_ms: +pct(0.99).toFixed(2),
      adapter_mb: ADAPTER_MB, downloads: DOWNLOADS, download_verify_median_ms: +median.toFixed(0), download_verify_max_ms: +dl[dl.length - 1].toFixed(0), node: process.version,
    })}\n`);
    // Each answer waits for the server's fsync, which dominates p99 on a shared disk; the server's own 50-client bench sees 200-320 ms.
    meetsTarget('submission round-trip p99 on loopback', pct(0.99), { max: 250 }, ' ms');
    meetsTarget(`download + verification of a ${ADAPTER_MB} MB adapter (median)`, median, { max: 3000 }, ' ms');
  } finally {
    await srv.close();
  }
}

main().then(() => process.exit(process.exitCode ?? 0), (e: unknown) => { process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`); process.exit(1); });
