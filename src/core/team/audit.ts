/**
 * The local audit log of everything that left the machine for a team server: one JSON line per sent submission with
 * the time, the server, the exact body and the server's answer. Appended and fsynced before the submission leaves the
 * queue (see flushQueue's `onSent`), so the log never misses a submission the server has.
 */
import { open, readFile } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { SubmissionResponseSchema, type SubmissionResponse } from '../protocol/consolidation';

/** One line of the audit log. */
export const AuditEntrySchema = z.object({
  at: z.string(),
  server: z.string(),
  submission_id: z.string(),
  /** The exact request body sent. */
  body: z.string(),
  response: SubmissionResponseSchema,
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

/** Appends one entry (file mode 0600: the log holds what was shared, which is the user's business). */
export async function appendAudit(path: string, entry: { server: string; submission_id: string; body: string; response: SubmissionResponse; at?: string }): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const line = `${JSON.stringify({ at: entry.at ?? new Date().toISOString(), server: entry.server, submission_id: entry.submission_id, body: entry.body, response: entry.response })}\n`;
  const fh = await open(path, 'a', 0o600);
  try {
    await fh.write(line);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Reads the log, newest last. A line that does not parse (a torn last write) is skipped and counted, never fatal. */
export async function readAudit(path: string): Promise<{ entries: AuditEntry[]; unreadable: number }> {
  let text: string;
  try { text = await readFile(path, 'utf8'); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], unreadable: 0 };
    throw e;
  }
  const entries: AuditEntry[] = [];
  let unreadable = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const p = AuditEntrySchema.safeParse(JSON.parse(line));
      if (p.success) entries.push(p.data); else unreadable++;
    } catch { unreadable++; }
  }
  return { entries, unreadable };
}
