/**
 * Which runtime learns from an episode. Extraction is on-policy: the model that ran the task reads its trajectory. An
 * episode records its provider as `{ baseUrl, model }`; one that ran on the embedded llama.cpp runtime records
 * {@link EMBEDDED_PROVIDER_URL} instead of a URL and its GGUF file's name as the model, so it must be learned through the
 * local model, never over HTTP (there is no server, and `oel.provider.baseUrl` may point at an unrelated one).
 */
import type { Episode } from '../trajectory/episode';

/** The `provider.baseUrl` an episode records when it ran on the embedded llama.cpp runtime (not a URL). */
export const EMBEDDED_PROVIDER_URL = 'llamacpp:local';

/** Where an episode's extraction runs: an OpenAI-compatible endpoint, or the embedded runtime's model file. */
export type ExtractionRuntime =
  | { kind: 'openai'; baseUrl: string }
  | { kind: 'embedded'; model: string };

/** The runtime that ran `episode`, which is the one that learns from it. */
export function extractionRuntimeOf(episode: Pick<Episode, 'provider'>): ExtractionRuntime {
  return episode.provider.baseUrl === EMBEDDED_PROVIDER_URL
    ? { kind: 'embedded', model: episode.provider.model }
    : { kind: 'openai', baseUrl: episode.provider.baseUrl };
}

/**
 * A key that is equal for two episodes exactly when one extraction batch may serve both: same kind of runtime and the
 * same endpoint, or the same local model file. Embedded and OpenAI-compatible episodes never share a key.
 */
export function extractionBatchKey(episode: Pick<Episode, 'provider'>): string {
  const r = extractionRuntimeOf(episode);
  return r.kind === 'embedded' ? `embedded\u0000${r.model}` : `openai\u0000${r.baseUrl}`;
}

/**
 * Why the embedded runtime configured now cannot learn from an episode that ran on the local model `episodeModel`
 * (a GGUF file name), or null when it can: no model file is set, the file set is another model, or it no longer
 * exists. Another model would not be on-policy, so such an episode is not extracted (its citations still count).
 */
export function embeddedModelProblem(episodeModel: string, modelPath: string, exists: (path: string) => boolean): string | null {
  if (!modelPath) return `it ran on the local model ${episodeModel}, and no model file is set now ("oel.llamacpp.modelPath")`;
  // Named as the episode names it (the settings reader takes the file name the same way, on any platform).
  const now = modelPath.split(/[\\/]/).pop() ?? modelPath;
  if (now !== episodeModel) return `it ran on the local model ${episodeModel}, but "oel.llamacpp.modelPath" is now ${now}`;
  if (!exists(modelPath)) return `it ran on the local model ${episodeModel}, whose file ${modelPath} no longer exists`;
  return null;
}
