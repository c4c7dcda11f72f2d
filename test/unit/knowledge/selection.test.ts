import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serializeKnowledge, type KnowledgeDocument } from '../../../src/core/knowledge/format';
import { KnowledgeInContextSchema } from '../../../src/core/knowledge/knowledgeContext';
import { FileKnowledgeProvider } from '../../../src/core/knowledge/provider';
import { KNOWLEDGE_PREAMBLE, approxTokens, buildKnowledgeInContext, selectForPrompt } from '../../../src/core/knowledge/selection';
import { item } from './helpers';

test('order: pinned, then helpful - harmful, then recency; ineligible excluded', () => {
  const items = [
    item('K-old1', 'old neutral', { updated: '2026-01-01T00:00:00.000Z' }),
    item('K-new1', 'new neutral', { updated: '2026-01-05T00:00:00.000Z' }),
    item('K-good', 'good one', { helpful: 5, harmful: 1 }),
    item('K-pinn', 'pinned one', { status: 'pinned', harmful: 9 }),
    item('K-pend', 'pending one', { status: 'pending', helpful: 99 }),
    item('K-flag', 'flagged one', { flags: [{ kind: 'url', reason: 'contains a URL' }] }),
  ];
  const s = selectForPrompt(items);
  assert.deepEqual(s.selected.map((i) => i.id), ['K-pinn', 'K-good', 'K-new1', 'K-old1']);
  assert.deepEqual(s.inactive, []);
});

test('budget: over-budget items reported inactive, tokens within budget', () => {
  const items = Array.from({ length: 200 }, (_, i) => item(`K-b${String(i).padStart(3, '0')}`, `Item number ${i} says something moderately long about the codebase and its tests.`, { helpful: 200 - i }));
  const s = selectForPrompt(items, 500);
  assert.ok(s.selected.length > 0 && s.inactive.length > 0);
  assert.equal(s.selected.length + s.inactive.length, 200);
  assert.ok(s.tokens <= 500, `${s.tokens}`);
  assert.equal(s.selected[0].id, 'K-b000');
  assert.equal(selectForPrompt(items, approxTokens(KNOWLEDGE_PREAMBLE)).selected.length, 0);
});

test('knowledge in context: preamble, ids, version', () => {
  const k = buildKnowledgeInContext([item('K-abcd', 'Use tabs.')], 'v1')!;
  KnowledgeInContextSchema.parse(k);
  assert.ok(k.text.startsWith(KNOWLEDGE_PREAMBLE));
  assert.match(k.text, /may be\s+incomplete or wrong/);
  assert.match(k.text, /cite/);
  assert.match(k.text, /\[K-abcd\] Use tabs\./);
  assert.equal(buildKnowledgeInContext([], 'v'), null);
});

test('provider reads workspace and user files; version changes with content', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oel-k-'));
  await mkdir(join(dir, 'ws', '.oel'), { recursive: true });
  const doc = (id: string, text: string): KnowledgeDocument => ({ blocks: [{ kind: 'item', item: item(id, text), tombstone: false }], eol: '\n', finalNewline: true });
  await writeFile(join(dir, 'ws', '.oel', 'knowledge.md'), serializeKnowledge(doc('K-ws01', 'Workspace rule.')));
  await writeFile(join(dir, 'user.md'), serializeKnowledge(doc('K-us01', 'User rule.')));
  const p = new FileKnowledgeProvider({ workspaceRoot: join(dir, 'ws'), userFile: join(dir, 'user.md') });
  const k1 = await p.forTask('x');
  assert.deepEqual(k1!.itemIds.sort(), ['K-us01', 'K-ws01']);
  await writeFile(join(dir, 'user.md'), serializeKnowledge(doc('K-us01', 'User rule, edited.')));
  const k2 = await p.forTask('x');
  assert.notEqual(k1!.version, k2!.version);
  assert.equal(await new FileKnowledgeProvider({ workspaceRoot: join(dir, 'none'), userFile: null }).forTask('x'), null);
  await rm(dir, { recursive: true });
});
