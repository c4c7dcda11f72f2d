/**
 * A tiny random model as llama.cpp GGUF files, made with the real trainer (`init-tiny`, then `export-gguf`), plus a
 * random LoRA adapter in llama.cpp's adapter GGUF format, for tests of the embedded llama.cpp provider.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import assert from 'node:assert/strict';
import { after } from 'node:test';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { exportGguf } from './ggufExport';
import { PYTHON, TRAINER_PATH, createTinyModel, type TinyModelOptions } from './tinyModel';
import { LocalModel, type LocalModelSettings } from '../../src/core/provider/embedded/localModel';

/** The files of one tiny model. */
export interface TinyGguf { dir: string; modelDir: string; base: string; adapterDir: string; adapter: string }

/** Makes `base.gguf` and `adapter.gguf` (rank 4, alpha 8, strong enough to change greedy output) in a fresh folder. */
export function createTinyGguf(opts: TinyModelOptions = {}, adapterSeed = 7): TinyGguf {
  const dir = mkdtempSync(join(tmpdir(), 'oel-gguf-'));
  const modelDir = createTinyModel(opts, join(dir, 'model'));
  const base = join(dir, 'base.gguf');
  exportGguf(['--model', modelDir, '--out', base]);
  const adapterDir = join(dir, 'adapter');
  execFileSync(PYTHON, [resolve('test/support/torch_reference.py'), 'make-adapter', modelDir, adapterDir, '--rank', '4', '--alpha', '8', '--seed', String(adapterSeed), '--std', '0.3'], {
    env: { ...process.env, PYTHONPATH: TRAINER_PATH }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  const adapter = join(dir, 'adapter.gguf');
  exportGguf(['--adapter', adapterDir, '--model', modelDir, '--out', adapter]);
  return { dir, modelDir, base, adapterDir, adapter };
}

/**
 * The product's local model (the real worker, dist/llama-worker.mjs: run `npm run build` first) on a fresh tiny GGUF,
 * disposed after the file's tests.
 */
export function localModelOnTinyGguf(): { files: TinyGguf; settings: LocalModelSettings; lm: LocalModel } {
  const worker = resolve('dist/llama-worker.mjs');
  assert.ok(existsSync(worker), 'dist/llama-worker.mjs is missing: run `npm run build` first');
  const files = createTinyGguf();
  const settings: LocalModelSettings = { modelPath: files.base, contextSize: 4096, threads: 2, gpuLayers: 0 };
  const lm = new LocalModel({ workerPath: worker });
  after(() => lm.dispose());
  return { files, settings, lm };
}
