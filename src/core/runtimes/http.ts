/**
 * The small HTTP layer the runtime clients share: one JSON (or raw) request with a timeout, whose failures become
 * {@link RuntimeHttpError}s that name the URL and the cause, so a refusal shown to the user says what to fix.
 */

import { refused, type RuntimeActivationResult } from './adapterFiles';

/** A runtime's HTTP answer: status, headers and text (read in full; the runtime APIs answer small JSON documents). */
export interface RuntimeResponse { status: number; text: string; headers: Headers }

/** A request that never got an HTTP answer (refused, reset, timed out, bad URL). */
export class RuntimeHttpError extends Error {}

/**
 * Runs one activation of a runtime client and turns a request that got no answer ({@link RuntimeHttpError}) into a
 * refusal that names the runtime and the cause: an unreachable runtime is the user's setup to fix, not a crash, and
 * nothing was changed on it. Any other error is thrown on (a bug, not a refusal).
 */
export async function refusedWhenUnreachable(
  target: string, runtimeName: string, activation: () => Promise<RuntimeActivationResult>,
): Promise<RuntimeActivationResult> {
  try {
    return await activation();
  } catch (e) {
    if (e instanceof RuntimeHttpError) return refused(target, `${runtimeName} could not be reached: ${e.message} The model is unchanged.`);
    throw e;
  }
}

/** Longest answer text read from a runtime; more is cut (answers here are status documents, never models). */
const MAX_ANSWER_CHARS = 256 * 1024;

/**
 * The server root of an OpenAI-compatible base URL: `http://h:11434/v1` → `http://h:11434`. The runtimes' own
 * management APIs (Ollama's `/api/*`, llama-server's `/lora-adapters`) live at the root, beside `/v1`.
 */
export function serverRoot(baseUrl: string): string {
  const u = new URL(baseUrl);
  u.pathname = u.pathname.replace(/\/+$/, '').replace(/\/v1$/, '');
  u.search = '';
  u.hash = '';
  return u.toString().replace(/\/+$/, '');
}

/** Sends one request; resolves with any HTTP answer (the caller judges the status), rejects only without one. */
export async function runtimeRequest(
  url: string,
  o: { method: string; json?: unknown; body?: BodyInit; headers?: Record<string, string>; timeoutMs: number; signal?: AbortSignal },
): Promise<RuntimeResponse> {
  const timeout = AbortSignal.timeout(o.timeoutMs);
  const signal = o.signal ? AbortSignal.any([o.signal, timeout]) : timeout;
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  let body = o.body;
  if (o.json !== undefined) { headers['content-type'] = 'application/json'; body = JSON.stringify(o.json); }
  let res: Response;
  try {
    // `duplex` is required by Node's fetch for a streamed body (an adapter file uploaded without reading it whole).
    res = await fetch(url, { method: o.method, headers, body, signal, ...(body && typeof body === 'object' && 'getReader' in body ? { duplex: 'half' } : {}) } as RequestInit);
  } catch (e) {
    if (timeout.aborted) throw new RuntimeHttpError(`${o.method} ${url} got no answer within ${Math.round(o.timeoutMs / 1000)} s.`);
    if (o.signal?.aborted) throw new RuntimeHttpError(`${o.method} ${url} was cancelled.`);
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code === 'ECONNREFUSED' ? 'the connection was refused (is the runtime running, at this address?)' : cause?.code ?? cause?.message ?? (e as Error).message;
    throw new RuntimeHttpError(`${o.method} ${url} failed: ${why}.`);
  }
  const text = o.method === 'HEAD' ? '' : (await res.text()).slice(0, MAX_ANSWER_CHARS);
  return { status: res.status, text, headers: res.headers };
}

/**
 * The error text a runtime put in its answer: `{"error": "…"}` (Ollama), `{"error": {"message": "…"}}` (OpenAI style,
 * newer vLLM), `{"message": "…"}` (older vLLM), `{"detail": "…"}` (FastAPI), or the raw text. Cut and made one line:
 * it is shown to the user and comes from a server the user may not control.
 */
export function answerMessage(text: string): string {
  let msg = text;
  try {
    const j = JSON.parse(text) as Record<string, unknown>;
    const err = j.error;
    const picked = typeof err === 'string' ? err
      : err && typeof err === 'object' && typeof (err as { message?: unknown }).message === 'string' ? (err as { message: string }).message
        : typeof j.message === 'string' ? j.message
          : typeof j.detail === 'string' ? j.detail : undefined;
    if (picked !== undefined) msg = picked;
  } catch { /* not JSON: the raw text */ }
  const line = msg.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line || '(no message)';
}
