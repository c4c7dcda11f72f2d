/**
 * vLLM as an adapter runtime. vLLM serves LoRA adapters beside its base model and loads new ones at run time when it
 * was started with `--enable-lora` and `VLLM_ALLOW_RUNTIME_LORA_UPDATING=True`:
 * `POST /v1/load_lora_adapter {lora_name, lora_path}` and `POST /v1/unload_lora_adapter {lora_name}`. A request then
 * picks the adapter by sending `model: <lora_name>`, so activation answers with that name as the model to use.
 * vLLM reads `lora_path` itself: the folder must be readable by the vLLM process (see docs/runtimes.md).
 */
import { posix } from 'node:path';
import type { AdapterActivation, AdapterRuntime } from '../team/runtime';
import { adaptedModelName, readPeftConfig, refused, type RuntimeActivationResult } from './adapterFiles';
import { answerMessage, refusedWhenUnreachable, runtimeRequest } from './http';

/** vLLM's default `--max-lora-rank`. */
export const VLLM_DEFAULT_MAX_LORA_RANK = 16;

/** Options of {@link VllmRuntime}. */
export interface VllmRuntimeOptions {
  /** The OpenAI-compatible base URL (ending in `/v1`), normally the provider's. */
  baseUrl: string;
  /** The served base model id (the provider's model setting); adapter names are derived from it. */
  baseModel: string;
  /** The server's `--max-lora-rank` (default 16): a higher-rank adapter is refused before it is sent. */
  maxLoraRank?: number;
  /**
   * The adapters folder as the vLLM host sees it, when vLLM runs on another machine or in a container that mounts
   * the extension's adapters folder; `lora_path` becomes `<remoteRoot>/<server>/<version>`. Default: the local path.
   */
  remoteRoot?: string;
  /** The adapter name vLLM holds from an earlier activation (persisted by the caller), unloaded on the next change. */
  loaded?: string;
  timeoutMs?: number;
  /** Bearer token if the vLLM server was started with `--api-key`. */
  apiKey?: string;
}

/** An {@link AdapterRuntime} over vLLM's runtime LoRA endpoints. */
export class VllmRuntime implements AdapterRuntime {
  readonly target = 'vllm';
  private loadedName: string | undefined;

  constructor(private readonly o: VllmRuntimeOptions) {
    this.loadedName = o.loaded;
  }

  /** The adapter name vLLM holds now (as far as this client knows), or undefined. */
  get loaded(): string | undefined { return this.loadedName; }

  private url(path: string): string {
    return `${this.o.baseUrl.replace(/\/+$/, '')}${path}`;
  }

  private post(path: string, json: unknown) {
    return runtimeRequest(this.url(path), {
      method: 'POST', json, timeoutMs: this.o.timeoutMs ?? 120_000,
      headers: this.o.apiKey ? { authorization: `Bearer ${this.o.apiKey}` } : {},
    });
  }

  /** Loads `a` under a name that shows its version, then unloads the previous adapter; null unloads the current one. */
  async activate(a: AdapterActivation | null): Promise<RuntimeActivationResult> {
    return refusedWhenUnreachable(this.target, 'vLLM', () => (a ? this.load(a) : this.unloadCurrent()));
  }

  private async load(a: AdapterActivation): Promise<RuntimeActivationResult> {
    const why = await this.refusal(a.dir);
    if (why) return refused(this.target, `vLLM would refuse adapter version ${a.version}: ${why} The model is unchanged.`);
    const other = await this.otherBase(a.baseModelId);
    if (other) return refused(this.target, `Adapter version ${a.version} was trained on ${a.baseModelId}, but vLLM at ${this.o.baseUrl} serves ${other}. An adapter on another base model gives wrong answers, so it was not loaded; serve ${a.baseModelId} with vLLM. The model is unchanged.`);
    const name = adaptedModelName(this.o.baseModel, a.version);
    const path = this.o.remoteRoot ? posix.join(this.o.remoteRoot, a.server, String(a.version)) : a.dir;
    const res = await this.post('/load_lora_adapter', { lora_name: name, lora_path: path });
    const msg = answerMessage(res.text);
    // A name vLLM already holds (e.g. loaded before VS Code restarted) is the adapter asked for: same name, same version.
    const already = res.status === 400 && /already been loaded/i.test(msg);
    if (res.status === 404 && msg === 'Not Found') {
      return refused(this.target, `vLLM at ${this.o.baseUrl} has no /v1/load_lora_adapter endpoint: start it with --enable-lora and the environment variable VLLM_ALLOW_RUNTIME_LORA_UPDATING=True. The model is unchanged.`);
    }
    if (!already && (res.status < 200 || res.status >= 300)) {
      const where = /no adapter found|no such file|not exist|cannot find|can't find/i.test(msg)
        ? ` vLLM reads the folder itself: it must exist at ${path} on vLLM's machine (set "oel.adapters.vllm.adapterRoot" when vLLM runs elsewhere).` : '';
      return refused(this.target, `vLLM refused adapter version ${a.version} (HTTP ${res.status}): ${msg}.${where} The model is unchanged.`);
    }
    const previous = this.loadedName;
    this.loadedName = name;
    // Unloaded after the new one is in: the agent always has a model to talk to. A failure here only leaves an
    // unused adapter in vLLM's memory, so it is said, not treated as a failed activation.
    let note = '';
    if (previous && previous !== name) {
      const u = await this.post('/unload_lora_adapter', { lora_name: previous }).catch((e: Error) => ({ status: 0, text: e.message }));
      if ((u.status < 200 || u.status >= 300) && u.status !== 404) note = ` The previous adapter ${previous} could not be unloaded: ${answerMessage(u.text)}.`;
    }
    return { taken: true, target: this.target, model: name, message: `vLLM serves adapter version ${a.version} as model "${name}"; the agent now sends that model.${note}` };
  }

  private async unloadCurrent(): Promise<RuntimeActivationResult> {
    const name = this.loadedName;
    if (!name) return { taken: false, target: this.target, message: 'No adapter is active; the agent uses the base model.' };
    const res = await this.post('/unload_lora_adapter', { lora_name: name });
    // 404: vLLM no longer holds it (restarted): the outcome asked for.
    if (res.status >= 300 && res.status !== 404) {
      return refused(this.target, `vLLM refused to unload adapter "${name}" (HTTP ${res.status}): ${answerMessage(res.text)}. The agent goes back to the base model anyway.`);
    }
    this.loadedName = undefined;
    return { taken: false, target: this.target, message: `Adapter "${name}" was unloaded; the agent uses the base model ${this.o.baseModel}.` };
  }

  /**
   * The base model vLLM serves, when it is not the adapter's (else undefined). `GET /v1/models` lists the base with
   * `parent: null` and its `root`, the path or hub id it was loaded from (also when `--served-model-name` renames it);
   * the adapter's base matches when its name (the manifest's `base_model_id`, last path segment) is in the id or root,
   * which also covers a hub cache path (`models--Qwen--Qwen2.5-0.5B-Instruct/snapshots/…`). A list that cannot be
   * read is no verdict: the load itself still fails on a shape mismatch.
   */
  private async otherBase(baseModelId: string): Promise<string | undefined> {
    const stem = (baseModelId.split('/').filter(Boolean).pop() ?? '').toLowerCase();
    if (!stem) return undefined;
    const r = await runtimeRequest(this.url('/models'), { method: 'GET', timeoutMs: this.o.timeoutMs ?? 120_000, headers: this.o.apiKey ? { authorization: `Bearer ${this.o.apiKey}` } : {} });
    if (r.status !== 200) return undefined;
    let data: unknown;
    try { data = (JSON.parse(r.text) as { data?: unknown }).data; } catch { return undefined; }
    if (!Array.isArray(data)) return undefined;
    const bases = data.filter((m): m is { id: string; root?: unknown } => !!m && typeof m === 'object' && typeof (m as { id?: unknown }).id === 'string' && !(m as { parent?: unknown }).parent);
    if (bases.length === 0) return undefined;
    const fits = (m: { id: string; root?: unknown }) => [m.id, typeof m.root === 'string' ? m.root : ''].some((s) => s.toLowerCase().replace(/--/g, '/').includes(stem));
    return bases.some(fits) ? undefined : bases.map((m) => `${m.id}${typeof m.root === 'string' && m.root !== m.id ? ` (${m.root})` : ''}`).join(', ').slice(0, 200);
  }

  /** What vLLM refuses, knowable from adapter_config.json: rank above the server's maximum, DoRA, modules_to_save. */
  private async refusal(dir: string): Promise<string | undefined> {
    const c = await readPeftConfig(dir);
    if (typeof c === 'string') return `${c}.`;
    if (c.peftType && c.peftType.toUpperCase() !== 'LORA') return `it is a ${c.peftType} adapter; vLLM serves LoRA adapters only.`;
    const max = this.o.maxLoraRank ?? VLLM_DEFAULT_MAX_LORA_RANK;
    if (c.rank !== undefined && c.rank > max) {
      return `its rank is ${c.rank}, above vLLM's --max-lora-rank ${max}. Restart vLLM with --max-lora-rank ${nextAllowedRank(c.rank)} and set "oel.adapters.vllm.maxLoraRank" to match.`;
    }
    if (c.useDora) return 'it is a DoRA adapter (use_dora), which vLLM does not serve.';
    if (c.modulesToSave.length) return `it saves whole modules (modules_to_save: ${c.modulesToSave.join(', ')}), which vLLM does not load.`;
    return undefined;
  }
}

/** vLLM's allowed `--max-lora-rank` values. */
const VLLM_RANKS = [1, 8, 16, 32, 64, 128, 256, 320, 512];
function nextAllowedRank(rank: number): number {
  return VLLM_RANKS.find((r) => r >= rank) ?? rank;
}
