/**
 * Creates tiny random Hugging Face model folders for tests with the real trainer's `init-tiny` (weights, config and a
 * byte-level BPE tokenizer.json plus a ChatML tokenizer_config.json), so server tests exercise the same files a real
 * model folder has.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Python with torch: Debian's, not the pyenv one that may be first on PATH. */
export const PYTHON = process.env.OEL_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

/** The trainer package folder (put on PYTHONPATH). */
export const TRAINER_PATH = resolve('trainer');

/** Options of `init-tiny`; defaults give a model of a few thousand parameters that trains in seconds on a CPU. */
export interface TinyModelOptions {
  arch?: string; hidden?: number; layers?: number; heads?: number; kvHeads?: number; seed?: number;
  /**
   * Multiplies the random weights (not the norms). init-tiny draws them from normal(0, 0.02), which gives near-uniform
   * next-token distributions that barely depend on the context, so a knowledge preamble would change nothing and
   * there would be nothing to distil. Scaled by 8 (the trainer's own tests do the same) the model is context-sensitive.
   */
  scale?: number;
}

/** Writes a tiny model into a fresh temporary folder (or `dir`) and returns its path. */
export function createTinyModel(opts: TinyModelOptions = {}, dir?: string): string {
  const out = dir ?? join(mkdtempSync(join(tmpdir(), 'oel-tiny-')), 'model');
  execFileSync(PYTHON, [
    '-m', 'oel_trainer', 'init-tiny', out, '--arch', opts.arch ?? 'qwen2', '--vocab', '259',
    '--hidden', String(opts.hidden ?? 32), '--layers', String(opts.layers ?? 2), '--heads', String(opts.heads ?? 4),
    '--kv-heads', String(opts.kvHeads ?? 2), '--seed', String(opts.seed ?? 0),
  ], { env: { ...process.env, PYTHONPATH: TRAINER_PATH }, stdio: ['ignore', 'ignore', 'pipe'] });
  const scale = opts.scale ?? 8;
  if (scale !== 1) scaleSafetensors(join(out, 'model.safetensors'), scale);
  return out;
}

/** Rewrites a float32 safetensors file in place with every non-norm tensor multiplied by `scale`. */
function scaleSafetensors(path: string, scale: number): void {
  const buf = readFileSync(path);
  const headerLen = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + headerLen).toString('utf8')) as Record<string, { dtype: string; data_offsets: [number, number] }>;
  const base = 8 + headerLen;
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__' || name.endsWith('norm.weight')) continue;
    if (t.dtype !== 'F32') throw new Error(`scaleSafetensors: ${name} is ${t.dtype}, expected F32`);
    for (let o = base + t.data_offsets[0]; o < base + t.data_offsets[1]; o += 4) buf.writeFloatLE(buf.readFloatLE(o) * scale, o);
  }
  writeFileSync(path, buf);
}
