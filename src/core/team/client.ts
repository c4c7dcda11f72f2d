/**
 * The team client: every call the extension makes to a consolidation server (docs/protocol.md), with the pinned
 * signing key checked, responses validated against the wire schemas, actionable errors, and retries with backoff on
 * timeouts, 5xx and 429 (honouring Retry-After). Pure core: no VS Code; the token and pin are handed in.
 */
import { z } from 'zod';
import {
  AdapterListResponseSchema, ConsolidationListResponseSchema, ConsolidationSchema, CurrentAdapterResponseSchema, KnowledgeListResponseSchema,
  PublicKeyResponseSchema, SubmissionResponseSchema, TeamItemSchema,
  type AdapterListResponse, type Consolidation, type KnowledgeListResponse, type SubmissionResponse, type TeamItem,
} from '../protocol/consolidation';
import { keyIdOfPublicKey } from './keyId';
import { retryAfterMs } from '../provider/errors';
import { retryDelayMs, sleep, type RetryPolicy } from '../provider/retry';
import { errorForStatus, serverText, TeamError } from './errors';

/** What joining pinned: the server, and the Ed25519 key its manifests must be signed with. Persisted by the caller. */
export interface TeamPin {
  /** Normalized base URL (no trailing slash). */
  url: string;
  /** Fingerprint of the pinned key (first 16 hex of sha256 over the raw key), shown to the user to compare. */
  key_id: string;
  /** The raw 32-byte Ed25519 public key, base64. */
  public_key_base64: string;
  joined_at: string;
}

/** Validates a stored pin (the extension keeps it in its state; a damaged one means joining again). */
export const TeamPinSchema = z.object({
  url: z.string().url(),
  key_id: z.string().regex(/^[0-9a-f]{16}$/),
  public_key_base64: z.string().refine((s) => Buffer.from(s, 'base64').length === 32, 'must be a 32-byte key in base64'),
  joined_at: z.string(),
});

/** Submissions wait longer than model calls: five retries over about 1 to 16 s; Retry-After honoured up to 2 minutes. */
export const TEAM_RETRY_POLICY: RetryPolicy = { retries: 5, baseDelayMs: 1000, maxDelayMs: 30_000, maxRetryAfterMs: 120_000 };

/** Told before each wait, so the UI can say "retrying in 4 s". */
export interface TeamRetryNotice { attempt: number; retries: number; delayMs: number; error: TeamError }

export interface TeamClientOptions {
  pin: TeamPin;
  token: string;
  /** Per-request limit for JSON calls (default 30 s). */
  timeoutMs?: number;
  policy?: RetryPolicy;
  onRetry?: (n: TeamRetryNotice) => void;
  random?: () => number;
  fetch?: typeof fetch;
}

/** Largest JSON answer read from a server (a hostile one could stream forever). */
const MAX_JSON_BYTES = 16 * 1024 * 1024;

/** Reads a response body as text, refusing more than `max` bytes. */
export async function readCapped(res: Response, max: number, what: string): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > max) { await res.body?.cancel(); throw new TeamError('protocol', `The team server sent ${what} of ${declared} bytes, more than the ${max} allowed.`); }
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > max) throw new TeamError('protocol', `The team server sent ${what} of more than the ${max} bytes allowed.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Turns a fetch failure into a TeamError: our timeout, the caller's stop, or a network error naming its code. */
export function networkError(e: unknown, server: string, timeoutMs: number, signal?: AbortSignal): TeamError {
  if (e instanceof TeamError) return e;
  if (signal?.aborted) return new TeamError('aborted', 'Stopped.');
  const name = (e as { name?: string })?.name;
  if (name === 'TimeoutError') return new TeamError('timeout', `The team server at ${server} did not answer within ${Math.round(timeoutMs / 1000)} s; it will be tried again later.`);
  let cause: unknown = e;
  let code = '';
  for (let i = 0; i < 4 && cause && typeof cause === 'object'; i++) {
    code ||= String((cause as { code?: unknown }).code ?? '');
    cause = (cause as { cause?: unknown }).cause;
  }
  const why = code || serverText((e as Error)?.message ?? e, 120);
  return new TeamError('network', `Cannot reach the team server at ${server} (${why}); it will be tried again later.`);
}

/** A connection to one team server with one token and the pinned key. */
export class TeamClient {
  readonly pin: TeamPin;
  private readonly token: string;
  private readonly timeoutMs: number;
  private readonly policy: RetryPolicy;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly opts: TeamClientOptions) {
    this.pin = opts.pin;
    this.token = opts.token;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.policy = opts.policy ?? TEAM_RETRY_POLICY;
    this.fetchImpl = opts.fetch ?? fetch;
  }

  /**
   * One HTTP exchange. Non-2xx answers become TeamErrors (their body read, capped); a 2xx Response is returned with
   * its body unread. `timeoutMs` bounds the whole exchange including the caller's reading of the body.
   */
  async send(method: string, path: string, o: { body?: string; auth?: boolean; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<Response> {
    const timeoutMs = o.timeoutMs ?? this.timeoutMs;
    const signals = [AbortSignal.timeout(timeoutMs), ...(o.signal ? [o.signal] : [])];
    const headers: Record<string, string> = { accept: 'application/json' };
    if (o.body !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
    if (o.auth !== false) headers.authorization = `Bearer ${this.token}`;
    let res: Response;
    try {
      // redirect: 'error': a redirect could carry the bearer token to another host.
      res = await this.fetchImpl(`${this.pin.url}${path}`, { method, headers, body: o.body, redirect: 'error', signal: AbortSignal.any(signals) });
    } catch (e) {
      throw networkError(e, this.pin.url, timeoutMs, o.signal);
    }
    if (res.ok) return res;
    let body: unknown;
    try { body = JSON.parse(await readCapped(res, 64 * 1024, 'an error')); } catch (e) { if (e instanceof TeamError) throw e; body = undefined; }
    throw errorForStatus(res.status, body, this.pin.url, retryAfterMs(res.headers));
  }

  /** A JSON call whose answer must match `schema`; anything else is a protocol error naming the first wrong field. */
  async json<S extends z.ZodType>(schema: S, method: string, path: string, o: { body?: string; auth?: boolean; signal?: AbortSignal } = {}): Promise<z.infer<S>> {
    const res = await this.send(method, path, o);
    let text: string;
    try { text = await readCapped(res, MAX_JSON_BYTES, 'an answer'); } catch (e) { throw networkError(e, this.pin.url, this.timeoutMs, o.signal); }
    let value: unknown;
    try { value = JSON.parse(text); } catch { throw new TeamError('protocol', `The team server at ${this.pin.url} answered ${method} ${path} with something that is not JSON.`); }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new TeamError('protocol', `The team server at ${this.pin.url} answered ${method} ${path} outside the protocol: ${issue.path.join('.') || 'body'}: ${serverText(issue.message, 120)}.`);
    }
    return parsed.data;
  }

  /** Runs `attempt`, retrying retryable TeamErrors with backoff (or the server's Retry-After) as the policy allows. */
  async withRetries<T>(attempt: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    for (let n = 1; ; n++) {
      try {
        return await attempt();
      } catch (e) {
        if (!(e instanceof TeamError) || !e.retryable || n > this.policy.retries || signal?.aborted) throw e;
        const delayMs = retryDelayMs(e, n, this.policy, this.opts.random);
        if (delayMs === undefined) throw new TeamError(e.kind, `${e.message} That is longer than this client waits; it will be tried again later.`, { status: e.status });
        this.opts.onRetry?.({ attempt: n, retries: this.policy.retries, delayMs, error: e });
        await sleep(delayMs, signal);
        if (signal?.aborted) throw new TeamError('aborted', 'Stopped.');
      }
    }
  }

  /**
   * Refuses to go on when the server now presents a key other than the pinned one: that is an impostor or a key
   * rotation, and only the user (by joining again with a new invite) may accept a new key.
   */
  async checkKey(signal?: AbortSignal): Promise<void> {
    const pk = await this.withRetries(() => this.json(PublicKeyResponseSchema, 'GET', '/v1/public-key', { auth: false, signal }), signal);
    if (pk.public_key_base64 !== this.pin.public_key_base64) throw keyChanged(this.pin, keyIdOfPublicKey(pk.public_key_base64));
  }

  /**
   * Sends one serialized submission (the exact bytes of {@link buildSubmission}'s `body`), retrying with the same
   * `submission_id` (the server answers a repeat with its first answer and stores nothing new).
   */
  async submit(body: string, signal?: AbortSignal): Promise<SubmissionResponse> {
    const id = (JSON.parse(body) as { submission_id: string }).submission_id;
    const res = await this.withRetries(() => this.json(SubmissionResponseSchema, 'POST', '/v1/submissions', { body, signal }), signal);
    if (res.submission_id !== id) throw new TeamError('protocol', `The team server answered submission ${serverText(res.submission_id, 140)} to submission ${id}.`);
    return res;
  }

  /** The team's knowledge as this token may see it. */
  knowledge(signal?: AbortSignal): Promise<KnowledgeListResponse> {
    return this.withRetries(() => this.json(KnowledgeListResponseSchema, 'GET', '/v1/knowledge', { signal }), signal);
  }

  /** Rounds, newest first. */
  async rounds(signal?: AbortSignal): Promise<Consolidation[]> {
    return (await this.withRetries(() => this.json(ConsolidationListResponseSchema, 'GET', '/v1/consolidations', { signal }), signal)).rounds;
  }

  /** One round (for live progress). */
  round(id: string, signal?: AbortSignal): Promise<Consolidation> {
    return this.withRetries(() => this.json(ConsolidationSchema, 'GET', `/v1/consolidations/${encodeURIComponent(id)}`, { signal }), signal);
  }

  /** Kept adapter versions and the current one. */
  adapters(signal?: AbortSignal): Promise<AdapterListResponse> {
    return this.withRetries(() => this.json(AdapterListResponseSchema, 'GET', '/v1/adapters', { signal }), signal);
  }

  /** The version members should install (null before the first release). */
  async currentAdapter(signal?: AbortSignal): Promise<number | null> {
    return (await this.withRetries(() => this.json(CurrentAdapterResponseSchema, 'GET', '/v1/adapters/current', { signal }), signal)).version;
  }

  /** Admin: admit or reject a team item. Not retried: a decision is a deliberate act the user repeats if needed. */
  decide(itemId: string, decision: 'approve' | 'reject'): Promise<TeamItem> {
    return this.json(TeamItemSchema, 'POST', `/v1/knowledge/${encodeURIComponent(itemId)}/decision`, { body: JSON.stringify({ decision }) });
  }

  /** Admin: start a round. Not retried: a repeat could start a second round. */
  startRound(steps?: number): Promise<Consolidation> {
    return this.json(ConsolidationSchema, 'POST', '/v1/consolidations', { body: JSON.stringify(steps === undefined ? {} : { steps }) });
  }

  /** Admin: make a kept version current (rollback or roll forward on the server). */
  async setCurrent(version: number): Promise<number | null> {
    return (await this.json(CurrentAdapterResponseSchema, 'POST', '/v1/adapters/current', { body: JSON.stringify({ version }) })).version;
  }
}

/** The refusal when a server's key is not the pinned one. */
export function keyChanged(pin: TeamPin, presented: string): TeamError {
  return new TeamError('key_changed', `The team server at ${pin.url} now presents signing key ${serverText(presented, 64)}, not the key ${pin.key_id} pinned when you joined. `
    + 'This is either an impostor or a key change by the team admin: check with the admin, then join again with a new invite to accept the new key. '
    + 'Until then nothing is sent to this server and nothing from it is installed.');
}
