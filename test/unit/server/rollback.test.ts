// Rollback and roll forward between kept versions. The versions are released from fixture folders (the trainer's
// part is covered by round.test.ts); what is under test is that every version stays served and "current" moves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainerMetrics } from '../../../src/core/protocol/trainer';
import { evaluateGate, release } from '../../../src/server/adapters';
import { verifyManifest } from '../../../src/server/keys';
import { call, start } from './harness';

const metrics: TrainerMetrics = {
  job_id: 'x', method: 'opcd', steps: 1, heldout: { before: { kl: 1, top1_agreement: 0, mean_response_len: 1 }, after: { kl: 0.5, top1_agreement: 0, mean_response_len: 1 } },
  ood: { kl_new_vs_prev: 0.01, top1_agreement_new_vs_prev: 1 }, throughput: { sampling_tokens_per_s: 1, training_tokens_per_s: 1 }, device: 'cpu', dtype: 'float32', wall_s: 1,
};

test('rollback to a kept version and forward again', async () => {
  const srv = await start();
  try {
    const m = srv.tokens.create('alpha', 'member').token;
    for (const version of [1, 2]) {
      const out = join(srv.cfg.data_dir, `fixture-${version}`);
      mkdirSync(out, { recursive: true });
      writeFileSync(join(out, 'adapter_model.safetensors'), `weights v${version}`);
      const dir = await release({
        dataDir: srv.cfg.data_dir, team: 'alpha', version, parentVersion: version === 1 ? null : 1, roundId: `r${version}`, baseModelId: 'tiny',
        knowledge: [{ id: 'k1', text: 'x' }], metrics, gate: evaluateGate(metrics, 0.05, 0.5), trainerOutputDir: out, key: srv.key,
      });
      await srv.store.addAdapter({ team: 'alpha', version, parent_version: version === 1 ? null : 1, round_id: `r${version}`, created_at: new Date().toISOString(), dir });
    }
    const pk = (await call(srv.url, 'GET', '/v1/public-key', null)).body.public_key_base64;
    assert.deepEqual((await call(srv.url, 'GET', '/v1/adapters/current', m)).body, { version: 2 });
    assert.deepEqual((await call(srv.url, 'POST', '/v1/adapters/current', srv.admin, { version: 1 })).body, { version: 1 });
    assert.deepEqual((await call(srv.url, 'GET', '/v1/adapters/current', m)).body, { version: 1 });
    const list = (await call(srv.url, 'GET', '/v1/adapters', m)).body;
    assert.equal(list.current, 1);
    assert.deepEqual(list.adapters.map((a: { version: number }) => a.version), [1, 2]);
    for (const v of [1, 2]) {
      const man = (await call(srv.url, 'GET', `/v1/adapters/${v}`, m)).body;
      assert.ok(verifyManifest(man, pk));
      assert.equal((await call(srv.url, 'GET', `/v1/adapters/${v}/files/adapter_model.safetensors`, m)).body, `weights v${v}`);
    }
    assert.deepEqual((await call(srv.url, 'POST', '/v1/adapters/current', srv.admin, { version: 2 })).body, { version: 2 });
  } finally {
    await srv.close();
  }
});
