/** What the Agent view is told about the embedded runtime's model: its GGUF's name and whether it is a tiny test model. */
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import type { LocalModelWire } from '../../core/protocol/webview';
import type { ProviderKind, LlamaCppSettings } from '../settings';

/**
 * Below this size a GGUF cannot be a model that writes code: the smallest real chat models (135M parameters, 4-bit) are
 * about 100 MB, while the demo's tiny random model (`init-tiny` + `export-gguf`) is well under 1 MB.
 */
export const TINY_MODEL_BYTES = 32 * 1024 * 1024;

/** The view's `local` field for these settings; undefined when a server runs the agent. */
export function localModelInfo(kind: ProviderKind, llamacpp: LlamaCppSettings): LocalModelWire | undefined {
  if (kind !== 'llamacpp' || !llamacpp.modelPath) return undefined;
  let size: number | undefined;
  try { size = statSync(llamacpp.modelPath).size; } catch { size = undefined; } // a missing file is Test Connection's to explain
  return { file: basename(llamacpp.modelPath).slice(0, 300), tiny: size !== undefined && size < TINY_MODEL_BYTES };
}
