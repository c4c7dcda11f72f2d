/**
 * Checkpoints of one task: before each edit or command the agent makes, a mark; for each edit it applied, the file's
 * text before and after. Restoring to a checkpoint puts every file the agent changed from that mark on back to its
 * text at the mark (a file the agent created is deleted), through {@link WorkspaceFiles} like every other write.
 *
 * The user's newer work is never lost silently: a file whose text is no longer what the agent last wrote (the user
 * edited it after the task) is a conflict, and nothing is written unless the user confirms overwriting those files.
 *
 * What a command changed is covered when the workspace is a git repository (gitSnapshot.ts: the files are hashed into
 * git's object store before and after the command, and each changed text file is recorded like an edit). Otherwise,
 * and for binary or very large files, only the agent's own edits are recorded; restoring to the mark before a command
 * still undoes the edits that came after it.
 */
import { z } from 'zod';
import type { Step } from '../trajectory/episode';
import type { WorkspaceFiles } from '../tools/workspaceFiles';
import { EditConflictError, textHash } from '../tools/workspaceFiles';
import { PathOutsideWorkspaceError } from '../tools/workspacePaths';
import { looksBinary } from '../tools/readTools';
import { changedPaths, readBlob, takeSnapshot, type Snapshot } from './gitSnapshot';

/**
 * One file the agent changed: its text before (null: it did not exist) and after (null: a command deleted it);
 * `kind`: an edit of the agent, or a change a command made.
 */
export interface FileChange { callId: string; path: string; before: string | null; after: string | null; kind?: 'edit' | 'command' }

/** A file a restore cannot put back without overwriting the user's newer work (or at all), and why. */
export interface RestoreConflict { path: string; reason: string }

/** What a restore did: the files it put back, the calls whose changes it undid, and what it left alone. */
export interface RestoreResult {
  /** The checkpoint restored to (a call id), or null for the start of the task. */
  toCallId: string | null;
  /** Files put back, in the order of their first change. */
  restored: string[];
  /** The changes undone, one per call and file (an `edit` is an accepted edit that no longer stands). */
  edits: { callId: string; path: string; kind: 'edit' | 'command' }[];
  /** Files not restored: changed since the agent wrote them (without `overwrite`), or refused by the workspace. */
  conflicts: RestoreConflict[];
  /** Files put back although the user had changed them since (only with `overwrite`). */
  overwritten: string[];
}

/** The checkpoints as stored between windows (checkpointFile.ts): marks and changes, validated when read back. */
export const CheckpointsDataSchema = z.object({
  version: z.literal(1),
  marks: z.array(z.object({ callId: z.string().min(1).max(200), at: z.number().int().min(0) })).max(10_000),
  changes: z.array(z.object({
    callId: z.string().min(1).max(200), path: z.string().min(1).max(4096), before: z.string().nullable(), after: z.string().nullable(),
    kind: z.enum(['edit', 'command']).optional(),
  })).max(10_000),
});
export type CheckpointsData = z.infer<typeof CheckpointsDataSchema>;

/** The checkpoints of one task, in the order the agent acted. */
export class TaskCheckpoints {
  /** Checkpoints read back from their stored form (already validated against {@link CheckpointsDataSchema}). */
  static fromData(data: CheckpointsData): TaskCheckpoints {
    const c = new TaskCheckpoints();
    c.list.push(...data.changes);
    for (const m of data.marks) c.marks.push({ callId: m.callId, at: Math.min(m.at, data.changes.length) });
    return c;
  }

  /** The stored form. */
  toData(): CheckpointsData {
    return { version: 1, marks: this.marks.map((m) => ({ ...m })), changes: this.list.map((c) => ({ ...c })) };
  }

  /** Call ids of the edits and commands, each with the number of changes recorded before it. */
  private readonly marks: { callId: string; at: number }[] = [];
  private readonly list: FileChange[] = [];

  /** Marks the state before an edit or a command (called before it is asked about or run). */
  mark(callId: string): void {
    if (!this.marks.some((m) => m.callId === callId)) this.marks.push({ callId, at: this.list.length });
  }

  /** Records an edit the agent applied. */
  record(change: FileChange): void {
    this.list.push(change);
  }

  private readonly pendingSnapshots = new Map<string, Snapshot>();

  /** Right before a command runs: snapshots the workspace (git repositories only, see gitSnapshot.ts). */
  async beforeCommand(callId: string, root: string): Promise<void> {
    const snap = await takeSnapshot(root);
    if (snap) this.pendingSnapshots.set(callId, snap);
  }

  /** After the command: records each text file it created, changed or deleted, as the agent's change of that step. */
  async afterCommand(callId: string, root: string, files: WorkspaceFiles): Promise<void> {
    const before = this.pendingSnapshots.get(callId);
    this.pendingSnapshots.delete(callId);
    const after = before && (await takeSnapshot(root));
    if (!before || !after) return;
    for (const path of changedPaths(before, after)) {
      try {
        const was = before.has(path) ? await readBlob(root, before.get(path)!) : null;
        const now = await readText(files, path);
        if ((was && looksBinary(was)) || (now !== null && looksBinary(Buffer.from(now, 'utf8')))) continue;
        this.list.push({ callId, path, before: was === null ? null : was.toString('utf8'), after: now, kind: 'command' });
      } catch {
        // A path that now leads out of the workspace, or a blob git cannot read back: not restorable, left out.
      }
    }
  }

  /** The changes recorded so far, in order. */
  get changes(): readonly FileChange[] {
    return this.list;
  }

  /** Whether restoring to the checkpoint before `callId` (null: the start of the task) would change any file. */
  canRestore(callId: string | null): boolean {
    const at = this.indexOf(callId);
    return at !== undefined && at < this.list.length;
  }

  /** The call ids with a checkpoint whose restore would change files (the view offers Restore on those cards). */
  restorable(): string[] {
    return this.marks.filter((m) => m.at < this.list.length).map((m) => m.callId);
  }

  private indexOf(callId: string | null): number | undefined {
    if (callId === null) return 0;
    return this.marks.find((m) => m.callId === callId)?.at;
  }

  /**
   * Puts the files back to how they were at the checkpoint before `callId` (null: before the task's first change).
   * A file whose text is not what the agent last wrote is a conflict: without `overwrite`, nothing at all is written
   * and the conflicts are returned; with it, those files are overwritten too and listed in `overwritten`. Restored
   * changes are forgotten, so the checkpoints then describe the files as they are.
   */
  async restore(files: WorkspaceFiles, callId: string | null, { overwrite = false }: { overwrite?: boolean } = {}): Promise<RestoreResult> {
    const at = this.indexOf(callId);
    const result: RestoreResult = { toCallId: callId, restored: [], edits: [], conflicts: [], overwritten: [] };
    if (at === undefined) {
      result.conflicts.push({ path: '', reason: 'This step has no checkpoint in the current task.' });
      return result;
    }
    const undone = this.list.slice(at);
    // Per file: the text at the checkpoint (its first change's `before`) and the text the agent left (its last `after`).
    const plan = new Map<string, { target: string | null; expected: string | null }>();
    for (const c of undone) {
      const p = plan.get(c.path);
      if (p) p.expected = c.after;
      else plan.set(c.path, { target: c.before, expected: c.after });
    }
    const current = new Map<string, string | null>();
    for (const [path, p] of plan) {
      let text: string | null;
      try {
        text = await readText(files, path);
      } catch (e) {
        result.conflicts.push({ path, reason: (e as Error).message });
        continue;
      }
      current.set(path, text);
      if (text === p.expected) continue;
      const reason = text === null ? `${path} was deleted after the agent wrote it.` : p.expected === null ? `${path} was created again after the agent's command deleted it.` : `${path} was changed after the agent wrote it.`;
      if (overwrite) result.overwritten.push(path);
      else result.conflicts.push({ path, reason });
    }
    if (result.conflicts.length) return { ...result, overwritten: [] };
    for (const [path, p] of plan) {
      const now = current.get(path) ?? null;
      try {
        if (p.target === null) {
          if (now !== null) await files.deleteFile(path, textHash(now));
        } else if (now === null) {
          await files.applyEdit({ path, mode: 'create', before: '', after: p.target, beforeHash: null });
        } else if (now !== p.target) {
          await files.applyEdit({ path, mode: 'whole', before: now, after: p.target, beforeHash: textHash(now) });
        }
        result.restored.push(path);
      } catch (e) {
        // Raced by an editor or a process between the check and the write: this file is left as it is, and said so.
        if (!(e instanceof EditConflictError) && !(e instanceof PathOutsideWorkspaceError)) throw e;
        result.conflicts.push({ path, reason: e.message });
      }
    }
    const seen = new Set<string>();
    for (const c of undone) {
      if (result.conflicts.some((x) => x.path === c.path) || seen.has(`${c.callId}\0${c.path}`)) continue;
      seen.add(`${c.callId}\0${c.path}`);
      result.edits.push({ callId: c.callId, path: c.path, kind: c.kind ?? 'edit' });
    }
    // What was put back is forgotten; a file that could not be restored keeps its changes (a later restore may retry).
    const kept = undone.filter((c) => result.conflicts.some((x) => x.path === c.path));
    this.list.splice(at, undone.length, ...kept);
    for (const m of this.marks) if (m.at > this.list.length) m.at = this.list.length;
    return result;
  }
}

/**
 * Restores (see {@link TaskCheckpoints.restore}) and records what the user did to the task's trajectory through
 * `record`: a `restore` step, and an `edit_check` that no longer stands for each undone edit of the agent (a command's
 * changes are in the restore step only). Nothing is recorded when no file was put back.
 */
export async function restoreAndRecord(checkpoints: TaskCheckpoints, files: WorkspaceFiles, callId: string | null, opts: { overwrite?: boolean }, record: (step: Step) => void): Promise<RestoreResult> {
  const result = await checkpoints.restore(files, callId, opts);
  if (!result.restored.length) return result;
  const at = new Date().toISOString();
  record({ kind: 'restore', at, toCallId: callId, callIds: [...new Set(result.edits.map((e) => e.callId))], paths: result.restored, ...(result.overwritten.length ? { overwritten: result.overwritten } : {}) });
  for (const e of result.edits) if (e.kind === 'edit') record({ kind: 'edit_check', at, callId: e.callId, path: e.path, stillStands: false });
  return result;
}

/** The file's text now, or null when nothing is there. */
async function readText(files: WorkspaceFiles, path: string): Promise<string | null> {
  const p = await files.resolve(path);
  if (p.kind === null) return null;
  if (p.kind !== 'file') throw new EditConflictError(`${path} is no longer a file.`);
  return (await files.readFile(path)).bytes.toString('utf8');
}
