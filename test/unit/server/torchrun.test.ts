// Rounds under torchrun (`trainer.nproc` > 1) with the REAL trainer: two data-parallel CPU processes (gloo) train and
// release an adapter, and cancelling such a round stops the launcher and every worker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, start, TINY_TRAINER, waitRound } from './harness';

const ITEMS = [
  { client_id: 'a1', text: 'Run the unit tests before committing any change.' },
  { client_id: 'a2', text: 'Prefer small pure functions over classes for parsing code.' },
];

/** Pids of live processes whose command line mentions `needle` (zombies excluded). */
function processesWith(needle: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (/^\d+ \(.*\) Z/.test(stat)) continue;
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(needle)) out.push(Number(name));
    } catch { /* exited while we looked */ }
  }
  return out;
}

test('with trainer.nproc 2 a round trains under torchrun on two processes and is released', { timeout: 180_000 }, async () => {
  const srv = await start({ k: 1, trainer: { ...TINY_TRAINER, nproc: 2 } });
  try {
    const a = srv.tokens.create('alpha', 'member').token;
    await call(srv.url, 'POST', '/v1/submissions', a, { submission_id: 's', items: ITEMS, task_statements: ['Fix the failing login test'] });
    const r = await call(srv.url, 'POST', '/v1/consolidations', srv.admin, {});
    const end = await waitRound(srv.url, srv.admin, r.body.id, 150_000);
    assert.equal(end.status, 'released', JSON.stringify(end));
    assert.equal(end.progress.step, end.progress.total_steps, 'rank 0 reported every step');
    const man = (await call(srv.url, 'GET', `/v1/adapters/${end.adapter_version}`, a)).body;
    assert.equal(man.metrics.world_size, 2, 'trained by two processes');
    assert.ok(man.files.some((f: { name: string }) => f.name === 'adapter_model.safetensors'));
    assert.ok(existsSync(`${srv.cfg.data_dir}/rounds/${end.id}/a1/torchrun-logs`), 'worker logs kept beside the job');
  } finally {
    await srv.close();
  }
});

test('cancelling a torchrun round stops the launcher and all its workers', { timeout: 180_000 }, async () => {
  const srv = await start({ k: 1, trainer: { ...TINY_TRAINER, nproc: 2 } });
  try {
    const a = srv.tokens.create('alpha', 'member').token;
    await call(srv.url, 'POST', '/v1/submissions', a, { submission_id: 's', items: ITEMS });
    const r = await call(srv.url, 'POST', '/v1/consolidations', srv.admin, { steps: 5000 });
    const deadline = Date.now() + 120_000;
    while ((await call(srv.url, 'GET', `/v1/consolidations/${r.body.id}`, srv.admin)).body.progress.step < 1) {
      assert.ok(Date.now() < deadline, 'trainer never reported a step');
      await new Promise((res) => setTimeout(res, 200));
    }
    const jobFile = `${r.body.id}-a1.job.json`;
    assert.equal(processesWith(jobFile).length, 3, 'torchrun plus two workers are running');
    const c = await call(srv.url, 'POST', `/v1/consolidations/${r.body.id}/cancel`, srv.admin);
    assert.equal(c.body.status, 'cancelled');
    const gone = Date.now() + 20_000;
    while (processesWith(jobFile).length > 0 && Date.now() < gone) await new Promise((res) => setTimeout(res, 200));
    assert.deepEqual(processesWith(jobFile), [], 'no worker outlives the cancel');
  } finally {
    await srv.close();
  }
});

test('trainer.parallel "fsdp" reaches the trainer through the job, which refuses it on CPU with the reason', { timeout: 120_000 }, async () => {
  const srv = await start({ k: 1, trainer: { ...TINY_TRAINER, parallel: 'fsdp' } });
  try {
    const a = srv.tokens.create('alpha', 'member').token;
    await call(srv.url, 'POST', '/v1/submissions', a, { submission_id: 's', items: ITEMS });
    const r = await call(srv.url, 'POST', '/v1/consolidations', srv.admin, {});
    const end = await waitRound(srv.url, srv.admin, r.body.id, 100_000);
    assert.equal(end.status, 'failed', JSON.stringify(end));
    assert.match(end.message, /needs CUDA GPUs/);
    assert.match(end.message, /Use parallel "ddp" on CPU/);
    const dir = join(srv.cfg.data_dir, 'rounds', end.id);
    const jobFiles = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.job.json'));
    assert.ok(jobFiles.length > 0, 'a job file was written');
    for (const f of jobFiles) assert.equal(JSON.parse(readFileSync(join(dir, f), 'utf8')).parallel, 'fsdp');
    assert.equal(end.adapter_version ?? null, null, 'nothing released');
  } finally {
    await srv.close();
  }
});
