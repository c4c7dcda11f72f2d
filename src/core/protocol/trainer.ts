import { z } from 'zod';

/**
 * The server <-> trainer boundary. The consolidation server writes a job file, runs
 * `python3 -m oel_trainer run JOB.json`, reads progress as JSON lines on the trainer's stdout, and reads the files the
 * trainer writes into `output_dir`. Token ids go in, never text: tokenization and chat templates are the server's job.
 * Field names are snake_case because the Python side reads them as they are. Documented in docs/trainer-protocol.md.
 */

/** Identifies the format of a job file. */
export const TRAINER_JOB_SCHEMA = 'oel.trainer.job/v1';

/** One distillation prompt: the same conversation prefix tokenized without knowledge (student) and with it (teacher). */
export const PromptPairSchema = z.object({
  id: z.string(),
  student: z.array(z.number().int().nonnegative()).min(1),
  teacher: z.array(z.number().int().nonnegative()).min(1),
});
export type PromptPair = z.infer<typeof PromptPairSchema>;

/** An out-of-distribution prompt: unrelated to the knowledge, used to measure how far the new model drifted. */
export const OodPromptSchema = z.object({ id: z.string(), student: z.array(z.number().int().nonnegative()).min(1) });

/** LoRA settings. `targets` are projection names of the Llama layout (q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj). */
export const LoraConfigSchema = z.object({
  rank: z.number().int().positive().default(8),
  alpha: z.number().positive().default(16),
  dropout: z.number().min(0).max(1).default(0),
  targets: z.array(z.enum(['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'])).min(1).default(['q_proj', 'k_proj', 'v_proj', 'o_proj']),
});

/** Optimiser settings: AdamW, constant learning rate, gradient clipping, one step per batch of fresh samples. */
export const OptimConfigSchema = z.object({
  lr: z.number().positive().default(1e-4),
  weight_decay: z.number().min(0).default(0),
  grad_clip: z.number().positive().default(1.0),
  steps: z.number().int().positive().default(20),
  batch_size: z.number().int().positive().default(4),
});

/** Sampling settings for the student's on-policy responses (and for evaluation). */
export const SamplingConfigSchema = z.object({
  temperature: z.number().min(0).default(0.7),
  top_p: z.number().gt(0).max(1).default(1.0),
  max_new_tokens: z.number().int().positive().default(128),
});

/** Loss settings: reverse KL over the student's top-k tokens (no renormalisation), or over the full vocabulary. */
export const LossConfigSchema = z.object({
  top_k: z.number().int().positive().default(256),
  exact: z.boolean().default(false),
  temperature: z.number().positive().default(0.7),
});

/**
 * A training job. `method` picks the objective: `opcd` (the product's method), `offpolicy_fkl` (forward KL on the
 * teacher's own samples) or `sft` (cross-entropy on the teacher's samples); the last two exist for comparison.
 */
export const TrainerJobSchema = z.object({
  schema: z.literal(TRAINER_JOB_SCHEMA),
  job_id: z.string().min(1),
  /** Hugging Face checkpoint folder: config.json plus model.safetensors or a sharded index. */
  base_model: z.string().min(1),
  /** Adapter folder (PEFT layout) this round starts from, or null for the first round. */
  init_adapter: z.string().nullable().default(null),
  /** Folder to create; it must not exist yet (the trainer writes a temporary sibling and renames it into place). */
  output_dir: z.string().min(1),
  seed: z.number().int().default(0),
  device: z.enum(['auto', 'cpu', 'cuda']).default('auto'),
  dtype: z.enum(['float32', 'bfloat16']).default('float32'),
  /** `ddp` replicates the base on every process; `fsdp` shards it over GPUs (CUDA only, for bases too big for one GPU). */
  parallel: z.enum(['ddp', 'fsdp']).default('ddp'),
  method: z.enum(['opcd', 'offpolicy_fkl', 'sft']).default('opcd'),
  lora: LoraConfigSchema.prefault({}),
  optim: OptimConfigSchema.prefault({}),
  sampling: SamplingConfigSchema.prefault({}),
  loss: LossConfigSchema.prefault({}),
  /** Generation stops at any of these ids. */
  stop_token_ids: z.array(z.number().int().nonnegative()),
  /** Id used to pad batches; defaults to the first stop id. */
  pad_token_id: z.number().int().nonnegative().nullable().default(null),
  prompts: z.object({
    train: z.array(PromptPairSchema).min(1),
    heldout: z.array(PromptPairSchema).default([]),
    ood: z.array(OodPromptSchema).default([]),
  }),
});
export type TrainerJob = z.infer<typeof TrainerJobSchema>;
export type TrainerJobInput = z.input<typeof TrainerJobSchema>;

/** Identifies the format of a rounds file. */
export const TRAINER_ROUNDS_SCHEMA = 'oel.trainer.rounds/v1';

/**
 * Consecutive consolidation rounds in one process (`python3 -m oel_trainer rounds ROUNDS.json`). Round 1 may name an
 * `init_adapter`; every later round must leave it null: the trainer sets it to the previous round's `output_dir`, so
 * round N's student starts from round N-1's adapter and its teacher is round N-1's model with round N's knowledge
 * (its `teacher` prompts). All rounds share `base_model` and LoRA rank/alpha; each has its own `output_dir`.
 */
export const TrainerRoundsSchema = z.object({
  schema: z.literal(TRAINER_ROUNDS_SCHEMA),
  rounds: z.array(TrainerJobSchema).min(1),
}).superRefine((v, ctx) => {
  v.rounds.forEach((r, i) => {
    if (i > 0 && r.init_adapter !== null) ctx.addIssue({ code: 'custom', path: ['rounds', i, 'init_adapter'], message: 'must be null: the round starts from the previous round\'s output_dir' });
  });
});
export type TrainerRounds = z.infer<typeof TrainerRoundsSchema>;

/** Divergence figures on a prompt set, measured on the student's own samples. */
export const EvalFiguresSchema = z.object({
  /** Token-mean reverse KL(student || teacher) over the full vocabulary. */
  kl: z.number(),
  /** Fraction of response positions where the student's and teacher's argmax tokens agree. */
  top1_agreement: z.number(),
  /** Mean number of generated tokens per response. */
  mean_response_len: z.number(),
});

/** metrics.json in the output folder. */
export const TrainerMetricsSchema = z.object({
  job_id: z.string(),
  method: z.string(),
  steps: z.number().int(),
  heldout: z.object({ before: EvalFiguresSchema, after: EvalFiguresSchema }).nullable(),
  /** New model vs the round's starting model on OOD prompts (both without knowledge); null without OOD prompts. */
  ood: z.object({ kl_new_vs_prev: z.number(), top1_agreement_new_vs_prev: z.number() }).nullable(),
  throughput: z.object({ sampling_tokens_per_s: z.number(), training_tokens_per_s: z.number() }),
  device: z.string(),
  dtype: z.string(),
  wall_s: z.number(),
  /** Optimiser steps skipped because the gradient norm was not finite (0 in a healthy round; absent from older trainers). */
  skipped_steps: z.number().int().nonnegative().optional(),
  /** Data-parallel processes that trained the round (1 unless run under torchrun; absent from older trainers). */
  world_size: z.number().int().positive().optional(),
  /** How the processes split the model: `ddp` (replicated base) or `fsdp` (sharded base). Absent from older trainers. */
  parallel: z.enum(['ddp', 'fsdp']).optional(),
});
export type TrainerMetrics = z.infer<typeof TrainerMetricsSchema>;

/**
 * One line of the trainer's stdout. `start` once, `step` per optimiser step, `eval` before and after training,
 * `done` at success (after the output folder is in place), `error` at failure (the process then exits non-zero);
 * under the `rounds` command, a `round` marker before each round's own events.
 * Lines that are not JSON (warnings from libraries) must be ignored by the reader.
 */
export const TrainerEventSchema = z.discriminatedUnion('event', [
  z.object({
    event: z.literal('start'), job_id: z.string(), total_steps: z.number().int(), device: z.string(), dtype: z.string(),
    /** Data-parallel processes (torchrun's WORLD_SIZE); only rank 0 prints events. Absent from older trainers. */
    world_size: z.number().int().positive().optional(),
  }),
  z.object({
    event: z.literal('step'),
    step: z.number().int(),
    total_steps: z.number().int(),
    /** Null when not finite (JSON has no NaN). */
    loss: z.number().nullable(),
    /** Reverse KL(student || teacher) on this batch; null when not finite. */
    kl: z.number().nullable(),
    /** Gradient norm before clipping; null when the step was skipped. */
    grad_norm: z.number().nullable().optional(),
    /** True when the gradient norm was not finite and the optimiser step was skipped (the adapter did not change). */
    skipped: z.boolean().optional(),
    sample_tokens_per_s: z.number(),
    train_tokens_per_s: z.number(),
  }),
  z.object({ event: z.literal('eval'), phase: z.enum(['before', 'after']), split: z.enum(['heldout', 'ood']), figures: z.record(z.string(), z.number()) }),
  z.object({ event: z.literal('done'), output_dir: z.string(), metrics: TrainerMetricsSchema }),
  /** `rounds` command only: the events up to the next marker belong to round `round` (1-based) of `total_rounds`. */
  z.object({ event: z.literal('round'), round: z.number().int().positive(), total_rounds: z.number().int().positive(), job_id: z.string() }),
  z.object({ event: z.literal('error'), message: z.string() }),
]);
export type TrainerEvent = z.infer<typeof TrainerEventSchema>;

/**
 * A generation job (`python3 -m oel_trainer generate GEN.json`): samples continuations from the base model (plus an
 * optional adapter). The server uses it to synthesize distillation prompts from knowledge items with the base model.
 * Output: `output_file` holding `{"samples": [{"id": string, "ids": number[]}]}` (generated ids only, stop id excluded).
 */
export const GenerateJobSchema = z.object({
  schema: z.literal('oel.trainer.generate/v1'),
  base_model: z.string().min(1),
  adapter: z.string().nullable().default(null),
  seed: z.number().int().default(0),
  device: z.enum(['auto', 'cpu', 'cuda']).default('auto'),
  dtype: z.enum(['float32', 'bfloat16']).default('float32'),
  sampling: SamplingConfigSchema.prefault({}),
  stop_token_ids: z.array(z.number().int().nonnegative()),
  prompts: z.array(z.object({ id: z.string(), ids: z.array(z.number().int().nonnegative()).min(1) })).min(1),
  output_file: z.string().min(1),
});
export type GenerateJob = z.infer<typeof GenerateJobSchema>;
