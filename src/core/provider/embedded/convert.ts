/**
 * Pure translations between the agent loop's OpenAI-shaped turn and node-llama-cpp's chat history, so the loop does
 * not know which provider it talks to. Kept apart from the worker so they are testable without a model.
 */
import type { ChatHistoryItem, ChatModelFunctions, ChatModelResponse } from 'node-llama-cpp';
import type { LlamaChatMessage, LlamaTool } from '../../protocol/llamaWorker';

/**
 * OpenAI messages -> node-llama-cpp chat history. An assistant turn's tool calls become function calls whose result is
 * the matching `tool` message's content (node-llama-cpp renders call and result together in the model's turn); a
 * call without a result gets an explicit "no result" text rather than being dropped, so the model sees what happened.
 */
export function toChatHistory(messages: readonly LlamaChatMessage[]): ChatHistoryItem[] {
  const results = new Map<string, string>();
  for (const m of messages) if (m.role === 'tool') results.set(m.tool_call_id, m.content);
  const history: ChatHistoryItem[] = [];
  for (const m of messages) {
    if (m.role === 'system') history.push({ type: 'system', text: m.content });
    else if (m.role === 'user') history.push({ type: 'user', text: m.content });
    else if (m.role === 'assistant') {
      const response: ChatModelResponse['response'] = [];
      if (m.content) response.push(m.content);
      for (const c of m.tool_calls ?? []) {
        response.push({ type: 'functionCall', name: c.name, params: parseArguments(c.arguments), result: results.get(c.id) ?? '(no result: the call was not run)' });
      }
      // node-llama-cpp keeps a model's calls, their results and what it says after them in one model turn, so the
      // loop's consecutive assistant messages (separated only by tool results) join the same turn.
      const last = history.at(-1);
      if (last?.type === 'model') last.response.push(...response);
      else history.push({ type: 'model', response });
    }
  }
  // Generation continues the history's last model turn; after a user message that is a new, empty one.
  if (history.at(-1)?.type !== 'model') history.push({ type: 'model', response: [] });
  return history;
}

/** Tool arguments as the loop recorded them (JSON text) back to a value; text that is not JSON is kept as a string. */
function parseArguments(text: string): unknown {
  try { return JSON.parse(text); } catch { return text; }
}

/**
 * OpenAI tool definitions -> node-llama-cpp functions. node-llama-cpp's grammar makes every listed property required,
 * so a property the tool's schema does not require may also be `null`; {@link toToolArguments} drops the nulls again.
 * Keywords its grammar does not know are left out (it refuses unknown ones).
 */
export function toFunctions(tools: readonly LlamaTool[]): ChatModelFunctions {
  const out: Record<string, { description: string; params: unknown }> = {};
  for (const t of tools) out[t.name] = { description: t.description, params: toGrammarSchema(t.parameters, true) };
  return out as ChatModelFunctions;
}

const SIMPLE_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'null']);

function toGrammarSchema(schema: Record<string, unknown>, required: boolean): Record<string, unknown> {
  const description = typeof schema.description === 'string' ? { description: schema.description } : {};
  if (schema.type === 'object') {
    const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
    const req = new Set(Array.isArray(schema.required) ? schema.required as string[] : []);
    const properties = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, toGrammarSchema(v, req.has(k))]));
    return { type: 'object', properties, ...description };
  }
  if (schema.type === 'array') return { type: 'array', items: toGrammarSchema((schema.items ?? { type: 'string' }) as Record<string, unknown>, true), ...description };
  if (Array.isArray(schema.enum)) return { enum: required ? schema.enum : [...schema.enum, null], ...description };
  const type = typeof schema.type === 'string' && SIMPLE_TYPES.has(schema.type) ? schema.type : 'string';
  return { type: required || type === 'null' ? type : [type, 'null'], ...description };
}

/** A function call's params -> the tool-call arguments JSON the loop expects, with the optional nulls left out. */
export function toToolArguments(params: unknown): string {
  if (params && typeof params === 'object' && !Array.isArray(params)) {
    return JSON.stringify(Object.fromEntries(Object.entries(params as Record<string, unknown>).filter(([, v]) => v !== null)));
  }
  return JSON.stringify(params ?? {});
}

/** node-llama-cpp's stop reason in OpenAI's words (`stop`, `length`, `tool_calls`). */
export function toFinishReason(stopReason: string): 'stop' | 'length' | 'tool_calls' {
  if (stopReason === 'functionCalls') return 'tool_calls';
  if (stopReason === 'maxTokens') return 'length';
  return 'stop';
}
