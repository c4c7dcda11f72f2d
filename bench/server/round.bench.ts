// Wall time of one consolidation round with the real trainer on a tiny model (CPU), from POST /v1/consolidations to
// a terminal state, split into preparation and training. Bounded by a 5-minute cap.
// Run: node --import tsx bench/server/round.bench.ts   (prints one JSON line)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../src/server/app';
import { loadConfig } from '../../src/server/config';
import { createTinyModel, PYTHON, TRAINER_PATH } from '../../test/support/tinyModel';

const STEPS = Number(process.env.OEL_BENCH_STEPS ?? 20);
const SYNTHESIS = (process.env.OEL_BENCH_SYNTHESIS ?? 'trainer') as 'trainer' | 'template';

async function main(): Promise<void> {
  const data = join(mkdtempSync(join(tmpdir(), 'oel-bench-')), 'data');
  const cfg = loadConfig({
    model_dir: createTinyModel(), data_dir: data, host: '127.0.0.1', port: 0, k: 1, python: PYTHON, trainer_path: TRAINER_PATH,
    trainer: { steps: STEPS, batch_size: 4, lr: 1e-3, rank: 4, alpha: 8, max_new_tokens: 16, top_k: 32, device: 'cpu' },
    prompts: { synthesis: SYNTHESIS, per_item: 2, synthesis_max_new_tokens: 24 },
  });
  const srv = await startServer(cfg, { bootstrapTeam: 'bench' });
  const member = srv.tokens.create('bench', 'member').token;
  const h = (tok: string) => ({ authorization: `Bearer ${tok}`, 'content-type': 'application/json' });
  await fetch(`${srv.url}/v1/submissions`, { method: 'POST', headers: h(member), body: JSON.stringify({
    submission_id: 'b', task_statements: ['Fix the failing login test in auth.ts', 'Add input validation to the settings parser'],
    items: ['Run the unit tests before committing any change.', 'Prefer small pure functions over classes for parsing code.', 'Pin dependency versions in package.json.']
      .map((text, i) => ({ client_id: `i${i}`, text })),
  }) });
  const t0 = performance.now();
  const r = await (await fetch(`${srv.url}/v1/consolidations`, { method: 'POST', headers: h(srv.bootstrapAdminToken!), body: '{}' })).json() as { id: string };
  let trainingAt = 0;
  let round: { status: string; gate: unknown } = { status: 'queued', gate: null };
  const deadline = Date.now() + 300_000;
  while (!['released', 'failed_gate', 'failed', 'cancelled'].includes(round.status) && Date.now() < deadline) {
    await new Promise((res) => setTimeout(res, 100));
    round = await (await fetch(`${srv.url}/v1/consolidations/${r.id}`, { headers: h(srv.bootstrapAdminToken!) })).json() as typeof round;
    if (round.status === 'training' && !trainingAt) trainingAt = performance.now();
  }
  const total = (performance.now() - t0) / 1000;
  await srv.close();
  process.stdout.write(`${JSON.stringify({
    bench: 'server.round', steps: STEPS, synthesis: SYNTHESIS, status: round.status, wall_s: +total.toFixed(2),
    prepare_s: trainingAt ? +((trainingAt - t0) / 1000).toFixed(2) : null, train_s: trainingAt ? +((performance.now() - trainingAt) / 1000).toFixed(2) : null,
    gate: round.gate, node: process.version,
  })}\n`);
}

main().then(() => process.exit(0), (e: unknown) => { process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`); process.exit(1); });
