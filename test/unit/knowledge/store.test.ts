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
    model.enqueue({ text: 'ITEM: Check command exit codes before reporting success.\nEVIDENCE: K-bbbb helpful' });
    let state: { day: string; used: number } | null = null;
    const budget = new DailyTokenBudget(100_000, async () => state, async (s) => { state = s; });
    const r = await learnFromEpisode({ episode: ep, store, baseUrl: model.url, apiKey: 'x', budget });
    assert.equal(r.added.length, 1);
    assert.deepEqual(r.evidenceIds.sort(), ['K-aaaa', 'K-bbbb']);
    const doc = parseKnowledge(await readFile(path, 'utf8')).doc;
    assert.equal(getItem(doc, r.added[0].id)!.sources[0].episode, ep.id);
    assert.equal(getItem(doc, 'K-aaaa')!.helpful, 1);
    assert.ok(state!.used > 0);
  } finally {
    await model.close();
    await rm(dir, { recursive: true });
  }
});
