// The model the agent sends while an adapter is active: the runtime's adapted id only while the runtime, its address
// and the configured model are the ones it was made for; the user's own model otherwise (nothing to undo by hand).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyingAdapter, effectiveModel, episodeAdapterVersion, nextAdapterModelState, parseAdapterModelState, sameOrigin, type AdapterModelState } from '../../../src/extension/runtime/adapterModel';

const state: AdapterModelState = {
  target: 'vllm', baseUrl: 'http://127.0.0.1:8000/v1', forModel: 'Qwen/Qwen2.5-Coder-1.5B', server: '127.0.0.1_8787', version: 3,
  model: 'Qwen2.5-Coder-1.5B-oel-v3', at: '2026-12-03T10:00:00.000Z',
};
const now = { configuredModel: 'Qwen/Qwen2.5-Coder-1.5B', target: 'vllm', baseUrl: 'http://127.0.0.1:8000/v1' };

test('while the adapter applies the agent sends its model id; the version is recorded as <server>#<version>', () => {
  assert.equal(effectiveModel(state, now), 'Qwen2.5-Coder-1.5B-oel-v3');
  assert.equal(episodeAdapterVersion(applyingAdapter(state, now)!), '127.0.0.1_8787#3');
});

test('another model, runtime or address chosen by the user, or no adapter, means the configured model', () => {
  assert.equal(effectiveModel(state, { ...now, configuredModel: 'other' }), 'other');
  assert.equal(effectiveModel(state, { ...now, target: 'stored' }), now.configuredModel);
  assert.equal(effectiveModel(state, { ...now, target: 'ollama' }), now.configuredModel);
  assert.equal(effectiveModel(state, { ...now, baseUrl: 'http://elsewhere:8000/v1' }), now.configuredModel);
  assert.equal(effectiveModel(undefined, now), now.configuredModel);
});

test('a runtime that keeps the model id (llama-server) still shows as an applying adapter', () => {
  const same = { ...state, target: 'llamacppServer', model: undefined };
  const ctx = { ...now, target: 'llamacppServer' };
  assert.equal(effectiveModel(same, ctx), now.configuredModel);
  assert.equal(applyingAdapter(same, ctx)?.version, 3);
});

test('a damaged state read back from global state counts as none', () => {
  assert.deepEqual(parseAdapterModelState(JSON.parse(JSON.stringify(state))), state);
  for (const bad of [null, 'x', { ...state, version: 0 }, { ...state, version: '3' }, { ...state, model: 7 }, { ...state, target: undefined }]) {
    assert.equal(parseAdapterModelState(bad), undefined, JSON.stringify(bad));
  }
});

test('after an answer: a taken version is recorded for the current settings, no adapter clears, a refusal keeps what is served', () => {
  const at = '2026-12-03T11:00:00.000Z';
  const taken = nextAdapterModelState(state, { server: 's', version: 4 }, { taken: true, model: 'Qwen2.5-Coder-1.5B-oel-v4' }, { ...now, at });
  assert.deepEqual(taken, { target: 'vllm', baseUrl: now.baseUrl, forModel: now.configuredModel, server: 's', version: 4, model: 'Qwen2.5-Coder-1.5B-oel-v4', at });
  assert.equal(effectiveModel(taken, now), 'Qwen2.5-Coder-1.5B-oel-v4');
  assert.equal(nextAdapterModelState(state, { server: 's', version: 4 }, { taken: false }, { ...now, at }), state);
  assert.equal(nextAdapterModelState(state, null, { taken: false }, { ...now, at }), undefined);
  // Same model id kept (llama-server): recorded without a model, so the configured id is sent.
  const same = nextAdapterModelState(undefined, { server: 's', version: 2 }, { taken: true }, { ...now, target: 'llamacppServer', at });
  assert.equal(same?.model, undefined);
  assert.equal(same?.version, 2);
});

test("the provider's API key goes to the adapter runtime only at the provider's own origin", () => {
  assert.equal(sameOrigin('http://127.0.0.1:8000/v1', 'http://127.0.0.1:8000/v1'), true);
  assert.equal(sameOrigin('http://127.0.0.1:8000', 'http://127.0.0.1:8000/v1/'), true);
  for (const other of ['http://127.0.0.1:8001/v1', 'https://127.0.0.1:8000/v1', 'http://gpu.example:8000/v1', 'not a url']) {
    assert.equal(sameOrigin(other, 'http://127.0.0.1:8000/v1'), false, other);
  }
});
