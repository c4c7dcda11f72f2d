/**
 * Ollama as an adapter runtime, through its HTTP API: the version's GGUF LoRA adapter is uploaded as a blob
 * (`HEAD /api/blobs/sha256:<hex>` first, then `POST` with the file), and a model is created FROM the configured base
 * with that ADAPTER (`POST /api/create {model, from, adapters}`), named so the version shows
 * (`qwen2.5-coder-7b-oel-v3`). The agent then uses that model. Ollama converts safetensors (PEFT) adapters only for
 * some architectures (not qwen2) and takes one adapter per model, so only the GGUF adapter the team server publishes
 * is sent. After creating, the model's Modelfile is read back (`POST /api/show`): an Ollama that dropped ADAPTER
 * support and silently ignored the field is detected there, and the model it made without the adapter is removed.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { AdapterActivation, AdapterRuntime } from '../team/runtime';
import { ADAPTER_GGUF_FILE, adaptedModelName, ggufAdapterPath, readPeftConfig, refused, type RuntimeActivationResult } from './adapterFiles';
import { answerMessage, refusedWhenUnreachable, runtimeRequest, serverRoot, type RuntimeResponse } from './http';

/** Options of {@link OllamaRuntime}. */
export interface OllamaRuntimeOptions {
  /** Ollama's address: its OpenAI-compatible `/v1` URL or its root (`http://127.0.0.1:11434`). */
  baseUrl: string;
  /** The model the adapted one is created FROM (the non-quantized base the adapter was trained on). */
  baseModel: string;
  /** The adapted model created by an earlier activation (persisted by the caller), removed on the next change. */
  created?: string;
  timeoutMs?: number;
  /** Upload limit for the adapter file (default 30 minutes). */
  uploadTimeoutMs?: number;
}

const ok = (r: RuntimeResponse) => r.status >= 200 && r.status < 300;

/** Quantization levels that are not a quantized base (the adapter was trained on one of these). */
const FULL_PRECISION = /^(F16|F32|BF16)$/i;

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** An {@link AdapterRuntime} over Ollama's blob and create APIs. */
export class OllamaRuntime implements AdapterRuntime {
  readonly target = 'ollama';
  private readonly root: string;
  private createdModel: string | undefined;

  constructor(private readonly o: OllamaRuntimeOptions) {
    this.root = serverRoot(o.baseUrl);
    this.createdModel = o.created;
  }

  /** The adapted model this client last created (and has not removed), or undefined. */
  get created(): string | undefined { return this.createdModel; }

  private req(method: string, path: string, json?: unknown) {
    return runtimeRequest(`${this.root}${path}`, { method, json, timeoutMs: this.o.timeoutMs ?? 120_000 });
  }

  /** Creates (or re-creates) the adapted model of `a` and removes the one made before; null removes it. */
  async activate(a: AdapterActivation | null): Promise<RuntimeActivationResult> {
    return refusedWhenUnreachable(this.target, 'Ollama', () => (a ? this.create(a) : this.removeCurrent()));
  }

  private async create(a: AdapterActivation): Promise<RuntimeActivationResult> {
    if (!this.o.baseModel) return refused(this.target, 'No base model is set for Ollama: set "oel.provider.model" (or "oel.adapters.ollama.baseModel") to the model the adapter was trained on. The model is unchanged.');
    const gguf = ggufAdapterPath(a.dir);
    if (!gguf) {
      const c = await readPeftConfig(a.dir);
      const base = typeof c === 'string' ? '' : c.baseModel ? ` (trained on ${c.baseModel})` : '';
      return refused(this.target, `Adapter version ${a.version}${base} has no ${ADAPTER_GGUF_FILE}: Ollama converts safetensors adapters only for some architectures (llama, gemma2; not qwen2), so it needs the GGUF adapter, which this team server did not publish. Ask the team's admin to update the server. The model is unchanged.`);
    }
    const digest = `sha256:${await sha256File(gguf)}`;
    const head = await this.req('HEAD', `/api/blobs/${digest}`);
    if (head.status === 404) {
      const size = (await stat(gguf)).size;
      const up = await runtimeRequest(`${this.root}/api/blobs/${digest}`, {
        method: 'POST', body: Readable.toWeb(createReadStream(gguf)) as ReadableStream, headers: { 'content-length': String(size), 'content-type': 'application/octet-stream' },
        timeoutMs: this.o.uploadTimeoutMs ?? 30 * 60_000,
      });
      if (!ok(up)) return refused(this.target, `Ollama refused the upload of adapter version ${a.version} (HTTP ${up.status}): ${answerMessage(up.text)}. The model is unchanged.`);
    } else if (!ok(head)) {
      return refused(this.target, `Ollama answered HTTP ${head.status} when asked for the adapter's blob: is ${this.root} an Ollama server? The model is unchanged.`);
    }
    const name = adaptedModelName(this.o.baseModel, a.version);
    const made = await this.req('POST', '/api/create', { model: name, from: this.o.baseModel, adapters: { [ADAPTER_GGUF_FILE]: digest }, stream: false });
    const err = made.text && /"error"/.test(made.text) ? answerMessage(made.text) : '';
    if (!ok(made) || err) {
      const msg = err || answerMessage(made.text);
      const gone = /adapter/i.test(msg) && /unknown|unsupported|not supported|no longer|deprecated|removed/i.test(msg)
        ? ' This Ollama no longer creates models with an adapter; use vLLM, the llama.cpp server or the embedded runtime for adapters.' : '';
      return refused(this.target, `Ollama refused to create "${name}" from "${this.o.baseModel}" with adapter version ${a.version} (HTTP ${made.status}): ${msg}.${gone} The model is unchanged.`);
    }
    // Ollama ignores fields it does not know: a release without ADAPTER support would answer "success" and create
    // the plain base model under the adapter's name. Its Modelfile says whether the adapter is in.
    const show = await this.req('POST', '/api/show', { model: name });
    const modelfile = ok(show) ? (JSON.parse(show.text) as { modelfile?: unknown }).modelfile : undefined;
    if (typeof modelfile !== 'string' || !/^ADAPTER\s/m.test(modelfile)) {
      await this.req('DELETE', '/api/delete', { model: name }).catch(() => undefined);
      return refused(this.target, `Ollama created "${name}" without the adapter (its Modelfile has no ADAPTER line): this Ollama no longer applies adapters, so the model was removed again. Use vLLM, the llama.cpp server or the embedded runtime for adapters. The model is unchanged.`);
    }
    const previous = this.createdModel;
    this.createdModel = name;
    let note = '';
    if (previous && previous !== name) {
      const d = await this.req('DELETE', '/api/delete', { model: previous }).catch((e: Error) => ({ status: 0, text: e.message, headers: new Headers() }));
      if (!ok(d) && d.status !== 404) note = ` The previous model ${previous} could not be removed: ${answerMessage(d.text)}.`;
    }
    return { taken: true, target: this.target, model: name, message: `Ollama serves adapter version ${a.version} as model "${name}" (from ${this.o.baseModel}); the agent now uses it.${await this.quantizationNote()}${note}` };
  }

  /** A note when the base is quantized: Ollama applies the adapter, but it was trained on full-precision weights. */
  private async quantizationNote(): Promise<string> {
    const r = await this.req('POST', '/api/show', { model: this.o.baseModel }).catch(() => undefined);
    if (!r || !ok(r)) return '';
    try {
      const q = (JSON.parse(r.text) as { details?: { quantization_level?: unknown } }).details?.quantization_level;
      return typeof q === 'string' && q && !FULL_PRECISION.test(q)
        ? ` Note: ${this.o.baseModel} is quantized (${q.slice(0, 20)}); the adapter was trained on the full-precision base, so answers may differ from the trainer's.` : '';
    } catch { return ''; }
  }

  private async removeCurrent(): Promise<RuntimeActivationResult> {
    const name = this.createdModel;
    if (!name) return { taken: false, target: this.target, message: 'No adapter is active; the agent uses the base model.' };
    const d = await this.req('DELETE', '/api/delete', { model: name });
    this.createdModel = undefined;
    const note = ok(d) || d.status === 404 ? '' : ` Ollama did not remove it (HTTP ${d.status}: ${answerMessage(d.text)}); delete it with "ollama rm ${name}".`;
    return { taken: false, target: this.target, message: `The agent uses the base model ${this.o.baseModel} again.${note}` };
  }
}
