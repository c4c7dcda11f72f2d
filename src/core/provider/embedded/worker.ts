/**
 * The local model process of the "Local (llama.cpp)" provider: a plain Node process forked by the extension host
 * (embeddedProvider.ts), bundled as `dist/llama-worker.mjs` with node-llama-cpp left outside the bundle (it is native
 * and ESM; the .vsix ships it beside the worker). It speaks src/core/protocol/llamaWorker.ts over the IPC channel.
 *
 * It keeps the model loaded between tasks; a new adapter or context size recreates only the context. Requests run one
 * at a time (one context sequence), except `cancel`, which acts at once.
 */
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { availableParallelism } from 'node:os';
import { getLlama, LlamaChat, type Llama, type LlamaContext, type LlamaModel } from 'node-llama-cpp';
import { LlamaRequestSchema, type LlamaErrorKind, type LlamaLoadSpec, type LlamaModelInfo, type LlamaRequest, type LlamaResponse } from '../../protocol/llamaWorker';
import { toChatHistory, toFinishReason, toFunctions, toToolArguments } from './convert';
import { modelIdentities } from './identity';
import { autoThreads } from './threads';

class WorkerError extends Error {
  constructor(readonly kind: LlamaErrorKind, message: string) { super(message); }
}

const send = (m: LlamaResponse) => { process.send?.(m); };

let llama: Llama | null = null;
let llamaGpu: boolean | null = null;
let model: LlamaModel | null = null;
let modelKey = '';
let context: LlamaContext | null = null;
let chat: LlamaChat | null = null;
let contextKey = '';
let info: LlamaModelInfo | null = null;
const running = new Map<number, AbortController>();
let queue: Promise<void> = Promise.resolve();

/** Fails with a clear kind when `path` is missing, unreadable or not a GGUF file (its first 4 bytes are "GGUF"). */
async function checkGguf(path: string, what: string): Promise<void> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new WorkerError('missing_file', code === 'ENOENT' ? `${what} ${path} does not exist.` : `${what} ${path} cannot be read (${code ?? (e as Error).message}).`);
  }
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await fh.read(head, 0, 4, 0);
    if (bytesRead < 4 || head.toString('latin1') !== 'GGUF') throw new WorkerError('not_gguf', `${what} ${path} is not a GGUF file (it does not start with "GGUF"). Convert it to GGUF first (llama.cpp's convert scripts, or python3 -m oel_trainer export-gguf).`);
  } finally {
    await fh.close();
  }
}

/** llama.cpp's allocation failures, in the words it and node-llama-cpp use. */
const OOM = /out of memory|failed to allocate|cannot allocate|ENOMEM|insufficient memory|not enough (?:V)?RAM/i;

async function memory(): Promise<{ rssBytes: number; vramBytes: number }> {
  const vram = llama && llamaGpu ? await llama.getVramState().catch(() => null) : null;
  return { rssBytes: process.memoryUsage().rss, vramBytes: vram?.used ?? 0 };
}

async function disposeContext(): Promise<void> {
  chat?.dispose({ disposeSequence: true });
  chat = null;
  await context?.dispose();
  context = null;
  contextKey = '';
}

async function load(id: number, spec: LlamaLoadSpec): Promise<void> {
  await checkGguf(spec.modelPath, 'The model file');
  if (spec.adapter) await checkGguf(spec.adapter.path, 'The adapter file');
  const gpu = spec.gpuLayers > 0;
  const key = JSON.stringify([spec.modelPath, spec.gpuLayers]);
  let modelLoadMs = 0;
  const modelLoaded = model === null || key !== modelKey;
  if (modelLoaded) {
    await disposeContext();
    await model?.dispose();
    model = null;
    info = null;
    if (llama && llamaGpu !== gpu) { await llama.dispose(); llama = null; }
    // Without GPU layers the CPU build is used directly: probing for CUDA/Vulkan costs seconds and offers nothing.
    llama ??= await getLlama({ gpu: gpu ? 'auto' : false, build: 'never', logLevel: 'error' as never });
    llamaGpu = gpu;
    const t0 = performance.now();
    try {
      model = await llama.loadModel({ modelPath: spec.modelPath, gpuLayers: gpu ? spec.gpuLayers : 0 });
    } catch (e) {
      const msg = (e as Error).message;
      throw new WorkerError(OOM.test(msg) ? 'out_of_memory' : 'not_gguf', `llama.cpp could not load ${spec.modelPath}: ${msg}`);
    }
    modelLoadMs = performance.now() - t0;
    modelKey = key;
  }
  const ctxKey = JSON.stringify([spec.contextSize, spec.threads, spec.adapter]);
  let contextMs = 0;
  if (modelLoaded || ctxKey !== contextKey || !context) {
    await disposeContext();
    const t0 = performance.now();
    try {
      context = await model!.createContext({
        contextSize: spec.contextSize, threads: spec.threads > 0 ? spec.threads : autoThreads(availableParallelism(), llama!.cpuMathCores),
        ...(spec.adapter ? { lora: { adapters: [{ filePath: spec.adapter.path, scale: spec.adapter.scale }] } } : {}),
      });
    } catch (e) {
      const msg = (e as Error).message;
      if (OOM.test(msg)) throw new WorkerError('out_of_memory', `There is not enough memory for a ${spec.contextSize}-token context: ${msg}. Lower the context size.`);
      if (spec.adapter) throw new WorkerError('adapter', `llama.cpp refused the adapter ${spec.adapter.path} on ${basename(spec.modelPath)}: ${msg}`);
      throw new WorkerError('failed', `The context could not be created: ${msg}`);
    }
    chat = new LlamaChat({ contextSequence: context.getSequence() });
    contextMs = performance.now() - t0;
    contextKey = ctxKey;
  }
  const meta = model!.fileInfo.metadata as { general?: Record<string, unknown> };
  info = {
    path: spec.modelPath,
    architecture: String(meta.general?.architecture ?? 'unknown'),
    name: String(meta.general?.name ?? basename(spec.modelPath, '.gguf')),
    identities: modelIdentities(spec.modelPath, meta.general ?? {}),
    sizeBytes: model!.size,
    trainContextSize: model!.trainContextSize,
    contextSize: context!.contextSize,
    gpu: llama!.gpu === false ? 'cpu' : String(llama!.gpu),
  };
  send({ type: 'loaded', id, model: info, modelLoaded, modelLoadMs, contextMs, memory: await memory() });
}

async function generate(req: Extract<LlamaRequest, { type: 'chat' }>, signal: AbortSignal): Promise<void> {
  if (!chat || !context) throw new WorkerError('not_loaded', 'No model is loaded.');
  const started = performance.now();
  let first: number | null = null;
  let text = '';
  const meter = chat.sequence.tokenMeter.getState();
  const functions = req.tools.length ? toFunctions(req.tools) : undefined;
  const result = await chat.generateResponse(toChatHistory(req.messages), {
    ...(functions ? { functions } : {}),
    onTextChunk: (delta: string) => {
      if (!delta) return;
      if (first === null) first = performance.now();
      text += delta;
      send({ type: 'text', id: req.id, delta });
    },
    signal, stopOnAbortSignal: true,
    ...(req.maxTokens ? { maxTokens: req.maxTokens } : {}),
    ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
  }).catch((e: unknown) => {
    // node-llama-cpp's words for a prompt that cannot fit even after dropping old turns; say which setting helps.
    if (/context shift|fits the context size/i.test((e as Error).message)) {
      throw new WorkerError('context_full', `The prompt (system prompt, tool definitions, knowledge and the task so far) does not fit in the ${context!.contextSize}-token context. Raise "oel.llamacpp.contextSize".`);
    }
    throw e;
  });
  if (signal.aborted) throw new WorkerError('aborted', 'The request was stopped.');
  const used = chat.sequence.tokenMeter.getState();
  const completionTokens = Math.max(0, used.usedOutputTokens - meter.usedOutputTokens);
  // The prompt is what the context holds before the answer, including the part reused from the previous turn.
  const promptTokens = Math.max(0, chat.sequence.nextTokenIndex - completionTokens);
  const toolCalls = (result.functionCalls ?? []).map((c) => ({ name: String(c.functionName), arguments: toToolArguments(c.params) }));
  if (toolCalls.length && first === null) first = performance.now();
  const end = performance.now();
  const firstAt = first ?? end;
  send({
    type: 'done', id: req.id, text: result.response || text, toolCalls,
    finishReason: toolCalls.length ? 'tool_calls' : toFinishReason(result.metadata.stopReason),
    usage: { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens },
    timeToFirstTokenMs: first === null ? null : first - started, promptMs: firstAt - started, generationMs: end - firstAt,
  });
}

function fail(id: number | null, e: unknown): void {
  if (e instanceof WorkerError) { send({ type: 'error', id, kind: e.kind, message: e.message }); return; }
  const message = (e as Error)?.message ?? String(e);
  send({ type: 'error', id, kind: OOM.test(message) ? 'out_of_memory' : 'failed', message });
}

function handle(raw: unknown): void {
  const parsed = LlamaRequestSchema.safeParse(raw);
  if (!parsed.success) {
    const id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : null;
    send({ type: 'error', id, kind: 'bad_request', message: `The local model process got a request it does not understand: ${parsed.error.issues[0]?.message ?? 'invalid'}` });
    return;
  }
  const req = parsed.data;
  if (req.type === 'cancel') { running.get(req.id)?.abort(); return; }
  if (req.type === 'shutdown') { void queue.then(async () => { await disposeContext(); await model?.dispose(); process.exit(0); }); return; }
  const ac = new AbortController();
  if (req.type === 'chat') running.set(req.id, ac);
  queue = queue.then(async () => {
    try {
      if (req.type === 'load') await load(req.id, req.spec);
      else if (ac.signal.aborted) throw new WorkerError('aborted', 'The request was stopped.');
      else await generate(req, ac.signal);
    } catch (e) {
      fail(req.id, e);
    } finally {
      running.delete(req.id);
    }
  });
}

process.on('message', handle);
// The host going away (window closed, extension host crashed) closes the channel: nothing is left to serve.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', pid: process.pid });
