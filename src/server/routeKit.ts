import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { ServerConfig } from './config';
import type { TrainerProbe } from './health';
import { parseBody, readBody, sendJson, type RateLimiter } from './http';
import type { SigningKey } from './keys';
import type { RoundManager } from './rounds';
import type { SessionStore } from './sessions';
import type { Store } from './store';
import type { Principal, TokenFile } from './tokens';

/** What the handlers need; assembled by app.ts. */
export interface Deps {
  cfg: ServerConfig;
  store: Store;
  tokens: TokenFile;
  rounds: RoundManager;
  key: SigningKey;
  limiter: RateLimiter;
  version: string;
  /** Dashboard sign-ins (cookie sessions). */
  sessions: SessionStore;
  /** Whether the trainer's Python works, for `GET /v1/status`. */
  trainerProbe: TrainerProbe;
}

/** One authenticated request as a handler sees it. */
export type Ctx = { req: IncomingMessage; res: ServerResponse; who: Principal; params: string[]; deps: Deps };
export type Handler = (c: Ctx) => Promise<void>;
/** A `/v1` route: `admin` routes answer 403 to member tokens before the handler runs. */
export interface Route { method: string; re: RegExp; admin: boolean; handler: Handler }

/** Sends a response after validating it against its wire schema, so the server can never drift from the protocol. */
export function reply<S extends z.ZodType>(c: { res: ServerResponse }, schema: S, body: z.input<S>, status = 200, headers: Record<string, string> = {}): void {
  sendJson(c.res, status, schema.parse(body), headers);
}

/** Reads and validates the request body against its wire schema (400 names the field). */
export const body = <S extends z.ZodType>(c: { req: IncomingMessage; deps: Deps }, schema: S): Promise<z.infer<S>> =>
  readBody(c.req, c.deps.cfg.body_limit_bytes).then((raw) => parseBody(raw, schema));
