/**
 * The Agent view's transcript on disk, so the current task's conversation survives a window reload. Written
 * atomically with secrets redacted (like the trajectory); read back item by item against the protocol's schema, so a
 * damaged or older file loses only what does not fit; a run the reload cut short is closed as such.
 */
import { readFile, rm } from 'node:fs/promises';
import { writeFileAtomic } from '../util/atomicWrite';
import { redactValue } from '../redact/redact';
import { TranscriptItemSchema, type TranscriptItem } from './webview';

const VERSION = 1;
/** Said at the end of a restored transcript whose run the reload ended. */
export const INTERRUPTED_MESSAGE = 'The window was reloaded while the agent was running; this run ended there.';

/**
 * Writes `items` to `file` (atomically); streamed command output is left out where its result holds it. `episodeId`
 * names the task the transcript shows, so a follow-up after the reload can continue it (resume.ts).
 */
export async function saveTranscript(file: string, items: readonly TranscriptItem[], knownSecrets: readonly string[] = [], episodeId?: string): Promise<void> {
  if (!items.length) { await rm(file, { force: true }); return; }
  const finished = new Set(items.flatMap((i) => (i.type === 'toolResult' ? [i.callId] : [])));
  const kept = items.filter((i) => i.type !== 'toolOutput' || !finished.has(i.callId));
  await writeFileAtomic(file, JSON.stringify({ version: VERSION, items: redactValue(kept, knownSecrets), ...(episodeId ? { episodeId } : {}) }));
}

/**
 * Reads a transcript written by {@link saveTranscript}; [] when there is none. Items that do not match the protocol
 * are dropped (and counted in `dropped`); a run left open is closed with {@link closeInterrupted}. `episodeId`: the
 * task it showed, when it was saved with one.
 */
export async function loadTranscript(file: string): Promise<{ items: TranscriptItem[]; dropped: number; episodeId?: string }> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { items: [], dropped: 0 };
    return { items: [], dropped: 1 };
  }
  const list = (raw as { version?: unknown; items?: unknown } | null)?.version === VERSION ? (raw as { items?: unknown }).items : undefined;
  if (!Array.isArray(list)) return { items: [], dropped: 1 };
  const items: TranscriptItem[] = [];
  for (const entry of list) {
    const r = TranscriptItemSchema.safeParse(entry);
    if (r.success) items.push(r.data);
  }
  // Only an id of the form the store writes: the file is ours, but a damaged one must not name an arbitrary path.
  const id = (raw as { episodeId?: unknown }).episodeId;
  const episodeId = typeof id === 'string' && /^[A-Za-z0-9-]{1,100}$/.test(id) ? id : undefined;
  return { items: closeInterrupted(items), dropped: list.length - items.length, ...(episodeId ? { episodeId } : {}) };
}

/**
 * Closes what a reload cut short: calls without a result become `cancelled`, open approvals rejected (nobody waits for
 * them any more), and a run without an end gets one (`stopped`), so the view offers no dead buttons.
 */
export function closeInterrupted(items: readonly TranscriptItem[]): TranscriptItem[] {
  const out = [...items];
  const results = new Set(out.flatMap((i) => (i.type === 'toolResult' ? [i.callId] : [])));
  const resolved = new Set(out.flatMap((i) => (i.type === 'approvalResolved' ? [i.callId] : [])));
  let open = false;
  for (const i of items) {
    if (i.type === 'user') open = true;
    else if (i.type === 'taskEnded') open = false;
  }
  // Questions first (as Stop does it), then the calls they held up.
  for (const i of items) if (i.type === 'approvalRequest' && !resolved.has(i.callId)) out.push({ type: 'approvalResolved', callId: i.callId, decision: 'rejected' });
  for (const i of items) if (i.type === 'toolCall' && !results.has(i.callId)) out.push({ type: 'toolResult', callId: i.callId, status: 'cancelled', output: 'Not finished: the window was reloaded.' });
  if (open) out.push({ type: 'taskEnded', reason: 'stopped', message: INTERRUPTED_MESSAGE });
  return out;
}
