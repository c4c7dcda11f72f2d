// The authorization matrix: tokens x roles x teams, including revoked, unknown and missing tokens. Another team's
// resources must answer exactly like resources that do not exist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { release, evaluateGate } from '../../../src/server/adapters';
import type { TrainerMetrics } from '../../../src/core/protocol/trainer';
import { call, start } from './harness';

const metrics: TrainerMetrics = {
  job_id: 'x', method: 'opcd', steps: 1, heldout: { before: { kl: 1, top1_agreement: 0, mean_response_len: 1 }, after: { kl: 0.5, top1_agreement: 0, mean_response_len: 1 } },
  ood: { kl_new_vs_prev: 0.01, top1_agreement_new_vs_prev: 1 }, throughput: { sampling_tokens_per_s: 1, training_tokens_per_s: 1 }, device: 'cpu', dtype: 'float32', wall_s: 1,
};

test('authorization matrix', async () => {
  const srv = await start({ k: 2 });
  try {
    const t = {
      alphaMember: srv.tokens.create('alpha', 'member').token,
      alphaAdmin: srv.admin,
      betaMember: srv.tokens.create('beta', 'member').token,
      betaAdmin: srv.tokens.create('beta', 'admin').token,
      revoked: srv.tokens.create('alpha', 'admin').token,
    };
    const revokedId = srv.tokens.list().find((r) => r.team === 'alpha' && r.role === 'admin' && r.member !== 'bootstrap-admin')!.id;
    assert.ok(srv.tokens.revoke(revokedId));

    // Team alpha's data: an item, a (quickly failing) round, and a released version 1 (files from a fixture folder).
    const sub = await call(srv.url, 'POST', '/v1/submissions', t.alphaMember, { submission_id: 'x1', items: [{ client_id: 'c', text: 'Always pin dependency versions.' }] });
    const itemId = sub.body.accepted[0].item_id;
    const round = await call(srv.url, 'POST', '/v1/consolidations', t.alphaAdmin, {});
    assert.equal(round.status, 201);
    const cfgData = srv.cfg.data_dir;
    mkdirSync(join(cfgData, 'out'), { recursive: true });
    writeFileSync(join(cfgData, 'out', 'adapter_model.safetensors'), 'weights'); // fixture bytes: only access is under test
    const dir = await release({
      dataDir: cfgData, team: 'alpha', version: 1, parentVersion: null, roundId: round.body.id, baseModelId: 'tiny', knowledge: [],
      metrics, gate: evaluateGate(metrics, 0.05, 0.5), trainerOutputDir: join(cfgData, 'out'), key: srv.key,
    });
    await srv.store.addAdapter({ team: 'alpha', version: 1, parent_version: null, round_id: round.body.id, created_at: new Date().toISOString(), dir });

    const missing = await call(srv.url, 'GET', '/v1/consolidations/r-does-not-exist', t.alphaMember);
    assert.equal(missing.status, 404);
    const cases: Array<[string, string, string, unknown, Record<keyof typeof t | 'none' | 'garbage', number>]> = [
      ['GET', '/v1/knowledge', '', undefined, { none: 401, garbage: 401, revoked: 401, alphaMember: 200, alphaAdmin: 200, betaMember: 200, betaAdmin: 200 }],
      ['POST', '/v1/submissions', '', { submission_id: 'm', items: [] }, { none: 401, garbage: 401, revoked: 401, alphaMember: 200, alphaAdmin: 200, betaMember: 200, betaAdmin: 200 }],
      ['GET', `/v1/consolidations/${round.body.id}`, '', undefined, { none: 401, garbage: 401, revoked: 401, alphaMember: 200, alphaAdmin: 200, betaMember: 404, betaAdmin: 404 }],
      ['POST', `/v1/consolidations/${round.body.id}/cancel`, '', undefined, { none: 401, garbage: 401, revoked: 401, alphaMember: 403, alphaAdmin: 200, betaMember: 403, betaAdmin: 404 }],
      ['POST', `/v1/knowledge/${itemId}/decision`, '', { decision: 'approve' }, { none: 401, garbage: 401, revoked: 401, alphaMember: 403, alphaAdmin: 200, betaMember: 403, betaAdmin: 404 }],
      ['GET', '/v1/adapters/1', '', undefined, { none: 401, garbage: 401, revoked: 401, alphaMember: 200, alphaAdmin: 200, betaMember: 404, betaAdmin: 404 }],
      ['GET', '/v1/adapters/1/files/adapter_model.safetensors', '', undefined, { none: 401, garbage: 401, revoked: 401, alphaMember: 200, alphaAdmin: 200, betaMember: 404, betaAdmin: 404 }],
      ['POST', '/v1/adapters/current', '', { version: 1 }, { none: 401, garbage: 401, revoked: 401, alphaMember: 403, alphaAdmin: 200, betaMember: 403, betaAdmin: 404 }],
      ['GET', '/v1/adapters/current', '', undefined, { none: 401, garbage: 401, revoked: 401, alphaMember: 200, alphaAdmin: 200, betaMember: 200, betaAdmin: 200 }],
    ];
    for (const [method, path, , body, expected] of cases) {
      for (const [who, status] of Object.entries(expected)) {
        const token = who === 'none' ? null : who === 'garbage' ? 'oel_not-a-real-token' : t[who as keyof typeof t];
        const r = await call(srv.url, method, path, token, body);
        assert.equal(r.status, status, `${method} ${path} as ${who}: ${JSON.stringify(r.body)}`);
        // Another team's resource looks exactly like a missing one.
        if (status === 404) assert.deepEqual(r.body, missing.body, `${method} ${path} as ${who}`);
      }
    }
    // Team beta sees none of alpha's knowledge, rounds or adapters.
    assert.deepEqual((await call(srv.url, 'GET', '/v1/knowledge', t.betaAdmin)).body.items, []);
    assert.deepEqual((await call(srv.url, 'GET', '/v1/consolidations', t.betaMember)).body.rounds, []);
    assert.deepEqual((await call(srv.url, 'GET', '/v1/adapters', t.betaMember)).body, { current: null, adapters: [] });
    // Public endpoints need no token.
    assert.equal((await call(srv.url, 'GET', '/healthz', null)).status, 200);
    assert.equal((await call(srv.url, 'GET', '/v1/public-key', null)).body.alg, 'ed25519');
  } finally {
    await srv.close();
  }
});
