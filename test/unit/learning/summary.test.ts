import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LearningSummary } from '../../../src/core/learning/summary';
import { header, learningDirs, model, openStore, recordTask } from './helpers';

const day = (d: number) => `2026-03-${String(d).padStart(2, '0')}T12:00:00.000Z`;

async function threeTasks() {
  const d = learningDirs();
  const store = await openStore(d);
  await recordTask(store, 'e1', day(1), [model(day(1), 0, 100)]);
  await recordTask(store, 'e2', day(2), [model(day(2), 0, 200)], 'error');
  await recordTask(store, 'e3', day(3), [model(day(3), 0, 300)], 'stopped');
  return { d, store };
}

test('a refresh summarizes every episode file, persists atomically, and a reopened summary reads none of them again', async () => {
  const { d, store } = await threeTasks();
  store.close();
  const s = await LearningSummary.open({ episodesDir: d.episodesDir, file: d.summaryFile });
  assert.deepEqual(await s.refresh(), { read: 3, removed: 0, unchanged: 0, skipped: 0 });
  assert.deepEqual(s.facts().map((f) => [f.id, f.outcome, f.tokens]), [['e1', 'completed', 100], ['e2', 'error', 200], ['e3', 'stopped', 300]]);
  await s.save();
  assert.ok(existsSync(d.summaryFile));
  assert.deepEqual(readdirSync(d.base).filter((n) => n.endsWith('.tmp')), [], 'no temp file is left behind');

  const again = await LearningSummary.open({ episodesDir: d.episodesDir, file: d.summaryFile });
  assert.equal(again.size, 3, 'the persisted facts are loaded');
  assert.deepEqual(await again.refresh(), { read: 0, removed: 0, unchanged: 3, skipped: 0 });
  assert.equal(again.isDirty, false);
});

test('feedback and edit checks appended later, a new task and a deleted task are picked up incrementally', async () => {
  const { d, store } = await threeTasks();
  const s = await LearningSummary.open({ episodesDir: d.episodesDir, file: d.summaryFile });
  await s.refresh();
  await s.save();
  await store.feedback('e1', 'up');
  store.append('e2', { kind: 'edit_check', at: day(4), callId: 'x', path: 'a', stillStands: true });
  await recordTask(store, 'e4', day(4), [model(day(4), 0, 50)]);
  await store.delete('e3');
  const r = await s.refresh();
  assert.deepEqual(r, { read: 3, removed: 1, unchanged: 0, skipped: 0 });
  assert.deepEqual(s.facts().map((f) => [f.id, f.feedback]), [['e1', 'up'], ['e2', null], ['e4', null]]);
  store.close();
});

test('update() re-reads just the task that ended', async () => {
  const { d, store } = await threeTasks();
  const s = await LearningSummary.open({ episodesDir: d.episodesDir, file: null });
  await s.refresh();
  await recordTask(store, 'e5', day(5), [model(day(5), 0, 70)], 'max_steps');
  await s.update('e5');
  assert.deepEqual(s.facts().at(-1)?.outcome, 'max_steps');
  await store.delete('e5');
  await s.update('e5');
  assert.equal(s.size, 3);
  // An id that is not a file name in the folder is ignored, not read.
  await s.update('../index');
  assert.equal(s.size, 3);
  store.close();
});

/** The persisted summary's lines: its head, then one `[size, mtimeMs, facts]` row per episode. */
const summaryLines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

test('a corrupt or forged summary file is rebuilt from the episodes, with a warning, and nothing is lost', async () => {
  const { d, store } = await threeTasks();
  store.close();
  const warnings: string[] = [];
  writeFileSync(d.summaryFile, '{"version":1,"factsVer');
  const s = await LearningSummary.open({ episodesDir: d.episodesDir, file: d.summaryFile, warn: (m) => warnings.push(m) });
  assert.equal(s.size, 0);
  assert.match(warnings.join('\n'), /not valid/);
  assert.equal((await s.refresh()).read, 3);
  await s.save();
  assert.equal(summaryLines(d.summaryFile).length, 4, 'the rebuilt summary (head + 3 rows) replaced the corrupt one');

  // A row whose id is no episode file name (here: a path), a row torn in half and a row of the wrong shape are not
  // trusted from the file: only those episodes are read again, the other rows stand.
  const lines = readFileSync(d.summaryFile, 'utf8').split('\n');
  const forged = JSON.parse(lines[1]);
  forged[2].id = '../../etc/passwd';
  lines[1] = JSON.stringify(forged);
  lines[2] = lines[2].slice(0, 20);
  writeFileSync(d.summaryFile, `${lines.join('\n')}[1,2,{"id":"e9"}]\n`);
  warnings.length = 0;
  const s2 = await LearningSummary.open({ episodesDir: d.episodesDir, file: d.summaryFile, warn: (m) => warnings.push(m) });
  assert.equal(s2.size, 1);
  assert.match(warnings.join('\n'), /3 unreadable row\(s\) left out/);
  assert.deepEqual(await s2.refresh(), { read: 2, removed: 0, unchanged: 1, skipped: 0 });
  assert.deepEqual(s2.facts().map((f) => f.id), ['e1', 'e2', 'e3']);
});

test('episode files with an unreadable header or a header naming another episode are left out', async () => {
  const { d, store } = await threeTasks();
  store.close();
  writeFileSync(join(d.episodesDir, 'bad.jsonl'), 'not json\n');
  // A copy of e1 under another name must not count e1 twice or replace it.
  writeFileSync(join(d.episodesDir, 'copy.jsonl'), readFileSync(join(d.episodesDir, 'e1.jsonl')));
  const warnings: string[] = [];
  const s = await LearningSummary.open({ episodesDir: d.episodesDir, file: null, warn: (m) => warnings.push(m) });
  assert.deepEqual(await s.refresh(), { read: 3, removed: 0, unchanged: 0, skipped: 2 });
  assert.deepEqual(s.facts().map((f) => f.id), ['e1', 'e2', 'e3']);
  assert.match(warnings.join('\n'), /copy\.jsonl says it is e1/);
});

test('an outdated facts version is recomputed', async () => {
  const { d, store } = await threeTasks();
  store.close();
  const s = await LearningSummary.open({ episodesDir: d.episodesDir, file: d.summaryFile });
  await s.refresh();
  await s.save();
  const text = readFileSync(d.summaryFile, 'utf8');
  writeFileSync(d.summaryFile, text.replace('"factsVersion":1', '"factsVersion":0'));
  const s2 = await LearningSummary.open({ episodesDir: d.episodesDir, file: d.summaryFile });
  assert.equal((await s2.refresh()).read, 3);
});

/** Counts the event-loop turns other work got (a callback that re-queues itself) while `work` was in progress. */
async function turnsDuring(work: () => Promise<unknown>): Promise<number> {
  let turns = 0;
  let on = true;
  const tick = () => { if (!on) return; turns++; setImmediate(tick); };
  setImmediate(tick);
  await work();
  on = false;
  return turns;
}

test('refreshing yields to the event loop, so the extension host keeps running', async () => {
  const d = learningDirs();
  const store = await openStore(d);
  for (let i = 0; i < 60; i++) await recordTask(store, `e${i}`, day(1 + (i % 28)), [model(day(1), 0, 10)]);
  store.close();
  const s = await LearningSummary.open({ episodesDir: d.episodesDir, file: null, sliceMs: 0 });
  const progress: number[] = [];
  assert.ok(await turnsDuring(() => s.refresh((done) => progress.push(done))) > 5, 'other work ran during the refresh');
  assert.equal(s.size, 60);
  assert.equal(progress.at(-1), 60);
});

test('loading a large summary yields between rows instead of parsing it in one block', async () => {
  const d = learningDirs();
  const s = await LearningSummary.open({ episodesDir: d.episodesDir, file: d.summaryFile });
  const store = await openStore(d);
  await recordTask(store, 'e0', day(1), [model(day(1), 0, 10)]);
  store.close();
  await s.refresh();
  await s.save();
  // 3,000 rows, as a summary of as many episodes would hold.
  const [head, row] = readFileSync(d.summaryFile, 'utf8').split('\n');
  const rows = Array.from({ length: 3000 }, (_, i) => { const r = JSON.parse(row); r[2].id = `f${i}`; return JSON.stringify(r); });
  writeFileSync(d.summaryFile, `${[head, ...rows].join('\n')}\n`);
  let loaded: LearningSummary | undefined;
  const turns = await turnsDuring(async () => { loaded = await LearningSummary.open({ episodesDir: d.episodesDir, file: d.summaryFile, sliceMs: 0 }); });
  assert.equal(loaded?.size, 3000);
  // Only the loader's own yields give other work a turn while it parses rows (reading the file gives a few).
  assert.ok(turns > 1000, `other work ran ${turns} times while 3,000 rows loaded`);
});

test('a missing episodes folder is an empty summary, and a file renamed away is dropped', async () => {
  const d = learningDirs();
  const s = await LearningSummary.open({ episodesDir: d.episodesDir, file: d.summaryFile });
  assert.deepEqual(await s.refresh(), { read: 0, removed: 0, unchanged: 0, skipped: 0 });
  const store = await openStore(d);
  await store.create(header('e1', day(1)));
  store.close();
  await s.refresh();
  assert.equal(s.size, 1);
  renameSync(join(d.episodesDir, 'e1.jsonl'), join(d.episodesDir, 'e1.jsonl.corrupt-x'));
  assert.equal((await s.refresh()).removed, 1);
  rmSync(d.base, { recursive: true, force: true });
});
