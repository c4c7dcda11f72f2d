/**
 * The host side of the "Local (llama.cpp)" provider: forks the local model process (worker.ts), keeps it and its
 * loaded model between tasks, and turns its answers into the agent loop's {@link ChatTurn}s and {@link ProviderError}s.
 *
 * Failure says its cause: a missing file, a file that is not a GGUF, memory, an adapter llama.cpp refused, or the
 * process dying (a crash, or the kernel's out-of-memory killer). A dead process fails the turn in flight, and the next
 * request starts a fresh one; the task's history is the loop's, so nothing recorded is lost. Stop cancels generation;
 * a process that does not stop within {@link CANCEL_GRACE_MS} is killed.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { basename } from 'node:path';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { LlamaResponseSchema, type LlamaChatMessage, type LlamaLoadSpec, type LlamaModelInfo, type LlamaResponse } from '../../protocol/llamaWorker';
import type { ChatBackend } from '../chatBackend';
import { ProviderError, usableCallId, type ChatTurn, type StreamCallbacks } from '../provider';

/** How long a cancelled turn may take to stop before the process is killed. */
export const CANCEL_GRACE_MS = 5000;

/** The error message of a background turn that gave way to a task's turn (see {@link ChatOptions.background}). */
export const PREEMPTED_MESSAGE = 'The local model was needed by a task, so this background request gave way.';

/** Per-turn options of the runtime. */
export interface ChatOptions {
  /** Most tokens of the answer (default: the settings' `maxTokens`, else a quarter of the context, at most 4096). */
  maxTokens?: number;
  temperature?: number;
  /**
   * A background turn (learning after a task): the process answers one request at a time, so a task's turn must not
   * wait behind it. A turn that is not background cancels every background turn in flight, which then fails with
   * kind `aborted` and {@link PREEMPTED_MESSAGE}; its caller may try again later.
   */
  background?: boolean;
}

/** The `oel.llamacpp.*` settings the runtime needs. */
export interface LocalModelSettings {
  modelPath: string;
  contextSize: number;
  threads: number;
  gpuLayers: number;
  /** Most tokens per turn; 0 or absent: a quarter of the context, at most 4096. */
  maxTokens?: number;
}

/** What the last load reported: the model, whether it was (re)loaded, timings in ms and memory in bytes. */
export type LoadReport = Extract<LlamaResponse, { type: 'loaded' }>;

interface Pending {
  resolve(m: LlamaResponse): void;
  reject(e: ProviderError): void;
  onText?(delta: string): void;
  /** A background chat turn, and whether a task's turn cancelled it. */
  background?: boolean;
  preempted?: boolean;
}

/** Where the worker is and how to start it. */
export interface LocalModelOptions {
  /** Path of the bundled worker (`dist/llama-worker.mjs`). */
  workerPath: string;
  /** Written to the extension's log. */
  log?(message: string): void;
}

/** The runtime: one local model process, started on first use. */
export class LocalModel {
  private child: ChildProcess | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private stderrTail = '';
  private loadedSpec: string | null = null;
  private adapter: { path: string; scale: number } | null = null;
  /** The last successful load (model identity, timings, memory), or null when none is loaded. */
  lastLoad: LoadReport | null = null;

  constructor(private readonly opts: LocalModelOptions) {}

  /** The loaded model, if any. */
  get model(): LlamaModelInfo | null { return this.lastLoad?.model ?? null; }

  /** The active adapter's path and scale, or null. */
  get activeAdapter(): { path: string; scale: number } | null { return this.adapter; }

  /** The process id of the local model process, while it runs. */
  get pid(): number | undefined { return this.child?.pid; }

  private start(): ChildProcess {
    if (this.child) return this.child;
    this.stderrTail = '';
    // Plain Node, not the extension host: VS Code's own binary runs as Node with ELECTRON_RUN_AS_NODE.
    const child = fork(this.opts.workerPath, [], { execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, serialization: 'json' });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => { this.stderrTail = (this.stderrTail + d).slice(-2000); });
    child.on('message', (raw) => this.onMessage(raw));
    child.on('error', (e) => this.opts.log?.(`local model process: ${e.message}`));
    child.on('exit', (code, signal) => this.onExit(child, code, signal));
    this.child = child;
    this.loadedSpec = null;
    this.lastLoad = null;
    return child;
  }

  private onMessage(raw: unknown): void {
    const parsed = LlamaResponseSchema.safeParse(raw);
    if (!parsed.success) {
      const message = `The local model process sent an invalid message: ${parsed.error.issues[0]?.message ?? 'invalid'}.`;
      this.opts.log?.(message);
      // The request it answered must not wait forever.
      const id = (raw as { id?: unknown } | null)?.id;
      const p = typeof id === 'number' ? this.pending.get(id) : undefined;
      if (p) { this.pending.delete(id as number); p.reject(new ProviderError('stream', message)); }
      return;
    }
    const m = parsed.data;
    if (m.type === 'ready') return;
    if (m.id === null) { this.opts.log?.(`local model process: ${m.type === 'error' ? m.message : m.type}`); return; }
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.type === 'text') { p.onText?.(m.delta); return; }
    this.pending.delete(m.id);
    if (m.type === 'error') p.reject(workerError(m.kind, m.message));
    else p.resolve(m);
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = null;
    this.loadedSpec = null;
    this.lastLoad = null;
    const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
    const oom = signal === 'SIGKILL' ? ' If nothing else killed it, the system ran out of memory: try a smaller model or context size.' : '';
    const tail = this.stderrTail.trim().split('\n').slice(-3).join(' ').slice(-400);
    const message = `The local model process ${how} while answering.${oom}${tail ? ` Its last output: ${tail}` : ''} The task's history is kept; send again to restart the model.`;
    for (const [, p] of this.pending) p.reject(new ProviderError('stream', message, undefined, { fixes: ['retry', 'log'] }));
    this.pending.clear();
    if (code !== 0) this.opts.log?.(message);
  }

  private request(msg: { type: 'load' | 'chat' } & Record<string, unknown>, onText?: (d: string) => void, background = false): { id: number; done: Promise<LlamaResponse>; entry: Pending } {
    const child = this.start();
    const id = this.nextId++;
    let entry!: Pending;
    const done = new Promise<LlamaResponse>((resolve, reject) => { entry = { resolve, reject, ...(onText ? { onText } : {}), ...(background ? { background } : {}) }; this.pending.set(id, entry); });
    child.send({ ...msg, id });
    return { id, done, entry };
  }

  /** Cancels the background turns in flight (queued or generating), so a task's turn is next. */
  private preemptBackground(): void {
    for (const [id, p] of this.pending) {
      if (!p.background || p.preempted) continue;
      p.preempted = true;
      this.child?.send({ type: 'cancel', id });
    }
  }

  /**
   * Loads the model for `settings` with the active adapter, unless exactly that is loaded. The worker keeps the
   * model when only the context or the adapter changed. Rejects with a {@link ProviderError} naming the cause.
   */
  async ensureLoaded(settings: LocalModelSettings): Promise<LoadReport> {
    if (!settings.modelPath.trim()) throw new ProviderError('not_found', 'No GGUF model file is set. Set "oel.llamacpp.modelPath" to a .gguf file (e.g. a Qwen2.5-Coder Instruct GGUF from Hugging Face).', undefined, { fixes: ['model'] });
    const spec: LlamaLoadSpec = { modelPath: settings.modelPath, contextSize: settings.contextSize, threads: settings.threads, gpuLayers: settings.gpuLayers, adapter: this.adapter };
    const key = JSON.stringify(spec);
    if (this.child && this.loadedSpec === key && this.lastLoad) return this.lastLoad;
    const { done } = this.request({ type: 'load', spec });
    let m: LlamaResponse;
    try {
      m = await done;
    } catch (e) {
      // The worker dropped its context before failing: nothing counts as loaded until a load succeeds.
      this.loadedSpec = null;
      this.lastLoad = null;
      throw e;
    }
    if (m.type !== 'loaded') throw new ProviderError('stream', `The local model process answered a load with "${m.type}".`);
    this.loadedSpec = key;
    this.lastLoad = m;
    return m;
  }

  /**
   * Sets the adapter used from the next load (null: the base model) and, when a model is loaded, applies it now by
   * recreating the context (the model stays loaded). Resolves with the load report, or null when nothing is loaded.
   */
  async setAdapter(adapter: { path: string; scale: number } | null, settings?: LocalModelSettings): Promise<LoadReport | null> {
    const previous = this.adapter;
    this.adapter = adapter;
    if (!settings) return null;
    try {
      return await this.ensureLoaded(settings);
    } catch (e) {
      // A refused adapter leaves the previous one active, so the model keeps answering as before.
      this.adapter = previous;
      if (this.child) await this.ensureLoaded(settings).catch(() => undefined);
      throw e;
    }
  }

  /** A {@link ChatBackend} over this runtime for `settings` (loaded on first use). */
  backend(settings: LocalModelSettings, opts: ChatOptions = {}): ChatBackend {
    return { chat: (request, callbacks, signal) => this.chat(settings, request, callbacks, signal, opts) };
  }

  /** One model turn: streamed text through `callbacks`, resolved as the loop's {@link ChatTurn}. */
  async chat(
    settings: LocalModelSettings, request: { messages: ChatCompletionMessageParam[]; tools?: { function: { name: string; description?: string; parameters?: Record<string, unknown> } }[] },
    callbacks: StreamCallbacks = {}, signal?: AbortSignal, opts: ChatOptions = {},
  ): Promise<ChatTurn> {
    if (signal?.aborted) throw new ProviderError('aborted', 'The request was stopped.');
    const started = performance.now();
    await this.ensureLoaded(settings);
    if (signal?.aborted) throw new ProviderError('aborted', 'The request was stopped.');
    const maxTokens = opts.maxTokens ?? (settings.maxTokens || Math.max(64, Math.min(4096, Math.floor(settings.contextSize / 4))));
    // Right before this turn is queued (after the load, which a background turn may have been waiting on too).
    if (!opts.background) this.preemptBackground();
    const { id, done, entry } = this.request({
      type: 'chat', messages: toWorkerMessages(request.messages),
      tools: (request.tools ?? []).map((t) => ({ name: t.function.name, description: t.function.description ?? '', parameters: t.function.parameters ?? { type: 'object', properties: {} } })),
      maxTokens, ...(opts.temperature !== undefined ? { temperature: opts.temperature } : {}),
    }, (d) => callbacks.onText?.(d), opts.background);
    let killTimer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => {
      this.child?.send({ type: 'cancel', id });
      const child = this.child;
      // A process stuck in a long prompt evaluation must not keep the user waiting: Stop always stops.
      killTimer = setTimeout(() => { if (this.pending.has(id)) child?.kill('SIGKILL'); }, CANCEL_GRACE_MS);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    let m: LlamaResponse;
    try {
      m = await done;
    } catch (e) {
      if (signal?.aborted) throw new ProviderError('aborted', 'The request was stopped.');
      if (entry.preempted) throw new ProviderError('aborted', PREEMPTED_MESSAGE);
      throw e;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
    }
    if (m.type !== 'done') throw new ProviderError('stream', `The local model process answered a chat with "${m.type}".`);
    return {
      text: m.text, reasoning: '',
      toolCalls: m.toolCalls.map((c, i) => ({ id: usableCallId(`call_${id}_${i}`) ?? `call_${i}`, name: c.name, arguments: c.arguments })),
      finishReason: m.finishReason, usage: m.usage,
      latencyMs: performance.now() - started,
      timeToFirstTokenMs: m.timeToFirstTokenMs,
    };
  }

  /** Ends the process (the model is freed with it). */
  dispose(): void {
    const child = this.child;
    if (!child) return;
    this.child = null;
    for (const [, p] of this.pending) p.reject(new ProviderError('aborted', 'The local model was shut down.'));
    this.pending.clear();
    try { child.send({ type: 'shutdown' }); } catch { /* already gone */ }
    setTimeout(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); }, 2000).unref();
  }

  /** A short description for logs and the status bar tooltip. */
  describe(): string {
    const l = this.lastLoad;
    if (!l) return 'not loaded';
    return `${basename(l.model.path)} (${l.model.architecture}, ${l.model.gpu}, context ${l.model.contextSize})${this.adapter ? ` + adapter ${basename(this.adapter.path)}` : ''}`;
  }
}

/** The worker's error kinds as provider errors whose message names the cause and whose fixes fit it. */
function workerError(kind: string, message: string): ProviderError {
  switch (kind) {
    case 'aborted': return new ProviderError('aborted', 'The request was stopped.');
    case 'missing_file': return new ProviderError('not_found', `${message} Set "oel.llamacpp.modelPath" to an existing .gguf file.`, undefined, { fixes: ['model'] });
    case 'context_full': return new ProviderError('stream', message, undefined, { fixes: ['log'] });
    case 'not_gguf': return new ProviderError('not_found', message, undefined, { fixes: ['model'] });
    case 'out_of_memory': return new ProviderError('stream', `Out of memory: ${message} Use a smaller model, a smaller "oel.llamacpp.contextSize", or fewer GPU layers.`, undefined, { fixes: ['model', 'log'] });
    default: return new ProviderError('stream', `The local model failed: ${message}`, undefined, { fixes: ['retry', 'log'] });
  }
}

/** The loop's OpenAI messages in the worker's shape (text content only: a local model gets no images). */
export function toWorkerMessages(messages: readonly ChatCompletionMessageParam[]): LlamaChatMessage[] {
  const text = (c: unknown): string => (typeof c === 'string' ? c : Array.isArray(c) ? c.map((p: { text?: string }) => p.text ?? '').join('') : '');
  return messages.map((m): LlamaChatMessage => {
    if (m.role === 'system' || m.role === 'developer') return { role: 'system', content: text(m.content) };
    if (m.role === 'user') return { role: 'user', content: text(m.content) };
    if (m.role === 'tool') return { role: 'tool', tool_call_id: m.tool_call_id, content: text(m.content) };
    if (m.role === 'assistant') {
      const calls = (m.tool_calls ?? []).flatMap((c) => (c.type === 'function' ? [{ id: c.id, name: c.function.name, arguments: c.function.arguments }] : []));
      return { role: 'assistant', content: m.content == null ? null : text(m.content), ...(calls.length ? { tool_calls: calls } : {}) };
    }
    return { role: 'user', content: text((m as { content?: unknown }).content) };
  });
}
