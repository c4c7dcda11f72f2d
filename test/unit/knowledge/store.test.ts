import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyDocument, liveItems, parseKnowledge, serializeKnowledge, tombstones } from '../../../src/core/knowledge/format';
import { acceptItem, addItem, applyEvidence, editItemText, getItem, pruneItem } from '../../../src/core/knowledge/operations';
import { KnowledgeFileStore } from '../../../src/core/knowledge/store';

const now = new Date('2026-02-01T00:00:00.000Z');

async function seeded(): Promise<{ dir: string; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'oel-k-'));
  const path = join(dir, '.oel', 'knowledge.md');
  const store = new KnowledgeFileStore(path);
  await store.update(async (doc) => {
    await addItem(doc, 'Read the failing test before editing the code.', { now, id: 'K-aaaa' });
    await addItem(doc, 'Keep functions in src/core free of editor APIs.', { now, id: 'K-bbbb' });
    await addItem(doc, 'Database migrations need a rollback script.', { now, id: 'K-cccc' });
  });
  return { dir, path };
}

/** Simulates someone editing the file on disk. */
async function editOnDisk(path: string, f: (doc: ReturnType<typeof emptyDocument>) => void): Promise<void> {
  const doc = parseKnowledge(await readFile(path, 'utf8')).doc;
  f(doc);
  await writeFile(path, `${serializeKnowledge(doc)}\nA note the user typed.\n`);
}

test('creates the file atomically, leaving no temp files', async () => {
  const { dir, path } = await seeded();
  assert.equal(liveItems(parseKnowledge(await readFile(path, 'utf8')).doc).length, 3);
  assert.deepEqual(await readdir(join(dir, '.oel')), ['knowledge.md']);
  await rm(dir, { recursive: true });
});

test('merges by id with a concurrent on-disk edit; outside edits win', async () => {
  const { dir, path } = await seeded();
  const store = new KnowledgeFileStore(path);
  await store.read();
  await editOnDisk(path, (doc) => {
    editItemText(doc, 'K-aaaa', 'Read the failing test first, always.', now);
    applyEvidence(doc, [{ id: 'K-bbbb', kind: 'helpful' }], now);
    pruneItem(doc, 'K-cccc', now);
  });
  const r = await store.update(async (doc) => {
    acceptItem(doc, 'K-aaaa', new Date('2026-02-02T00:00:00.000Z'));
    applyEvidence(doc, [{ id: 'K-bbbb', kind: 'helpful' }], now);
    await addItem(doc, 'Prefer explicit return types on exported functions.', { now, id: 'K-dddd' });
  });
  assert.ok(r.merged);
  assert.deepEqual(r.conflicts, []);
  const doc = parseKnowledge(await readFile(path, 'utf8')).doc;
  const a = getItem(doc, 'K-aaaa')!;
  assert.equal(a.text, 'Read the failing test first, always.');
  assert.equal(a.status, 'accepted');
  assert.equal(getItem(doc, 'K-bbbb')!.helpful, 2);
  assert.deepEqual(tombstones(doc).map((i) => i.id), ['K-cccc']);
  assert.ok(getItem(doc, 'K-dddd'));
  assert.match(await readFile(path, 'utf8'), /A note the user typed\./);
  await rm(dir, { recursive: true });
});

test('same item changed both ways: conflict diagnostic, disk version kept', async () => {
  const { dir, path } = await seeded();
  const store = new KnowledgeFileStore(path);
  await store.read();
  await editOnDisk(path, (doc) => { editItemText(doc, 'K-aaaa', 'Disk version of the text.', now); });
  const r = await store.update((doc) => { editItemText(doc, 'K-aaaa', 'Extension version of the text.', now); });
  assert.deepEqual(r.conflicts.map((c) => c.id), ['K-aaaa']);
  assert.ok(r.diagnostics.some((d) => d.severity === 'error' && d.message.includes('K-aaaa')));
  assert.equal(getItem(parseKnowledge(await readFile(path, 'utf8')).doc, 'K-aaaa')!.text, 'Disk version of the text.');
  await rm(dir, { recursive: true });
});

test('an unchanged update does not write; hand-written file kept', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oel-k-'));
  const path = join(dir, 'k.md');
  const text = '# Mine\n\nfree text\n- K-abcd [accepted] hand written item\n';
  await writeFile(path, text);
  const r = await new KnowledgeFileStore(path).update(() => undefined);
  assert.equal(r.written, false);
  assert.equal(await readFile(path, 'utf8'), text);
  await rm(dir, { recursive: true });
});

test('learnFromEpisode: evidence + extraction written through the store', async () => {
  const { startScriptedModel } = await import('../../support/scriptedModel');
  const { learnFromEpisode } = await import('../../../src/core/knowledge/learn');
  const { DailyTokenBudget } = await import('../../../src/core/knowledge/extraction');
  const { syntheticEpisode } = await import('./helpers');
  const { dir, path } = await seeded();
  const model = await startScriptedModel();
  try {
    const store = new KnowledgeFileStore(path);
    const ep = syntheticEpisode(2, [{ kind: 'citation', at: '2026-01-01T00:00:00.000Z', itemIds: ['K-aaaa'] }]);
    model.enqueue({ text: 'ITEM [3]: Check command exit codes before reporting success.\nITEM [999]: Prefer small focused edits over rewrites of whole files.\nEVIDENCE: K-bbbb helpful' });
    let state: { day: string; used: number } | null = null;
    const budget = new DailyTokenBudget(100_000, async () => state, async (s) => { state = s; });
    const r = await learnFromEpisode({ episode: ep, store, baseUrl: model.url, apiKey: 'x', budget });
    assert.equal(r.added.length, 2);
    assert.deepEqual(r.evidenceIds.sort(), ['K-aaaa', 'K-bbbb']);
    const doc = parseKnowledge(await readFile(path, 'utf8')).doc;
    // The source is the step the model named; a step the task does not have falls back to its last step.
    assert.deepEqual(getItem(doc, r.added[0].id)!.sources, [{ episode: ep.id, step: 3 }]);
    assert.deepEqual(getItem(doc, r.added[1].id)!.sources, [{ episode: ep.id, step: ep.steps.length - 1 }]);
    assert.equal(getItem(doc, 'K-aaaa')!.helpful, 1);
    assert.ok(state!.used > 0);
  } finally {
    await model.close();
    await rm(dir, { recursive: true });
  }
});

test('learnFromEpisodes: one batch, new items in the target file, evidence in both files, repeats of the other file dropped', async () => {
  const { startScriptedModel } = await import('../../support/scriptedModel');
  const { learnFromEpisodes } = await import('../../../src/core/knowledge/learn');
  const { syntheticEpisode } = await import('./helpers');
  const dir = await mkdtemp(join(tmpdir(), 'oel-learn-'));
  const wsPath = join(dir, 'ws.md');
  const userPath = join(dir, 'user.md');
  await writeFile(userPath, '- K-user1 [accepted] Prefer small pure functions for invoice maths.\n- K-user2 [accepted] Name tests after the behaviour they check.\n');
  const model = await startScriptedModel();
  try {
    const cite = (id: string) => ({ kind: 'citation' as const, at: '2026-01-01T00:00:00.000Z', itemIds: [id] });
    const ep1 = { ...syntheticEpisode(1, [cite('K-user1')]), id: '20260101T000000Z-aaaa0001' };
    const ep2 = { ...syntheticEpisode(1, [cite('K-user2')]), id: '20260101T000000Z-aaaa0002' };
    model.enqueue(
      { text: 'ITEM: Run the linter before the tests to catch import errors early.' },
      { text: 'ITEM: Prefer small pure functions for invoice maths.\nEVIDENCE: K-user2 harmful' },
    );
    const ws = new KnowledgeFileStore(wsPath);
    const user = new KnowledgeFileStore(userPath);
    const r = await learnFromEpisodes({
      // ep2 was learned before up to its last step: its citation must not count again.
      episodes: [{ episode: ep1 }, { episode: ep2, evidenceFromStep: ep2.steps.length }],
      store: ws, others: [user], baseUrl: model.url, apiKey: 'x', autoAccept: true,
    });
    assert.equal(model.requests.length, 2, 'one extraction request per episode');
    assert.deepEqual(r.added.map((i) => i.text), ['Run the linter before the tests to catch import errors early.']);
    assert.equal(r.added[0].status, 'accepted', 'auto-accept applies to an unflagged item');
    assert.equal(r.duplicates.length, 1, 'the repeat of the user file item is dropped');
    const wsDoc = parseKnowledge(await readFile(wsPath, 'utf8')).doc;
    assert.equal(getItem(wsDoc, r.added[0].id)!.sources[0].episode, ep1.id);
    const userDoc = parseKnowledge(await readFile(userPath, 'utf8')).doc;
    assert.equal(getItem(userDoc, 'K-user1')!.helpful, 1, 'citation in a good task counts in the file that holds the item');
    assert.equal(getItem(userDoc, 'K-user2')!.helpful, 0, 'an already counted citation is not counted again');
    assert.equal(getItem(userDoc, 'K-user2')!.harmful, 1, 'extractor evidence for the other file is written there');
  } finally {
    await model.close();
    await rm(dir, { recursive: true });
  }
});

test('learnFromEpisodes with extract: false counts citations without calling the model', async () => {
  const { startScriptedModel } = await import('../../support/scriptedModel');
  const { learnFromEpisodes } = await import('../../../src/core/knowledge/learn');
  const { syntheticEpisode } = await import('./helpers');
  const { dir, path } = await seeded();
  const model = await startScriptedModel();
  try {
    const ep = syntheticEpisode(1, [{ kind: 'citation', at: '2026-01-01T00:00:00.000Z', itemIds: ['K-aaaa'] }]);
    const r = await learnFromEpisodes({ episodes: [{ episode: ep, extract: false }], store: new KnowledgeFileStore(path), baseUrl: model.url, apiKey: 'x' });
    assert.equal(model.requests.length, 0, 'no extraction request');
    assert.deepEqual(r.extractions, [null]);
    assert.equal(getItem(parseKnowledge(await readFile(path, 'utf8')).doc, 'K-aaaa')!.helpful, 1);
  } finally {
    await model.close();
    await rm(dir, { recursive: true });
  }
});

test('learnFromEpisodes skips a task that never reached the model: no extraction request, nothing learned', async () => {
  const { startScriptedModel } = await import('../../support/scriptedModel');
  const { learnFromEpisodes } = await import('../../../src/core/knowledge/learn');
  const { syntheticEpisode } = await import('./helpers');
  const { dir, path } = await seeded();
  const model = await startScriptedModel();
  try {
    // What the trajectory holds when the provider was unreachable: the request, the error, the end.
    const ep = syntheticEpisode(0);
    ep.steps = [ep.steps[0], { kind: 'error', at: ep.startedAt, source: 'provider', message: 'Nothing is listening at http://127.0.0.1:1/v1' }, { kind: 'end', at: ep.startedAt, reason: 'error' }];
    ep.endReason = 'error';
    model.enqueue({ text: 'ITEM: Check that the model server is running before starting a task.' });
    const logs: string[] = [];
    const r = await learnFromEpisodes({ episodes: [{ episode: ep }], store: new KnowledgeFileStore(path), baseUrl: model.url, apiKey: 'x', log: (l) => logs.push(l) });
    assert.equal(model.requests.length, 0, 'no extraction request for a task the model never saw');
    assert.deepEqual(r.extractions, [null]);
    assert.equal(r.added.length, 0);
    assert.ok(logs.some((l) => /never reached the model/.test(l)), logs.join('\n'));
  } finally {
    await model.close();
    await rm(dir, { recursive: true });
  }
});
