/**
 * The model provider: any OpenAI-compatible endpoint, reached through the `openai` package. One streaming chat call
 * per agent turn; tool-call deltas are accumulated by index, text is reported as it arrives, and every failure (HTTP
 * error, broken stream, SSE error event, abort) comes back as a {@link ProviderError}, never an unhandled rejection.
 */
import OpenAI, { APIError, APIUserAbortError } from 'openai';
import type { ChatCompletionFunctionTool, ChatCompletionMessageParam } from 'openai/resources/chat/completions';

/** Where the model lives and which one to use. */
export interface ProviderConfig {
  /** Base URL of the OpenAI-compatible API, usually ending in `/v1`. */
  baseUrl: string;
  /** API key; local servers ignore it, so it may be empty. */
  apiKey?: string;
  model: string;
  /** Request timeout in milliseconds (default 120 s). */
  timeoutMs?: number;
  temperature?: number;
}

/** A chat message in the OpenAI wire format. */
export type ChatMessage = ChatCompletionMessageParam;
/** A tool definition in the OpenAI wire format. */
export type ChatTool = ChatCompletionFunctionTool;

/** Result of one streamed model turn. */
export interface ChatTurn {
  text: string;
  reasoning: string;
  toolCalls: { id: string; name: string; arguments: string }[];
  finishReason: string | null;
  usage: { promptTokens: number; completionTokens: number; totalTokens: number } | null;
  latencyMs: number;
  timeToFirstTokenMs: number | null;
}

/** Callbacks for streamed deltas. */
export interface StreamCallbacks {
  onText?(delta: string): void;
  onReasoning?(delta: string): void;
}

/** Why a provider call failed; `kind` lets callers tell a user stop from a real failure. */
export type ProviderErrorKind = 'aborted' | 'auth' | 'not_found' | 'unreachable' | 'http' | 'stream';

/** A provider failure with a message fit to show the user. */
export class ProviderError extends Error {
  /**
   * Whether trying the same request again may succeed: 429 (rate limit), 5xx, or a connection reset. The caller
   * decides whether it may (see retry.ts: never once output reached the user).
   */
  readonly retryable: boolean;
  /** How long the provider asked us to wait (Retry-After / retry-after-ms), when it said. */
  readonly retryAfterMs?: number;

  constructor(readonly kind: ProviderErrorKind, message: string, readonly status?: number, opts: { retryable?: boolean; retryAfterMs?: number } = {}) {
    super(message);
    this.name = 'ProviderError';
    this.retryable = opts.retryable ?? false;
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs;
  }
}

/**
 * The wait a response asks for, in milliseconds: `retry-after-ms`, or `Retry-After` as seconds or as an HTTP date.
 * Undefined when absent or unreadable.
 */
export function retryAfterMs(headers: { get(name: string): string | null } | undefined, nowMs = Date.now()): number | undefined {
  const ms = Number(headers?.get('retry-after-ms') ?? NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers?.get('retry-after')?.trim();
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Number(raw) * 1000;
  const at = Date.parse(raw);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}

/** Network failures where the same request may well succeed a moment later (not "refused": nothing is listening). */
const TRANSIENT_NETWORK = /ECONNRESET|EPIPE|socket hang up|other side closed|terminated|UND_ERR_SOCKET/i;

/** Messages and error codes of an error and its causes, a few levels deep, as one string to match on. */
function causeChain(e: unknown): string {
  const parts: string[] = [];
  for (let cur = e, depth = 0; cur && typeof cur === 'object' && depth < 5; cur = (cur as { cause?: unknown }).cause, depth++) {
    const { message, code } = cur as { message?: unknown; code?: unknown };
    parts.push(String(message ?? ''), String(code ?? ''));
  }
  return parts.join(' ');
}

/** Creates the `openai` client for a config. The SDK's own retries are off: the agent loop retries (retry.ts), so it can tell the user and stop retrying once output was shown. */
export function createClient(config: ProviderConfig): OpenAI {
  // Local servers (Ollama, llama.cpp) need no key, but the client refuses to start without one.
  return new OpenAI({ baseURL: config.baseUrl, apiKey: config.apiKey || 'not-set', timeout: config.timeoutMs ?? 120_000, maxRetries: 0 });
}

/** Base URL with any `user:password@` removed, safe to store in a trajectory. */
export function publicBaseUrl(baseUrl: string): string {
  try {
    const u = new URL(baseUrl);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return baseUrl.replace(/\/\/[^/@]*@/, '//');
  }
}

/** Turns any thrown value from the client into a {@link ProviderError}. */
export function toProviderError(e: unknown, config: ProviderConfig, signal?: AbortSignal): ProviderError {
  if (e instanceof ProviderError) return e;
  if (e instanceof APIUserAbortError || signal?.aborted) return new ProviderError('aborted', 'The request was stopped.');
  if (e instanceof APIError && e.status !== undefined) {
    const detail = e.message.replace(/^\d+\s*/, '');
    if (e.status === 401 || e.status === 403) {
      return new ProviderError('auth', `The provider at ${publicBaseUrl(config.baseUrl)} rejected the API key (${e.status}): ${detail}. Set the right key with the command "OEL Agent: Set API Key".`, e.status);
    }
    if (e.status === 404) {
      return new ProviderError('not_found', `The provider does not know the model "${config.model}" (404): ${detail}. Pick a model it serves.`, e.status);
    }
    const retryable = e.status === 429 || e.status >= 500;
    return new ProviderError('http', `The provider answered ${e.status}: ${detail}`, e.status, { retryable, retryAfterMs: retryAfterMs(e.headers) });
  }
  if (e instanceof APIError && e.status === undefined && !(e.constructor.name.includes('Connection'))) {
    return new ProviderError('stream', `The provider reported an error mid-stream: ${e.message}`);
  }
  const msg = e instanceof Error ? e.message : String(e);
  const cause = e instanceof Error && e.cause instanceof Error ? ` (${e.cause.message})` : '';
  // fetch wraps the socket's error two levels down (APIConnectionError -> "fetch failed" -> "other side closed").
  const transient = TRANSIENT_NETWORK.test(causeChain(e));
  if (e instanceof Error && /Connection|timed out|ECONNREFUSED|ENOTFOUND/i.test(e.constructor.name + msg + cause)) {
    return new ProviderError('unreachable', `Cannot reach the provider at ${publicBaseUrl(config.baseUrl)}: ${msg}${cause}. Is the server running and the URL right?`, undefined, { retryable: transient });
  }
  return new ProviderError('stream', `The connection to the provider broke mid-answer: ${msg}${cause}`, undefined, { retryable: transient });
}

/**
 * Streams one chat completion. Resolves with the whole turn, or rejects with a {@link ProviderError} (kind `aborted`
 * when `signal` fired).
 */
export async function streamChat(
  client: OpenAI,
  config: ProviderConfig,
  request: { messages: ChatMessage[]; tools?: ChatTool[] },
  callbacks: StreamCallbacks = {},
  signal?: AbortSignal,
): Promise<ChatTurn> {
  const started = performance.now();
  let firstToken: number | null = null;
  const turn: ChatTurn = { text: '', reasoning: '', toolCalls: [], finishReason: null, usage: null, latencyMs: 0, timeToFirstTokenMs: null };
  const calls = new Map<number, { id: string; name: string; arguments: string }>();
  try {
    const stream = await client.chat.completions.create(
      {
        model: config.model,
        messages: request.messages,
        ...(request.tools?.length ? { tools: request.tools } : {}),
        ...(config.temperature !== undefined ? { temperature: config.temperature } : {}),
        stream: true,
        stream_options: { include_usage: true },
      },
      { signal },
    );
    for await (const chunk of stream) {
      if (chunk.usage) turn.usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens, totalTokens: chunk.usage.total_tokens };
      const choice = chunk.choices[0];
      if (!choice) continue;
      const delta = choice.delta as typeof choice.delta & { reasoning_content?: string; reasoning?: string };
      const reasoning = delta.reasoning_content ?? delta.reasoning;
      if (reasoning) {
        firstToken ??= performance.now();
        turn.reasoning += reasoning;
        callbacks.onReasoning?.(reasoning);
      }
      if (delta.content) {
        firstToken ??= performance.now();
        turn.text += delta.content;
        callbacks.onText?.(delta.content);
      }
      for (const tc of delta.tool_calls ?? []) {
        firstToken ??= performance.now();
        const acc = calls.get(tc.index) ?? { id: '', name: '', arguments: '' };
        if (tc.id) acc.id = tc.id;
        if (tc.function?.name) acc.name += tc.function.name;
        if (tc.function?.arguments) acc.arguments += tc.function.arguments;
        calls.set(tc.index, acc);
      }
      if (choice.finish_reason) turn.finishReason = choice.finish_reason;
    }
  } catch (e) {
    throw toProviderError(e, config, signal);
  }
  if (signal?.aborted) throw new ProviderError('aborted', 'The request was stopped.');
  turn.toolCalls = [...calls.entries()].sort(([a], [b]) => a - b).map(([i, c]) => ({ ...c, id: c.id || `call_${i}` }));
  turn.latencyMs = performance.now() - started;
  turn.timeToFirstTokenMs = firstToken === null ? null : firstToken - started;
  return turn;
}
