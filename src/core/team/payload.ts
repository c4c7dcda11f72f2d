/**
 * The exact JSON of a submission. The same string is shown in "Preview Next Submission", stored in the queue, sent,
 * and written to the audit log, so what the user approved is byte for byte what left the machine.
 */
import { randomBytes } from 'node:crypto';
import { SubmissionRequestSchema } from '../protocol/consolidation';
import { TeamError } from './errors';

/**
 * The anonymizer as the team client needs it ({@link teamAnonymizer} over src/core/anonymize). It gets every text of
 * one submission in one call, so its placeholders are consistent across them, and returns as many texts, in order.
 */
export interface Anonymizer { anonymize(texts: string[]): Promise<{ texts: string[] }> | { texts: string[] } }

/** A local knowledge item the user consented to share. */
export interface ShareableItem { id: string; text: string }

/** One text before and after anonymization, for the preview. */
export interface PreviewPair { original: string; anonymized: string }

/** A built submission: the exact `body`, and what each text was before anonymization. */
export interface SubmissionDraft {
  submission_id: string;
  /** The exact bytes sent (UTF-8 of this string). */
  body: string;
  items: Array<PreviewPair & { client_id: string }>;
  task_statements: PreviewPair[];
}

/** A fresh submission id: sortable time plus randomness, within the protocol's `ClientIdSchema`. */
export function newSubmissionId(now = new Date()): string {
  return `s-${now.toISOString().replace(/[-:.]/g, '')}-${randomBytes(6).toString('hex')}`;
}

/**
 * Anonymizes the items and task statements of one submission in a single anonymizer call and serializes the request
 * (pretty-printed, so the preview is readable and still exactly what is sent). Checks the protocol's limits here, so
 * a mistake is a message naming the item before anything is queued, never a 400 later.
 */
export async function buildSubmission(input: { items: ShareableItem[]; taskStatements?: string[]; submissionId?: string }, anonymizer: Anonymizer): Promise<SubmissionDraft> {
  const statements = input.taskStatements ?? [];
  const originals = [...input.items.map((i) => i.text), ...statements];
  const out = (await anonymizer.anonymize(originals)).texts;
  if (out.length !== originals.length) throw new Error(`anonymizer returned ${out.length} texts for ${originals.length}`);
  const items = input.items.map((it, n) => ({ client_id: it.id, original: it.text, anonymized: out[n].trim() }));
  const task_statements = statements.map((s, n) => ({ original: s, anonymized: out[input.items.length + n].trim() }));
  const request = {
    submission_id: input.submissionId ?? newSubmissionId(),
    items: items.map((i) => ({ client_id: i.client_id, text: i.anonymized })),
    task_statements: task_statements.map((t) => t.anonymized),
  };
  const parsed = SubmissionRequestSchema.safeParse(request);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const [where, n] = issue.path;
    const who = where === 'items' && typeof n === 'number' ? `item ${items[n]?.client_id ?? n}` : where === 'task_statements' && typeof n === 'number' ? `task statement ${n + 1}` : String(where ?? 'submission');
    throw new TeamError('invalid', `Cannot share ${who}: ${issue.path.slice(2).join('.') || 'it'} ${issue.message}. Shorten or drop it.`, { field: issue.path.join('.') });
  }
  return { submission_id: request.submission_id, body: JSON.stringify(request, null, 2), items, task_statements };
}
