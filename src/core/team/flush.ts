/**
 * Sending the queue: oldest first, each with its own stable `submission_id`, after checking the server still holds
 * the pinned key. A sent submission is reported (for the audit log) before it leaves the queue, so a crash in between
 * re-sends it, and the server's idempotency answers with the first response.
 */
import type { SubmissionResponse } from '../protocol/consolidation';
import type { TeamClient } from './client';
import { TeamError } from './errors';
import type { QueuedSubmission, SubmissionQueue } from './queue';

/** What one flush did. `error` is the failure that stopped it, or that left some submission in the queue. */
export interface FlushResult {
  sent: Array<{ submission_id: string; response: SubmissionResponse }>;
  /** Submissions still queued afterwards. */
  remaining: number;
  error?: TeamError;
}

/** Errors that concern one submission only (its content); the next one may still go through. */
const PER_SUBMISSION: ReadonlySet<string> = new Set(['invalid', 'too_large']);

/**
 * Sends every queued submission. Stops at a failure that will hit the rest too (server down after all retries, 401,
 * 403, a changed key); a 400 or 413 keeps that submission queued with its message (the user fixes or drops it) and
 * moves on. `onSent` gets the exact body and the answer, and must finish (e.g. append to the audit log) before the
 * entry is removed.
 */
export async function flushQueue(
  client: TeamClient, queue: SubmissionQueue,
  opts: { onSent?: (entry: QueuedSubmission, response: SubmissionResponse) => Promise<void> | void; signal?: AbortSignal } = {},
): Promise<FlushResult> {
  const result: FlushResult = { sent: [], remaining: 0 };
  const pending = await queue.list();
  if (pending.length === 0) return result;
  try {
    await client.checkKey(opts.signal);
  } catch (e) {
    const err = e instanceof TeamError ? e : new TeamError('protocol', String(e));
    return { ...result, remaining: pending.length, error: err };
  }
  for (const entry of pending) {
    try {
      const response = await client.submit(entry.body, opts.signal);
      await opts.onSent?.(entry, response);
      await queue.remove(entry.submission_id);
      result.sent.push({ submission_id: entry.submission_id, response });
    } catch (e) {
      const err = e instanceof TeamError ? e : new TeamError('protocol', e instanceof Error ? e.message : String(e));
      await queue.recordFailure(entry.submission_id, err.message);
      result.error = err;
      if (!PER_SUBMISSION.has(err.kind)) break;
    }
  }
  result.remaining = (await queue.list()).length;
  return result;
}
