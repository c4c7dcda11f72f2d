/**
 * The team's {@link AdapterRuntime} for the embedded llama.cpp provider: the active version's `adapter.gguf` (the
 * llama.cpp LoRA the server converts at release, listed and signed in the manifest) is loaded into the local model's
 * context at scale 1 (llama.cpp applies alpha/rank itself); the model stays loaded. A version whose base model is not
 * the loaded GGUF is refused (see identity.ts for how the two are compared and why).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ADAPTER_GGUF_FILE } from '../../protocol/consolidation';
import type { ActivationResult, AdapterActivation, AdapterRuntime } from '../../team/runtime';
import { baseModelMatches } from './identity';
import type { LocalModel, LocalModelSettings } from './localModel';

const mb = (bytes: number) => `${Math.round(bytes / 1048576)} MB`;

/** Register with the runtime factory under `llamacpp`: `new EmbeddedAdapterRuntime(localModel, () => settings)`. */
export class EmbeddedAdapterRuntime implements AdapterRuntime {
  readonly target = 'llamacpp';

  /** `settings` is read at each activation; `declaredBaseModelId` is `oel.llamacpp.baseModelId` ('' = from the file). */
  constructor(private readonly model: LocalModel, private readonly settings: () => LocalModelSettings & { baseModelId?: string }) {}

  async activate(a: AdapterActivation | null): Promise<ActivationResult> {
    const s = this.settings();
    try {
      if (!a) {
        const r = await this.model.setAdapter(null, s);
        return { taken: true, target: this.target, message: `The local model runs without an adapter${r ? ` (context recreated in ${Math.round(r.contextMs)} ms)` : ''}.` };
      }
      const file = join(a.dir, ADAPTER_GGUF_FILE);
      if (!existsSync(file)) return { taken: false, target: this.target, message: `Version ${a.version} has no ${ADAPTER_GGUF_FILE} (the server could not convert it for llama.cpp), so the local model is unchanged.` };
      const loaded = await this.model.ensureLoaded(s);
      if (!baseModelMatches(a.baseModelId, loaded.model.identities, s.baseModelId)) {
        const mine = s.baseModelId?.trim() || loaded.model.name;
        return { taken: false, target: this.target, message: `Version ${a.version} was trained on "${a.baseModelId}", but the local model is "${mine}". Use that base model's GGUF, or set "oel.llamacpp.baseModelId" if the file is that model under another name.` };
      }
      const r = (await this.model.setAdapter({ path: file, scale: 1 }, s))!;
      return { taken: true, target: this.target, message: `Adapter version ${a.version} loaded into the local model in ${Math.round(r.contextMs)} ms (model kept loaded; process memory ${mb(r.memory.rssBytes)}${r.memory.vramBytes ? `, VRAM ${mb(r.memory.vramBytes)}` : ''}).` };
    } catch (e) {
      return { taken: false, target: this.target, message: `The local model could not take ${a ? `version ${a.version}` : 'the base model'}: ${(e as Error).message}` };
    }
  }
}
