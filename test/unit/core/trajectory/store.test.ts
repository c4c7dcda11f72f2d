import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrajectoryStore } from '../../../../src/core/trajectory/store';
import type { EpisodeHeader } from '../../../../src/core/trajectory/episode';

function dirs() {
  const base = mkdtempSync(join(tmpdir(), 'oel-store-'));
  return { episodesDir: join(base, 'ws', 'episodes'), indexFile: join(base, 'user', 'index.json'), base };
}
function header(id: string, startedAt = new Date().toISOString()): EpisodeHeader {
  return { kind: 'header', schema: 1, id, title: `task ${id}`, startedAt, workspace: 'ws', provider: { baseUrl: 'http://x/v1', model: 'm' }, systemPrompt: { template: 't', knowledge: null }, trusted: true };
}
const user = (text: string) => ({ kind: 'user' as const, at: new Date().toISOString(), text });

test('create, append, finish, feedback, list and read', async () => {
  const store = await TrajectoryStore.open(dirs());
  await store.create(header('e1'));
  store.append('e1', user('fix the bug'));
  await store.finish('e1', 'completed');
  await store.feedback('e1', 'up', 'nice');
  const ep = store.read('e1');
  assert.equal(ep?.endReason, 'completed');
  assert.deepEqual(ep?.steps.map((s) => s.kind), ['user', 'end', 'feedback']);
  assert.deepEqual((await store.list()).map((e) => [e.id, e.endReason, e.feedback]), [['e1', 'completed', 'up']]);
  store.close();
});

test('a torn last line is skipped and earlier steps survive', async () => {
  const d = dirs();
  const store = await TrajectoryStore.open(d);
  await store.create(header('e2'));
  store.append('e2', user('one'));
  store.append('e2', user('two'));
  store.close();
  appendFileSync(join(d.episodesDir, 'e2.jsonl'), '{"kind":"user","at":"2026-01-01T00:00:00Z","te');
  const reopened = await TrajectoryStore.open(d);
  assert.deepEqual(reopened.read('e2')?.steps.map((s) => s.kind === 'user' && s.text), ['one', 'two']);
  // Appending after a torn line starts a fresh line, so the new step is readable; the fragment is skipped with a warning.
  reopened.append('e2', user('three'));
  const warnings: string[] = [];
  const again = await TrajectoryStore.open({ ...d, warn: (m) => warnings.push(m) });
  assert.deepEqual(again.read('e2')?.steps.map((s) => s.kind === 'user' && s.text), ['one', 'two', 'three']);
  assert.match(warnings.join(), /skipped unreadable line 4/);
});

test('a corrupt index is set aside and rebuilt from episode files', async () => {
  const d = dirs();
  const store = await TrajectoryStore.open(d);
  await store.create(header('e3'));
  await store.finish('e3', 'stopped');
  store.close();
  writeFileSync(d.indexFile, '{ not json');
  const warnings: string[] = [];
  const reopened = await TrajectoryStore.open({ ...d, warn: (m) => warnings.push(m) });
  assert.deepEqual((await reopened.list()).map((e) => [e.id, e.endReason]), [['e3', 'stopped']]);
  assert.match(warnings.join('\n'), /set aside/);
  assert.ok(readdirSync(join(d.indexFile, '..')).some((f) => f.startsWith('index.json.corrupt-')));
  writeFileSync(join(d.episodesDir, 'bad.jsonl'), 'garbage\n');
  assert.equal(reopened.read('bad'), null);
  assert.ok(readdirSync(d.episodesDir).some((f) => f.startsWith('bad.jsonl.corrupt-')));
});

test('retention deletes only what the policy says; delete, deleteAll and export', async () => {
  const d = dirs();
  const store = await TrajectoryStore.open(d);
  const day = 86_400_000;
  const now = Date.now();
  for (let i = 0; i < 5; i++) {
    await store.create(header(`r${i}`, new Date(now - (10 - i) * day).toISOString()));
    await store.finish(`r${i}`, 'completed');
  }
  assert.deepEqual((await store.applyRetention({ maxDays: 30 })).map((e) => e.id), []);
  assert.deepEqual((await store.applyRetention({ maxDays: 7.5 })).map((e) => e.id).sort(), ['r0', 'r1', 'r2']);
  assert.deepEqual((await store.applyRetention({ maxEpisodes: 1 })).map((e) => e.id), ['r3']);
  assert.deepEqual((await store.list()).map((e) => e.id), ['r4']);
  const exported = JSON.parse(await store.exportJson());
  assert.equal(exported.episodes[0].id, 'r4');
  assert.equal(await store.delete('r4'), true);
  assert.equal(store.read('r4'), null);
  await store.create(header('z1'));
  await store.create(header('z2'));
  assert.deepEqual((await store.deleteAll()).sort(), ['z1', 'z2']);
  assert.equal((await store.list()).length, 0);
  assert.equal(existsSync(join(d.episodesDir, 'z1.jsonl')), false);
});

test('episode files missing from the index are added back on open', async () => {
  const d = dirs();
  const store = await TrajectoryStore.open(d);
  await store.create(header('m1'));
  store.close();
  writeFileSync(d.indexFile, JSON.stringify({ version: 1, episodes: [] })); // e.g. rebuilt from another workspace
  const reopened = await TrajectoryStore.open(d);
  assert.deepEqual((await reopened.list()).map((e) => e.id), ['m1']);
});
