import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startScriptedModel } from '../../../support/scriptedModel';
import { ProviderError, createClient, streamChat } from '../../../../src/core/provider/provider';
import { testConnection } from '../../../../src/core/provider/testConnection';

const model = await startScriptedModel();
const keyed = await startScriptedModel({ apiKey: 'sk-right' });
after(() => Promise.all([model.close(), keyed.close()]));
const config = { baseUrl: model.url, model: 'scripted-model' };
const client = createClient(config);

test('streams text in chunks and reports usage, finish reason and timing', async () => {
  model.enqueue({ text: 'Hello there, world', chunkSize: 4 });
  const deltas: string[] = [];
  const turn = await streamChat(client, config, { messages: [{ role: 'user', content: 'hi' }] }, { onText: (d) => deltas.push(d) });
  assert.equal(turn.text, 'Hello there, world');
  assert.ok(deltas.length >= 4);
  assert.equal(turn.finishReason, 'stop');
  assert.ok(turn.usage && turn.usage.totalTokens > 0);
  assert.ok(turn.timeToFirstTokenMs !== null && turn.latencyMs >= turn.timeToFirstTokenMs);
});

test('accumulates tool-call deltas by index', async () => {
  model.enqueue({ toolCalls: [{ name: 'read_file', arguments: { path: 'a.ts' } }, { id: 'c2', name: 'list_dir', arguments: '{}' }] });
  const turn = await streamChat(client, config, { messages: [{ role: 'user', content: 'x' }] });
  assert.equal(turn.toolCalls.length, 2);
  assert.deepEqual(JSON.parse(turn.toolCalls[0].arguments), { path: 'a.ts' });
  assert.equal(turn.toolCalls[1].id, 'c2');
  assert.equal(turn.finishReason, 'tool_calls');
});

test('a 401 becomes an auth ProviderError', async () => {
  const c = { baseUrl: keyed.url, model: 'scripted-model', apiKey: 'sk-wrong' };
  await assert.rejects(streamChat(createClient(c), c, { messages: [{ role: 'user', content: 'x' }] }), (e: ProviderError) => e.kind === 'auth' && /API key/.test(e.message));
});

test('a mid-stream SSE error and a broken socket become clear errors', async () => {
  model.enqueue({ text: 'abcdef', chunkSize: 2, midStreamError: 'overloaded' });
  await assert.rejects(streamChat(client, config, { messages: [{ role: 'user', content: 'x' }] }), (e: ProviderError) => e instanceof ProviderError && /overloaded/.test(e.message));
  model.enqueue({ text: 'abcdef', chunkSize: 1, breakAfterChunks: 2 });
  await assert.rejects(streamChat(client, config, { messages: [{ role: 'user', content: 'x' }] }), (e: ProviderError) => e instanceof ProviderError && e.kind !== 'aborted');
});

test('abort stops a hanging request', async () => {
  model.enqueue({ hang: true });
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 50);
  await assert.rejects(streamChat(client, config, { messages: [{ role: 'user', content: 'x' }] }, {}, ac.signal), (e: ProviderError) => e.kind === 'aborted');
});

test('no scripted response: 500 with a telling message', async () => {
  await assert.rejects(streamChat(client, config, { messages: [{ role: 'user', content: 'x' }] }), /no scripted response matches/);
});

test('testConnection classifies each failure', async () => {
  assert.equal((await testConnection({ baseUrl: 'http://127.0.0.1:9/v1', model: 'm', timeoutMs: 2000 })).status, 'unreachable');
  assert.equal((await testConnection({ baseUrl: keyed.url, model: 'scripted-model', apiKey: 'bad' })).status, 'bad_key');
  const unknown = await testConnection({ baseUrl: model.url, model: 'nope' });
  assert.equal(unknown.status, 'unknown_model');
  assert.match(unknown.message, /scripted-model/);
  assert.equal((await testConnection({ baseUrl: model.url, model: 'scripted-no-tools' })).status, 'no_tool_calling');
  model.enqueue({ text: 'pong' });
  assert.equal((await testConnection({ baseUrl: model.url, model: 'scripted-model' })).status, 'no_tool_calling');
  model.enqueue({ toolCalls: [{ name: 'ping', arguments: {} }] });
  const good = await testConnection({ baseUrl: model.url, model: 'scripted-model' });
  assert.equal(good.status, 'ok', good.message);
});

test('a missing, over-long or odd tool-call id is replaced by a numbered one, so nothing downstream drops the call', async () => {
  model.enqueue({ toolCalls: [{ id: 'x'.repeat(500), name: 'list_dir', arguments: '{}' }, { id: 'call_<img src=x>', name: 'list_dir', arguments: '{}' }, { id: 'call_ok-1', name: 'list_dir', arguments: '{}' }] });
  const turn = await streamChat(client, config, { messages: [{ role: 'user', content: 'x' }] });
  assert.deepEqual(turn.toolCalls.map((c) => c.id), ['call_0', 'call_1', 'call_ok-1']);
});
