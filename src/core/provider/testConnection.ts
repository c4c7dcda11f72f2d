/**
 * "Test connection" for the provider settings: one cheap probe sequence that tells the user which of the usual
 * mistakes they made (wrong URL, wrong key, wrong model, a model without tool calling) and what to do about it.
 */
import { createClient, publicBaseUrl, toProviderError, type ProviderConfig, type ProviderFix } from './provider';

/** Outcome of {@link testConnection}; `message` is shown to the user as is. */
export interface ConnectionResult {
  status: 'ok' | 'unreachable' | 'bad_key' | 'unknown_model' | 'no_tool_calling' | 'error';
  message: string;
  /** Model ids the server listed, when it answered `/models`. */
  models?: string[];
  /** The fixes that fit, most likely first (empty when connected). */
  fixes: ProviderFix[];
}

const PROBE_TOOL = {
  type: 'function' as const,
  function: { name: 'ping', description: 'Answers pong.', parameters: { type: 'object', properties: {}, additionalProperties: false } },
};

/** Probes the provider: lists models, then forces a call of a trivial tool. */
export async function testConnection(config: ProviderConfig, signal?: AbortSignal): Promise<ConnectionResult> {
  const client = createClient({ ...config, timeoutMs: config.timeoutMs ?? 15_000 });
  const where = publicBaseUrl(config.baseUrl);
  let models: string[] | undefined;
  try {
    const list = await client.models.list({ signal });
    models = list.data.map((m) => m.id);
  } catch (e) {
    const err = toProviderError(e, config, signal);
    if (err.kind === 'unreachable') return { status: 'unreachable', message: err.message, fixes: err.fixes };
    if (err.kind === 'auth') return { status: 'bad_key', message: err.message, fixes: err.fixes };
    // Some servers do not implement /models; the chat probe below still tells us what we need.
  }
  if (models && !models.includes(config.model)) {
    return { status: 'unknown_model', models, message: `The server at ${where} does not list the model "${config.model}". It serves: ${models.slice(0, 20).join(', ') || '(none)'}.`, fixes: ['model'] };
  }
  try {
    const res = await client.chat.completions.create(
      { model: config.model, messages: [{ role: 'user', content: 'Call the ping tool.' }], tools: [PROBE_TOOL], tool_choice: { type: 'function', function: { name: 'ping' } }, max_tokens: 32 },
      { signal },
    );
    if (!res.choices[0]?.message.tool_calls?.length) {
      return { status: 'no_tool_calling', models, message: `The model "${config.model}" answered but did not call a tool when forced to. The agent needs a model with tool (function) calling; enable it on the server (e.g. --jinja for llama.cpp) or choose another model.`, fixes: ['model'] };
    }
    return { status: 'ok', models, message: `Connected to ${where}; "${config.model}" supports tool calling.`, fixes: [] };
  } catch (e) {
    const err = toProviderError(e, config, signal);
    if (err.kind === 'unreachable') return { status: 'unreachable', message: err.message, fixes: err.fixes };
    if (err.kind === 'auth') return { status: 'bad_key', message: err.message, fixes: err.fixes };
    if (err.kind === 'not_found') return { status: 'unknown_model', models, message: err.message, fixes: err.fixes };
    if (/tool/i.test(err.message)) return { status: 'no_tool_calling', models, message: `The model "${config.model}" rejected a request with tools: ${err.message}. Choose a model with tool calling.`, fixes: ['model'] };
    return { status: 'error', models, message: err.message, fixes: err.fixes };
  }
}
