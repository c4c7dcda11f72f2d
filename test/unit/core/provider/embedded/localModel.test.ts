// The embedded llama.cpp provider end to end below the UI: the real worker (dist/llama-worker.mjs, run `npm run build`
// first) in its own process, node-llama-cpp, and a tiny random GGUF made by the trainer. The model's words are noise;
// what is checked is what the agent loop relies on: streaming, usage, finish reasons, Stop, clear errors, a crash that
// fails only the turn in flight, and adapters that swap without reloading the model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProviderError } from '../../../../../src/core/provider/provider';
import { toolsForModel } from '../../../../../src/core/tools/definitions';
import { createTinyGguf, localModelOnTinyGguf } from '../../../../support/tinyGguf';

const { files, settings, lm } = localModelOnTinyGguf();

const ask = (content: string) => [{ role: 'system' as const, content: 'You are a coding agent.' }, { role: 'user' as const, content }];
/** Greedy (temperature 0) text for a fixed prompt: what an adapter must change. */
const greedy = async () => (await lm.chat(settings, { messages: ask('Fix the bug in main.ts') }, {}, undefined, { maxTokens: 24, temperature: 0 })).text;

test('a turn streams text and ends with a finish reason and token usage, like the OpenAI-compatible provider', async () => {
  const deltas: string[] = [];
  const turn = await lm.chat(settings, { messages: ask('hello'), tools: toolsForModel(true) }, { onText: (d) => deltas.push(d) }, undefined, { maxTokens: 20 });
  assert.ok(deltas.length > 1, 'text arrives in pieces');
  assert.equal(deltas.join(''), turn.text);
  assert.equal(turn.finishReason, 'length');
  assert.equal(turn.usage?.completionTokens, 20);
  assert.ok((turn.usage?.promptTokens ?? 0) > 100, 'the prompt (with the tool definitions) is counted');
  assert.equal(turn.usage?.totalTokens, (turn.usage?.promptTokens ?? 0) + 20);
  assert.ok(turn.timeToFirstTokenMs !== null && turn.timeToFirstTokenMs <= turn.latencyMs);
  assert.equal(lm.model?.architecture, 'qwen2');
});

test('the model stays loaded between turns; Stop ends a long generation at once and the next turn still works', async () => {
  const pid = lm.pid;
  const ac = new AbortController();
  let got = 0;
  const t0 = performance.now();
  const turn = lm.chat(settings, { messages: ask('write a long story') }, { onText: () => { if (++got === 3) ac.abort(); } }, ac.signal, { maxTokens: 3000 });
  await assert.rejects(turn, (e) => e instanceof ProviderError && e.kind === 'aborted');
  assert.ok(performance.now() - t0 < 20_000, 'stopped well before 3000 tokens');
  assert.ok(got < 200, `stopped soon after Stop (${got} pieces)`);
  const next = await lm.chat(settings, { messages: ask('again') }, {}, undefined, { maxTokens: 5 });
  assert.equal(next.usage?.completionTokens, 5);
  assert.equal(lm.pid, pid, 'the same process (and loaded model) served every turn');
  assert.equal(lm.lastLoad?.modelLoaded, true, 'loaded once, at the first turn');
});

test('a missing file and a file that is not a GGUF fail with a message naming the file; nothing crashes', async () => {
  const missing = join(files.dir, 'nope.gguf');
  await assert.rejects(lm.chat({ ...settings, modelPath: missing }, { messages: ask('x') }), (e) => e instanceof ProviderError && e.message.includes(`${missing} does not exist`) && e.fixes.includes('model'));
  const notGguf = join(files.dir, 'model.bin');
  writeFileSync(notGguf, 'PK\u0003\u0004 a zip, not a model');
  await assert.rejects(lm.chat({ ...settings, modelPath: notGguf }, { messages: ask('x') }), (e) => e instanceof ProviderError && /is not a GGUF file/.test(e.message));
  await assert.rejects(lm.chat({ ...settings, modelPath: '' }, { messages: ask('x') }), /No GGUF model file is set/);
  const ok = await lm.chat(settings, { messages: ask('x') }, {}, undefined, { maxTokens: 3 });
  assert.equal(ok.usage?.completionTokens, 3);
});

test('a prompt larger than the context fails saying which setting to raise', async () => {
  const small = { ...settings, contextSize: 512 };
  await assert.rejects(lm.chat(small, { messages: [{ role: 'system', content: 'Rules. '.repeat(400) }, { role: 'user', content: 'x' }] }, {}, undefined, { maxTokens: 8 }), (e) => e instanceof ProviderError && /does not fit in the 512-token context\. Raise "oel\.llamacpp\.contextSize"/.test(e.message));
  const ok = await lm.chat(settings, { messages: ask('x') }, {}, undefined, { maxTokens: 2 });
  assert.equal(ok.usage?.completionTokens, 2);
});

test('a killed model process fails the turn in flight with a clear cause, and the next turn starts a fresh one', async () => {
  await lm.ensureLoaded(settings);
  const pid = lm.pid!;
  const turn = lm.chat(settings, { messages: ask('long') }, { onText: () => process.kill(pid, 'SIGKILL') }, undefined, { maxTokens: 3000 });
  await assert.rejects(turn, (e) => e instanceof ProviderError && e.kind === 'stream' && /local model process was killed \(SIGKILL\)/.test(e.message) && /history is kept/.test(e.message));
  const next = await lm.chat(settings, { messages: ask('back?') }, {}, undefined, { maxTokens: 4 });
  assert.equal(next.usage?.completionTokens, 4);
  assert.notEqual(lm.pid, pid);
});

test('an adapter loads into the context at its scale without reloading the model; null goes back to the base model', async () => {
  const base = await greedy();
  const swapped = await lm.setAdapter({ path: files.adapter, scale: 1 }, settings);
  assert.equal(swapped?.modelLoaded, false, 'the model stayed loaded; only the context was recreated');
  assert.ok((swapped?.contextMs ?? -1) >= 0 && (swapped?.memory.rssBytes ?? 0) > 0, 'load time and memory are reported');
  const adapted = await greedy();
  assert.notEqual(adapted, base, 'the adapter changes what the model says');
  await lm.setAdapter(null, settings);
  assert.equal(await greedy(), base, 'rollback: the base model answers as before');
});

test('an adapter llama.cpp refuses (another model\'s) is reported and the previous state keeps answering', async () => {
  const other = createTinyGguf({ hidden: 48, heads: 4, kvHeads: 2 });
  const base = await greedy();
  await assert.rejects(lm.setAdapter({ path: other.adapter, scale: 1 }, settings), (e) => e instanceof ProviderError && /refused the adapter/.test(e.message));
  assert.equal(lm.activeAdapter, null);
  assert.equal(await greedy(), base);
});
