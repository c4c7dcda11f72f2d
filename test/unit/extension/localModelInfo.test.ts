// What the Agent view is told about the embedded runtime's model: the demo's tiny random GGUF is recognised (the view
// then says it only proves the wiring and offers a real model), a real-sized GGUF is not, and a server provider sends
// nothing (the view keeps its server model picker). The view's reducer keeps and clears it as the settings change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, ftruncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localModelInfo, TINY_MODEL_BYTES } from '../../../src/extension/runtime/localModelInfo';
import { ExtensionToWebviewSchema, WebviewToExtensionSchema } from '../../../src/core/protocol/webview';
import { initialState, reduce } from '../../../src/webview/agent/state';
import type { LlamaCppSettings } from '../../../src/extension/settings';

const dir = mkdtempSync(join(tmpdir(), 'oel-local-'));
const settings = (modelPath: string): LlamaCppSettings => ({ modelPath, contextSize: 8192, threads: 0, gpuLayers: 0, baseModelId: '', maxTokens: 0 });

test('the tiny model is flagged, a real-sized GGUF is not, a server provider sends nothing', () => {
  const tiny = join(dir, 'model.gguf');
  writeFileSync(tiny, Buffer.alloc(300_000));
  assert.deepEqual(localModelInfo('llamacpp', settings(tiny)), { file: 'model.gguf', tiny: true });
  const real = join(dir, 'qwen.gguf');
  const fd = openSync(real, 'w'); ftruncateSync(fd, TINY_MODEL_BYTES * 4); closeSync(fd); // sparse: no disk used
  assert.deepEqual(localModelInfo('llamacpp', settings(real)), { file: 'qwen.gguf', tiny: false });
  assert.deepEqual(localModelInfo('llamacpp', settings(join(dir, 'missing.gguf'))), { file: 'missing.gguf', tiny: false });
  assert.equal(localModelInfo('openai', settings(tiny)), undefined);
  assert.equal(localModelInfo('llamacpp', settings('')), undefined);
});

test('the view keeps the local model from init and drops it when a server takes over', () => {
  const init = ExtensionToWebviewSchema.parse({ type: 'init', trusted: true, model: 'model.gguf', running: false, feedbackGiven: false, transcript: [], local: { file: 'model.gguf', tiny: true } });
  let s = reduce(initialState(), init);
  assert.deepEqual(s.local, { file: 'model.gguf', tiny: true });
  s = reduce(s, ExtensionToWebviewSchema.parse({ type: 'settings', trusted: true, model: 'qwen2.5-coder' }));
  assert.equal(s.local, null);
  // The notice's links are commands the view may ask for.
  for (const command of ['oel.downloadRecommendedModel', 'oel.openLocalModelSettings']) assert.ok(WebviewToExtensionSchema.safeParse({ type: 'command', command }).success);
});
