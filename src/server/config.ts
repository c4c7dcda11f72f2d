import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';

/**
 * Server configuration. Every field has an embedded default, so `oel server --model DIR` is enough; an optional
 * `<data>/config.json` overrides any of them, and command-line flags override that. Documented in docs/server.md.
 */
export const ServerConfigSchema = z.object({
  model_dir: z.string().min(1),
  data_dir: z.string().default('./.oel-server'),
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8787),
  /** Python with torch for the trainer; Debian's has it, a pyenv one on PATH may not. */
  python: z.string().default(existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3'),
  /** Folder put on PYTHONPATH so `-m oel_trainer` resolves; defaults to the repository's trainer/ folder. */
  trainer_path: z.string().default(resolve('trainer')),
  /** Distinct members needed before an item is admitted without an admin (1 suits a single-user server). */
  k: z.number().int().positive().default(2),
  caps: z.object({
    items_per_member_per_round: z.number().int().positive().default(100),
    statements_per_member_per_round: z.number().int().positive().default(50),
    max_knowledge_items: z.number().int().positive().default(64),
  }).prefault({}),
  body_limit_bytes: z.number().int().positive().default(256 * 1024),
  /** Token bucket per bearer token: `burst` requests at once, refilled at `per_second`. */
  rate_limit: z.object({ burst: z.number().positive().default(60), per_second: z.number().positive().default(20) }).prefault({}),
  gate: z.object({
    /** Held-out KL(student||teacher) must fall by at least this fraction of its value before training. */
    min_kl_reduction: z.number().min(0).max(1).default(0.05),
    /** KL between the new and previous model on OOD prompts must stay at or below this. */
    max_ood_kl: z.number().min(0).default(0.5),
  }).prefault({}),
  trainer: z.object({
    steps: z.number().int().positive().default(20),
    batch_size: z.number().int().positive().default(4),
    lr: z.number().positive().default(1e-4),
    rank: z.number().int().positive().default(8),
    alpha: z.number().positive().default(16),
    max_new_tokens: z.number().int().positive().default(128),
    temperature: z.number().min(0).default(0.7),
    top_k: z.number().int().positive().default(256),
    device: z.enum(['auto', 'cpu', 'cuda']).default('auto'),
    dtype: z.enum(['float32', 'bfloat16']).default('float32'),
    seed: z.number().int().default(0),
    /** Data-parallel training processes: > 1 runs each round under torchrun (gloo on CPU, NCCL with one GPU each). */
    nproc: z.number().int().positive().max(64).default(1),
    /** `ddp` replicates the base on every process; `fsdp` shards it over the GPUs (CUDA only; see docs/scaling.md). */
    parallel: z.enum(['ddp', 'fsdp']).default('ddp'),
  }).prefault({}),
  prompts: z.object({
    /** How distillation prompts are synthesized from knowledge: the base model through the trainer, an OpenAI-compatible endpoint, or templates only. */
    synthesis: z.enum(['trainer', 'openai', 'template']).default('trainer'),
    per_item: z.number().int().min(0).max(8).default(2),
    synthesis_max_new_tokens: z.number().int().positive().default(96),
    heldout_fraction: z.number().gt(0).lt(1).default(0.25),
    /** OpenAI-compatible endpoint (vLLM, Ollama ...) for synthesis; the key is read from the named env variable. */
    openai: z.object({ base_url: z.string(), model: z.string(), api_key_env: z.string().default('OEL_SYNTH_API_KEY') }).nullable().default(null),
  }).prefault({}),
  /** A round interrupted by a crash is re-queued this many times before it is marked failed. */
  max_attempts: z.number().int().positive().default(3),
});
export type ServerConfig = z.infer<typeof ServerConfigSchema>;
export type ServerConfigInput = z.input<typeof ServerConfigSchema>;

/** Loads `<data>/config.json` (if any) under the given overrides and applies defaults. */
export function loadConfig(overrides: Partial<ServerConfigInput> & { model_dir?: string }): ServerConfig {
  const dataDir = overrides.data_dir ?? './.oel-server';
  const file = join(dataDir, 'config.json');
  const fromFile = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  const merged = { ...fromFile, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
  const parsed = ServerConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid server configuration: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return { ...parsed.data, data_dir: resolve(parsed.data.data_dir), model_dir: resolve(parsed.data.model_dir) };
}
