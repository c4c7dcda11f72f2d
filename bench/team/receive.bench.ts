// "Update Adapter" as the extension runs it, against the real server on loopback with a 20 MB version: one
// TeamSession.updateAdapter() (current version, signed manifest, streamed download with sha256, stored by rename,
// verified again on activation, active.json written) into fresh storage; then "Roll Back" from version 2 to 1 (a
// full re-verification of the kept version); then marking absorbed items and counting the prompt tokens saved on a
// 300-item knowledge file (what runs after each activation). Starts its own server in a temporary folder.
// Run: node --import tsx bench/team/receive.bench.ts   (prints one JSON line and the target verdicts)
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../src/server/app';
import { release } from '../../src/server/adapters';
import { loadConfig } from '../../src/server/config';
import { joinTeam, markAbsorbed, StoredOnlyRuntime, TeamSession, tokensSavedByAbsorption } from '../../src/core/team';
import { parseKnowledge, serializeKnowledge } from '../../src/core/knowledge/format';
import { createTinyModel } from '../../test/support/tinyModel';
import { meetsTarget } from '../target';

const ADAPTER_MB = 20;
const RUNS = 5;
const ITEMS = 300;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const base = mkdtempSync(join(tmpdir(), 'oel-bench-receive-'));
  const cfg = loadConfig({ model_dir: createTinyModel(), data_dir: join(base, 'data'), host: '127.0.0.1', port: 0, rate_limit: { burst: 1e6, per_second: 1e6 } });
  const srv = await startServer(cfg, { bootstrapTeam: 'bench' });
  try {
    const token = srv.tokens.create('bench', 'member', 'm').token;
    const pin = await joinTeam({ url: srv.url, token, key_id: srv.key.keyId });
    const gate = { passed: true, heldout_kl_before: 1, heldout_kl_after: 0.5, kl_reduction: 0.5, min_kl_reduction: 0.05, ood_kl_new_vs_prev: 0, max_ood_kl: 0.5, reasons: [] };
    const teamIds = Array.from({ length: ITEMS / 3 }, (_, i) => ({ id: `k-team${i}`, text: `team item ${i}` }));
    for (const version of [1, 2]) {
      const out = join(base, `out${version}`);
      mkdirSync(out);
      writeFileSync(join(out, 'adapter_model.safetensors'), randomBytes(ADAPTER_MB * 1024 * 1024));
      writeFileSync(join(out, 'adapter_config.json'), '{"r": 8}\n');
      const dir = await release({ dataDir: cfg.data_dir, team: 'bench', version, parentVersion: version === 1 ? null : 1, roundId: `r-${version}`, baseModelId: 'tiny', knowledge: teamIds, metrics: {} as never, gate, trainerOutputDir: out, key: srv.key });
      await srv.store.addAdapter({ team: 'bench', version, parent_version: version === 1 ? null : 1, round_id: `r-${version}`, created_at: new Date().toISOString(), dir });
    }
    await srv.store.setCurrent('bench', 1);

    const update: number[] = [];
    let last: TeamSession | undefined;
    for (let i = 0; i < RUNS; i++) {
      const session = new TeamSession({ storage: join(base, `client${i}`), pin, token, runtime: new StoredOnlyRuntime(), keep: 3 });
      const s = performance.now();
      const r = await session.updateAdapter();
      if (r.kind !== 'activated') throw new Error(JSON.stringify(r));
      update.push(performance.now() - s);
      last = session;
    }
    await srv.store.setCurrent('bench', 2);
    if ((await last!.updateAdapter()).kind !== 'activated') throw new Error('version 2 was not activated');
    const rb = performance.now();
    const back = await last!.rollBack();
    const rollBackMs = performance.now() - rb;
    if (back.version !== 1) throw new Error(`rolled back to ${back.version}`);

    // A 300-item file (over the 2,000-token prompt budget) and a 30-item one (within it); a third of the items were
    // shared and are listed by the adapter.
    const file = (n: number) => `# OEL knowledge\n\n${Array.from({ length: n }, (_, i) => `- K-bench${String(i).padStart(3, '0')} [accepted] ${i % 3 === 0 ? `Team lesson ${i}: ` : ''}${'prefer explicit error messages over silent fallbacks; '.repeat(2)}\n  <!-- oel\n  scope: workspace\n  sources: -\n  helpful: ${i % 5}\n  harmful: 0\n  consolidated: false\n${i % 3 === 0 ? `  team: k-team${i / 3} admitted\n` : ''}  -->`).join('\n')}\n`;
    const text = file(ITEMS);
    const small = parseKnowledge(file(30)).doc;
    markAbsorbed(small, 'srv', { version: 1, ids: teamIds.map((t) => t.id) });
    const savedSmall = tokensSavedByAbsorption([serializeKnowledge(small)]);
    const absorb: number[] = [];
    let saved = { items: 0, tokens: 0 };
    for (let i = 0; i < RUNS; i++) {
      const s = performance.now();
      const { doc } = parseKnowledge(text);
      markAbsorbed(doc, 'srv', { version: 1, ids: teamIds.map((t) => t.id) });
      saved = tokensSavedByAbsorption([serializeKnowledge(doc)]);
      absorb.push(performance.now() - s);
    }
    process.stdout.write(`${JSON.stringify({
      bench: 'team.receive', adapter_mb: ADAPTER_MB, runs: RUNS, update_median_ms: +median(update).toFixed(0), update_max_ms: +Math.max(...update).toFixed(0),
      roll_back_ms: +rollBackMs.toFixed(0), knowledge_items: ITEMS, absorbed_items: saved.items, tokens_saved_per_task: saved.tokens,
      small_file_items: 30, small_absorbed_items: savedSmall.items, small_tokens_saved_per_task: savedSmall.tokens,
      absorb_median_ms: +median(absorb).toFixed(1), node: process.version,
    })}\n`);
    meetsTarget(`Update Adapter (download, verify, store, verify again, activate) of a ${ADAPTER_MB} MB adapter (median)`, median(update), { max: 3000 }, ' ms');
    meetsTarget(`Roll Back to a kept ${ADAPTER_MB} MB version (full re-verification)`, rollBackMs, { max: 1500 }, ' ms');
    meetsTarget(`absorbed marks + tokens saved on ${ITEMS} items (median)`, median(absorb), { max: 100 }, ' ms');
  } finally {
    await srv.close();
  }
}

main().then(() => process.exit(process.exitCode ?? 0), (e: unknown) => { process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`); process.exit(1); });
