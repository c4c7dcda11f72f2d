// Pure pieces: the merge rules, the canonical serialization that signatures cover, prompt splitting and the gate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson } from '../../../src/core/protocol/consolidation';
import { evaluateGate } from '../../../src/server/adapters';
import { findDuplicate, itemStatus, normalizeText } from '../../../src/server/merge';
import { splitPrompts } from '../../../src/server/prompts';
import { RateLimiter } from '../../../src/server/http';

test('normalization and near-duplicate detection', () => {
  assert.equal(normalizeText('  - Run the TESTS, first!  '), 'run the tests first');
  const items = [{ id: 'a', norm: normalizeText('Always run the unit tests before committing.') }];
  const byNorm = new Map(items.map((i) => [i.norm, i.id]));
  const grams = new Map<string, Set<string>>();
  assert.equal(findDuplicate(normalizeText('always run the unit tests before committing'), items, byNorm, grams), 'a');
  assert.equal(findDuplicate(normalizeText('Always run the unit tests before commiting.'), items, byNorm, grams), 'a');
  assert.equal(findDuplicate(normalizeText('Never store secrets in the repository.'), items, byNorm, grams), null);
});

test('k-anonymity and admin decisions', () => {
  assert.equal(itemStatus(1, null, 2), 'waiting');
  assert.equal(itemStatus(2, null, 2), 'admitted');
  assert.equal(itemStatus(1, 'approve', 2), 'admitted');
  assert.equal(itemStatus(5, 'reject', 2), 'rejected');
  assert.equal(itemStatus(1, null, 1), 'admitted');
});

test('canonical JSON sorts keys at every level and has no whitespace', () => {
  assert.equal(canonicalJson({ b: 1, a: [{ d: 'x', c: null }], e: true }), '{"a":[{"c":null,"d":"x"}],"b":1,"e":true}');
  assert.equal(canonicalJson({ z: undefined, y: 'é' }), '{"y":"é"}');
  assert.throws(() => canonicalJson({ x: Number.NaN }));
});

test('prompt split keeps at least one held-out and one train prompt, deterministically', () => {
  const s = splitPrompts(['a', 'b', 'c', 'd', 'a'], 0.25, 1);
  assert.equal(s.heldout.length + s.train.length, 4);
  assert.ok(s.heldout.length >= 1 && s.train.length >= 1);
  assert.deepEqual(splitPrompts(['a', 'b', 'c', 'd'], 0.25, 1), splitPrompts(['a', 'b', 'c', 'd'], 0.25, 1));
});

test('gate needs both the KL reduction and bounded OOD drift', () => {
  const m = (before: number, after: number, ood: number) => ({
    job_id: 'j', method: 'opcd', steps: 1, heldout: { before: { kl: before, top1_agreement: 0, mean_response_len: 1 }, after: { kl: after, top1_agreement: 0, mean_response_len: 1 } },
    ood: { kl_new_vs_prev: ood, top1_agreement_new_vs_prev: 1 }, throughput: { sampling_tokens_per_s: 1, training_tokens_per_s: 1 }, device: 'cpu', dtype: 'float32', wall_s: 1,
  });
  assert.equal(evaluateGate(m(1, 0.8, 0.1), 0.1, 0.2).passed, true);
  assert.equal(evaluateGate(m(1, 0.95, 0.1), 0.1, 0.2).passed, false);
  assert.equal(evaluateGate(m(1, 0.5, 0.3), 0.1, 0.2).passed, false);
});

test('token bucket refills over time', () => {
  const r = new RateLimiter(2, 1);
  assert.deepEqual([r.take('t', 0), r.take('t', 0), r.take('t', 0) > 0], [0, 0, true]);
  assert.equal(r.take('t', 1500), 0);
});
