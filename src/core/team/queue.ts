/**
 * Submissions waiting to be sent, in a JSON file written atomically, so a queue survives a restart of VS Code (or a
 * crash) and a submission is never lost or sent twice under two ids: each entry keeps the exact body, with its
 * `submission_id`, that the user approved.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { SubmissionRequestSchema } from '../protocol/consolidation';
import { writeFileAtomic } from '../util/atomicWrite';

/** One unsent submission. */
export const QueuedSubmissionSchema = z.object({
  submission_id: z.string(),
  /** The exact bytes to send (see buildSubmission). */
  body: z.string(),
  queued_at: z.string(),
  attempts: z.number().int().nonnegative(),
  /** The last failure's message, for the Team view; null before the first try. */
  last_error: z.string().nullable(),
}).refine((q) => {
  try { return SubmissionRequestSchema.parse(JSON.parse(q.body)).submission_id === q.submission_id; } catch { return false; }
}, 'body must be a submission request with the same submission_id');
export type QueuedSubmission = z.infer<typeof QueuedSubmissionSchema>;

const QueueFileSchema = z.object({ schema: z.literal('oel.team.queue/v1'), pending: z.array(QueuedSubmissionSchema) });

/** The persisted queue of one server. Operations are serialized, and each change is on disk before it resolves. */
export class SubmissionQueue {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(readonly path: string) {}

  /**
   * The pending submissions, oldest first. A missing file is an empty queue; an unreadable one is an error that says
   * where it is, and the file is left as it is (never overwritten), so nothing in it is lost.
   */
  async list(): Promise<QueuedSubmission[]> {
    let text: string;
    try { text = await readFile(this.path, 'utf8'); } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    let parsed;
    try { parsed = QueueFileSchema.safeParse(JSON.parse(text)); } catch { parsed = undefined; }
    if (!parsed?.success) {
      const why = parsed ? `${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}` : 'not JSON';
      throw new Error(`The queue of unsent team submissions at ${this.path} is damaged (${why}). It was left untouched; move it aside to start a new queue.`);
    }
    return parsed.data.pending;
  }

  /** Adds a built submission (its `submission_id` and exact `body`). Adding an id already queued changes nothing. */
  add(sub: { submission_id: string; body: string }): Promise<void> {
    return this.update((pending) => (pending.some((p) => p.submission_id === sub.submission_id) ? pending
      : [...pending, { submission_id: sub.submission_id, body: sub.body, queued_at: new Date().toISOString(), attempts: 0, last_error: null }]));
  }

  /** Removes a submission (sent, or dropped by the user). */
  remove(submissionId: string): Promise<void> {
    return this.update((pending) => pending.filter((p) => p.submission_id !== submissionId));
  }

  /** Records a failed attempt. */
  recordFailure(submissionId: string, message: string): Promise<void> {
    return this.update((pending) => pending.map((p) => (p.submission_id === submissionId ? { ...p, attempts: p.attempts + 1, last_error: message } : p)));
  }

  private update(f: (pending: QueuedSubmission[]) => QueuedSubmission[]): Promise<void> {
    const next = this.chain.then(async () => {
      const pending = f(await this.list());
      await writeFileAtomic(this.path, `${JSON.stringify({ schema: 'oel.team.queue/v1', pending }, null, 1)}\n`, { mode: 0o600 });
    });
    this.chain = next.catch(() => undefined);
    return next;
  }
}
