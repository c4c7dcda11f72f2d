import { z } from 'zod';

/**
 * The extension host <-> local model process boundary of the embedded "Local (llama.cpp)" provider. The host forks
 * `dist/llama-worker.mjs` (plain Node, never the extension host, so a long generation cannot freeze VS Code) and the
 * two speak these messages over Node's IPC channel. Both sides validate everything they receive. Every request
 * carries an `id`; every answer names the request it answers. Documented in docs/runtimes.md ("Embedded (llama.cpp)").
 */

/** Model file, context and adapter to serve; the worker keeps a loaded model and recreates only what changed. */
export const LlamaLoadSpecSchema = z.object({
  /** Absolute path of the base model GGUF. */
  modelPath: z.string().min(1),
  /** Context size in tokens. */
  contextSize: z.number().int().min(256).max(1_048_576),
  /** CPU threads; 0 lets llama.cpp decide. */
  threads: z.number().int().min(0).max(1024),
  /** Layers offloaded to a GPU; ignored without one. */
  gpuLayers: z.number().int().min(0).max(10_000),
  /** The active LoRA adapter (a llama.cpp LoRA GGUF) and its user scale, or null for the base model. */
  adapter: z.object({ path: z.string().min(1), scale: z.number().finite() }).nullable(),
});
export type LlamaLoadSpec = z.infer<typeof LlamaLoadSpecSchema>;

/** A chat message as the agent loop keeps it (the OpenAI wire format's fields that a local model needs). */
export const LlamaChatMessageSchema = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content: z.string() }),
  z.object({ role: z.literal('user'), content: z.string() }),
  z.object({
    role: z.literal('assistant'),
    content: z.string().nullable(),
    tool_calls: z.array(z.object({ id: z.string(), name: z.string(), arguments: z.string() })).optional(),
  }),
  z.object({ role: z.literal('tool'), tool_call_id: z.string(), content: z.string() }),
]);
export type LlamaChatMessage = z.infer<typeof LlamaChatMessageSchema>;

/** A tool the model may call: name, description and the JSON schema of its parameters. */
export const LlamaToolSchema = z.object({ name: z.string().min(1), description: z.string(), parameters: z.record(z.string(), z.unknown()) });
export type LlamaTool = z.infer<typeof LlamaToolSchema>;

/** Host -> worker. */
export const LlamaRequestSchema = z.discriminatedUnion('type', [
  /** Load (or keep) the model and (re)create the context for `spec`. Answered by `loaded` or `error`. */
  z.object({ type: z.literal('load'), id: z.number().int(), spec: LlamaLoadSpecSchema }),
  /** One model turn. Answered by `text`* then `done`, or `error`. */
  z.object({
    type: z.literal('chat'), id: z.number().int(),
    messages: z.array(LlamaChatMessageSchema).min(1),
    tools: z.array(LlamaToolSchema),
    maxTokens: z.number().int().positive().optional(),
    temperature: z.number().min(0).max(2).optional(),
  }),
  /** Stop generating for request `id` (the user pressed Stop); the turn ends with `error` kind `aborted`. */
  z.object({ type: z.literal('cancel'), id: z.number().int() }),
  /** Free the model and exit. */
  z.object({ type: z.literal('shutdown') }),
]);
export type LlamaRequest = z.infer<typeof LlamaRequestSchema>;

/** What the worker knows about the loaded model; `identities` are the names it may be known by (see adapterMatch). */
export const LlamaModelInfoSchema = z.object({
  path: z.string(),
  architecture: z.string(),
  name: z.string(),
  identities: z.array(z.string()),
  sizeBytes: z.number().nonnegative(),
  trainContextSize: z.number().int().nonnegative(),
  /** Context size actually created. */
  contextSize: z.number().int().nonnegative(),
  gpu: z.string(),
});
export type LlamaModelInfo = z.infer<typeof LlamaModelInfoSchema>;

/** Why a worker request failed; the host turns it into a message that names the cause and the fix. */
export const LlamaErrorKindSchema = z.enum(['missing_file', 'not_gguf', 'out_of_memory', 'adapter', 'not_loaded', 'context_full', 'aborted', 'bad_request', 'failed']);
export type LlamaErrorKind = z.infer<typeof LlamaErrorKindSchema>;

const usage = z.object({ promptTokens: z.number().int().nonnegative(), completionTokens: z.number().int().nonnegative(), totalTokens: z.number().int().nonnegative() });

/** Worker -> host. */
export const LlamaResponseSchema = z.discriminatedUnion('type', [
  /** Sent once when the worker is up. */
  z.object({ type: z.literal('ready'), pid: z.number().int() }),
  /**
   * The model and context are ready. `modelLoaded`: the model file was (re)loaded (else it was kept and only the
   * context was recreated). `contextMs` includes loading the adapter. Times in ms; memory in bytes (the process's
   * RSS; VRAM in use when a GPU is used).
   */
  z.object({
    type: z.literal('loaded'), id: z.number().int(), model: LlamaModelInfoSchema,
    modelLoaded: z.boolean(), modelLoadMs: z.number().nonnegative(), contextMs: z.number().nonnegative(),
    memory: z.object({ rssBytes: z.number().nonnegative(), vramBytes: z.number().nonnegative() }),
  }),
  /** A piece of streamed text. */
  z.object({ type: z.literal('text'), id: z.number().int(), delta: z.string() }),
  /** The turn's end: tool calls (arguments as JSON text), the finish reason in OpenAI's words, token usage, timings. */
  z.object({
    type: z.literal('done'), id: z.number().int(), text: z.string(),
    toolCalls: z.array(z.object({ name: z.string(), arguments: z.string() })),
    finishReason: z.enum(['stop', 'length', 'tool_calls']),
    usage,
    timeToFirstTokenMs: z.number().nonnegative().nullable(),
    promptMs: z.number().nonnegative(),
    generationMs: z.number().nonnegative(),
  }),
  z.object({ type: z.literal('error'), id: z.number().int().nullable(), kind: LlamaErrorKindSchema, message: z.string() }),
]);
export type LlamaResponse = z.infer<typeof LlamaResponseSchema>;
