/**
 * The shared part of the runtime doubles (vllmDouble.ts, ollamaDouble.ts, llamaServerDouble.ts): a loopback HTTP
 * server that records every request (method, path, headers, body) before its handler judges it, so a test can assert
 * both what the client sent and what the double refused.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the double received it. */
export interface RecordedRequest { method: string; path: string; headers: IncomingMessage['headers']; body: Buffer; json?: unknown }

/** A running double. */
export interface HttpDouble {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  root: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** What a handler answers. */
export interface DoubleAnswer { status: number; json?: unknown; text?: string; headers?: Record<string, string> }

/** Starts a double; `handle` gets each recorded request (JSON parsed when the body is JSON) and returns the answer. */
export async function startHttpDouble(
  handle: (r: RecordedRequest, res: ServerResponse, req: IncomingMessage) => DoubleAnswer | Promise<DoubleAnswer | undefined> | undefined,
): Promise<HttpDouble> {
  const requests: RecordedRequest[] = [];
  const server = createServer(async (req, res) => {
    const parts: Buffer[] = [];
    for await (const p of req) parts.push(p as Buffer);
    const body = Buffer.concat(parts);
    const r: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
    if (/json/.test(String(req.headers['content-type'] ?? ''))) {
      try { r.json = JSON.parse(body.toString('utf8')); } catch { r.json = undefined; }
    }
    requests.push(r);
    try {
      const a = await handle(r, res, req);
      if (!a) return; // the handler answered itself (e.g. a proxied stream)
      const text = a.json !== undefined ? JSON.stringify(a.json) : a.text ?? '';
      res.writeHead(a.status, { 'content-type': a.json !== undefined ? 'application/json' : 'text/plain; charset=utf-8', ...(a.headers ?? {}) });
      res.end(req.method === 'HEAD' ? undefined : text);
    } catch (e) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`double failed: ${(e as Error).message}`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    root: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** Whether a request body was sent as JSON (Content-Type) and parsed to an object. */
export function jsonObject(r: RecordedRequest): Record<string, unknown> | undefined {
  return r.json && typeof r.json === 'object' && !Array.isArray(r.json) ? (r.json as Record<string, unknown>) : undefined;
}
