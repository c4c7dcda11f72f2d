/**
 * Retrying a model request that failed for a reason that passes: 429 (rate limit), 5xx, or a connection reset. Waits
 * with exponential backoff and jitter, or as long as the provider's Retry-After asks, and never retries once any
 * output of the attempt reached the user (a second attempt would repeat it), nor after the user pressed Stop.
 */
import { ProviderError } from './provider';

/** How often and how long to retry. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  /** Backoff before the first retry; doubled for each further one. */
  baseDelayMs: number;
  /** Longest backoff chosen by us. */
  maxDelayMs: number;
  /** Longest Retry-After we wait for; a provider asking for more ends the task with its message instead. */
  maxRetryAfterMs: number;
}

/** Three retries over about 1, 2 and 4 seconds (plus jitter); Retry-After honoured up to a minute. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 3, baseDelayMs: 1000, maxDelayMs: 16_000, maxRetryAfterMs: 60_000 };

/** What the caller hears before each wait. */
export interface RetryNotice { attempt: number; retries: number; delayMs: number; error: ProviderError }

/**
 * The wait before retry number `attempt` (1-based): the provider's Retry-After when it gave one (undefined when that
 * is longer than the policy allows), else `baseDelayMs * 2^(attempt-1)` capped at `maxDelayMs`, with up to 25% jitter
 * so that many clients do not come back at the same instant.
 */
export function retryDelayMs(error: { retryAfterMs?: number }, attempt: number, policy: RetryPolicy, random: () => number = Math.random): number | undefined {
  if (error.retryAfterMs !== undefined) return error.retryAfterMs <= policy.maxRetryAfterMs ? error.retryAfterMs : undefined;
  const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(backoff * (1 + 0.25 * random()));
}

/** Waits `ms`, or less when `signal` aborts (it resolves either way; the caller checks the signal). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => { clearTimeout(timer); signal?.removeEventListener('abort', done); resolve(); };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Runs `attempt` and retries it on a retryable {@link ProviderError} while `mayRetry()` says that nothing of the
 * failed attempt was shown. Rethrows the last error when retries run out, the wait asked for is too long, or `signal`
 * aborts (then as kind `aborted`).
 */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  opts: { policy?: RetryPolicy; signal?: AbortSignal; mayRetry?: () => boolean; onRetry?: (n: RetryNotice) => void; random?: () => number } = {},
): Promise<T> {
  const policy = opts.policy ?? DEFAULT_RETRY_POLICY;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (e) {
      if (!(e instanceof ProviderError) || !e.retryable || n > policy.retries || opts.signal?.aborted) throw e;
      if (opts.mayRetry && !opts.mayRetry()) throw e;
      const delayMs = retryDelayMs(e, n, policy, opts.random);
      if (delayMs === undefined) {
        throw new ProviderError(e.kind, `${e.message} The provider asks to wait ${Math.ceil((e.retryAfterMs ?? 0) / 1000)} s before trying again; try later.`, e.status);
      }
      opts.onRetry?.({ attempt: n, retries: policy.retries, delayMs, error: e });
      await sleep(delayMs, opts.signal);
      if (opts.signal?.aborted) throw new ProviderError('aborted', 'The request was stopped.');
    }
  }
}
