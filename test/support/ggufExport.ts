/**
 * Runs the real trainer's `export-gguf` for tests: an HF model folder (from `createTinyModel`) or a PEFT adapter
 * folder becomes the llama.cpp GGUF that node-llama-cpp loads.
 */
import { execFileSync } from 'node:child_process';
import { PYTHON, TRAINER_PATH } from './tinyModel';

/** `python3 -m oel_trainer export-gguf ...args`; returns the command's JSON summary. Throws with its stderr. */
export function exportGguf(args: string[]): { out: string; architecture: string; tensors: number } {
  const stdout = execFileSync(PYTHON, ['-m', 'oel_trainer', 'export-gguf', ...args], {
    env: { ...process.env, PYTHONPATH: TRAINER_PATH }, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8',
  });
  return JSON.parse(stdout) as { out: string; architecture: string; tensors: number };
}
