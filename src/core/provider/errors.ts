/**
 * What went wrong between the agent and the model server, said so that the user can act: which URL, which cause
 * (refused, DNS, timeout, TLS, reset, a key the server rejected, a model it does not serve), and which fixes fit.
 * Every failure of the `openai` client becomes a {@link ProviderError} here.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';

/** Why a provider call failed; `kind` lets callers tell a user stop from a real failure. */
export type ProviderErrorKind = 'aborted' | 'auth' | 'not_found' | 'unreachable' | 'http' | 'stream';

/** The network-level cause of an `unreachable` (or broken) connection. */
export type NetworkCause = 'refused' | 'dns' | 'timeout' | 'tls' | 'reset' | 'other';

/**
 * A fix the user can apply, in the order the UI should offer them: set the API key, correct the base URL, pick
 * another model, try again, or read the log.
 */
export type ProviderFix = 'apiKey' | 'baseUrl' | 'model' | 'retry' | 'log';

/** Where the request went: the configured base URL and model (the key is not needed to explain anything). */
export interface ErrorContext { baseUrl: string; model: string; timeoutMs?: number }

/** A provider failure with a message fit to show the user. */
export class ProviderError extends Error {
  /**
   * Whether trying the same request again may succeed: 429 (rate limit), 5xx, or a connection reset. The caller
   * decides whether it may (see retry.ts: never once output reached the user).
   */
  readonly retryable: boolean;
  /** How long the provider asked us to wait (Retry-After / retry-after-ms), when it said. */
  readonly retryAfterMs?: number;
  /** For connection failures: what the network said. */
  readonly network?: NetworkCause;
  /** The fixes that fit this failure, most likely first; never "set the API key" unless the key is the problem. */
  readonly fixes: ProviderFix[];

  constructor(
    readonly kind: ProviderErrorKind, message: string, readonly status?: number,
    opts: { retryable?: boolean; retryAfterMs?: number; network?: NetworkCause; fixes?: ProviderFix[] } = {},
  ) {
    super(message);
    this.name = 'ProviderError';
    this.retryable = opts.retryable ?? false;
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs;
    if (opts.network) this.network = opts.network;
    this.fixes = opts.fixes ?? (kind === 'aborted' ? [] : ['retry', 'log']);
  }
}

/** Base URL with any `user:password@` removed, safe to store in a trajectory or show. */
export function publicBaseUrl(baseUrl: string): string {
  try {
    const u = new URL(baseUrl);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return baseUrl.replace(/\/\/[^/@]*@/, '//');
  }
}

/**
 * The wait a response asks for, in milliseconds: `retry-after-ms`, or `Retry-After` as seconds or as an HTTP date.
 * Undefined when absent or unreadable.
 */
export function retryAfterMs(headers: { get(name: string): string | null } | undefined, nowMs = Date.now()): number | undefined {
  const ms = Number(headers?.get('retry-after-ms') ?? NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers?.get('retry-after')?.trim();
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Number(raw) * 1000;
  const at = Date.parse(raw);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}

/** Each error of a cause chain (fetch nests the socket's error two levels down; happy-eyeballs nests several). */
function causes(e: unknown): { message: string; code: string }[] {
  const out: { message: string; code: string }[] = [];
  const visit = (cur: unknown, depth: number): void => {
    if (!cur || typeof cur !== 'object' || depth > 5) return;
    const o = cur as { message?: unknown; code?: unknown; cause?: unknown; errors?: unknown[] };
    out.push({ message: String(o.message ?? ''), code: String(o.code ?? '') });
    visit(o.cause, depth + 1);
    if (Array.isArray(o.errors)) for (const x of o.errors.slice(0, 3)) visit(x, depth + 1);
  };
  visit(e, 0);
  return out;
}

/** The network-level cause of a connection failure, from the codes and messages of its cause chain. */
export function networkCause(e: unknown): NetworkCause {
  if (e instanceof APIConnectionTimeoutError) return 'timeout';
  const all = causes(e).map((c) => `${c.code} ${c.message}`).join(' | ');
  if (/ECONNREFUSED|connection refused/i.test(all)) return 'refused';
  if (/ENOTFOUND|EAI_AGAIN|EAI_NONAME|getaddrinfo/i.test(all)) return 'dns';
  if (/ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT|timed out/i.test(all)) return 'timeout';
  if (/ERR_SSL|ERR_TLS|CERT_|SELF_SIGNED|UNABLE_TO_VERIFY|EPROTO|SSL routines|certificate/i.test(all)) return 'tls';
  if (/ECONNRESET|EPIPE|socket hang up|other side closed|terminated|UND_ERR_SOCKET/i.test(all)) return 'reset';
  return 'other';
}

/** The most specific message of a cause chain: the innermost one that says more than "fetch failed". */
function innermost(e: unknown): string {
  const msgs = causes(e).map((c) => c.message.trim()).filter((m) => m && !/^(fetch failed|Connection error\.?)$/i.test(m));
  return (msgs[msgs.length - 1] ?? '').replace(/^[0-9A-F]{8,}:error:[0-9A-F]+:/, '').slice(0, 200);
}

function hostOf(url: string): string {
  try { return new URL(url).host; } catch { return url; }
}

function connectionError(e: unknown, ctx: ErrorContext): ProviderError {
  const url = publicBaseUrl(ctx.baseUrl);
  const network = networkCause(e);
  const detail = innermost(e);
  const seconds = ctx.timeoutMs ? ` within ${Math.round(ctx.timeoutMs / 1000)} s` : '';
  switch (network) {
    case 'refused':
      return new ProviderError('unreachable', `Nothing is listening at ${url} (connection refused). Start the model server, or set "oel.provider.baseUrl" to where it runs.`, undefined, { network, fixes: ['baseUrl', 'retry'] });
    case 'dns':
      return new ProviderError('unreachable', `The host "${hostOf(ctx.baseUrl)}" of ${url} cannot be found (DNS lookup failed). Check the host name in "oel.provider.baseUrl".`, undefined, { network, fixes: ['baseUrl'] });
    case 'timeout':
      return new ProviderError('unreachable', `${url} did not answer${seconds} (timeout). The server may be busy or still loading the model: try again, or raise "oel.provider.requestTimeoutSeconds".`, undefined, { network, fixes: ['retry', 'baseUrl'] });
    case 'tls':
      return new ProviderError('unreachable', `The secure connection to ${url} failed (TLS${detail ? `: ${detail}` : ''}). Check http:// versus https:// in "oel.provider.baseUrl", and the server's certificate.`, undefined, { network, fixes: ['baseUrl'] });
    case 'reset':
      return new ProviderError('unreachable', `The connection to ${url} was reset before the model answered${detail ? ` (${detail})` : ''}.`, undefined, { network, retryable: true, fixes: ['retry', 'log'] });
    default:
      return new ProviderError('unreachable', `Cannot reach the provider at ${url}${detail ? `: ${detail}` : ''}. Is the server running and the URL right?`, undefined, { network, fixes: ['baseUrl', 'retry', 'log'] });
  }
}

/** Turns any thrown value from the client into a {@link ProviderError}. */
export function toProviderError(e: unknown, ctx: ErrorContext, signal?: AbortSignal): ProviderError {
  if (e instanceof ProviderError) return e;
  // A timeout aborts the request too: tell it from the user's Stop by the signal, not by the abort.
  if (signal?.aborted || (e instanceof APIUserAbortError && !(e instanceof APIConnectionTimeoutError))) return new ProviderError('aborted', 'The request was stopped.');
  const url = publicBaseUrl(ctx.baseUrl);
  if (e instanceof APIError && e.status !== undefined) {
    const detail = e.message.replace(/^\d+\s*/, '');
    if (e.status === 401 || e.status === 403) {
      return new ProviderError('auth', `The provider at ${url} rejected the API key (${e.status}): ${detail}. Set the right key with "OEL Agent: Set API Key".`, e.status, { fixes: ['apiKey', 'baseUrl'] });
    }
    if (e.status === 404) {
      return new ProviderError('not_found', `The provider at ${url} does not know the model "${ctx.model}" (404): ${detail}. Pick a model it serves in "oel.provider.model".`, e.status, { fixes: ['model', 'baseUrl'] });
    }
    const retryable = e.status === 429 || e.status >= 500;
    return new ProviderError('http', `The provider at ${url} answered ${e.status}: ${detail}`, e.status, { retryable, retryAfterMs: retryAfterMs(e.headers), fixes: retryable ? ['retry', 'log'] : ['log'] });
  }
  // Class checks, not constructor names: a minified bundle renames classes.
  if (e instanceof APIConnectionError) return connectionError(e, ctx);
  if (e instanceof APIError) {
    return new ProviderError('stream', `The provider at ${url} reported an error mid-answer: ${e.message}`, undefined, { fixes: ['retry', 'log'] });
  }
  const network = networkCause(e);
  if (network === 'refused' || network === 'dns' || network === 'tls') return connectionError(e, ctx);
  const msg = e instanceof Error ? e.message : String(e);
  const detail = innermost(e);
  return new ProviderError('stream', `The connection to ${url} broke mid-answer: ${msg}${detail && detail !== msg ? ` (${detail})` : ''}`, undefined, { retryable: network === 'reset', network, fixes: ['retry', 'log'] });
}
