// Full consolidation rounds with the REAL Python trainer on a tiny model: k-anonymity, gate, signing, files, round 2
// from the current adapter, rollback, a failing gate, and cancellation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADAPTER_GGUF_FILE, AdapterManifestSchema } from '../../../src/core/protocol/consolidation';
import { verifyManifest } from '../../../src/server/keys';
import { call, start, waitRound } from './harness';

const ITEMS_A = [
  { client_id: 'a1', text: 'Run the unit tests before committing any change.' },
  { client_id: 'a2', text: 'Prefer small pure functions over classes for parsing code.' },
];
// Member B words the first item differently; the merge must still count it as the same item.
const ITEMS_B = [
  { client_id: 'b1', text: '- run the unit tests before committing any change!' },
  { client_id: 'b2', text: 'Prefer small, pure functions over classes for parsing code' },
];
const STATEMENTS = ['Fix the failing login test in auth.ts', 'Add input validation to the settings parser'];

test('two members reach k, a real round releases a signed adapter whose files match; round 2 builds on it', async () => {
  const srv = await start({ k: 2 });
  try {
    const a = srv.tokens.create('alpha', 'member', 'ann').token;
    const b = srv.tokens.create('alpha', 'member', 'bob').token;
    const s1 = await call(srv.url, 'POST', '/v1/submissions', a, { submission_id: 'sub-a', items: ITEMS_A, task_statements: STATEMENTS });
    assert.equal(s1.status, 200);
    assert.deepEqual(s1.body.accepted.map((x: { status: string }) => x.status), ['waiting', 'waiting']);

    // Before k is reached nothing is admitted, so a round has nothing to consolidate.
    const early = await call(srv.url, 'POST', '/v1/consolidations', srv.admin, {});
    assert.equal(early.status, 201);
    const earlyEnd = await waitRound(srv.url, srv.admin, early.body.id);
    assert.equal(earlyEnd.status, 'failed');
    assert.match(earlyEnd.message, /no admitted knowledge/);

    const s2 = await call(srv.url, 'POST', '/v1/submissions', b, { submission_id: 'sub-b', items: ITEMS_B });
    assert.equal(s2.status, 200);
    assert.deepEqual(s2.body.accepted.map((x: { status: string; duplicate_of_existing: boolean }) => [x.status, x.duplicate_of_existing]), [['admitted', true], ['admitted', true]]);
    assert.deepEqual(s2.body.accepted.map((x: { item_id: string }) => x.item_id), s1.body.accepted.map((x: { item_id: string }) => x.item_id));
    const kn = await call(srv.url, 'GET', '/v1/knowledge', a);
    assert.equal(kn.body.items.length, 2);
    assert.ok(kn.body.items.every((i: { status: string; members: number }) => i.status === 'admitted' && i.members === 2));

    const r1 = await call(srv.url, 'POST', '/v1/consolidations', srv.admin, {});
    assert.equal(r1.status, 201);
    const again = await call(srv.url, 'POST', '/v1/consolidations', srv.admin, {});
    assert.equal(again.status, 409);
    const end1 = await waitRound(srv.url, srv.admin, r1.body.id);
    assert.equal(end1.status, 'released', JSON.stringify(end1));
    assert.equal(end1.gate.passed, true);
    assert.equal(end1.progress.step, end1.progress.total_steps);
    assert.equal(end1.adapter_version, 1);

    const pk = await call(srv.url, 'GET', '/v1/public-key', null);
    const man = await call(srv.url, 'GET', '/v1/adapters/1', a);
    assert.equal(man.status, 200);
    const manifest = AdapterManifestSchema.parse(man.body);
    assert.ok(verifyManifest(manifest, pk.body.public_key_base64), 'signature verifies with the served public key');
    assert.equal(verifyManifest({ ...manifest, version: 2 }, pk.body.public_key_base64), false, 'a tampered manifest fails');
    assert.deepEqual([...manifest.knowledge.ids].sort(), kn.body.items.map((i: { id: string }) => i.id).sort());
    assert.ok(manifest.files.some((f) => f.name === 'adapter_model.safetensors'));
    // Both formats are published and signed: the PEFT folder and llama.cpp's LoRA GGUF converted at release.
    assert.ok(manifest.files.some((f) => f.name === ADAPTER_GGUF_FILE), JSON.stringify(manifest.files));
    assert.equal(end1.message, null);
    for (const f of manifest.files) {
      const res = await fetch(`${srv.url}/v1/adapters/1/files/${f.name}`, { headers: { authorization: `Bearer ${b}` } });
      assert.equal(res.status, 200);
      const bytes = Buffer.from(await res.arrayBuffer());
      assert.equal(createHash('sha256').update(bytes).digest('hex'), f.sha256, f.name);
      assert.equal(bytes.length, f.bytes);
      if (f.name === ADAPTER_GGUF_FILE) {
        assert.equal(bytes.subarray(0, 4).toString('latin1'), 'GGUF');
        assert.ok(bytes.includes('adapter.lora.alpha') && bytes.includes('blk.0.attn_q.weight.lora_b'), 'a llama.cpp LoRA adapter');
      }
    }
    assert.deepEqual((await call(srv.url, 'GET', '/v1/adapters/current', a)).body, { version: 1 });

    // Version 1 holds both items: a round without new knowledge has nothing to teach.
    const idle = await call(srv.url, 'POST', '/v1/consolidations', srv.admin, {});
    const idleEnd = await waitRound(srv.url, srv.admin, idle.body.id);
    assert.equal(idleEnd.status, 'failed');
    assert.match(idleEnd.message, /no new knowledge: all 2 admitted items are already consolidated into version 1/);

    // Round 2 starts from the current adapter, and its teacher gets only the knowledge that is new since version 1.
    const newItem = { client_id: 'n1', text: 'Check the changelog before bumping a dependency.' };
    const s3 = await call(srv.url, 'POST', '/v1/submissions', a, { submission_id: 'sub-a2', items: [newItem] });
    await call(srv.url, 'POST', '/v1/submissions', b, { submission_id: 'sub-b2', items: [newItem] });
    const r2 = await call(srv.url, 'POST', '/v1/consolidations', srv.admin, { steps: 12 });
    const end2 = await waitRound(srv.url, srv.admin, r2.body.id);
    assert.equal(end2.parent_version, 1);
    assert.deepEqual(end2.knowledge_ids, [s3.body.accepted[0].item_id]);
    const job2 = JSON.parse(readFileSync(join(srv.cfg.data_dir, 'rounds', end2.id, 'a1', `${end2.id}-a1.job.json`), 'utf8'));
    assert.equal(job2.init_adapter, join(srv.cfg.data_dir, 'adapters', 'alpha', 'v1'), 'the student and teacher start from version 1');
    const teacherText = Buffer.from(job2.prompts.train[0].teacher.filter((t: number) => t < 256)).toString('utf8');
    assert.ok(teacherText.includes('changelog') && !teacherText.includes('unit tests'), teacherText);
    assert.ok(['released', 'failed_gate'].includes(end2.status), JSON.stringify(end2));
    // On this tiny model round 2 usually fails its gate; either way the current version must follow the verdict.
    const current = (await call(srv.url, 'GET', '/v1/adapters/current', a)).body.version;
    if (end2.status === 'released') {
      assert.equal((await call(srv.url, 'GET', '/v1/adapters/2', a)).body.parent_version, 1);
      assert.equal(current, 2);
    } else {
      assert.equal(current, 1);
    }
    // Rollback is one call (see rollback.test.ts for a full roll back and forward).
    const rb = await call(srv.url, 'POST', '/v1/adapters/current', srv.admin, { version: 1 });
    assert.deepEqual([rb.status, rb.body], [200, { version: 1 }]);
    assert.equal((await call(srv.url, 'POST', '/v1/adapters/current', srv.admin, { version: 99 })).status, 404);
    assert.equal((await call(srv.url, 'POST', '/v1/adapters/current', a, { version: 1 })).status, 403);
  } finally {
    await srv.close();
  }
});

test('a round whose gate fails is not released', async () => {
  // An OOD bound of 0 cannot be met by any trained adapter. This round also synthesizes its prompts with the base
  // model through the trainer's `generate` command (the default outside tests).
  const srv = await start({ k: 1, gate: { min_kl_reduction: 0.05, max_ood_kl: 0 }, prompts: { synthesis: 'trainer', per_item: 2, synthesis_max_new_tokens: 12 } });
  try {
    const a = srv.tokens.create('alpha', 'member').token;
    await call(srv.url, 'POST', '/v1/submissions', a, { submission_id: 's', items: ITEMS_A, task_statements: STATEMENTS });
    const r = await call(srv.url, 'POST', '/v1/consolidations', srv.admin, { steps: 2 });
    const end = await waitRound(srv.url, srv.admin, r.body.id);
    assert.equal(end.status, 'failed_gate');
    assert.equal(end.gate.passed, false);
    assert.equal(typeof end.gate.ood_kl_new_vs_prev, 'number');
    assert.match(end.message, /OOD KL/);
    const synthesized = JSON.parse(readFileSync(join(srv.cfg.data_dir, 'rounds', end.id, 'a1', 'synthesized.json'), 'utf8'));
    assert.equal(synthesized.samples.length, ITEMS_A.length * 2);
    assert.equal(end.adapter_version, null);
    assert.deepEqual((await call(srv.url, 'GET', '/v1/adapters', a)).body, { current: null, adapters: [] });
    assert.equal((await call(srv.url, 'GET', '/v1/adapters/1', a)).status, 404);
  } finally {
    await srv.close();
  }
});

test('an admin cancels a running round; it ends cancelled', async () => {
  const srv = await start({ k: 1 });
  try {
    const a = srv.tokens.create('alpha', 'member').token;
    await call(srv.url, 'POST', '/v1/submissions', a, { submission_id: 's', items: ITEMS_A });
    const r = await call(srv.url, 'POST', '/v1/consolidations', srv.admin, { steps: 500 });
    assert.equal((await call(srv.url, 'POST', `/v1/consolidations/${r.body.id}/cancel`, a)).status, 403);
    const c = await call(srv.url, 'POST', `/v1/consolidations/${r.body.id}/cancel`, srv.admin);
    assert.equal(c.status, 200);
    assert.equal(c.body.status, 'cancelled');
    assert.equal((await call(srv.url, 'GET', '/v1/adapters/current', a)).body.version, null);
  } finally {
    await srv.close();
  }
});
