import { test } from 'node:test';
import assert from 'node:assert/strict';
import { factsOf, MAX_CITED_PER_EPISODE } from '../../../src/core/learning/facts';
import { learningDirs, model, openStore, recordTask } from './helpers';

const T = '2026-03-10T12:00:00.000Z';

test('facts of a real episode: outcome, feedback, turns, tokens, knowledge, edits still standing, commands, citations, adapter', async () => {
  const store = await openStore(learningDirs());
  await recordTask(store, 'e1', T, [
    model(T, 0, 1200),
    { kind: 'edit', at: T, callId: 'a', path: 'src/a.ts', mode: 'replace', accepted: true, diff: '+x' },
    { kind: 'edit', at: T, callId: 'b', path: 'src/b.ts', mode: 'replace', accepted: true, diff: '+y' },
    { kind: 'edit', at: T, callId: 'c', path: 'src/c.ts', mode: 'replace', accepted: false, diff: '+z' },
    { kind: 'command', at: T, callId: 'k1', command: 'npm test', exitCode: 1, timedOut: false, cancelled: false, durationMs: 5 },
    { kind: 'command', at: T, callId: 'k2', command: 'npm test', exitCode: 0, timedOut: false, cancelled: false, durationMs: 5 },
    { kind: 'command', at: T, callId: 'k3', command: 'sleep 99', exitCode: null, timedOut: true, cancelled: false, durationMs: 5 },
    { kind: 'command', at: T, callId: 'k4', command: 'sleep 99', exitCode: null, timedOut: false, cancelled: true, durationMs: 5 },
    model(T, 1, null),
    { kind: 'citation', at: T, itemIds: ['K-abcd1234', 'K-abcd1234', 'not-an-id', 'K-UPPER1'] },
  ], 'completed', {
    systemPrompt: { template: 't {{knowledge}}', knowledge: { version: 'v', itemIds: ['K-abcd1234', 'K-eeee1111'], text: 'x', tokens: 87 } },
    adapter: { version: 'team#v3', tokensSaved: 140 },
  });
  // A follow-up that runs again, then feedback that changes its mind, then two edit checks of edit `a`.
  store.append('e1', { kind: 'user', at: T, text: 'one more thing' });
  store.append('e1', model(T, 2, 800));
  await store.finish('e1', 'stopped');
  await store.feedback('e1', 'down');
  await store.feedback('e1', 'up');
  store.append('e1', { kind: 'edit_check', at: T, callId: 'a', path: 'src/a.ts', stillStands: true });
  store.append('e1', { kind: 'edit_check', at: T, callId: 'b', path: 'src/b.ts', stillStands: true });
  store.append('e1', { kind: 'edit_check', at: T, callId: 'b', path: 'src/b.ts', stillStands: false });
  // A check of a rejected edit says nothing about accepted edits.
  store.append('e1', { kind: 'edit_check', at: T, callId: 'c', path: 'src/c.ts', stillStands: true });
  const f = factsOf(store.read('e1')!);
  store.close();
  assert.equal(f.outcome, 'stopped', 'the last run decides the outcome');
  assert.equal(f.feedback, 'up', 'the last feedback counts');
  assert.equal(f.steps, 3);
  assert.equal(f.tokens, 2000);
  assert.equal(f.hasUsage, true);
  assert.deepEqual([f.knowledgeTokens, f.knowledgeItems], [87, 2]);
  assert.deepEqual([f.editsProposed, f.editsAccepted, f.editsChecked, f.editsStanding], [3, 2, 2, 1]);
  assert.deepEqual([f.commands, f.commandsPassed], [3, 1], 'a timeout ran and failed; a cancelled command did not run');
  assert.deepEqual(f.cited, ['K-abcd1234'], 'malformed ids are dropped, duplicates counted once');
  assert.deepEqual([f.adapter, f.tokensSaved], ['team#v3', 140]);
  assert.ok(f.endedAt);
});

test('an unfinished task without usage or knowledge', async () => {
  const store = await openStore(learningDirs());
  await recordTask(store, 'e2', T, [model(T, 0, null)], null);
  const f = factsOf(store.read('e2')!);
  store.close();
  assert.deepEqual([f.outcome, f.endedAt, f.feedback, f.hasUsage, f.tokens, f.knowledgeTokens, f.adapter, f.tokensSaved], [null, null, null, false, 0, 0, null, null]);
});

test('the model cannot make an episode carry an unbounded list of cited ids', async () => {
  const store = await openStore(learningDirs());
  const ids = Array.from({ length: 500 }, (_, i) => `K-${String(i).padStart(6, '0')}`);
  await recordTask(store, 'e3', T, [{ kind: 'citation', at: T, itemIds: ids }]);
  const f = factsOf(store.read('e3')!);
  store.close();
  assert.equal(f.cited.length, MAX_CITED_PER_EPISODE);
});
