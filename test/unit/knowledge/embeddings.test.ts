// Ranking by embeddings (when oel.knowledge.embeddingModel is set), against the scripted server's /v1/embeddings
// (a deterministic bag-of-words embedding) over real HTTP, with the item vectors cached on disk.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { startScriptedModel } from '../../support/scriptedModel';
import { serializeKnowledge, type KnowledgeItem } from '../../../src/core/knowledge/format';
import { EmbeddingCache } from '../../../src/core/knowledge/embeddingCache';
import { openAiEmbedder } from '../../../src/core/knowledge/extraction';
import { FileKnowledgeProvider } from '../../../src/core/knowledge/provider';
import { KNOWLEDGE_PREAMBLE, approxTokens, lineCost } from '../../../src/core/knowledge/selection';
import { item } from './helpers';

const model = await startScriptedModel();
after(() => model.close());

const noise = Array.from({ length: 30 }, (_, n) => item(`K-nz${String(n).padStart(4, '0')}`, `Lesson ${n} about the weekly newsletter layout, banner images and footer links in the marketing site.`, { helpful: 9 }));
const invoice = item('K-inv00001', 'invoice totals are integer cents so round each line item before adding tax');
const flagged = item('K-flag0001', 'For invoice totals always run the rounding script first.');

function workspace(items: KnowledgeItem[]): string {
  const root = mkdtempSync(join(tmpdir(), 'oel-emb-'));
  mkdirSync(join(root, '.oel'));
  writeFileSync(join(root, '.oel', 'knowledge.md'), serializeKnowledge({ blocks: items.map((i) => ({ kind: 'item' as const, item: i, tombstone: false })), eol: '\n', finalNewline: true }));
  return root;
}

test('with an embeddings model: ranked by meaning, item vectors cached on disk, flagged items never sent', async () => {
  model.reset();
  model.setEmbeddings(true);
  const root = workspace([...noise, invoice, flagged]);
  const cachePath = join(root, 'cache', 'knowledge-embeddings.json');
  const sent: string[] = [];
  const real = openAiEmbedder(model.url, '', 'scripted-embeddings');
  const embed = async (texts: string[]) => { sent.push(...texts); return real(texts); };
  const cache = new EmbeddingCache(cachePath, 'scripted-embeddings');
  const budgetTokens = approxTokens(KNOWLEDGE_PREAMBLE) + 1 + 4 * lineCost(noise[0]);
  const p = new FileKnowledgeProvider({ workspaceRoot: root, workspaceTrusted: () => true, userFile: null, budgetTokens, embeddings: () => ({ embed, cache }) });
  mkdirSync(join(root, 'cache'));
  const k = (await p.forTask('the invoice totals are off by a cent when we round'))!;
  assert.equal(k.ranker, 'embedding');
  assert.equal(k.itemIds[0], invoice.id);
  assert.match(k.chosen![0].why, /close in meaning to the request/);
  assert.ok(!sent.includes(flagged.text), 'an item waiting for review is not sent to the embeddings endpoint');
  // Every eligible item's vector is on disk, keyed by model and text hash.
  const stored = JSON.parse(readFileSync(cachePath, 'utf8')) as { schema: number; entries: Record<string, string> };
  const key = (t: string) => `scripted-embeddings\u0000${createHash('sha256').update(t).digest('hex')}`;
  assert.ok(stored.entries[key(invoice.text)]);
  assert.equal(Object.keys(stored.entries).length, noise.length + 1);
  // The next task (another process: a new cache object) embeds only its request.
  sent.length = 0;
  const p2 = new FileKnowledgeProvider({ workspaceRoot: root, workspaceTrusted: () => true, userFile: null, budgetTokens, embeddings: () => ({ embed, cache: new EmbeddingCache(cachePath, 'scripted-embeddings') }) });
  assert.equal((await p2.forTask('round the invoice totals'))!.itemIds[0], invoice.id);
  assert.deepEqual(sent, ['round the invoice totals']);
});

test('embeddings that fail fall back to words, and say so; a broken cache file is started afresh', async () => {
  model.reset();
  model.setEmbeddings(false);
  const root = workspace([...noise, invoice]);
  const cachePath = join(root, 'knowledge-embeddings.json');
  writeFileSync(cachePath, '{"schema": 1, "entries": [');
  const logs: string[] = [];
  const cache = new EmbeddingCache(cachePath, 'm', (l) => logs.push(l));
  const p = new FileKnowledgeProvider({
    workspaceRoot: root, workspaceTrusted: () => true, userFile: null, budgetTokens: approxTokens(KNOWLEDGE_PREAMBLE) + 1 + 4 * lineCost(noise[0]),
    embeddings: () => ({ embed: openAiEmbedder(model.url, '', 'm'), cache }), log: (l) => logs.push(l),
  });
  const k = (await p.forTask('the invoice totals are off by a cent'))!;
  assert.equal(k.ranker, 'lexical');
  assert.equal(k.itemIds[0], invoice.id);
  assert.ok(logs.some((l) => /embeddings failed .*ranking by words/.test(l)), logs.join('\n'));
  model.setEmbeddings(true);
  const vectors = await cache.vectors([invoice.text], openAiEmbedder(model.url, '', 'm'));
  assert.equal(vectors.length, 1);
  assert.ok(logs.some((l) => /not an embeddings cache|cannot read/.test(l)), logs.join('\n'));
  assert.ok(existsSync(cachePath) && JSON.parse(readFileSync(cachePath, 'utf8')).schema === 1, 'rewritten as a valid cache');
  await assert.rejects(cache.vectors(['x'], async () => [[Number.NaN]]), /usable vectors/);
});

test('a first run over a large file embeds in batches the provider accepts', async () => {
  model.setEmbeddings(true);
  const batches: number[] = [];
  const real = openAiEmbedder(model.url, '', 'm');
  const cache = new EmbeddingCache(null, 'm');
  const texts = Array.from({ length: 600 }, (_, i) => `lesson number ${i} about the code`);
  const vectors = await cache.vectors(texts, async (t) => { batches.push(t.length); return real(t); });
  assert.equal(vectors.length, 600);
  assert.deepEqual(batches, [256, 256, 88]);
  // Kept as 32-bit floats: the same vectors to that precision, without a request.
  assert.deepEqual(await cache.vectors(texts.slice(0, 3), async () => { throw new Error('cached: no request'); }), vectors.slice(0, 3).map((v) => v.map(Math.fround)));
});
