/**
 * A loopback HTTP proxy in front of the real `oel server` that injects network faults the client must survive: a
 * response lost after the server processed the request, a request that never gets an answer, or an error status.
 * Requests without a queued fault are forwarded unchanged. It also records every request body as received, so tests
 * can compare what went over the wire byte for byte.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What to do with the next request: forward it, forward it but lose the answer, never answer, or answer this status. */
export type Fault = 'pass' | 'drop-response' | 'stall' | { status: number; headers?: Record<string, string> };

export interface FaultyProxy {
  url: string;
  /** Faults for the next requests, in order (shifted as requests arrive). */
  faults: Fault[];
  /** `METHOD path` and body of every request received. */
  requests: Array<{ line: string; body: Buffer }>;
  close(): Promise<void>;
}

export async function startFaultyProxy(target: string): Promise<FaultyProxy> {
  const t = new URL(target);
  const stalled: ServerResponse[] = [];
  const proxy: FaultyProxy = { url: '', faults: [], requests: [], close: async () => undefined };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      proxy.requests.push({ line: `${req.method} ${req.url}`, body });
      const fault = proxy.faults.shift();
      if (fault === 'stall') { stalled.push(res); return; }
      if (fault && typeof fault === 'object') {
        res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
        res.end(JSON.stringify({ error: { code: 'injected', message: `injected ${fault.status}` } }));
        return;
      }
      const up = request({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: { ...req.headers, host: t.host } }, (ur) => {
        if (fault === 'drop-response') {
          // The server did the work; the client never hears about it.
          ur.resume();
          ur.on('end', () => req.socket.destroy());
          return;
        }
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        ur.pipe(res);
      });
      up.on('error', () => { res.writeHead(502); res.end(); });
      up.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () => new Promise<void>((resolve) => { for (const r of stalled) r.destroy(); server.close(() => resolve()); server.closeAllConnections(); });
  return proxy;
}
