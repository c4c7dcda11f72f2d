/**
 * The agent loop. One session is one task: `start` sends the request, the model answers and calls tools until it
 * stops calling them (or the user stops, max steps are reached, or an error occurs); `followUp` continues the same
 * task with its history. Every model turn, tool call, approval and outcome is recorded through the recorder.
 */
import { basename } from 'node:path';
import type OpenAI from 'openai';
import type { KnowledgeInContext, KnowledgeProvider } from '../knowledge/knowledgeContext';
import { ProviderError, publicBaseUrl, type ChatMessage, type ProviderConfig, type ProviderFix } from '../provider/provider';
import { openAiBackend, type ChatBackend } from '../provider/chatBackend';
import { withRetries, type RetryPolicy } from '../provider/retry';
import { toolsForModel } from '../tools/definitions';
import { executeToolCall } from '../tools/executor';
import { DEFAULT_APPROVAL_POLICY, type ApprovalDecision, type ApprovalPolicy, type Approver, type ToolHost } from '../tools/host';
import type { EndReason, EpisodeHeader, Step } from '../trajectory/episode';
import { newEpisodeId } from '../util/ids';
import type { AgentEvent, AgentEventListener } from './events';
import type { TrajectoryRecorder } from './recorder';
import { TaskCheckpoints, restoreAndRecord, type RestoreResult } from './checkpoints';
import { DEFAULT_SYSTEM_TEMPLATE, buildSystemPrompt, citedIds } from './systemPrompt';
import { promptItems } from '../knowledge/selection';

/** Everything a session needs. */
export interface AgentSessionOptions {
  provider: ProviderConfig;
  host: ToolHost;
  approver: Approver;
  /** The approval policy, or a getter read at each tool call (so a settings change applies to the next call). */
  policy?: ApprovalPolicy | (() => ApprovalPolicy);
  /**
   * False in Restricted Mode: only read tools are offered and allowed. A getter is read at each model turn and tool
   * call, so trust granted (or a policy relaxed) mid-task applies from the next call.
   */
  trusted: boolean | (() => boolean);
  knowledge?: KnowledgeProvider;
  /** Most model turns per run (start or follow-up); default 25. */
  maxSteps?: number;
  recorder?: TrajectoryRecorder;
  onEvent?: AgentEventListener;
  systemTemplate?: string;
  /** Reuse a client (e.g. benchmarks); default: one created from `provider`. */
  client?: OpenAI;
  /**
   * The model to talk to; default: the OpenAI-compatible server of `provider` (through `client`). The embedded
   * llama.cpp provider passes its own; `provider` then only names the model in the trajectory.
   */
  backend?: ChatBackend;
  /** Retries of a model request that failed with 429, 5xx or a reset; default {@link DEFAULT_RETRY_POLICY}. */
  retryPolicy?: RetryPolicy;
  /**
   * The team adapter the model runs with (`<server>#<version>`), recorded in the episode header; absent when none is
   * active. `tokensSaved`: prompt tokens of knowledge the adapter absorbed that this task's prompt no longer carries.
   */
  adapter?: EpisodeHeader['adapter'];
  /**
   * Continues a past task (History → Resume): its conversation (resume.ts `conversationOf`) goes to the model after
   * the fresh system prompt and before the new message, and the episode records `continues` = that task's id.
   */
  resume?: { episodeId: string; messages: ChatMessage[] };
}

/** How a run ended. */
export interface AgentOutcome { episodeId: string; reason: EndReason; message: string; finalText: string }

const now = () => new Date().toISOString();

/** One agent task. Not reusable for another task: create a new session, which starts clean. */
export class AgentSession {
  readonly episodeId = newEpisodeId();
  private readonly backend: ChatBackend;
  private readonly messages: ChatMessage[] = [];
  private knowledge: KnowledgeInContext | null = null;
  private template = DEFAULT_SYSTEM_TEMPLATE;
  private controller: AbortController | null = null;
  private turn = 0;
  private started = false;
  /** Marks before each edit or command and the edits applied: what {@link restoreCheckpoint} puts back. */
  readonly checkpoints = new TaskCheckpoints();

  constructor(private readonly opts: AgentSessionOptions) {
    this.backend = opts.backend ?? openAiBackend(opts.provider, opts.client);
  }

  /** Workspace trust now (the option may be a getter). */
  private get trusted(): boolean {
    const t = this.opts.trusted;
    return typeof t === 'function' ? t() : t;
  }

  /** The approval policy now (the option may be a getter). */
  private get policy(): ApprovalPolicy {
    const p = this.opts.policy;
    return (typeof p === 'function' ? p() : p) ?? DEFAULT_APPROVAL_POLICY;
  }

  /** Whether a run is in progress. */
  get running(): boolean {
    return this.controller !== null;
  }

  private emit(event: AgentEvent): void {
    try { this.opts.onEvent?.(event); } catch { /* a broken listener must not break the loop */ }
  }

  private record(step: Step): void {
    this.opts.recorder?.step(step);
  }

  /** Starts the task. Resolves when the run ends (never rejects). */
  async start(request: string): Promise<AgentOutcome> {
    if (this.started) throw new Error('this session already has a task; create a new session for a new task');
    this.started = true;
    this.controller = new AbortController();
    const template = this.template = this.opts.systemTemplate ?? DEFAULT_SYSTEM_TEMPLATE;
    try {
      this.knowledge = (await this.opts.knowledge?.forTask(request)) ?? null;
    } catch {
      this.knowledge = null; // knowledge is an aid; the task runs without it
    }
    this.messages.push({ role: 'system', content: buildSystemPrompt(template, this.knowledge) });
    // A resumed task: the past conversation, as it was, between the system prompt and the new message.
    if (this.opts.resume) this.messages.push(...this.opts.resume.messages);
    const title = request.replace(/\s+/g, ' ').trim().slice(0, 80);
    this.opts.recorder?.begin({
      kind: 'header', schema: 1, id: this.episodeId, title, startedAt: now(), workspace: basename(this.opts.host.root),
      provider: { baseUrl: publicBaseUrl(this.opts.provider.baseUrl), model: this.opts.provider.model },
      systemPrompt: { template, knowledge: this.knowledge }, trusted: this.trusted,
      ...(this.opts.adapter ? { adapter: this.opts.adapter } : {}),
      ...(this.opts.resume ? { continues: this.opts.resume.episodeId } : {}),
    });
    this.emit({ type: 'task_started', episodeId: this.episodeId, title });
    this.emitKnowledge();
    await this.recordDiagnostics('before');
    return this.run(request);
  }

  /** Tells the view which items are in the prompt, with their scores and why they were chosen. */
  private emitKnowledge(): void {
    const k = this.knowledge;
    if (!k?.itemIds.length) return;
    const texts = new Map(promptItems(k.text).map((i) => [i.id, i.text]));
    const chosen = new Map((k.chosen ?? []).map((c) => [c.id, c]));
    this.emit({
      type: 'knowledge_in_context', knowledge: k,
      items: k.itemIds.map((id) => {
        const c = chosen.get(id);
        return { id, text: texts.get(id) ?? '', ...(c ? { score: c.score, reason: c.reason, why: c.why } : {}) };
      }),
    });
  }

  /**
   * Asks for the knowledge slot of a follow-up message. The provider keeps the slot as it is unless the message
   * brings relevant items; only then is the system prompt rewritten (the slot sits after its static part, so a
   * provider's prompt cache still covers what precedes it). Returns the change to record, or undefined for none.
   */
  private async knowledgeForFollowUp(text: string): Promise<{ value: KnowledgeInContext | null } | undefined> {
    if (!this.opts.knowledge) return undefined;
    let next: KnowledgeInContext | null;
    try {
      next = (await this.opts.knowledge.forTask(text, { previous: this.knowledge })) ?? null;
    } catch {
      return undefined; // knowledge is an aid: the follow-up runs with the slot it had
    }
    if (next === this.knowledge || (next?.text ?? null) === (this.knowledge?.text ?? null)) return undefined;
    this.knowledge = next;
    this.messages[0] = { role: 'system', content: buildSystemPrompt(this.template, next) };
    this.emitKnowledge();
    return { value: next };
  }

  /** Continues the same task with a new user message, history kept. */
  async followUp(text: string): Promise<AgentOutcome> {
    if (!this.started) return this.start(text);
    if (this.controller) throw new Error('the agent is still running; stop it or wait for it to finish');
    this.controller = new AbortController();
    this.opts.recorder?.reopen();
    const change = await this.knowledgeForFollowUp(text);
    return this.run(text, change);
  }

  /** Records the user's feedback on the task (after it ended) and waits until it is stored. */
  async feedback(rating: 'up' | 'down', comment?: string): Promise<void> {
    this.opts.recorder?.feedback(rating, comment);
    await this.opts.recorder?.flush();
  }

  /**
   * Restores the workspace files to the checkpoint before the edit or command `callId` (null: the start of the task),
   * see {@link TaskCheckpoints.restore}. Only between runs. Records the restore in the trajectory, with each restored
   * accepted edit checked as no longer standing (an outcome signal: the user undid it).
   */
  async restoreCheckpoint(callId: string | null, opts: { overwrite?: boolean } = {}): Promise<RestoreResult> {
    if (this.controller) throw new Error('the agent is still running; stop it or wait for it to finish before restoring files');
    const result = await restoreAndRecord(this.checkpoints, this.opts.host.files, callId, opts, (s) => this.record(s));
    await this.opts.recorder?.flush();
    return result;
  }

  /** Stops the run: aborts the model request, any running command and any pending approval. */
  stop(): void {
    this.controller?.abort();
  }

  private async recordDiagnostics(phase: 'before' | 'after'): Promise<void> {
    try {
      const d = await this.opts.host.diagnostics();
      this.record({ kind: 'diagnostics', at: now(), phase, errors: d.filter((x) => x.severity === 'error').length, warnings: d.filter((x) => x.severity === 'warning').length });
    } catch { /* diagnostics are optional evidence */ }
  }

  private approver(signal: AbortSignal): Approver {
    return {
      approve: (request) => {
        const stopped = new Promise<ApprovalDecision>((resolve) => {
          if (signal.aborted) resolve({ decision: 'rejected', comment: 'stopped' });
          signal.addEventListener('abort', () => resolve({ decision: 'rejected', comment: 'stopped' }), { once: true });
        });
        return Promise.race([this.opts.approver.approve(request), stopped]).then((d) => {
          this.emit({ type: 'approval_decided', callId: request.callId, decision: d.decision, comment: d.comment, ...(d.hunks ? { hunks: d.hunks } : {}) });
          return d;
        });
      },
    };
  }

  /** Runs the loop; an unexpected exception (a bug) still ends the task with reason `error`, never a rejection. */
  private async run(userText: string, knowledgeChange?: { value: KnowledgeInContext | null }): Promise<AgentOutcome> {
    try {
      return await this.loop(userText, knowledgeChange);
    } catch (e) {
      const message = `Internal error in the agent loop: ${(e as Error).message}`;
      this.record({ kind: 'error', at: now(), source: 'agent', message });
      return this.end('error', message, '');
    }
  }

  private async loop(userText: string, knowledgeChange?: { value: KnowledgeInContext | null }): Promise<AgentOutcome> {
    const signal = this.controller!.signal;
    this.messages.push({ role: 'user', content: userText });
    this.record({ kind: 'user', at: now(), text: userText, ...(knowledgeChange ? { knowledge: knowledgeChange.value } : {}) });
    const maxSteps = this.opts.maxSteps ?? 25;
    let finalText = '';
    for (let step = 0; step < maxSteps; step++) {
      if (signal.aborted) return this.end('stopped', 'Stopped by the user.', finalText);
      const turn = this.turn++;
      let result;
      // A retry is safe only while nothing of the failed attempt reached the user; then it would be shown twice.
      let streamed = false;
      try {
        const tools = toolsForModel(this.trusted);
        result = await withRetries(() => this.backend.chat({ messages: this.messages, tools }, {
          onText: (delta) => { streamed = true; this.emit({ type: 'text_delta', turn, delta }); },
          onReasoning: (delta) => { streamed = true; this.emit({ type: 'reasoning_delta', turn, delta }); },
        }, signal), {
          policy: this.opts.retryPolicy, signal, mayRetry: () => !streamed,
          onRetry: ({ attempt, retries, delayMs, error }) => {
            const message = `${error.message} Retrying in ${Math.ceil(delayMs / 1000)} s (retry ${attempt} of ${retries}).`;
            this.record({ kind: 'error', at: now(), source: 'provider', message });
            this.emit({ type: 'provider_retry', attempt, retries, delayMs, message });
          },
        });
      } catch (e) {
        const err = e instanceof ProviderError ? e : new ProviderError('stream', String(e));
        if (err.kind === 'aborted') return this.end('stopped', 'Stopped by the user.', finalText);
        this.record({ kind: 'error', at: now(), source: 'provider', message: err.message });
        return this.end('error', err.message, finalText, err.fixes);
      }
      this.record({ kind: 'model', at: now(), turn, text: result.text, ...(result.reasoning ? { reasoning: result.reasoning } : {}), toolCalls: result.toolCalls, finishReason: result.finishReason, usage: result.usage, latencyMs: result.latencyMs, timeToFirstTokenMs: result.timeToFirstTokenMs });
      this.emit({ type: 'turn_finished', turn, result });
      finalText = result.text;
      this.messages.push({
        role: 'assistant', content: result.text || null,
        ...(result.toolCalls.length ? { tool_calls: result.toolCalls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } })) } : {}),
      });
      if (!result.toolCalls.length) {
        // Only items that were in the prompt count: an id the model read in a file, or made up, is no evidence.
        const inContext = new Set(this.knowledge?.itemIds ?? []);
        const cited = citedIds(result.text).filter((id) => inContext.has(id));
        if (cited.length) {
          this.record({ kind: 'citation', at: now(), itemIds: cited });
          this.emit({ type: 'knowledge_cited', itemIds: cited });
        }
        // An answer that stopped at the output limit is not the model's last word: say so, and how to get the rest.
        return this.end('completed', result.finishReason === 'length' ? cutOffMessage(result.usage?.completionTokens) : FINISHED_MESSAGE, finalText);
      }
      for (const call of result.toolCalls) {
        this.emit({ type: 'tool_call_proposed', turn, callId: call.id, name: call.name, arguments: call.arguments });
        const obs = signal.aborted
          ? { callId: call.id, name: call.name, args: call.arguments, status: 'cancelled' as const, output: 'Not run: the user stopped the agent.', originalSize: 0, truncated: false, durationMs: 0 }
          : await executeToolCall({
            host: this.opts.host, approver: this.approver(signal), policy: this.policy, trusted: this.trusted, signal,
            record: (s) => this.record(s), checkpoints: this.checkpoints,
            onApprovalNeeded: (request) => this.emit({ type: 'approval_needed', request: { ...request, category: request.category as 'read' | 'edit' | 'command' } }),
            onCommandOutput: (callId, chunk) => this.emit({ type: 'command_output', callId, chunk }),
          }, call);
        this.record({ kind: 'tool', at: now(), callId: obs.callId, name: obs.name, args: obs.args, status: obs.status, output: obs.output, originalSize: obs.originalSize, truncated: obs.truncated, durationMs: obs.durationMs });
        if (obs.status === 'error' || obs.status === 'refused') this.record({ kind: 'error', at: now(), source: 'tool', message: `${obs.name}: ${obs.output.slice(0, 500)}` });
        this.messages.push({ role: 'tool', tool_call_id: call.id, content: obs.output });
        this.emit({ type: 'tool_result', observation: obs });
      }
    }
    if (signal.aborted) return this.end('stopped', 'Stopped by the user.', finalText);
    return this.end('max_steps', `Stopped after ${maxSteps} steps without finishing. Send a follow-up to let it continue.`, finalText);
  }

  private async end(reason: EndReason, message: string, finalText: string, fixes?: ProviderFix[]): Promise<AgentOutcome> {
    this.controller = null;
    await this.recordDiagnostics('after');
    this.opts.recorder?.end(reason, message);
    this.emit({ type: 'task_ended', reason, message, ...(fixes?.length ? { fixes } : {}) });
    return { episodeId: this.episodeId, reason, message, finalText };
  }
}

/** The end message of a task whose model gave its final answer. */
export const FINISHED_MESSAGE = 'The agent finished.';

/** The end message of a task whose final answer stopped at the model's output limit (`tokens`, when reported). */
export function cutOffMessage(tokens?: number | null): string {
  return `The answer was cut off at the model's output limit${tokens ? ` (${tokens.toLocaleString('en-US')} tokens)` : ''}. Send "continue" to get the rest.`;
}
