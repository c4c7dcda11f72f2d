/**
 * The models an OpenAI-compatible server lists at `/models`, for the Agent view's model picker. Failures come back
 * as a message for the user (the same wording as the agent's own provider errors), never as an exception.
 */
import { createClient, toProviderError, type ProviderConfig } from './provider';

/** Longest model id kept, and most ids listed (a server listing thousands is cut, sorted first). */
const MAX_ID = 200;
const MAX_MODELS = 500;

/** Model ids the server at `config.baseUrl` lists, sorted; or why they could not be listed. */
export async function listModels(config: ProviderConfig, signal?: AbortSignal): Promise<{ models: string[] } | { error: string }> {
  const client = createClient({ ...config, model: config.model || 'none', timeoutMs: config.timeoutMs ?? 15_000 });
  try {
    const list = await client.models.list({ signal });
    // Ids are the server's text: only printable ids of a sane length are offered.
    const ids = list.data.map((m) => m.id).filter((id) => typeof id === 'string' && id.length > 0 && id.length <= MAX_ID && !/[\u0000-\u001f\u007f]/.test(id));
    return { models: [...new Set(ids)].sort((a, b) => a.localeCompare(b)).slice(0, MAX_MODELS) };
  } catch (e) {
    return { error: toProviderError(e, config, signal).message };
  }
}
