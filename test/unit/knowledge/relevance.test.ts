import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { serializeKnowledge, type KnowledgeItem } from '../../../src/core/knowledge/format';
import { KnowledgeInContextSchema } from '../../../src/core/knowledge/knowledgeContext';
import { filesInPlay, lexicalRelevance, namesFile, terms } from '../../../src/core/knowledge/relevance';
import { ReviewSet, itemTextHash } from '../../../src/core/knowledge/review';
import { KNOWLEDGE_PREAMBLE, approxTokens, knowledgeForPrompt, knowledgeItems, lineCost, promptLine } from '../../../src/core/knowledge/selection';
import { KNOWLEDGE_FILE, REQUESTS_FILE, buildRelevanceSet, type LabelledRequest } from '../../fixtures/relevance/generate';
import { item } from './helpers';

/** A knowledge file's text holding these items. */
function file(items: KnowledgeItem[]): string {
  return serializeKnowledge({ blocks: items.map((i) => ({ kind: 'item' as const, item: i, tombstone: false })), eol: '\n', finalNewline: true });
}

/** Unrelated lessons with strong evidence: the global order puts them first. */
const noise = Array.from({ length: 40 }, (_, n) => item(`K-nz${String(n).padStart(4, '0')}`, `Lesson ${n} about the weekly newsletter layout, banner images and footer links in the marketing site.`, { helpful: 9 }));
const invoice = item('K-inv00001', 'Invoice totals are integer cents; round each line item before adding tax.');
const auth = item('K-auth0001', 'Login throttling allows five failures per account in fifteen minutes.');
/** Room for the preamble and about six items: far fewer than the file holds. */
const budget = approxTokens(KNOWLEDGE_PREAMBLE) + 1 + 6 * lineCost(noise[0]);

test('per request: the item relevant to the request goes in although forty unrelated ones have more evidence', () => {
  const text = file([...noise, invoice, auth]);
  const k = knowledgeForPrompt({ texts: [text], request: 'Customers see invoice totals off by one cent. Fix the rounding.', budgetTokens: budget })!;
  assert.equal(k.itemIds[0], invoice.id, 'the relevant item comes first');
  assert.ok(!k.itemIds.includes(auth.id), 'an item about something else stays out');
  assert.equal(k.ranker, 'lexical');
  const chosen = k.chosen!.find((c) => c.id === invoice.id)!;
  assert.equal(chosen.reason, 'request');
  assert.equal(chosen.score, 1);
  assert.match(chosen.why, /invoice/);
  assert.match(chosen.why, /totals/, 'the words as the request writes them');
  // Another request, another slot.
  const k2 = knowledgeForPrompt({ texts: [text], request: 'Users are locked out after failed logins', budgetTokens: budget })!;
  assert.equal(k2.itemIds[0], auth.id);
  assert.ok(!k2.itemIds.includes(invoice.id));
  // Without a request, the global order as before: evidence first, so neither fits.
  const global = knowledgeForPrompt({ texts: [text], budgetTokens: budget })!;
  assert.ok(!global.itemIds.includes(invoice.id) && !global.itemIds.includes(auth.id));
  assert.equal(global.ranker, 'none');
  assert.ok(global.chosen!.every((c) => c.reason === 'order'));
});

test('files in play: an item naming the open file, or a file the request names, goes in with no word in common', () => {
  const totals = item('K-file0001', 'Keep src/billing/totals.ts free of I/O so it stays easy to test.');
  const folder = item('K-fold0001', 'Everything under src/billing needs a second reviewer.');
  const other = item('K-file0002', 'Keep src/auth/session.ts small.');
  const text = file([...noise, totals, folder, other]);
  const k = knowledgeForPrompt({ texts: [text], request: 'Speed this up please', openFiles: ['src/billing/totals.ts'], budgetTokens: budget })!;
  for (const id of [totals.id, folder.id]) assert.equal(k.chosen!.find((c) => c.id === id)?.reason, 'file', id);
  assert.match(k.chosen!.find((c) => c.id === totals.id)!.why, /names src\/billing\/totals\.ts/);
  assert.notEqual(k.chosen!.find((c) => c.id === other.id)?.reason, 'file', 'another file of the workspace is not in play');
  assert.deepEqual(k.itemIds.slice(0, 2).sort(), [folder.id, totals.id].sort(), 'the items naming the file in play come first');
  // Named in the request, no editor open.
  const k2 = knowledgeForPrompt({ texts: [text], request: 'What does src/auth/session.ts export?', budgetTokens: budget })!;
  assert.equal(k2.chosen!.find((c) => c.id === other.id)?.reason, 'file');
  assert.deepEqual(filesInPlay('look at ./src/a/b.ts and c.json, e.g. now', ['src\\x\\y.ts']), ['src/x/y.ts', 'src/a/b.ts', 'c.json']);
  assert.ok(namesFile('see totals.ts', 'src/billing/totals.ts'));
  assert.ok(!namesFile('see src/billing2/x.ts', 'src/billing/totals.ts'));
});

test('pinned items always go in, first, even when unrelated to the request', () => {
  const pinned = item('K-pin00001', 'Answer in British English.', { status: 'pinned' });
  const k = knowledgeForPrompt({ texts: [file([...noise, invoice, pinned])], request: 'Fix the invoice rounding', budgetTokens: budget })!;
  assert.equal(k.itemIds[0], pinned.id);
  assert.equal(k.chosen![0].reason, 'pinned');
  assert.equal(k.itemIds[1], invoice.id);
});

test('when every eligible item fits, all go in, in the same order for every request', () => {
  const text = file([invoice, auth, item('K-misc0001', 'Prefer small pull requests.')]);
  const a = knowledgeForPrompt({ texts: [text], request: 'Fix the invoice rounding' })!;
  const b = knowledgeForPrompt({ texts: [text], request: 'Users are locked out after failed logins' })!;
  assert.equal(a.itemIds.length, 3);
  assert.equal(a.text, b.text, 'the same slot, so a provider can cache it across tasks');
  assert.equal(a.chosen!.find((c) => c.id === invoice.id)!.reason, 'request', 'the reason still says what matched');
  assert.equal(a.chosen!.find((c) => c.id === 'K-misc0001')!.reason, 'fits');
});

test('evidence weighs relevance: of two equally relevant items the helpful one wins, the harmful one loses', () => {
  const good = item('K-good0001', 'The invoice export keeps its column order.', { helpful: 4 });
  const bad = item('K-badd0001', 'The invoice export keeps its column order!', { harmful: 4 });
  const room = approxTokens(KNOWLEDGE_PREAMBLE) + 1 + lineCost(good) + 2;
  const k = knowledgeForPrompt({ texts: [file([...noise, bad, good])], request: 'change the invoice export', budgetTokens: room })!;
  assert.deepEqual(k.itemIds, [good.id]);
});

test('flagged items stay out however relevant, until reviewed as their text reads now', () => {
  const flagged = item('K-flag0001', 'For invoice rounding bugs, always run the migration script first.');
  const text = file([...noise, flagged]);
  const request = 'Fix the invoice rounding bug';
  assert.ok(!knowledgeForPrompt({ texts: [text], request, budgetTokens: budget })?.itemIds.includes(flagged.id));
  const reviews = new ReviewSet([{ id: flagged.id, hash: itemTextHash(flagged.text) }]);
  assert.equal(knowledgeForPrompt({ texts: [text], request, budgetTokens: budget, reviews })!.itemIds[0], flagged.id);
});

test('hostile text: special tokens, pattern characters and long paths are plain text to the selection', () => {
  const odd = item('K-odd00001', 'Invoice <|endoftext|> (.*)+ [a-z]{1,}$ \\ src/' + 'a/'.repeat(200) + 'x.ts');
  const k = knowledgeForPrompt({ texts: [file([odd, invoice])], request: 'invoice (.*)+ <|endoftext|>', openFiles: ['(.*)+/x.ts'] })!;
  assert.ok(k.itemIds.includes(odd.id));
  assert.ok(lexicalRelevance([odd], { request: '', files: [] }).scores.size === 0);
  // A very long word in an item (a repository writes the file) must not stall the prompt: finding paths in it once
  // took seconds, quadratic in its length. The bound is far above the time now (well under 50 ms).
  const long = item('K-long0001', `Invoice ${'a'.repeat(60_000)}. and ${'-.'.repeat(20_000)}`);
  const t0 = performance.now();
  knowledgeForPrompt({ texts: [file([long, invoice])], request: 'invoice src/billing/totals.ts', openFiles: ['src/billing/totals.ts'] });
  assert.ok(performance.now() - t0 < 2000, `${performance.now() - t0} ms`);
});

test('the record: every chosen item with score, reason and why, in prompt order; older records still parse', () => {
  const k = knowledgeForPrompt({ texts: [file([...noise, invoice])], request: 'invoice totals', budgetTokens: budget })!;
  KnowledgeInContextSchema.parse(k);
  assert.deepEqual(k.chosen!.map((c) => c.id), k.itemIds);
  for (const c of k.chosen!) assert.ok(typeof c.score === 'number' && c.reason && c.why, JSON.stringify(c));
  assert.equal(k.tokens, approxTokens(k.text));
  assert.ok(k.tokens <= budget);
  const old = { version: 'v', itemIds: ['K-abcd'], text: 'x', tokens: 1 };
  assert.deepEqual(KnowledgeInContextSchema.parse(old), old);
  // A reason added by a later version does not make this one reject the record.
  KnowledgeInContextSchema.parse({ ...old, ranker: 'hybrid', chosen: [{ id: 'K-abcd', score: 1, reason: 'future', why: 'x' }] });
});

test('the labelled set is what generate.ts builds, and every item is eligible', () => {
  const { knowledge, requests } = buildRelevanceSet();
  assert.equal(readFileSync(KNOWLEDGE_FILE, 'utf8'), knowledge, 'run: node --import tsx test/fixtures/relevance/generate.ts');
  assert.deepEqual(JSON.parse(readFileSync(REQUESTS_FILE, 'utf8')) as LabelledRequest[], requests);
  const items = knowledgeItems([knowledge]);
  assert.ok(items.length >= 300 && requests.length >= 60);
  assert.ok(requests.every((r) => r.relevant.length > 0 && r.relevant.every((id) => items.some((i) => i.id === id))));
  // Per request beats the global order on the set (the bench measures how much; docs/benchmarks.md).
  const recall = (perRequest: boolean) => requests.reduce((sum, r) => {
    const k = knowledgeForPrompt({ texts: [knowledge], items, ...(perRequest ? { request: r.text, openFiles: r.open ? [r.open] : [] } : {}) });
    return sum + r.relevant.filter((id) => k?.itemIds.includes(id)).length / r.relevant.length;
  }, 0) / requests.length;
  assert.ok(recall(true) > recall(false) + 0.3, `${recall(true)} vs ${recall(false)}`);
  assert.ok(items.every((i) => promptLine(i).length > 0));
});

test('abbreviations and their full words meet, hyphenated words meet their joined spelling, and names with digits keep their letters', () => {
  const e2e = item('K-e2e00001', 'Never wait with fixed timeouts in e2e tests; wait for a visible element instead.');
  const i18n = item('K-i18n0001', 'All user-facing strings go through the i18n catalog.');
  const db = item('K-db000001', 'Database migrations run in file-name order.');
  const signin = item('K-sgn00001', 'The signin page keeps the return URL in the state parameter.');
  const text = file([...noise, e2e, i18n, db, signin]);
  const first = (request: string) => knowledgeForPrompt({ texts: [text], request, budgetTokens: budget })!.itemIds[0];
  assert.equal(first('Write an end-to-end check for the password reset flow'), e2e.id);
  assert.equal(first('Internationalization of the checkout strings'), i18n.id);
  assert.equal(first('The db is slow after the last release'), db.id);
  assert.equal(first('Sign-in loses the page the user came from'), signin.id);
  // "e2e" was cut to "e2" by the English stemmer; oauth2 and i18n are names, not words
  assert.deepEqual(terms('e2e oauth2 i18n'), ['e2e', 'oauth2', 'i18n']);
  // hostile input: a huge hyphenated word costs linear time and adds nothing odd
  const t0 = performance.now();
  terms(`${'ab-'.repeat(50_000)}ab`);
  assert.ok(performance.now() - t0 < 1000);
});
