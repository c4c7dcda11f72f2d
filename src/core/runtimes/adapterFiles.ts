/**
 * What the runtime clients read from a verified adapter folder: the PEFT `adapter_config.json` (to refuse what a runtime
 * would refuse, with a message that says why, before sending anything) and the GGUF adapter the team server publishes
 * beside the PEFT files. The folder was verified against the signed manifest just before activation, but its contents
 * were written by a team server: every field is checked for type here and nothing in it is trusted further.
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ActivationResult } from '../team/runtime';

/** The GGUF LoRA adapter the server publishes beside the PEFT files (llama.cpp's adapter format). */
export const ADAPTER_GGUF_FILE = 'adapter.gguf';
/** PEFT's adapter description. */
export const ADAPTER_CONFIG_FILE = 'adapter_config.json';

/** What a runtime client answers: the team client's result, plus the model name requests must use from now on. */
export interface RuntimeActivationResult extends ActivationResult {
  /**
   * When taken: the model id the agent must send (vLLM's adapter name, Ollama's created model); absent when the
   * configured model stays right (llama-server applies adapters to its one model). Absent on a refusal.
   */
  model?: string;
}

/** The fields of `adapter_config.json` the runtimes care about. */
export interface PeftConfig {
  peftType: string;
  rank: number | undefined;
  alpha: number | undefined;
  useDora: boolean;
  useRslora: boolean;
  /** Non-LoRA modules saved whole (refused by vLLM, Ollama and llama.cpp's converter). */
  modulesToSave: string[];
  baseModel: string | undefined;
}

/** Reads and checks `adapter_config.json` of a folder; a string is the reason it cannot be used. */
export async function readPeftConfig(dir: string): Promise<PeftConfig | string> {
  let raw: unknown;
  try { raw = JSON.parse(await readFile(join(dir, ADAPTER_CONFIG_FILE), 'utf8')); } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? `the adapter has no ${ADAPTER_CONFIG_FILE}` : `its ${ADAPTER_CONFIG_FILE} is not valid JSON`;
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return `its ${ADAPTER_CONFIG_FILE} is not a JSON object`;
  const c = raw as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const mts = c.modules_to_save;
  return {
    peftType: typeof c.peft_type === 'string' ? c.peft_type : '',
    rank: num(c.r),
    alpha: num(c.lora_alpha),
    useDora: c.use_dora === true,
    useRslora: c.use_rslora === true,
    modulesToSave: Array.isArray(mts) ? mts.filter((m): m is string => typeof m === 'string') : typeof mts === 'string' ? [mts] : [],
    baseModel: typeof c.base_model_name_or_path === 'string' ? c.base_model_name_or_path : undefined,
  };
}

/** The GGUF adapter's path in a folder, or undefined when the server published none. */
export function ggufAdapterPath(dir: string): string | undefined {
  const p = join(dir, ADAPTER_GGUF_FILE);
  return existsSync(p) ? p : undefined;
}

/** A refusal: the model is unchanged and `message` says why and what to do. */
export function refused(target: string, message: string): RuntimeActivationResult {
  return { taken: false, target, message };
}

/**
 * A model id for an adapted model that shows the version: `qwen2.5-coder:7b` → `qwen2.5-coder-7b-oel-v3`. Only
 * `[A-Za-z0-9._-]` survive (Ollama's name rules, safe in a vLLM model id and in the status bar).
 */
export function adaptedModelName(base: string, version: number): string {
  const stem = (base.split('/').pop() ?? '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-._]+|[-._]+$/g, '').slice(0, 80) || 'model';
  return `${stem}-oel-v${version}`;
}
