/**
 * A double of vLLM's OpenAI-compatible server with runtime LoRA updating, written from vLLM's documentation
 * ("Dynamically serving LoRA Adapters", docs/features/lora.md) and its serving code's error answers:
 *
 * - `POST /v1/load_lora_adapter {lora_name, lora_path}`: 200 with a plain-text success line; 400 when a field is
 *   missing, the name is already loaded, or the adapter breaks the server's LoRA config (rank above
 *   `--max-lora-rank`, DoRA, modules_to_save); 404 when no adapter is found at the path (read from vLLM's own disk).
 * - `POST /v1/unload_lora_adapter {lora_name}`: 200; 404 when the name is not loaded.
 * - Without `VLLM_ALLOW_RUNTIME_LORA_UPDATING` the two routes do not exist: FastAPI's 404 `{"detail":"Not Found"}`.
 * - `GET /v1/models` lists the base model and every loaded adapter (with `parent`).
 * - `POST /v1/chat/completions` accepts only a served model id (404 otherwise, as vLLM does) and, given an upstream
 *   (the scripted model server), forwards the request there, so the agent can run through it end to end.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { jsonObject, startHttpDouble, type HttpDouble } from './httpDouble';

export interface VllmDoubleOptions {
  baseModel: string;
  /** Where the base was loaded from (`root` in /v1/models; differs from the id with --served-model-name). */
  baseRoot?: string;
  /** VLLM_ALLOW_RUNTIME_LORA_UPDATING=True (default true). */
  runtimeUpdating?: boolean;
  /** --max-lora-rank (default 16). */
  maxLoraRank?: number;
  /** Where chat requests go after the model check (a scripted model server's `/v1` URL). */
  upstream?: string;
  /** Maps a lora_path to the double's "own disk" (default: the path as given). */
  resolvePath?: (p: string) => string;
}

export interface VllmDouble extends HttpDouble {
  /** `<root>/v1`, the provider base URL. */
  url: string;
  /** Loaded adapters: name → path. */
  loaded: Map<string, string>;
  /** The `model` of every chat request received, in order. */
  chatModels: string[];
}

const vllmError = (status: number, message: string) => ({
  status, json: { object: 'error', message, type: status === 404 ? 'NotFoundError' : 'BadRequestError', param: null, code: status },
});

/** Starts the double on loopback. */
export async function startVllmDouble(o: VllmDoubleOptions): Promise<VllmDouble> {
  const loaded = new Map<string, string>();
  const chatModels: string[] = [];
  const updating = o.runtimeUpdating ?? true;
  const maxRank = o.maxLoraRank ?? 16;
  const d = await startHttpDouble((r, res, req) => {
    const path = r.path.split('?')[0];
    if ((path === '/v1/load_lora_adapter' || path === '/v1/unload_lora_adapter') && (!updating || r.method !== 'POST')) {
      return { status: updating ? 405 : 404, json: { detail: updating ? 'Method Not Allowed' : 'Not Found' } };
    }
    if (path === '/v1/load_lora_adapter') {
      const b = jsonObject(r);
      if (!b || typeof b.lora_name !== 'string' || typeof b.lora_path !== 'string' || !b.lora_name || !b.lora_path) {
        return vllmError(400, "Both 'lora_name' and 'lora_path' must be provided.");
      }
      if (loaded.has(b.lora_name)) return vllmError(400, `The lora adapter '${b.lora_name}' has already been loaded.`);
      const dir = (o.resolvePath ?? ((p: string) => p))(b.lora_path);
      const cfgPath = join(dir, 'adapter_config.json');
      if (!existsSync(cfgPath)) return vllmError(404, `Loading lora ${b.lora_name} failed: No adapter found for ${b.lora_path}`);
      const cfg = JSON.parse(readFileSync(cfgPath, 'utf8')) as Record<string, unknown>;
      if (typeof cfg.r === 'number' && cfg.r > maxRank) return vllmError(400, `LoRA rank ${cfg.r} is greater than max_lora_rank ${maxRank}.`);
      if (cfg.use_dora === true) return vllmError(400, 'vLLM does not yet support DoRA.');
      if (Array.isArray(cfg.modules_to_save) && cfg.modules_to_save.length) return vllmError(400, 'vLLM only supports modules_to_save being None.');
      loaded.set(b.lora_name, b.lora_path);
      return { status: 200, text: `Success: LoRA adapter '${b.lora_name}' added successfully.` };
    }
    if (path === '/v1/unload_lora_adapter') {
      const b = jsonObject(r);
      if (!b || typeof b.lora_name !== 'string' || !b.lora_name) return vllmError(400, "'lora_name' needs to be provided to unload a LoRA adapter.");
      if (!loaded.delete(b.lora_name)) return vllmError(404, `The lora adapter '${b.lora_name}' cannot be found.`);
      return { status: 200, text: `Success: LoRA adapter '${b.lora_name}' removed successfully.` };
    }
    if (path === '/v1/models' && r.method === 'GET') {
      return {
        status: 200,
        json: {
          object: 'list',
          data: [
            { id: o.baseModel, object: 'model', owned_by: 'vllm', root: o.baseRoot ?? o.baseModel, parent: null },
            ...[...loaded].map(([id, root]) => ({ id, object: 'model', owned_by: 'vllm', root, parent: o.baseModel })),
          ],
        },
      };
    }
    if (path === '/v1/chat/completions' && r.method === 'POST') {
      const b = jsonObject(r);
      const model = typeof b?.model === 'string' ? b.model : '';
      chatModels.push(model);
      if (model !== o.baseModel && !loaded.has(model)) return vllmError(404, `The model \`${model}\` does not exist.`);
      if (!o.upstream) return vllmError(500, 'the double has no upstream model server');
      // The upstream answers as a model whose id is the base; the stream goes back as it comes.
      const body = Buffer.from(JSON.stringify({ ...b, model: 'scripted-model' }));
      const up = new URL(`${o.upstream.replace(/\/+$/, '')}/chat/completions`);
      const fwd = httpRequest(up, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: req.headers.authorization ?? '' } }, (ur) => {
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        ur.pipe(res);
      });
      fwd.on('error', () => { res.writeHead(502); res.end(); });
      fwd.end(body);
      return undefined;
    }
    return { status: 404, json: { detail: 'Not Found' } };
  });
  return { ...d, url: `${d.root}/v1`, loaded, chatModels };
}
