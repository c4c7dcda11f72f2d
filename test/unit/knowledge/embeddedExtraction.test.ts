// Learning after a task on the embedded llama.cpp runtime: extraction runs on the same local model (the real worker,
// dist/llama-worker.mjs, run `npm run build` first, and a tiny random GGUF made by the trainer), never on the HTTP
// endpoint the episode's provider names. The tiny model's words are noise, so what is checked is the plumbing: the
// local model answered (its text is what was parsed, its reported usage is what the daily budget was charged) and not
// one request reached `baseUrl`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { ChatBackend } from '../../../src/core/provider/chatBackend';
import type { ChatTurn } from '../../../src/core/provider/provider';
import { DailyTokenBudget, extractKnowledge, type DailyTokenState } from '../../../src/core/knowledge/extraction';
import { learnFromEpisodes } from '../../../src/core/knowledge/learn';
import { KnowledgeFileStore } from '../../../src/core/knowledge/store';
import { localModelOnTinyGguf } from '../../support/tinyGguf';
import { syntheticEpisode } from './helpers';

const { files, settings, lm } = localModelOnTinyGguf();

/** A loopback server standing where `oel.provider.baseUrl` points; it records every request it gets. */
async function recordingServer(): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server = createServer((req, res) => { requests.push(`${req.method} ${req.url}`); res.writeHead(500).end('{"error":{"message":"not the model"}}'); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return { url, requests, close: () => new Promise((r) => server.close(() => r())) };
}

/** The runtime's backend, passing every turn through unchanged and keeping it, to compare with what extraction did. */
function observed(backend: ChatBackend): { backend: ChatBackend; turns: ChatTurn[] } {
  const turns: ChatTurn[] = [];
  return { turns, backend: { chat: async (req, cb, signal) => { const t = await backend.chat(req, cb, signal); turns.push(t); return t; } } };
}

test('learning from an embedded episode asks the local model, charges its usage to the budget, and sends nothing to baseUrl', async () => {
  const http = await recordingServer();
  const dir = await mkdtemp(join(tmpdir(), 'oel-embedded-learn-'));
  try {
    const path = join(dir, 'knowledge.md');
    await writeFile(path, '# Knowledge\n');
    const episode = { ...syntheticEpisode(1), provider: { baseUrl: http.url, model: 'base.gguf' } };
    let state: DailyTokenState | null = null;
    const budget = new DailyTokenBudget(100_000, async () => state, async (s) => { state = s; });
    const { backend, turns } = observed(lm.backend(settings, { maxTokens: 24 }));
    const log: string[] = [];
    const r = await learnFromEpisodes({
      episodes: [{ episode }], store: new KnowledgeFileStore(path), baseUrl: http.url, apiKey: 'k', backend, budget, log: (l) => log.push(l),
    });
    const x = r.extractions[0];
    assert.ok(x, 'extraction ran');
    assert.equal(x.error, undefined, `no failure (log: ${log.join(' | ')})`);
    assert.deepEqual(http.requests, [], 'no request reached the HTTP endpoint');
    assert.equal(turns.length, 1, 'one turn of the local model');
    assert.equal(turns[0].usage?.completionTokens, 24, 'the local model generated up to its extraction limit');
    assert.equal(x.raw, turns[0].text, "the local model's answer is what was parsed");
    assert.equal(x.tokensUsed, turns[0].usage?.totalTokens, 'the usage the runtime reported is counted');
    assert.ok(x.tokensUsed > x.promptTokens / 2, 'the whole prompt was counted');
    assert.deepEqual(state, { day: new Date().toISOString().slice(0, 10), used: x.tokensUsed }, 'and charged to the daily budget');
    assert.equal(x.model, 'base.gguf');
  } finally {
    await http.close();
    await rm(dir, { recursive: true });
  }
});

test('embedded extraction failures come back as an error string: a missing model file, and Stop', async () => {
  const episode = { ...syntheticEpisode(1), provider: { baseUrl: 'llamacpp:local', model: 'gone.gguf' } };
  const missing = join(files.dir, 'gone.gguf');
  const log: string[] = [];
  const r = await extractKnowledge({ episode, baseUrl: 'llamacpp:local', apiKey: '', backend: lm.backend({ ...settings, modelPath: missing }), log: (l) => log.push(l) });
  assert.match(r.error ?? '', new RegExp(`${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} does not exist`));
  assert.deepEqual([r.items, r.evidence, r.tokensUsed], [[], [], 0]);
  assert.match(log[0], /extraction: request failed: .*does not exist/);
  const ac = new AbortController();
  ac.abort();
  const stopped = await extractKnowledge({ episode, baseUrl: 'llamacpp:local', apiKey: '', backend: lm.backend(settings), signal: ac.signal });
  assert.equal(stopped.error, 'The request was stopped.');
  assert.equal(stopped.tokensUsed, 0);
});

// Without giving way the task would wait for up to 3000 tokens (minutes): the timeout fails it instead.
test("a task's turn does not wait behind background extraction: the extraction gives way with a clear error", { timeout: 60_000 }, async () => {
  const episode = { ...syntheticEpisode(1), provider: { baseUrl: 'llamacpp:local', model: 'base.gguf' } };
  let pieces = 0;
  let release!: () => void;
  const started = new Promise<void>((r) => { release = r; });
  // A long background answer, observed so the task's turn is sent while it is generating.
  const bg: ChatBackend = lm.backend(settings, { maxTokens: 3000, background: true });
  const streaming: ChatBackend = { chat: (req, _cb, signal) => bg.chat(req, { onText: () => { if (++pieces === 3) release(); } }, signal) };
  const log: string[] = [];
  const extraction = extractKnowledge({ episode, baseUrl: 'llamacpp:local', apiKey: '', backend: streaming, log: (l) => log.push(l) });
  await started;
  const t0 = performance.now();
  const turn = await lm.chat(settings, { messages: [{ role: 'user', content: 'the task' }] }, {}, undefined, { maxTokens: 4 });
  const taskMs = performance.now() - t0;
  assert.equal(turn.usage?.completionTokens, 4, "the task's turn is answered");
  const r = await extraction;
  assert.match(r.error ?? '', /needed by a task, so this background request gave way/);
  assert.equal(r.tokensUsed, 0);
  assert.ok(pieces < 500, `the background answer stopped early (${pieces} pieces of 3000 tokens)`);
  assert.ok(taskMs < 30_000, `the task waited ${Math.round(taskMs)} ms`);
});
