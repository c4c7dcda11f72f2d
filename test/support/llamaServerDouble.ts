/**
 * A double of llama.cpp's `llama-server` LoRA endpoints, written from its README (tools/server: "GET /lora-adapters",
 * "POST /lora-adapters") and its request parsing:
 *
 * - The adapters are fixed at start (`--lora FILE`, given here as `lora`), each with an id by position.
 * - `GET /lora-adapters` lists `[{id, path, scale}]`.
 * - `POST /lora-adapters` takes a JSON array of `{id, scale}`; every adapter not named goes to scale 0; an id out of
 *   range fails the whole request ("invalid adapter id", HTTP 500 as the server's exception handler answers) and
 *   a body that is not an array is a 400. Success: `{"success": true}`.
 * - There is no way to load a new file at run time: no route for it.
 */
import { startHttpDouble, type HttpDouble } from './httpDouble';
import type { LoadedLora } from '../../src/core/runtimes/llamaServer';

export interface LlamaServerDouble extends HttpDouble {
  url: string;
  adapters: LoadedLora[];
}

const serverError = (status: number, message: string) => ({ status, json: { error: { code: status, message, type: status === 400 ? 'invalid_request_error' : 'server_error' } } });

/** Starts the double with the adapters given as `--lora` (scale 1 unless `initWithoutApply`). */
export async function startLlamaServerDouble(o: { lora: string[]; initWithoutApply?: boolean }): Promise<LlamaServerDouble> {
  const adapters: LoadedLora[] = o.lora.map((path, id) => ({ id, path, scale: o.initWithoutApply ? 0 : 1 }));
  const d = await startHttpDouble((r) => {
    if (r.path !== '/lora-adapters') return { status: 404, json: { error: { code: 404, message: 'File Not Found', type: 'not_found_error' } } };
    if (r.method === 'GET') return { status: 200, json: adapters };
    if (r.method !== 'POST') return { status: 405, text: '' };
    let body: unknown;
    try { body = JSON.parse(r.body.toString('utf8')); } catch { return serverError(400, 'Invalid JSON'); }
    if (!Array.isArray(body)) return serverError(400, 'Request body must be an array');
    const next = adapters.map((a) => ({ ...a, scale: 0 }));
    for (const e of body as { id?: unknown; scale?: unknown }[]) {
      const id = typeof e?.id === 'number' ? e.id : -1;
      if (!(id >= 0 && id < next.length)) return serverError(500, 'invalid adapter id');
      next[id].scale = typeof e.scale === 'number' ? e.scale : 0;
    }
    next.forEach((a, i) => { adapters[i].scale = a.scale; });
    return { status: 200, json: { success: true } };
  });
  return { ...d, url: `${d.root}/v1`, adapters };
}
