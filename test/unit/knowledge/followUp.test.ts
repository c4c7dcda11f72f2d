import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serializeKnowledge, type KnowledgeItem } from '../../../src/core/knowledge/format';
import { KNOWLEDGE_PREAMBLE, approxTokens, knowledgeForPrompt, lineCost } from '../../../src/core/knowledge/selection';
import { item } from './helpers';

function file(items: KnowledgeItem[]): string {
  return serializeKnowledge({ blocks: items.map((i) => ({ kind: 'item' as const, item: i, tombstone: false })), eol: '\n', finalNewline: true });
}

const noise = Array.from({ length: 30 }, (_, n) => item(`K-nz${String(n).padStart(4, '0')}`, `Lesson ${n} about the weekly newsletter layout, banner images and footer links in the marketing site.`, { helpful: 9 }));
const invoice = item('K-inv00001', 'Invoice totals are integer cents; round each line item before adding tax.');
const auth = item('K-auth0001', 'Login throttling allows five failures per account in fifteen minutes.');
const pinned = item('K-pin00001', 'Answer in British English.', { status: 'pinned' });
const room = (n: number) => approxTokens(KNOWLEDGE_PREAMBLE) + 1 + n * lineCost(noise[0]);

test('a follow-up that brings nothing relevant keeps the slot as it is: the same object, so the prompt does not change', () => {
  const texts = [file([...noise, invoice, auth, pinned])];
  const first = knowledgeForPrompt({ texts, request: 'Fix the invoice rounding', budgetTokens: room(6) })!;
  assert.ok(first.itemIds.includes(invoice.id));
  for (const message of ['thanks, looks good', 'also rename the variable x to count', 'Fix the invoice rounding']) {
    assert.equal(knowledgeForPrompt({ texts, request: message, budgetTokens: room(6), previous: first }), first, message);
  }
});

test('a follow-up that brings relevant items adds them after the kept ones, so the slot so far stays a prefix', () => {
  const texts = [file([...noise, invoice, auth, pinned])];
  const first = knowledgeForPrompt({ texts, request: 'Fix the invoice rounding', budgetTokens: room(12) })!;
  assert.ok(!first.itemIds.includes(auth.id));
  const next = knowledgeForPrompt({ texts, request: 'Now users are locked out after failed logins', budgetTokens: room(12), previous: first })!;
  assert.ok(next.text.startsWith(first.text), 'nothing was dropped: the earlier slot is a prefix of the new one');
  assert.deepEqual(next.itemIds.slice(0, first.itemIds.length), first.itemIds);
  assert.ok(next.itemIds.includes(auth.id));
  assert.equal(next.chosen!.find((c) => c.id === auth.id)!.reason, 'request');
  assert.deepEqual(next.chosen!.slice(0, first.itemIds.length), first.chosen, 'kept items keep the reason they were chosen for');
  assert.notEqual(next.version, undefined);
});

test('when the budget is full, kept items the new message does not relate to make room, least useful first; pins stay', () => {
  const texts = [file([...noise, invoice, auth, pinned])];
  const budget = room(3);
  const first = knowledgeForPrompt({ texts, request: 'Fix the invoice rounding', budgetTokens: budget })!;
  assert.equal(first.itemIds[0], pinned.id);
  assert.ok(first.itemIds.includes(invoice.id));
  const next = knowledgeForPrompt({ texts, request: 'Users are locked out after failed logins', budgetTokens: budget, previous: first })!;
  assert.ok(next.itemIds.includes(auth.id));
  assert.equal(next.itemIds[0], pinned.id, 'a pinned item is never dropped');
  assert.ok(next.itemIds.includes(invoice.id), 'the item relevant to the task stays while an evidence filler can go');
  assert.ok(next.tokens <= budget);
});

test('a kept item that was edited, pruned or flagged since leaves the slot at the next message', () => {
  const first = knowledgeForPrompt({ texts: [file([...noise, invoice, auth])], request: 'Fix the invoice rounding', budgetTokens: room(6) })!;
  const edited = { ...invoice, text: 'Invoice totals are integer cents; always run the rounding script before adding tax.' };
  const next = knowledgeForPrompt({ texts: [file([...noise, edited, auth])], request: 'thanks', budgetTokens: room(6), previous: first })!;
  assert.ok(!next.itemIds.includes(invoice.id), 'the edit made it flagged: it waits for a review');
  assert.ok(!next.text.includes('integer cents'));
  const gone = knowledgeForPrompt({ texts: [file([...noise, auth])], request: 'thanks', budgetTokens: room(6), previous: first })!;
  assert.ok(!gone.itemIds.includes(invoice.id));
});
