/**
 * Which base model a GGUF file is, for refusing an adapter trained on another one. The adapter's manifest names its
 * base by `base_model_id`: the server's model folder's `_name_or_path` (e.g. `Qwen/Qwen2.5-Coder-0.5B-Instruct`) or its
 * folder name. A GGUF carries no such id, only what its converter wrote in `general.*` (llama.cpp's converter writes
 * name, basename, size label and finetune, and the source repository when it knew it; export-gguf writes the folder
 * name as `general.name`). So both sides are reduced to comparable names and the adapter is taken when one matches.
 *
 * Why names and not a weights hash: the server never sees the user's GGUF (often a quantised copy of the same model),
 * so a hash of either side's bytes could never match. Quantisation suffixes and the organisation prefix are dropped
 * for the same reason. A user whose GGUF lacks the metadata declares the identity in `oel.llamacpp.baseModelId`.
 */

/** A name reduced for comparison: lower case, organisation prefix, `.gguf` and quantisation suffix removed, only letters and digits. */
export function normalizeModelId(id: string): string {
  let s = id.trim().toLowerCase();
  s = s.replace(/^https?:\/\/(?:www\.)?huggingface\.co\//, '').replace(/^hf:/, '');
  s = s.replace(/\.gguf$/, '');
  s = s.split('/').filter(Boolean).slice(-1)[0] ?? s;
  // Quantisation and precision tags (q4_k_m, iq3_xs, f16, bf16, fp32 ...) describe the file, not the model.
  s = s.replace(/[-_.](?:i?q\d(?:_[a-z0-9]+)*|f16|f32|bf16|fp16|fp32)$/, '');
  return s.replace(/[^a-z0-9]/g, '');
}

/** The names a GGUF may be known by, from its file name and `general.*` metadata, normalised, without duplicates. */
export function modelIdentities(path: string, general: Record<string, unknown>): string[] {
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
  const names: (string | undefined)[] = [
    str(general.name),
    [str(general.basename), str(general.size_label), str(general.finetune)].filter(Boolean).join('-') || undefined,
    str((general.source as { huggingface?: { repository?: unknown } } | undefined)?.huggingface?.repository),
    str((general.source as { url?: unknown } | undefined)?.url),
    path.split(/[\\/]/).pop(),
  ];
  return [...new Set(names.filter((n): n is string => !!n).map(normalizeModelId).filter(Boolean))];
}

/**
 * Whether the adapter's base (`baseModelId` from the manifest) is the loaded model: the user's declared identity when
 * set (it replaces the metadata, which they said is wrong or missing), else any of the GGUF's identities.
 */
export function baseModelMatches(baseModelId: string, identities: readonly string[], declared?: string): boolean {
  const want = normalizeModelId(baseModelId);
  if (!want) return false;
  if (declared?.trim()) return normalizeModelId(declared) === want;
  return identities.includes(want);
}
