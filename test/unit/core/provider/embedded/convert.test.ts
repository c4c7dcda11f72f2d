import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toChatHistory, toFinishReason, toFunctions, toToolArguments } from '../../../../../src/core/provider/embedded/convert';
import { baseModelMatches, modelIdentities, normalizeModelId } from '../../../../../src/core/provider/embedded/identity';
import { toolsForModel } from '../../../../../src/core/tools/definitions';

test('the loop\'s tool calls and their results become one model turn, and generation continues after them', () => {
  const h = toChatHistory([
    { role: 'system', content: 'S' }, { role: 'user', content: 'U' },
    { role: 'assistant', content: 'looking', tool_calls: [{ id: 'a', name: 'read_file', arguments: '{"path":"x"}' }, { id: 'b', name: 'list_dir', arguments: 'not json' }] },
    { role: 'tool', tool_call_id: 'a', content: 'file text' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'c', name: 'list_dir', arguments: '{}' }] },
  ]);
  assert.deepEqual(h, [
    { type: 'system', text: 'S' }, { type: 'user', text: 'U' },
    { type: 'model', response: ['looking',
      { type: 'functionCall', name: 'read_file', params: { path: 'x' }, result: 'file text' },
      { type: 'functionCall', name: 'list_dir', params: 'not json', result: '(no result: the call was not run)' },
      { type: 'functionCall', name: 'list_dir', params: {}, result: '(no result: the call was not run)' }] },
  ]);
  assert.deepEqual(toChatHistory([{ role: 'user', content: 'hi' }]).at(-1), { type: 'model', response: [] });
});

test('optional tool parameters may be null in the grammar and are dropped from the arguments again', () => {
  const f = toFunctions(toolsForModel(true).map((t) => ({ name: t.function.name, description: t.function.description ?? '', parameters: t.function.parameters as Record<string, unknown> })));
  const read = f.read_file!.params as { properties: Record<string, { type: unknown }> };
  assert.equal(read.properties.path!.type, 'string');
  assert.deepEqual(read.properties.start_line!.type, ['integer', 'null']);
  assert.equal(toToolArguments({ path: 'a.ts', start_line: null, end_line: 3 }), '{"path":"a.ts","end_line":3}');
  assert.deepEqual([toFinishReason('functionCalls'), toFinishReason('maxTokens'), toFinishReason('eogToken'), toFinishReason('abort')], ['tool_calls', 'length', 'stop', 'stop']);
});

test('an adapter\'s base is matched by name, ignoring organisation, quantisation and punctuation; another model is refused', () => {
  assert.equal(normalizeModelId('Qwen/Qwen2.5-Coder-1.5B-Instruct'), 'qwen25coder15binstruct');
  assert.equal(normalizeModelId('/m/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf'), 'qwen25coder15binstruct');
  const ids = modelIdentities('/m/model-q8_0.gguf', { name: 'Qwen2.5 Coder 1.5B Instruct', basename: 'Qwen2.5-Coder', size_label: '1.5B', finetune: 'Instruct' });
  assert.ok(baseModelMatches('Qwen/Qwen2.5-Coder-1.5B-Instruct', ids));
  assert.ok(!baseModelMatches('Qwen/Qwen2.5-Coder-7B-Instruct', ids));
  assert.ok(!baseModelMatches('', ids));
  // The user's declared identity replaces the file's names.
  assert.ok(baseModelMatches('org/Tiny', ['model'], 'tiny'));
  assert.ok(!baseModelMatches('model', ['model'], 'something-else'));
});
