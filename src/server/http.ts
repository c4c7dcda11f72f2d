import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { ErrorResponse } from '../core/protocol/consolidation';

/** An error that becomes a JSON error response with the given status. */
export class HttpError extends Error {
  /** Extra response headers, e.g. a Set-Cookie that clears a dashboard session that has ended. */
  headers: Record<string, string> = {};
  constructor(readonly status: number, readonly code: string, message: string, readonly field?: string) { super(message); }
}

/** Uniform 404: used for unknown ids AND other teams' ids, so a member cannot tell whether another team exists. */
export const notFound = (): HttpError => new HttpError(404, 'not_found', 'not found');

export function sendJson(res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...extraHeaders });
  res.end(text);
}

export function sendError(res: ServerResponse, e: HttpError, extraHeaders: Record<string, string> = {}): void {
  const body: ErrorResponse = { error: { code: e.code, message: e.message, ...(e.field !== undefined ? { field: e.field } : {}) } };
  sendJson(res, e.status, body, extraHeaders);
}

/**
 * Reads a request body up to `limit` bytes. Content-Length over the limit is refused before reading; a chunked body
 * that grows past it is refused as soon as it does (413), without buffering the rest.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) { reject(new HttpError(413, 'body_too_large', `request body exceeds ${limit} bytes`)); return; }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) { failed = true; reject(new HttpError(413, 'body_too_large', `request body exceeds ${limit} bytes`)); return; }
      chunks.push(c);
    });
    req.on('end', () => { if (!failed) resolve(Buffer.concat(chunks)); });
    req.on('error', (e) => { if (!failed) { failed = true; reject(e); } });
  });
}

/** Parses JSON and validates it; 400 names the first offending field as a dotted path. */
export function parseBody<S extends z.ZodType>(raw: Buffer, schema: S): z.infer<S> {
  let value: unknown = undefined;
  if (raw.length > 0) {
    try { value = JSON.parse(raw.toString('utf8')); } catch (e) {
      throw new HttpError(400, 'bad_json', `body is not valid JSON: ${e instanceof Error ? e.message : String(e)}`, '');
    }
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.map(String).join('.');
    throw new HttpError(400, 'invalid_field', `${field || 'body'}: ${issue.message}`, field);
  }
  return parsed.data;
}

/** Per-token token bucket: `burst` requests at once, refilled at `perSecond`; refuses with a Retry-After. */
export class RateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private readonly burst: number, private readonly perSecond: number) {}

  /** Seconds to wait, or 0 if the request may proceed (and was counted). */
  take(key: string, now = Date.now()): number {
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens >= 1) { b.tokens -= 1; return 0; }
    return Math.ceil((1 - b.tokens) / this.perSecond);
  }
}
