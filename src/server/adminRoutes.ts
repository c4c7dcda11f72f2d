/**
 * Admin routes for whoever runs the team's server (the dashboard's Members and Health sections, and any script):
 * the team's tokens and the server's status. Every one is team-scoped: another team's token id answers like an
 * unknown one.
 */
import {
  CreatedTokenResponseSchema, CreateTokenRequestSchema, ServerStatusResponseSchema, TokenInfoSchema, TokenListResponseSchema,
} from '../core/protocol/consolidation';
import { dataDirBytes, diskSpace } from './health';
import { notFound } from './http';
import { body, reply, type Route } from './routeKit';
import { roundDefaults } from './rounds';
import type { TokenRecord } from './tokens';

const tokenInfo = (t: TokenRecord) => ({ id: t.id, role: t.role, member: t.member, created_at: t.created_at, revoked_at: t.revoked_at });

export const adminRoutes: Route[] = [
  { method: 'GET', re: /^\/v1\/tokens$/, admin: true, handler: async (c) => {
    reply(c, TokenListResponseSchema, { tokens: c.deps.tokens.listTeam(c.who.team).map(tokenInfo) });
  } },
  { method: 'POST', re: /^\/v1\/tokens$/, admin: true, handler: async (c) => {
    const req = await body(c, CreateTokenRequestSchema);
    const { token, record } = c.deps.tokens.create(c.who.team, req.role, req.member);
    reply(c, CreatedTokenResponseSchema, { ...tokenInfo(record), token }, 201);
  } },
  { method: 'POST', re: /^\/v1\/tokens\/([^/]+)\/revoke$/, admin: true, handler: async (c) => {
    const rec = c.deps.tokens.revokeInTeam(c.who.team, c.params[0]);
    if (!rec) throw notFound();
    // Sessions of this token are not dropped here: their next request finds the token revoked and says so.
    reply(c, TokenInfoSchema, tokenInfo(rec));
  } },
  { method: 'GET', re: /^\/v1\/status$/, admin: true, handler: async (c) => {
    const { cfg, store } = c.deps;
    const failed = store.listRounds(c.who.team).find((r) => r.status === 'failed');
    reply(c, ServerStatusResponseSchema, {
      version: c.deps.version,
      trainer: await c.deps.trainerProbe.status(),
      disk: { data_bytes: dataDirBytes(cfg.data_dir), ...diskSpace(cfg.data_dir) },
      queue: c.deps.rounds.queueState(),
      last_error: failed ? { at: failed.updated_at, message: `round ${failed.id}: ${failed.message ?? 'failed'}` } : null,
      k: cfg.k,
      round_defaults: roundDefaults(cfg),
    });
  } },
];
