/**
 * Everything that can go wrong talking to a team server, as one error type whose message tells the user what to do.
 * The server is not trusted: any text it sends back is cut short and stripped of control characters before it is
 * shown, and a response that does not match the protocol is an error, not data.
 */

/** What failed. `retryable` kinds are retried with backoff by the client; the others need the user. */
export type TeamErrorKind =
  | 'unauthorized' | 'forbidden' | 'too_large' | 'invalid' | 'not_found' | 'conflict'
  | 'rate_limited' | 'server' | 'timeout' | 'network'
  | 'protocol' | 'key_changed' | 'aborted';

const RETRYABLE: ReadonlySet<TeamErrorKind> = new Set(['rate_limited', 'server', 'timeout', 'network']);

/** A failed team-server call with an actionable message. */
export class TeamError extends Error {
  readonly kind: TeamErrorKind;
  readonly status?: number;
  /** On `invalid` (400): the dotted path of the request field the server refused. */
  readonly field?: string;
  /** On 429/503: how long the server asked us to wait. */
  readonly retryAfterMs?: number;

  constructor(kind: TeamErrorKind, message: string, opts: { status?: number; field?: string; retryAfterMs?: number } = {}) {
    super(message);
    this.name = 'TeamError';
    this.kind = kind;
    if (opts.status !== undefined) this.status = opts.status;
    if (opts.field !== undefined) this.field = opts.field;
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs;
  }

  /** Whether trying the same request again later may succeed. */
  get retryable(): boolean { return RETRYABLE.has(this.kind); }
}

/** Server-supplied text made safe to show: one line, printable, at most `max` characters. */
export function serverText(s: unknown, max = 300): string {
  const t = String(s ?? '').replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

/**
 * The error for an HTTP error status, from the server's `ErrorResponseSchema` body when it has one. The messages name
 * the next step: a new invite for 401, an admin token for 403, fewer items for 413, the refused field for 400.
 */
export function errorForStatus(status: number, body: unknown, server: string, retryAfter?: number): TeamError {
  const err = (body && typeof body === 'object' && 'error' in body ? (body as { error: unknown }).error : undefined) as { code?: unknown; message?: unknown; field?: unknown } | undefined;
  const detail = serverText(err?.message ?? '');
  const field = typeof err?.field === 'string' ? serverText(err.field, 120) : undefined;
  const said = detail ? ` (server: ${detail})` : '';
  switch (status) {
    case 400:
      return new TeamError('invalid', field
        ? `The team server refused the field '${field}' of the request${said}. Fix or drop that part and send again.`
        : `The team server refused the request as malformed${said}.`, { status, ...(field !== undefined ? { field } : {}) });
    case 401:
      return new TeamError('unauthorized', `The team server at ${server} does not accept your token: it is unknown or was revoked. Ask the team admin for a new invite and join again.`, { status });
    case 403:
      return new TeamError('forbidden', `This needs an admin token; the token you joined ${server} with is a member's. Ask the team admin to do it, or join with an admin invite.`, { status });
    case 404:
      return new TeamError('not_found', `The team server at ${server} has no such resource${said}.`, { status });
    case 409:
      return new TeamError('conflict', `The team server refused: ${detail || 'conflict'}.`, { status });
    case 413:
      return new TeamError('too_large', `The submission is larger than the team server at ${server} accepts. Send fewer or shorter items at a time (drop some from this submission).`, { status });
    case 429:
      return new TeamError('rate_limited', `The team server at ${server} is limiting requests${retryAfter !== undefined ? `; it asks to wait ${Math.ceil(retryAfter / 1000)} s` : ''}.`, { status, ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}) });
    default:
      if (status >= 500) return new TeamError('server', `The team server at ${server} failed (HTTP ${status})${said}; it will be tried again later.`, { status, ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}) });
      return new TeamError('protocol', `The team server at ${server} answered HTTP ${status}${said}.`, { status });
  }
}
