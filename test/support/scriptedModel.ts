/**
 * A scripted OpenAI-compatible model server on loopback: the one test double of the project. Tests talk to it with the
 * real `openai` client over real HTTP, so streaming, tool-call deltas, auth and broken connections are exercised the
 * way a real provider exercises them. Responses are queued by the test and consumed FIFO, first match wins.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';

/** Which requests a scripted response may answer; every given field must fit. */
export interface ScriptMatch { systemIncludes?: string; userIncludes?: string; model?: string }

/** One scripted tool call; `arguments` given as an object is JSON-encoded, a string is sent verbatim (may be malformed). */
export interface ScriptedToolCall { id?: string; name: string; arguments: string | object }

/** One scripted answer to a chat completion request. */
export interface ScriptedResponse {
  match?: ScriptMatch;
  text?: string;
  reasoning?: string;
  toolCalls?: ScriptedToolCall[];
  finishReason?: string;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  /** Characters of text per streamed chunk (default: whole text in one chunk). */
  chunkSize?: number;
  chunkDelayMs?: number;
  /** Fail with this HTTP status (and headers, e.g. Retry-After) before anything is streamed. */
  error?: { status: number; message: string; headers?: Record<string, string> };
  /** Drop the connection before any response, as a proxy or an overloaded server does (the client sees a reset). */
  resetConnection?: boolean;
  /** Destroy the socket after this many chunks. */
  breakAfterChunks?: number;
  /** Send an SSE error event (after the first chunk) and end the stream. */
  midStreamError?: string;
  /** Never answer; the request stays open until the client aborts or the server closes. */
  hang?: boolean;
}

/** Options of {@link startScriptedModel}. */
export interface ScriptedModelOptions { port?: number; apiKey?: string; models?: string[]; embeddings?: boolean }

/** A running scripted server. */
export interface ScriptedModel {
  /** Base URL ending in `/v1`. */
  url: string;
  port: number;
  enqueue(...responses: ScriptedResponse[]): void;
  /** Every chat request body received, parsed, in order. */
  requests: ChatRequestBody[];
  /** Number of scripted responses not yet consumed. */
  pending(): number;
  setEmbeddings(enabled: boolean): void;
  reset(): void;
  close(): Promise<void>;
}

/** The part of a chat request body tests look at. */
export interface ChatRequestBody {
  model: string;
  stream?: boolean;
  messages: { role: string; content?: unknown; tool_calls?: unknown; tool_call_id?: string }[];
  tools?: { type: string; function: { name: string } }[];
  tool_choice?: unknown;
  [key: string]: unknown;
}

/** Models listed by default at `GET /v1/models`. */
export const SCRIPTED_MODELS = ['scripted-model', 'scripted-no-tools'];

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (typeof p === 'object' && p && 'text' in p ? String(p.text) : '')).join('');
  return '';
}

function fits(match: ScriptMatch | undefined, body: ChatRequestBody): boolean {
  if (!match) return true;
  if (match.model && match.model !== body.model) return false;
  const system = body.messages.filter((m) => m.role === 'system').map((m) => textOf(m.content)).join('\n');
  const user = body.messages.filter((m) => m.role === 'user').map((m) => textOf(m.content)).join('\n');
  if (match.systemIncludes && !system.includes(match.systemIncludes)) return false;
  if (match.userIncludes && !user.includes(match.userIncludes)) return false;
  return true;
}

/** Deterministic hashed bag-of-words embedding, L2-normalised, 64 dimensions. */
export function hashedEmbedding(text: string, dims = 64): number[] {
  const v = new Array<number>(dims).fill(0);
  for (const word of text.toLowerCase().match(/[a-z0-9_]+/g) ?? []) {
    const h = createHash('sha1').update(word).digest();
    v[h.readUInt32BE(0) % dims] += h[4] & 1 ? 1 : -1;
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function openAiError(res: ServerResponse, status: number, message: string, code: string | null, type = 'invalid_request_error'): void {
  sendJson(res, status, { error: { message, type, param: null, code } });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function toolCallsOf(r: ScriptedResponse) {
  return (r.toolCalls ?? []).map((c, i) => ({
    index: i,
    id: c.id ?? `call_${i}_${Math.random().toString(36).slice(2, 8)}`,
    type: 'function' as const,
    function: { name: c.name, arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments) },
  }));
}

function finishOf(r: ScriptedResponse): string {
  return r.finishReason ?? (r.toolCalls?.length ? 'tool_calls' : 'stop');
}

function usageOf(r: ScriptedResponse, body: ChatRequestBody) {
  if (r.usage) return r.usage;
  const prompt = Math.ceil(JSON.stringify(body.messages).length / 4);
  const completion = Math.ceil(((r.text ?? '').length + JSON.stringify(r.toolCalls ?? []).length) / 4);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

function chunks(text: string, size: number | undefined): string[] {
  if (!text) return [];
  if (!size || size <= 0) return [text];
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

async function answerChat(req: IncomingMessage, res: ServerResponse, r: ScriptedResponse, body: ChatRequestBody): Promise<void> {
  if (r.hang) {
    await new Promise<void>((resolve) => { req.on('close', resolve); res.on('close', resolve); });
    return;
  }
  if (r.resetConnection) { req.socket.destroy(); return; }
  if (r.error) {
    for (const [k, v] of Object.entries(r.error.headers ?? {})) res.setHeader(k, v);
    return openAiError(res, r.error.status, r.error.message, null, 'api_error');
  }
  const id = `chatcmpl-${Math.random().toString(36).slice(2, 10)}`;
  const created = Math.floor(Date.now() / 1000);
  const calls = toolCallsOf(r);
  if (!body.stream) {
    return sendJson(res, 200, {
      id, object: 'chat.completion', created, model: body.model,
      choices: [{ index: 0, finish_reason: finishOf(r), message: { role: 'assistant', content: r.text ?? null, ...(r.reasoning ? { reasoning_content: r.reasoning } : {}), ...(calls.length ? { tool_calls: calls } : {}) } }],
      usage: usageOf(r, body),
    });
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const base = { id, object: 'chat.completion.chunk', created, model: body.model };
  const deltas: Record<string, unknown>[] = [{ role: 'assistant', content: '' }];
  for (const part of chunks(r.reasoning ?? '', r.chunkSize)) deltas.push({ reasoning_content: part });
  for (const part of chunks(r.text ?? '', r.chunkSize)) deltas.push({ content: part });
  for (const c of calls) {
    // Split arguments in two deltas, as real servers do, so accumulation by index is exercised.
    const half = Math.ceil(c.function.arguments.length / 2);
    deltas.push({ tool_calls: [{ index: c.index, id: c.id, type: 'function', function: { name: c.function.name, arguments: c.function.arguments.slice(0, half) } }] });
    if (half < c.function.arguments.length) deltas.push({ tool_calls: [{ index: c.index, function: { arguments: c.function.arguments.slice(half) } }] });
  }
  let sent = 0;
  for (const delta of deltas) {
    if (res.destroyed) return;
    if (r.breakAfterChunks !== undefined && sent >= r.breakAfterChunks) { res.socket?.destroy(); return; }
    if (r.midStreamError !== undefined && sent === 1) {
      res.end(`data: ${JSON.stringify({ error: { message: r.midStreamError, type: 'server_error' } })}\n\n`);
      return;
    }
    res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`);
    sent++;
    if (r.chunkDelayMs) await sleep(r.chunkDelayMs);
  }
  if (r.breakAfterChunks !== undefined) { res.socket?.destroy(); return; }
  if (r.midStreamError !== undefined) {
    res.end(`data: ${JSON.stringify({ error: { message: r.midStreamError, type: 'server_error' } })}\n\n`);
    return;
  }
  res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: finishOf(r) }] })}\n\n`);
  if ((body.stream_options as { include_usage?: boolean } | undefined)?.include_usage) {
    res.write(`data: ${JSON.stringify({ ...base, choices: [], usage: usageOf(r, body) })}\n\n`);
  }
  res.end('data: [DONE]\n\n');
}

/** Starts a scripted model server on 127.0.0.1 (port 0 = any free port). */
export async function startScriptedModel(opts: ScriptedModelOptions = {}): Promise<ScriptedModel> {
  const models = opts.models ?? SCRIPTED_MODELS;
  let queue: ScriptedResponse[] = [];
  const requests: ChatRequestBody[] = [];
  let embeddings = opts.embeddings ?? true;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    // Control routes (no auth): used by e2e tests driving the CLI server over HTTP.
    if (path === '/__script/enqueue' && req.method === 'POST') {
      const parsed = JSON.parse(await readBody(req)) as ScriptedResponse | ScriptedResponse[];
      queue.push(...(Array.isArray(parsed) ? parsed : [parsed]));
      return sendJson(res, 200, { pending: queue.length });
    }
    if (path === '/__script/requests' && req.method === 'GET') return sendJson(res, 200, requests);
    if (path === '/__script/reset' && req.method === 'POST') { queue = []; requests.length = 0; return sendJson(res, 200, { ok: true }); }

    if (opts.apiKey && req.headers.authorization !== `Bearer ${opts.apiKey}`) {
      return openAiError(res, 401, 'Incorrect API key provided.', 'invalid_api_key');
    }
    if (path === '/v1/models' && req.method === 'GET') {
      return sendJson(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'scripted' })) });
    }
    if (path === '/v1/embeddings' && req.method === 'POST') {
      if (!embeddings) return openAiError(res, 404, 'embeddings are not served here', 'not_found');
      const body = JSON.parse(await readBody(req)) as { input: string | string[]; model: string };
      const inputs = Array.isArray(body.input) ? body.input : [body.input];
      return sendJson(res, 200, {
        object: 'list', model: body.model,
        data: inputs.map((text, index) => ({ object: 'embedding', index, embedding: hashedEmbedding(String(text)) })),
        usage: { prompt_tokens: 0, total_tokens: 0 },
      });
    }
    if (path === '/v1/chat/completions' && req.method === 'POST') {
      const body = JSON.parse(await readBody(req)) as ChatRequestBody;
      requests.push(body);
      if (!models.includes(body.model)) return openAiError(res, 404, `The model \`${body.model}\` does not exist.`, 'model_not_found');
      if (body.model === 'scripted-no-tools' && body.tools?.length) return openAiError(res, 400, `${body.model} does not support tools`, null);
      const at = queue.findIndex((r) => fits(r.match, body));
      if (at < 0) return openAiError(res, 500, 'scripted model: no scripted response matches', null, 'server_error');
      const [r] = queue.splice(at, 1);
      return answerChat(req, res, r, body);
    }
    openAiError(res, 404, `no route ${req.method} ${path}`, 'not_found');
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => { if (!res.headersSent) openAiError(res, 400, String(e), null); else res.destroy(); });
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(opts.port ?? 0, '127.0.0.1', resolve); });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    enqueue: (...responses) => { queue.push(...responses); },
    pending: () => queue.length,
    setEmbeddings: (enabled) => { embeddings = enabled; },
    reset: () => { queue = []; requests.length = 0; },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
