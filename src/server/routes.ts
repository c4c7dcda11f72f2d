import { createReadStream, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import {
  AdapterListResponseSchema, AdapterManifestSchema, ConsolidationListResponseSchema, ConsolidationSchema, CurrentAdapterResponseSchema,
  HealthResponseSchema, KnowledgeDecisionRequestSchema, KnowledgeListResponseSchema, PublicKeyResponseSchema, SetCurrentAdapterRequestSchema,
  StartConsolidationRequestSchema, SubmissionRequestSchema, SubmissionResponseSchema, TeamItemSchema,
} from '../core/protocol/consolidation';
import { safetyFlags } from '../core/knowledge/safety';
import { FILE_NAME_RE, MANIFEST_FILE, readManifest } from './adapters';
import { adminRoutes } from './adminRoutes';
import type { ServerConfig } from './config';
import { HttpError, notFound, sendJson } from './http';
import { itemStatus } from './merge';
import { body, reply, type Ctx, type Deps, type Route } from './routeKit';
import { roundDefaults } from './rounds';
import type { ItemRecord, RoundRecord } from './store';
import type { Principal } from './tokens';

export type { Deps } from './routeKit';

/**
 * The wire shape of an item. Flags are computed from the text on every read (never stored); merged wordings are one
 * member's words each, so only admins get them.
 */
function teamItem(i: ItemRecord, k: number, role: Principal['role']) {
  return {
    id: i.id, text: i.text, status: itemStatus(i.members.length, i.decision, k), members: i.members.length, decided_by_admin: i.decision !== null,
    first_seen: i.first_seen, last_seen: i.last_seen ?? i.first_seen,
    merged: role === 'admin' ? (i.variants ?? []).map((v) => ({ text: v.text, first_seen: v.first_seen })) : [],
    flags: safetyFlags(i.text),
  };
}

/** The wire shape of a round; rounds stored before parameters and curves were recorded get the configured values. */
function wireRound(r: RoundRecord, cfg: ServerConfig): z.input<typeof ConsolidationSchema> {
  return { ...r, params: r.params ?? { ...roundDefaults(cfg), steps: r.steps }, kl_curve: r.kl_curve ?? [] };
}

function round(c: Ctx, id: string): RoundRecord {
  const r = c.deps.store.getRound(c.who.team, id);
  if (!r) throw notFound();
  return r;
}

function versionParam(s: string): number {
  const v = Number(s);
  if (!Number.isSafeInteger(v) || v < 1) throw notFound();
  return v;
}

const routes: Route[] = [
  ...adminRoutes,
  { method: 'POST', re: /^\/v1\/submissions$/, admin: false, handler: async (c) => {
    const req = await body(c, SubmissionRequestSchema);
    const cfg = c.deps.cfg;
    const res = await c.deps.store.submit(c.who.team, c.who.member, req, {
      k: cfg.k, itemsPerMemberPerRound: cfg.caps.items_per_member_per_round, statementsPerMemberPerRound: cfg.caps.statements_per_member_per_round,
    });
    reply(c, SubmissionResponseSchema, res);
  } },
  { method: 'GET', re: /^\/v1\/knowledge$/, admin: false, handler: async (c) => {
    const k = c.deps.cfg.k;
    // A waiting item is not k-anonymous yet: only its own submitters (and admins) may see it.
    const items = c.deps.store.listItems(c.who.team)
      .filter((i) => c.who.role === 'admin' || itemStatus(i.members.length, i.decision, k) !== 'waiting' || i.members.includes(c.who.member))
      .map((i) => teamItem(i, k, c.who.role));
    reply(c, KnowledgeListResponseSchema, { k, items });
  } },
  { method: 'POST', re: /^\/v1\/knowledge\/([^/]+)\/decision$/, admin: true, handler: async (c) => {
    const { decision } = await body(c, KnowledgeDecisionRequestSchema);
    const rec = await c.deps.store.decideItem(c.who.team, c.params[0], decision);
    if (!rec) throw notFound();
    reply(c, TeamItemSchema, teamItem(rec, c.deps.cfg.k, c.who.role));
  } },
  { method: 'POST', re: /^\/v1\/consolidations$/, admin: true, handler: async (c) => {
    const req = await body(c, StartConsolidationRequestSchema);
    const out = await c.deps.rounds.start(c.who.team, req.steps, { lr: req.lr, min_kl_reduction: req.min_kl_reduction, max_ood_kl: req.max_ood_kl });
    if ('conflict' in out) throw new HttpError(409, 'round_in_progress', out.conflict);
    reply(c, ConsolidationSchema, wireRound(out.round, c.deps.cfg), 201);
  } },
  { method: 'GET', re: /^\/v1\/consolidations$/, admin: false, handler: async (c) => {
    reply(c, ConsolidationListResponseSchema, { rounds: c.deps.store.listRounds(c.who.team).map((r) => wireRound(r, c.deps.cfg)) });
  } },
  { method: 'GET', re: /^\/v1\/consolidations\/([^/]+)$/, admin: false, handler: async (c) => {
    reply(c, ConsolidationSchema, wireRound(round(c, c.params[0]), c.deps.cfg));
  } },
  { method: 'POST', re: /^\/v1\/consolidations\/([^/]+)\/cancel$/, admin: true, handler: async (c) => {
    round(c, c.params[0]);
    const r = await c.deps.rounds.cancel(c.who.team, c.params[0]);
    if (!r) throw notFound();
    reply(c, ConsolidationSchema, wireRound(r, c.deps.cfg));
  } },
  { method: 'GET', re: /^\/v1\/adapters$/, admin: false, handler: async (c) => {
    const adapters = c.deps.store.listAdapters(c.who.team).map(({ version, parent_version, round_id, created_at }) => ({ version, parent_version, round_id, created_at }));
    reply(c, AdapterListResponseSchema, { current: c.deps.store.currentVersion(c.who.team), adapters });
  } },
  { method: 'GET', re: /^\/v1\/adapters\/current$/, admin: false, handler: async (c) => {
    reply(c, CurrentAdapterResponseSchema, { version: c.deps.store.currentVersion(c.who.team) });
  } },
  { method: 'POST', re: /^\/v1\/adapters\/current$/, admin: true, handler: async (c) => {
    const { version } = await body(c, SetCurrentAdapterRequestSchema);
    if (!(await c.deps.store.setCurrent(c.who.team, version))) throw notFound();
    reply(c, CurrentAdapterResponseSchema, { version });
  } },
  { method: 'GET', re: /^\/v1\/adapters\/([^/]+)$/, admin: false, handler: async (c) => {
    const a = c.deps.store.getAdapter(c.who.team, versionParam(c.params[0]));
    if (!a) throw notFound();
    reply(c, AdapterManifestSchema, readManifest(a.dir));
  } },
  { method: 'GET', re: /^\/v1\/adapters\/([^/]+)\/files\/([^/]+)$/, admin: false, handler: async (c) => {
    const a = c.deps.store.getAdapter(c.who.team, versionParam(c.params[0]));
    const name = c.params[1];
    // Only names listed in the signed manifest are served; the pattern check alone already rules out traversal.
    if (!FILE_NAME_RE.test(name) || name === MANIFEST_FILE) throw new HttpError(400, 'invalid_field', 'file name must be one safe path segment', 'name');
    if (!a) throw notFound();
    const file = readManifest(a.dir).files.find((f) => f.name === name);
    const path = join(a.dir, name);
    if (!file || !existsSync(path)) throw notFound();
    c.res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': statSync(path).size, 'x-sha256': file.sha256 });
    await new Promise<void>((resolve, reject) => createReadStream(path).on('error', reject).on('end', resolve).pipe(c.res));
  } },
];

/** Routes that need no token. */
export function publicRoute(method: string, path: string, deps: Deps, res: ServerResponse): boolean {
  if (method === 'GET' && path === '/healthz') { sendJson(res, 200, HealthResponseSchema.parse({ ok: true, version: deps.version })); return true; }
  if (method === 'GET' && path === '/v1/public-key') {
    sendJson(res, 200, PublicKeyResponseSchema.parse({ alg: 'ed25519', key_id: deps.key.keyId, public_key_base64: deps.key.publicKeyBase64, pem: deps.key.pem }));
    return true;
  }
  return false;
}

/** Dispatches an authenticated request; throws HttpError for 403/404/405. */
export async function dispatch(method: string, path: string, req: IncomingMessage, res: ServerResponse, who: Principal, deps: Deps): Promise<void> {
  let pathMatched = false;
  for (const r of routes) {
    const m = r.re.exec(path);
    if (!m) continue;
    pathMatched = true;
    if (r.method !== method) continue;
    if (r.admin && who.role !== 'admin') throw new HttpError(403, 'forbidden', 'this endpoint needs an admin token');
    const params = m.slice(1).map((p) => { try { return decodeURIComponent(p); } catch { throw notFound(); } });
    await r.handler({ req, res, who, params, deps });
    return;
  }
  if (pathMatched) throw new HttpError(405, 'method_not_allowed', `${method} is not allowed here`);
  throw notFound();
}
