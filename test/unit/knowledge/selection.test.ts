import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serializeKnowledge, type KnowledgeDocument } from '../../../src/core/knowledge/format';
import { KnowledgeInContextSchema } from '../../../src/core/knowledge/knowledgeContext';
import { FileKnowledgeProvider } from '../../../src/core/knowledge/provider';
import { KNOWLEDGE_PREAMBLE, approxTokens, buildKnowledgeInContext, promptItems, selectForPrompt } from '../../../src/core/knowledge/selection';
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

test('knowledge in context: one preamble line that hedges and asks for citations, then one line per item', () => {
  const k = buildKnowledgeInContext([item('K-abcd', 'Use tabs.'), item('K-efgh', 'Run the linter before committing.')], 'v1')!;
  KnowledgeInContextSchema.parse(k);
  const [preamble, ...lines] = k.text.split('\n');
  // What the model must be told (the paper's teacher preamble): learned, possibly wrong, and cite what you use.
  assert.match(preamble, /learned from earlier tasks/);
  assert.match(preamble, /may be incomplete or wrong/);
  assert.match(preamble, /prefer what you observe now/);
  assert.match(preamble, /cite its id \(for example \[K-[a-z0-9]+\]\)/);
  assert.ok(!/Use tabs|linter/.test(preamble), 'no item text before the items');
  assert.deepEqual(lines, ['- [K-abcd] Use tabs.', '- [K-efgh] Run the linter before committing.']);
  assert.deepEqual(k.itemIds, ['K-abcd', 'K-efgh']);
  assert.equal(k.version, 'v1');
  assert.equal(k.tokens, approxTokens(k.text));
  assert.equal(buildKnowledgeInContext([], 'v'), null);
});

test('provider reads workspace and user files; version changes with content', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oel-k-'));
  await mkdir(join(dir, 'ws', '.oel'), { recursive: true });
  const doc = (id: string, text: string): KnowledgeDocument => ({ blocks: [{ kind: 'item', item: item(id, text), tombstone: false }], eol: '\n', finalNewline: true });
  await writeFile(join(dir, 'ws', '.oel', 'knowledge.md'), serializeKnowledge(doc('K-ws01', 'Workspace rule.')));
  await writeFile(join(dir, 'user.md'), serializeKnowledge(doc('K-us01', 'User rule.')));
  const p = new FileKnowledgeProvider({ workspaceRoot: join(dir, 'ws'), workspaceTrusted: () => true, userFile: join(dir, 'user.md') });
  const k1 = await p.forTask('x');
  assert.deepEqual(k1!.itemIds.sort(), ['K-us01', 'K-ws01']);
  await writeFile(join(dir, 'user.md'), serializeKnowledge(doc('K-us01', 'User rule, edited.')));
  const k2 = await p.forTask('x');
  assert.notEqual(k1!.version, k2!.version);
  assert.equal(await new FileKnowledgeProvider({ workspaceRoot: join(dir, 'none'), workspaceTrusted: () => true, userFile: null }).forTask('x'), null);
  await rm(dir, { recursive: true });
});

test('budget marks: accepted items over budget go inactive in the file and come back when they fit', async () => {
  const { applyBudgetMarks, budgetMarks } = await import('../../../src/core/knowledge/selection');
  const { liveItems, parseKnowledge } = await import('../../../src/core/knowledge/format');
  const { pruneItem } = await import('../../../src/core/knowledge/operations');
  const long = (n: number) => `Rule ${n}: ${'keep the invoice helpers pure and test them with small fixtures '.repeat(3)}`;
  const doc: KnowledgeDocument = {
    blocks: [
      { kind: 'item', item: item('K-pin1', long(1), { status: 'pinned' }), tombstone: false },
      { kind: 'item', item: item('K-acc2', long(2), { helpful: 3 }), tombstone: false },
      { kind: 'item', item: item('K-acc3', long(3)), tombstone: false },
      { kind: 'item', item: item('K-hand', long(4), { status: 'inactive' }), tombstone: false },
    ],
    eol: '\n', finalNewline: true,
  };
  const budget = approxTokens(KNOWLEDGE_PREAMBLE) + 2 * (approxTokens(`- [K-acc2] ${long(2)}`) + 1) + 2;
  const m1 = budgetMarks(liveItems(doc), budget);
  assert.deepEqual(m1, { deactivate: ['K-acc3'], activate: [] });
  const updatedBefore = liveItems(doc).find((i) => i.id === 'K-acc3')!.updated;
  assert.deepEqual(applyBudgetMarks(doc, m1), ['K-acc3']);
  const text = serializeKnowledge(doc);
  assert.match(text, /- K-acc3 \[inactive\][^\n]*\n(?:  [^\n]*\n)*  inactive: budget\n/);
  const back = liveItems(parseKnowledge(text).doc);
  assert.equal(back.find((i) => i.id === 'K-acc3')!.updated, updatedBefore, 'marking does not change recency');
  // Selection is stable: the same budget marks nothing more.
  assert.deepEqual(budgetMarks(back, budget), { deactivate: [], activate: [] });
  // Pruning the pinned item frees room: the item set aside comes back; the hand-made inactive one never does.
  pruneItem(doc, 'K-pin1');
  const m2 = budgetMarks(liveItems(doc), budget);
  assert.deepEqual(m2, { deactivate: [], activate: ['K-acc3'] });
  applyBudgetMarks(doc, m2);
  const acc3 = liveItems(doc).find((i) => i.id === 'K-acc3')!;
  assert.equal(acc3.status, 'accepted');
  assert.equal(acc3.overBudget, undefined);
  assert.equal(liveItems(doc).find((i) => i.id === 'K-hand')!.status, 'inactive');
});

test('promptItems reads back the items of a slot text, preamble skipped', () => {
  const items = [item('K-abcd1234', 'Run `npm test` before reporting success.'), item('K-efgh5678', 'Totals live in src/totals.js [see invoice.js].')];
  const k = buildKnowledgeInContext(items, 'v1')!;
  assert.deepEqual(promptItems(k.text), items.map((i) => ({ id: i.id, text: i.text })));
  assert.deepEqual(promptItems('Learned: free text without item lines.'), []);
});
