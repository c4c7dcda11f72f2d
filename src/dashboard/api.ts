/**
 * The dashboard's HTTP client: the documented `/v1` API with the session cookie (sent by the browser, never seen by
 * this script) and the CSRF token on every state-changing request. Every response body is parsed with the same zod
 * schema the server validates it with, so a drifting server shows an error instead of a wrong page.
 */
import type { z } from 'zod';
import { ErrorResponseSchema, SessionResponseSchema, type SessionResponse } from '../core/protocol/consolidation';

/** An error answer from the server (or the network), with the field it names, if any. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly field?: string) { super(message); }
}

let csrf = '';
let onSignedOut: (reason: string) => void = () => {};

/** Registers what happens when a request finds the session gone (401): the page shows the sign-in form. */
export function whenSignedOut(handler: (reason: string) => void): void { onSignedOut = handler; }

/** Remembers the CSRF token of the current session (it lives in this page's memory only). */
function setSession(s: SessionResponse | null): void { csrf = s?.csrf_token ?? ''; }

async function send(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD') headers['x-csrf-token'] = csrf;
  try {
    // Relative to the page, so a server behind a sub-path proxy works too.
    return await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, 'network', `the server cannot be reached (${e instanceof Error ? e.message : String(e)})`);
  }
}

async function errorOf(res: Response): Promise<ApiError> {
  let parsed: unknown = null;
  try { parsed = await res.json(); } catch { /* not JSON */ }
  const e = ErrorResponseSchema.safeParse(parsed);
  return e.success ? new ApiError(res.status, e.data.error.code, e.data.error.message, e.data.error.field) : new ApiError(res.status, 'http', `the server answered ${res.status}`);
}

/** Calls a `/v1` route and validates the answer; 401 ends the session on the page. */
export async function api<S extends z.ZodType>(method: string, path: string, schema: S, body?: unknown): Promise<z.infer<S>> {
  const res = await send(method, path, body);
  if (!res.ok) {
    const err = await errorOf(res);
    if (res.status === 401) { setSession(null); onSignedOut(err.message); }
    throw err;
  }
  const parsed = schema.safeParse(await res.json());
  if (!parsed.success) throw new ApiError(res.status, 'bad_response', `unexpected answer from ${path}: ${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}`);
  return parsed.data;
}

/** Signs in with a token: the server answers with a session cookie; the token is not kept anywhere on the page. */
export async function signIn(token: string): Promise<SessionResponse> {
  const res = await send('POST', 'v1/session', { token });
  if (!res.ok) throw await errorOf(res);
  const s = SessionResponseSchema.parse(await res.json());
  setSession(s);
  return s;
}

/** The current session (after a reload the cookie may still be valid), or null when signed out. */
export async function currentSession(): Promise<SessionResponse | null> {
  const res = await send('GET', 'v1/session');
  if (res.status === 401) return null;
  if (!res.ok) throw await errorOf(res);
  const s = SessionResponseSchema.parse(await res.json());
  setSession(s);
  return s;
}

/** Signs out (the server forgets the session and clears the cookie). */
export async function signOut(): Promise<void> {
  const res = await send('DELETE', 'v1/session');
  setSession(null);
  if (!res.ok && res.status !== 401) throw await errorOf(res);
}
