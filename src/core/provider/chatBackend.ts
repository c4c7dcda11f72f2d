/**
 * What the agent loop needs from a model: one streamed turn at a time. The OpenAI-compatible provider and the embedded
 * llama.cpp provider both implement it, with the same contract (streamed text through the callbacks, tool calls, finish
 * reason, token usage, and a {@link ProviderError} for every failure, kind `aborted` after Stop), so the loop does not
 * know which one it talks to.
 */
import type OpenAI from 'openai';
import { createClient, streamChat, type ChatMessage, type ChatTool, type ChatTurn, type ProviderConfig, type StreamCallbacks } from './provider';

/** One streamed model turn. */
export interface ChatBackend {
  chat(request: { messages: ChatMessage[]; tools?: ChatTool[] }, callbacks: StreamCallbacks, signal?: AbortSignal): Promise<ChatTurn>;
}

/** The OpenAI-compatible provider as a {@link ChatBackend}. */
export function openAiBackend(config: ProviderConfig, client: OpenAI = createClient(config)): ChatBackend {
  return { chat: (request, callbacks, signal) => streamChat(client, config, request, callbacks, signal) };
}
