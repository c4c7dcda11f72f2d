/**
 * A double of Ollama's model API, written from Ollama's API documentation (docs/api.md: "Create a Model",
 * "Check if a Blob Exists", "Push a Blob", "Show Model Information", "Delete a Model") and its import guide:
 *
 * - `HEAD /api/blobs/sha256:<hex>`: 200 when the blob exists, 404 otherwise; a malformed digest is a 400.
 * - `POST /api/blobs/sha256:<hex>` with the file as body: 201; 400 when the body's sha256 is not the digest.
 * - `POST /api/create {model, from, adapters: {name: digest}, stream}`: `model` required; `from` must be a model
 *   Ollama has; every adapter digest must be an uploaded blob; one adapter only; a GGUF adapter (magic `GGUF`) is
 *   taken, a safetensors one only for llama/gemma2 bases (the double's bases are qwen2, so it is refused).
 *   Non-streamed answer: `{"status":"success"}`, or `{"error": …}` with a 4xx/5xx.
 * - `POST /api/show {model}`: the Modelfile (`FROM …` and `ADAPTER …` lines) and `details.quantization_level`.
 * - `DELETE /api/delete {model}`: 200, or 404 when there is no such model.
 *
 * `adapterSupport: 'ignored'` plays an Ollama that dropped ADAPTER creation and ignores the unknown field (Go's JSON
 * decoding does), `'error'` one that answers with an error instead.
 */
import { createHash } from 'node:crypto';
import { jsonObject, startHttpDouble, type HttpDouble } from './httpDouble';

export interface OllamaModel { from?: string; adapter?: string; quantization: string; family: string }

export interface OllamaDoubleOptions {
  /** Models Ollama already has: name → quantization level (e.g. 'F16', 'Q4_K_M'); family qwen2. */
  models: Record<string, string>;
  adapterSupport?: 'yes' | 'ignored' | 'error';
}

export interface OllamaDouble extends HttpDouble {
  /** `<root>/v1`, the provider base URL. */
  url: string;
  blobs: Map<string, Buffer>;
  models: Map<string, OllamaModel>;
}

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;
/** Ollama stores a name without a tag as `:latest`. */
const full = (name: string) => (name.includes(':') ? name : `${name}:latest`);
const err = (status: number, error: string) => ({ status, json: { error } });

/** Starts the double on loopback. */
export async function startOllamaDouble(o: OllamaDoubleOptions): Promise<OllamaDouble> {
  const blobs = new Map<string, Buffer>();
  const models = new Map<string, OllamaModel>(Object.entries(o.models).map(([n, q]) => [full(n), { quantization: q, family: 'qwen2' }]));
  const support = o.adapterSupport ?? 'yes';
  const d = await startHttpDouble((r) => {
    const path = r.path.split('?')[0];
    const blob = /^\/api\/blobs\/(.+)$/.exec(path);
    if (blob) {
      const digest = decodeURIComponent(blob[1]);
      if (!DIGEST_RE.test(digest)) return err(400, 'invalid digest format');
      if (r.method === 'HEAD') return { status: blobs.has(digest) ? 200 : 404 };
      if (r.method !== 'POST') return { status: 405, text: '405 method not allowed' };
      const got = `sha256:${createHash('sha256').update(r.body).digest('hex')}`;
      if (got !== digest) return err(400, `digest mismatch, expected "${digest}", got "${got}"`);
      blobs.set(digest, r.body);
      return { status: 201 };
    }
    if (path === '/api/create' && r.method === 'POST') {
      const b = jsonObject(r);
      if (!b) return err(400, 'invalid request body');
      if (typeof b.model !== 'string' || !b.model) return err(400, 'model is required');
      if (typeof b.from !== 'string' || !b.from) return err(400, "neither 'from' or 'files' was specified");
      const base = models.get(full(b.from));
      if (!base) return err(404, `model '${b.from}' not found`);
      let adapter: string | undefined;
      if (b.adapters !== undefined && support !== 'ignored') {
        if (support === 'error') return err(400, 'adapters are no longer supported');
        const entries = b.adapters && typeof b.adapters === 'object' ? Object.entries(b.adapters as Record<string, unknown>) : [];
        if (entries.length === 0) return err(400, 'invalid adapters');
        for (const [, dg] of entries) if (typeof dg !== 'string' || !blobs.has(dg)) return err(400, `blob ${String(dg)} not found`);
        const isGguf = (dg: string) => blobs.get(dg)!.subarray(0, 4).toString('latin1') === 'GGUF';
        const gguf = entries.filter(([, dg]) => isGguf(dg as string));
        if (gguf.length > 1) return err(400, 'only one adapter is currently supported');
        if (gguf.length === 0) return err(400, `unsupported architecture "${base.family}" for safetensors adapter`);
        adapter = gguf[0][1] as string;
      }
      models.set(full(b.model), { from: full(b.from), adapter, quantization: base.quantization, family: base.family });
      return b.stream === false ? { status: 200, json: { status: 'success' } } : { status: 200, text: `${JSON.stringify({ status: 'success' })}\n` };
    }
    if (path === '/api/show' && r.method === 'POST') {
      const b = jsonObject(r);
      const name = typeof b?.model === 'string' ? b.model : '';
      const m = models.get(full(name));
      if (!m) return err(404, `model '${name}' not found`);
      const modelfile = `# Modelfile generated by "ollama show"\nFROM ${m.from ?? `/root/.ollama/models/blobs/sha256-base-${name}`}\n${m.adapter ? `ADAPTER /root/.ollama/models/blobs/${m.adapter.replace(':', '-')}\n` : ''}`;
      return { status: 200, json: { modelfile, parameters: '', template: '{{ .Prompt }}', details: { format: 'gguf', family: m.family, quantization_level: m.quantization } } };
    }
    if (path === '/api/delete' && r.method === 'DELETE') {
      const b = jsonObject(r);
      const name = typeof b?.model === 'string' ? b.model : '';
      if (!models.delete(full(name))) return err(404, `model '${name}' not found`);
      return { status: 200 };
    }
    return { status: 404, text: '404 page not found' };
  });
  return { ...d, url: `${d.root}/v1`, blobs, models };
}
