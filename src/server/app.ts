import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import { ModelChat } from './chat';
import type { ServerConfig } from './config';
import { HttpError, RateLimiter, sendError } from './http';
import { loadOrCreateSigningKey, type SigningKey } from './keys';
import { LowdbStore } from './lowdbStore';
import { RoundManager } from './rounds';
import { authenticate, sessionRoute } from './auth';
import { findDashboardDir, serveDashboard } from './dashboardAssets';
import { TrainerProbe } from './health';
import { dispatch, publicRoute, type Deps } from './routes';
import { SessionStore } from './sessions';
import type { Store } from './store';
import { TokenFile } from './tokens';
import { PythonTrainerRunner, type TrainerRunner } from './trainerRunner';

/** Version reported by /healthz. */
export const SERVER_VERSION = '0.1.0';

/** A started server. */
export interface RunningServer {
  url: string;
  cfg: ServerConfig;
  port: number;
  key: SigningKey;
  /** Printed once: an admin token created on the first start of an empty data folder. */
  bootstrapAdminToken: string | null;
  store: Store;
  tokens: TokenFile;
  rounds: RoundManager;
  /** Stops accepting requests, stops the trainer (the round is re-queued on the next start) and flushes storage. */
  close(): Promise<void>;
}

/** Opens storage, keys and tokens in `cfg.data_dir`, recovers interrupted rounds and listens. */
export async function startServer(cfg: ServerConfig, opts: { runner?: TrainerRunner; bootstrapTeam?: string; dashboardDir?: string | null } = {}): Promise<RunningServer> {
  mkdirSync(cfg.data_dir, { recursive: true, mode: 0o700 });
  const chat = new ModelChat(cfg.model_dir);
  const key = loadOrCreateSigningKey(cfg.data_dir);
  const tokens = new TokenFile(cfg.data_dir);
  let bootstrapAdminToken: string | null = null;
  if (tokens.list().length === 0) bootstrapAdminToken = tokens.create(opts.bootstrapTeam ?? 'default', 'admin', 'bootstrap-admin').token;
  const store = await LowdbStore.open(cfg.data_dir);
  const runner = opts.runner ?? new PythonTrainerRunner(cfg.python, cfg.trainer_path, cfg.trainer.nproc);
  const rounds = new RoundManager(store, cfg, chat, runner, key);
  await rounds.recover();
  const deps: Deps = {
    cfg, store, tokens, rounds, key, limiter: new RateLimiter(cfg.rate_limit.burst, cfg.rate_limit.per_second), version: SERVER_VERSION,
    sessions: new SessionStore(), trainerProbe: new TrainerProbe(cfg.python, cfg.trainer_path),
  };
  const dashboardDir = opts.dashboardDir !== undefined ? opts.dashboardDir : findDashboardDir();

  const server: Server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    let path: string;
    try { path = new URL(req.url ?? '/', 'http://x').pathname; } catch { path = '/'; }
    const fail = (e: unknown) => {
      const err = e instanceof HttpError ? e : new HttpError(500, 'internal', 'internal error');
      if (!(e instanceof HttpError)) process.stderr.write(`oel server: ${method} ${path}: ${e instanceof Error ? e.stack : String(e)}\n`);
      if (res.headersSent) { res.destroy(); return; }
      // After a 413 the rest of the body is unread; close the connection rather than parse it as the next request.
      const headers: Record<string, string> = { ...err.headers, ...(err.status === 413 ? { connection: 'close' } : {}) };
      if (err.status === 401) headers['www-authenticate'] = 'Bearer';
      if (err.status === 429) headers['retry-after'] = err.field ?? '1';
      sendError(res, err.status === 429 ? new HttpError(429, err.code, err.message) : err, headers);
      if (err.status === 413) req.resume();
    };
    try {
      res.setHeader('x-content-type-options', 'nosniff');
      if (serveDashboard(method, path, dashboardDir, res)) return;
      if (publicRoute(method, path, deps, res)) return;
      if (path === '/v1/session') { sessionRoute(method, path, req, res, deps).catch(fail); return; }
      const { who } = authenticate(req, method, deps);
      const wait = deps.limiter.take(who.tokenId);
      if (wait > 0) throw new HttpError(429, 'rate_limited', `too many requests; retry in ${wait}s`, String(wait));
      dispatch(method, path, req, res, who, deps).catch(fail);
    } catch (e) {
      fail(e);
    }
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(cfg.port, cfg.host, () => resolve()); });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host;
  return {
    url: `http://${hostForUrl}:${port}`, cfg, port, key, bootstrapAdminToken, store, tokens, rounds,
    async close() {
      await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
      await rounds.stop();
      await store.close();
    },
  };
}
