// The team runtime interface over the real local model process: activating a version's adapter.gguf loads it (the
// model's answers change, the model is not reloaded), a version trained on another base is refused, null rolls back.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EmbeddedAdapterRuntime } from '../../../../../src/core/provider/embedded/adapterRuntime';
import { LocalModel } from '../../../../../src/core/provider/embedded/localModel';
import { createTinyGguf } from '../../../../support/tinyGguf';

const files = createTinyGguf();
const settings = { modelPath: files.base, contextSize: 2048, threads: 2, gpuLayers: 0, baseModelId: '' };
const lm = new LocalModel({ workerPath: resolve('dist/llama-worker.mjs') });
after(() => lm.dispose());
const runtime = new EmbeddedAdapterRuntime(lm, () => settings);
const versionDir = join(files.dir, 'v3');
mkdirSync(versionDir);
copyFileSync(files.adapter, join(versionDir, 'adapter.gguf'));
const greedy = async () => (await lm.chat(settings, { messages: [{ role: 'user', content: 'Fix main.ts' }] }, {}, undefined, { maxTokens: 16, temperature: 0 })).text;

test('activating a version loads its adapter.gguf; rollback (null) unloads it', async () => {
  const base = await greedy();
  // The tiny model's folder is named "model", which is its base_model_id on the server and its GGUF general.name.
  const r = await runtime.activate({ server: 's', version: 3, dir: versionDir, baseModelId: 'model' });
  assert.equal(r.taken, true, r.message);
  assert.match(r.message, /version 3 loaded .* in \d+ ms \(model kept loaded; process memory \d+ MB/);
  assert.notEqual(await greedy(), base);
  const back = await runtime.activate(null);
  assert.equal(back.taken, true);
  assert.equal(await greedy(), base);
});

test('a version trained on another base model is refused with both names, and nothing changes', async () => {
  const base = await greedy();
  const r = await runtime.activate({ server: 's', version: 4, dir: versionDir, baseModelId: 'Qwen/Qwen2.5-Coder-1.5B-Instruct' });
  assert.equal(r.taken, false);
  assert.match(r.message, /trained on "Qwen\/Qwen2.5-Coder-1.5B-Instruct", but the local model is "model"/);
  assert.equal(lm.activeAdapter, null);
  assert.equal(await greedy(), base);
  const none = await runtime.activate({ server: 's', version: 5, dir: files.dir + '/missing', baseModelId: 'model' });
  assert.equal(none.taken, false);
  assert.match(none.message, /has no adapter.gguf/);
});
