/**
 * A tiny random model as llama.cpp GGUF files, made with the real trainer (`init-tiny`, then `export-gguf`), plus a
 * random LoRA adapter in llama.cpp's adapter GGUF format, for tests of the embedded llama.cpp provider.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { exportGguf } from './ggufExport';
import { PYTHON, TRAINER_PATH, createTinyModel, type TinyModelOptions } from './tinyModel';

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
