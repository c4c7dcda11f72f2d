import { z } from 'zod';

/**
 * The extension <-> consolidation server boundary (HTTP, JSON, under `/v1`). Every request body and response body is
 * declared here once; the server validates requests with these schemas and the extension's client parses responses
 * with the same ones. Authentication is `Authorization: Bearer <token>`; the token decides the team and the role, so
 * no path or body names a team. Documented in docs/protocol.md.
 */

/** Ids chosen by clients (submission ids, item ids): short, URL-safe, so they can be logged and compared as they are. */
export const ClientIdSchema = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1-128 characters of A-Z a-z 0-9 . _ : -');

/** One anonymized knowledge item as the member's extension sends it. `client_id` is the item's id in the local file. */
export const SubmittedItemSchema = z.object({
  client_id: ClientIdSchema,
  text: z.string().min(1).max(2000),
});

/**
 * Extension -> server, `POST /v1/submissions` (member or admin). Idempotent by `submission_id`: sending the same id
 * again returns the first answer unchanged and stores nothing new.
 */
export const SubmissionRequestSchema = z.object({
  submission_id: ClientIdSchema,
  items: z.array(SubmittedItemSchema).max(200),
  /** Anonymized task statements the member chose to share; used as distillation prompts. */
  task_statements: z.array(z.string().min(1).max(4000)).max(50).default([]),
});
export type SubmissionRequest = z.input<typeof SubmissionRequestSchema>;

/** Where a merged item stands: `waiting` for more members (k-anonymity), `admitted` into rounds, or `rejected`. */
export const ItemStatusSchema = z.enum(['waiting', 'admitted', 'rejected']);
export type ItemStatus = z.infer<typeof ItemStatusSchema>;

/** Server -> extension, answer to `POST /v1/submissions`: which items were taken (and merged into which team item). */
export const SubmissionResponseSchema = z.object({
  submission_id: z.string(),
  accepted: z.array(z.object({ client_id: z.string(), item_id: z.string(), status: ItemStatusSchema, duplicate_of_existing: z.boolean() })),
  rejected: z.array(z.object({ client_id: z.string(), reason: z.string() })),
  task_statements_accepted: z.number().int(),
  task_statements_rejected: z.number().int(),
});
export type SubmissionResponse = z.infer<typeof SubmissionResponseSchema>;

/** A safety flag the server computes from an item's text on every read (never stored, never taken from a client). */
export const ItemFlagSchema = z.object({ kind: z.string(), reason: z.string() });

/**
 * One merged team item. Members see admitted and rejected items, and waiting items only where they are one of the
 * submitters (a waiting item is not yet k-anonymous); admins see everything.
 */
export const TeamItemSchema = z.object({
  id: z.string(),
  text: z.string(),
  status: ItemStatusSchema,
  /** Distinct members who submitted this item (or a near-duplicate of it). */
  members: z.number().int(),
  /** Set when an admin approved or rejected the item by hand. */
  decided_by_admin: z.boolean(),
  first_seen: z.string(),
  /** When the latest distinct member's support arrived (equals `first_seen` for an item only one member sent). */
  last_seen: z.string(),
  /**
   * Differently worded near-duplicates that were merged into this item, oldest first (at most 20). Each is one
   * member's wording, so only admins see them; members get an empty list.
   */
  merged: z.array(z.object({ text: z.string(), first_seen: z.string() })),
  /** Safety flags of the text (commands, URLs, credentials, instructions aimed at the agent); empty when none. */
  flags: z.array(ItemFlagSchema),
});
export type TeamItem = z.infer<typeof TeamItemSchema>;

/** Server -> extension, `GET /v1/knowledge`: the team's merged knowledge and the k the server applies. */
export const KnowledgeListResponseSchema = z.object({ k: z.number().int(), items: z.array(TeamItemSchema) });
export type KnowledgeListResponse = z.infer<typeof KnowledgeListResponseSchema>;

/** Admin -> server, `POST /v1/knowledge/:id/decision`: admit (bypassing k) or reject a team item. */
export const KnowledgeDecisionRequestSchema = z.object({ decision: z.enum(['approve', 'reject']) });
export type KnowledgeDecisionRequest = z.infer<typeof KnowledgeDecisionRequestSchema>;

/**
 * Admin -> server, `POST /v1/consolidations`: start a round on the team's admitted knowledge. Every field is optional;
 * an absent one takes the server's configured value (`GET /v1/status` -> `round_defaults`).
 */
export const StartConsolidationRequestSchema = z.object({
  /** Training steps for this round. */
  steps: z.number().int().positive().max(10000).optional(),
  /** Learning rate for this round. */
  lr: z.number().positive().max(1).optional(),
  /** Gate: held-out KL must fall by at least this fraction. */
  min_kl_reduction: z.number().min(0).max(1).optional(),
  /** Gate: OOD KL(new || previous) must not exceed this. */
  max_ood_kl: z.number().min(0).max(1000).optional(),
}).strict().default({});

/** The parameters a round runs with: the request's values, with the server's defaults filled in. */
export const RoundParamsSchema = z.object({
  steps: z.number().int(),
  lr: z.number(),
  min_kl_reduction: z.number(),
  max_ood_kl: z.number(),
});
export type RoundParams = z.infer<typeof RoundParamsSchema>;

/** Lifecycle of a round. Terminal: `released`, `failed_gate`, `failed`, `cancelled`. */
export const RoundStatusSchema = z.enum(['queued', 'preparing', 'training', 'released', 'failed_gate', 'failed', 'cancelled']);
export type RoundStatus = z.infer<typeof RoundStatusSchema>;

/** The release gate's inputs and verdict. */
export const GateResultSchema = z.object({
  passed: z.boolean(),
  heldout_kl_before: z.number().nullable(),
  heldout_kl_after: z.number().nullable(),
  /** (before - after) / before; must be >= min_kl_reduction. */
  kl_reduction: z.number().nullable(),
  min_kl_reduction: z.number(),
  /** metrics.ood.kl_new_vs_prev; must be <= max_ood_kl. */
  ood_kl_new_vs_prev: z.number().nullable(),
  max_ood_kl: z.number(),
  reasons: z.array(z.string()),
});
export type GateResult = z.infer<typeof GateResultSchema>;

/** Server -> extension, `POST /v1/consolidations` (201) and `GET /v1/consolidations/:id`: one round. */
export const ConsolidationSchema = z.object({
  id: z.string(),
  status: RoundStatusSchema,
  created_at: z.string(),
  updated_at: z.string(),
  /** Adapter version the round starts from (null for the first round). */
  parent_version: z.number().int().nullable(),
  knowledge_ids: z.array(z.string()),
  progress: z.object({ step: z.number().int(), total_steps: z.number().int(), kl: z.number().nullable() }),
  /** Parameters of this round (`steps` here is what was asked for; `progress.total_steps` what the trainer runs). */
  params: RoundParamsSchema,
  /**
   * The training KL per step so far, as `[step, kl]` pairs (kl null when not finite), so a client can draw the curve
   * live; thinned to at most 1000 points on long rounds.
   */
  kl_curve: z.array(z.tuple([z.number().int(), z.number().nullable()])),
  gate: GateResultSchema.nullable(),
  /** Set when released. */
  adapter_version: z.number().int().nullable(),
  /** Why the round failed, or was re-queued after a restart. */
  message: z.string().nullable(),
  attempts: z.number().int(),
});
export type Consolidation = z.infer<typeof ConsolidationSchema>;

/** Server -> extension, `GET /v1/consolidations`: the team's rounds, newest first. */
export const ConsolidationListResponseSchema = z.object({ rounds: z.array(ConsolidationSchema) });

/** Adapter file names: one safe path segment, so a file can never leave its version folder (server or client side). */
export const ADAPTER_FILE_NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** A version folder's own manifest file; never one of the manifest's `files`. */
export const ADAPTER_MANIFEST_FILE = 'manifest.json';

/**
 * The adapter in llama.cpp's LoRA GGUF format, listed and signed among a version's `files` next to the PEFT
 * `adapter_model.safetensors` + `adapter_config.json` (absent when the trainer's exporter refused the base model;
 * the round's message then says why).
 */
export const ADAPTER_GGUF_FILE = 'adapter.gguf';

/** One file of an adapter version with its digest. */
export const AdapterFileSchema = z.object({ name: z.string(), bytes: z.number().int(), sha256: z.string().regex(/^[0-9a-f]{64}$/) });

/** Identifies the format of a manifest. */
export const ADAPTER_MANIFEST_SCHEMA = 'oel.adapter.manifest/v1';

/**
 * Server -> extension, `GET /v1/adapters/:version`: what an adapter version is. `signature.value` is the base64
 * Ed25519 signature of `canonicalJson(manifest without its "signature" key)` in UTF-8, made with the server's key
 * (`GET /v1/public-key`); the client verifies it with the key it pinned, then each file's sha256.
 */
export const AdapterManifestSchema = z.object({
  schema: z.literal(ADAPTER_MANIFEST_SCHEMA),
  team: z.string(),
  version: z.number().int().positive(),
  parent_version: z.number().int().nullable(),
  base_model_id: z.string(),
  round_id: z.string(),
  created_at: z.string(),
  knowledge: z.object({ ids: z.array(z.string()), sha256: z.string() }),
  metrics: z.record(z.string(), z.unknown()),
  gate: GateResultSchema,
  files: z.array(AdapterFileSchema),
  signature: z.object({ alg: z.literal('ed25519'), key_id: z.string(), value: z.string() }),
});
export type AdapterManifest = z.infer<typeof AdapterManifestSchema>;

/** Server -> extension, `GET /v1/adapters`: every kept version and which one is current. */
export const AdapterListResponseSchema = z.object({
  current: z.number().int().nullable(),
  adapters: z.array(z.object({ version: z.number().int(), parent_version: z.number().int().nullable(), round_id: z.string(), created_at: z.string() })),
});
export type AdapterListResponse = z.infer<typeof AdapterListResponseSchema>;

/** Server -> extension, `GET /v1/adapters/current`: the version to install (null before the first release). */
export const CurrentAdapterResponseSchema = z.object({ version: z.number().int().nullable() });

/** Admin -> server, `POST /v1/adapters/current`: make a kept version current (rollback or roll forward). */
export const SetCurrentAdapterRequestSchema = z.object({ version: z.number().int().positive() });

/** Server -> anyone, `GET /v1/public-key`: the key that signs manifests. `key_id` = first 16 hex of sha256(raw key). */
export const PublicKeyResponseSchema = z.object({ alg: z.literal('ed25519'), key_id: z.string(), public_key_base64: z.string(), pem: z.string() });

/** Team-scoped bearer-token roles. */
export const RoleSchema = z.enum(['member', 'admin']);

/** A token as admins see it: never the secret or its hash. `id` is what revoking names. */
export const TokenInfoSchema = z.object({
  id: z.string(),
  role: RoleSchema,
  /** The identity counted for k-anonymity (several tokens may share one). */
  member: z.string(),
  created_at: z.string(),
  revoked_at: z.string().nullable(),
});
export type TokenInfo = z.infer<typeof TokenInfoSchema>;

/** Server -> admin, `GET /v1/tokens`: the caller's team's tokens, oldest first. */
export const TokenListResponseSchema = z.object({ tokens: z.array(TokenInfoSchema) });

/** Member identities: what k-anonymity counts, shown in lists and in the database, never a secret. */
export const MemberNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, 'must be 1-64 characters of A-Z a-z 0-9 . _ @ - (starting with a letter or digit)');

/** Admin -> server, `POST /v1/tokens`: a new token for the caller's team. Without `member`, one is derived from the token. */
export const CreateTokenRequestSchema = z.object({ role: RoleSchema, member: MemberNameSchema.optional() }).strict();

/** Server -> admin, `POST /v1/tokens` (201): the new token. `token` is the secret, shown this once only. */
export const CreatedTokenResponseSchema = TokenInfoSchema.extend({ token: z.string() });

/** Server -> admin, `GET /v1/status`: what whoever runs the server watches. */
export const ServerStatusResponseSchema = z.object({
  version: z.string(),
  /** Whether the trainer's Python can import torch and oel_trainer (checked at start, then at most once a minute). */
  trainer: z.object({ available: z.boolean().nullable(), detail: z.string(), checked_at: z.string().nullable() }),
  /** Bytes under the data folder, and the free and total bytes of its file system. */
  disk: z.object({ data_bytes: z.number(), free_bytes: z.number().nullable(), total_bytes: z.number().nullable() }),
  /** Rounds waiting to run (all teams) and whether one is running now. */
  queue: z.object({ queued: z.number().int(), running: z.boolean() }),
  /** The most recent failure the team's admin should know about: a failed round or a server error. */
  last_error: z.object({ at: z.string(), message: z.string() }).nullable(),
  k: z.number().int(),
  /** The values a round takes when `POST /v1/consolidations` leaves a parameter out. */
  round_defaults: RoundParamsSchema,
});
export type ServerStatusResponse = z.infer<typeof ServerStatusResponseSchema>;

/** Browser -> server, `POST /v1/session`: sign in to the dashboard with a bearer token (sent once, in the body). */
export const SignInRequestSchema = z.object({ token: z.string().min(1).max(200) }).strict();

/**
 * Server -> browser, `POST /v1/session` and `GET /v1/session`: the signed-in identity. The session itself is an
 * HttpOnly cookie; `csrf_token` must come back in `X-CSRF-Token` on every state-changing request made with it.
 */
export const SessionResponseSchema = z.object({
  team: z.string(),
  role: RoleSchema,
  member: z.string(),
  token_id: z.string(),
  csrf_token: z.string(),
  /** When the session ends at the latest (it also ends after `idle_timeout_s` without a request). */
  expires_at: z.string(),
  idle_timeout_s: z.number().int(),
});
export type SessionResponse = z.infer<typeof SessionResponseSchema>;

/* Invites (`oel-invite:` strings) are defined in invite.ts, the one format the CLI, the dashboard and the client share. */

/** Server -> anyone, `GET /healthz`. */
export const HealthResponseSchema = z.object({ ok: z.boolean(), version: z.string() });

/** Server -> client on every 4xx/5xx. `field` names the offending request field (dotted path) on 400. */
export const ErrorResponseSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
});
export type ErrorResponse = z.infer<typeof ErrorResponseSchema>;

/**
 * The canonical serialization signed in a manifest: JSON with object keys sorted by UTF-16 code units at every level,
 * no whitespace, arrays in order, strings and numbers as `JSON.stringify` writes them. Non-finite numbers are refused.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('canonicalJson: non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new Error(`canonicalJson: unsupported ${typeof value}`);
}

/** The exact bytes (as a string) a manifest's signature covers. */
export function manifestSigningPayload(manifest: Omit<AdapterManifest, 'signature'> & { signature?: unknown }): string {
  const { signature: _signature, ...rest } = manifest;
  return canonicalJson(rest);
}
