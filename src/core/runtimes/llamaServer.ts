/**
 * llama.cpp's `llama-server` as an adapter runtime. It loads LoRA adapter files only when it starts (`--lora FILE`,
 * several allowed; `--lora-init-without-apply` loads them at scale 0) and, at run time, lists them
 * (`GET /lora-adapters` → `[{id, path, scale}]`) and sets their scales (`POST /lora-adapters` `[{id, scale}]`; an
 * adapter left out of the list goes to 0). So activation turns on the loaded adapter whose file is this version's
 * `adapter.gguf` (scale 1, every other 0), rollback turns the older one on the same way, and a version the server
 * did not load at start is refused with the restart it needs. The model id is unchanged: the server has one model.
 */
import { resolve, sep } from 'node:path';
import type { AdapterActivation, AdapterRuntime } from '../team/runtime';
import { ADAPTER_GGUF_FILE, ggufAdapterPath, refused, type RuntimeActivationResult } from './adapterFiles';
import { answerMessage, refusedWhenUnreachable, runtimeRequest, serverRoot } from './http';

/** Options of {@link LlamaServerRuntime}. */
export interface LlamaServerRuntimeOptions {
  /** The server's OpenAI-compatible `/v1` URL or its root. */
  baseUrl: string;
  timeoutMs?: number;
  /** Bearer token when the server was started with `--api-key`. */
  apiKey?: string;
}

/** One adapter the server loaded at start. */
export interface LoadedLora { id: number; path: string; scale: number }

/** An {@link AdapterRuntime} over llama-server's `/lora-adapters`. */
export class LlamaServerRuntime implements AdapterRuntime {
  readonly target = 'llamacppServer';
  private readonly root: string;

  constructor(private readonly o: LlamaServerRuntimeOptions) {
    this.root = serverRoot(o.baseUrl);
  }

  private req(method: string, json?: unknown) {
    return runtimeRequest(`${this.root}/lora-adapters`, {
      method, json, timeoutMs: this.o.timeoutMs ?? 30_000, headers: this.o.apiKey ? { authorization: `Bearer ${this.o.apiKey}` } : {},
    });
  }

  /** Sets scale 1 on the adapter of `a` (0 on the others), or 0 on all for null. */
  async activate(a: AdapterActivation | null): Promise<RuntimeActivationResult> {
    return refusedWhenUnreachable(this.target, 'The llama.cpp server', () => this.setActive(a));
  }

  private async setActive(a: AdapterActivation | null): Promise<RuntimeActivationResult> {
    const list = await this.list();
    if (typeof list === 'string') return refused(this.target, `${list} The model is unchanged.`);
    if (!a) {
      const set = await this.setScales(list.map((l) => ({ id: l.id, scale: 0 })));
      return set ? refused(this.target, set) : { taken: false, target: this.target, message: 'Every adapter of the llama.cpp server is at scale 0: the agent uses the base model.' };
    }
    const file = ggufAdapterPath(a.dir);
    if (!file) return refused(this.target, `Adapter version ${a.version} has no ${ADAPTER_GGUF_FILE}, the only adapter format llama.cpp loads; this team server did not publish one. The model is unchanged.`);
    const match = list.find((l) => sameAdapter(l.path, file, a));
    if (!match) {
      const loaded = list.length ? ` It loaded: ${list.map((l) => l.path).join(', ').slice(0, 300)}.` : ' It loaded no adapter.';
      return refused(this.target, `The llama.cpp server loads adapter files only when it starts, and adapter version ${a.version} is not among them.${loaded} Restart it with --lora ${file} (add --lora-init-without-apply to start with adapters off), then activate version ${a.version} again. The model is unchanged.`);
    }
    const set = await this.setScales(list.map((l) => ({ id: l.id, scale: l.id === match.id ? 1 : 0 })));
    if (set) return refused(this.target, set);
    return { taken: true, target: this.target, message: `The llama.cpp server applies adapter version ${a.version} (adapter ${match.id}, scale 1) to every request; the model id is unchanged.` };
  }

  /** The adapters loaded at start, or why they could not be listed. */
  async list(): Promise<LoadedLora[] | string> {
    const r = await this.req('GET');
    if (r.status === 404) return `${this.root} has no /lora-adapters endpoint: it is not llama.cpp's llama-server, or a version without LoRA support.`;
    if (r.status < 200 || r.status >= 300) return `The llama.cpp server answered HTTP ${r.status} when asked for its adapters: ${answerMessage(r.text)}.`;
    let parsed: unknown;
    try { parsed = JSON.parse(r.text); } catch { parsed = undefined; }
    if (!Array.isArray(parsed)) return `The llama.cpp server's /lora-adapters answer is not a list.`;
    return parsed.filter((l): l is LoadedLora => !!l && typeof l === 'object' && Number.isInteger((l as LoadedLora).id) && typeof (l as LoadedLora).path === 'string')
      .map((l) => ({ id: l.id, path: l.path, scale: typeof l.scale === 'number' ? l.scale : 0 }));
  }

  private async setScales(scales: { id: number; scale: number }[]): Promise<string | undefined> {
    const r = await this.req('POST', scales);
    return r.status >= 200 && r.status < 300 ? undefined : `The llama.cpp server refused the adapter scales (HTTP ${r.status}): ${answerMessage(r.text)}. The model is unchanged.`;
  }
}

/**
 * Whether the server's adapter path is this version's file: the same absolute path, or (a server on another machine
 * or in a container, which names the file by its own mount) a path ending in `<server>/<version>/adapter.gguf`.
 */
function sameAdapter(serverPath: string, file: string, a: AdapterActivation): boolean {
  if (resolve(serverPath) === resolve(file)) return true;
  const tail = [a.server, String(a.version), ADAPTER_GGUF_FILE].join('/');
  const p = serverPath.split(sep).join('/');
  return p === tail || p.endsWith(`/${tail}`);
}
