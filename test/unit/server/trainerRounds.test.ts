// The rounds file and the trainer's events as the zod schemas declare them, against the REAL trainer: a rounds file
// built and validated on the TypeScript side runs in `python3 -m oel_trainer rounds`, and every line it prints is a
// valid TrainerEvent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRAINER_JOB_SCHEMA, TRAINER_ROUNDS_SCHEMA, TrainerEventSchema, TrainerRoundsSchema } from '../../../src/core/protocol/trainer';
import { PYTHON, TRAINER_PATH } from '../../support/tinyModel';
import { tinyModel } from './harness';

const bytes = (s: string) => [...Buffer.from(s, 'utf8')];

function job(dir: string, n: number, knowledge: string) {
  const pair = (id: string, text: string) => ({ id, student: bytes(text), teacher: bytes(`${knowledge}\n${text}`) });
  return {
    schema: TRAINER_JOB_SCHEMA, job_id: `round-${n}`, base_model: tinyModel(), output_dir: join(dir, `r${n}`), device: 'cpu' as const,
    stop_token_ids: [258], lora: { rank: 4, alpha: 8 }, optim: { steps: 2, batch_size: 2, lr: 1e-3 }, sampling: { max_new_tokens: 4 },
    prompts: { train: [pair('t0', 'fix the test'), pair('t1', 'add a check')], heldout: [pair('h0', 'rename it')], ood: [{ id: 'o0', student: bytes('hello') }] },
  };
}

test('a rounds file from the TypeScript schema runs in the trainer; each event parses; round 2 starts from round 1', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'oel-rounds-'));
  const file = TrainerRoundsSchema.parse({ schema: TRAINER_ROUNDS_SCHEMA, rounds: [job(dir, 1, 'Run tests first.'), job(dir, 2, 'Pin versions.')] });
  assert.equal(TrainerRoundsSchema.safeParse({ ...file, rounds: [file.rounds[0], { ...file.rounds[1], init_adapter: '/x' }] }).success, false,
    'a later round may not name its own starting adapter');
  writeFileSync(join(dir, 'rounds.json'), JSON.stringify(file));
  const out = execFileSync(PYTHON, ['-m', 'oel_trainer', 'rounds', join(dir, 'rounds.json')],
    { env: { ...process.env, PYTHONPATH: TRAINER_PATH }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const events = out.trim().split('\n').map((line) => TrainerEventSchema.parse(JSON.parse(line)));
  assert.deepEqual(events.filter((e) => e.event === 'round').map((e) => e.event === 'round' && [e.round, e.total_rounds]), [[1, 2], [2, 2]]);
  const done = events.filter((e) => e.event === 'done');
  assert.deepEqual(done.map((e) => e.event === 'done' && e.output_dir), [join(dir, 'r1'), join(dir, 'r2')]);
  const m = done.map((e) => (e.event === 'done' ? e.metrics : null));
  // Same held-out prompt and seed: round 2's student, before training, samples exactly what round 1 ended with.
  assert.equal(m[1]?.heldout?.before.mean_response_len, m[0]?.heldout?.after.mean_response_len);
  assert.ok(existsSync(join(dir, 'r2', 'adapter_model.safetensors')));
});
