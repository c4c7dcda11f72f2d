/**
 * The model provider: any OpenAI-compatible endpoint, reached through the `openai` package. One streaming chat call
 * per agent turn; tool-call deltas are accumulated by index, text is reported as it arrives, and every failure (HTTP
 * error, broken stream, SSE error event, abort) comes back as a {@link ProviderError}, never an unhandled rejection.
 */
import OpenAI from 'openai';
import { ProviderError, toProviderError } from './errors';
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

export { ProviderError, publicBaseUrl, retryAfterMs, toProviderError } from './errors';
export type { NetworkCause, ProviderErrorKind, ProviderFix } from './errors';

/** Creates the `openai` client for a config. The SDK's own retries are off: the agent loop retries (retry.ts), so it can tell the user and stop retrying once output was shown. */
export function createClient(config: ProviderConfig): OpenAI {
  // Local servers (Ollama, llama.cpp) need no key, but the client refuses to start without one.
  return new OpenAI({ baseURL: config.baseUrl, apiKey: config.apiKey || 'not-set', timeout: config.timeoutMs ?? 120_000, maxRetries: 0 });
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
