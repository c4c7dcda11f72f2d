/**
 * The Agent view's checkpoints: kept on disk so Restore outlives the window, loaded for a past task shown for
 * resuming, and restored with the user's consent before the user's own later changes are overwritten.
 */
import * as vscode from 'vscode';
import type { OelContext } from './context';
import { loadCore, type AgentSession, type TaskCheckpoints } from './core';
import { checkpointsDir } from './history';
import { openDocuments } from './toolHost';

type RestoreResult = Awaited<ReturnType<AgentSession['restoreCheckpoint']>>;

/** A task's checkpoints, by the task (episode) they belong to. */
export interface EpisodeCheckpoints { episodeId: string; checkpoints: TaskCheckpoints }

/** Whose checkpoints a restore uses, and how it restores them and records that it did. */
export interface RestoreTarget extends EpisodeCheckpoints {
  restore(callId: string | null, opts: { overwrite?: boolean }): Promise<RestoreResult>;
}

/** Keeps the checkpoints of a task on disk (after each run and restore), so they outlive the window. */
export async function saveTaskCheckpoints(ctx: OelContext, { episodeId, checkpoints }: EpisodeCheckpoints): Promise<void> {
  const { saveCheckpoints } = await loadCore();
  if (!(await saveCheckpoints(checkpointsDir(ctx), episodeId, checkpoints).catch((e: unknown) => { ctx.log.warn(`checkpoints of ${episodeId} not saved: ${(e as Error).message}`); return true; }))) {
    ctx.log.warn(`checkpoints of ${episodeId} are too large to keep after the window closes; Restore works until then`);
  }
}

/** The saved checkpoints of a past task shown in the view (after a reload, or resumed from History), if any. */
export async function loadTaskCheckpoints(ctx: OelContext, episodeId: string): Promise<EpisodeCheckpoints | undefined> {
  const { loadCheckpoints } = await loadCore();
  const checkpoints = await loadCheckpoints(checkpointsDir(ctx), episodeId);
  return checkpoints ? { episodeId, checkpoints } : undefined;
}

/** The current session's checkpoints: restored and recorded through the session (and so its recorder). */
export function sessionRestoreTarget(session: AgentSession): RestoreTarget {
  return { episodeId: session.episodeId, checkpoints: session.checkpoints, restore: (id, opts) => session.restoreCheckpoint(id, opts) };
}

/** A past task's checkpoints, restored with the restore recorded straight into that task's episode; none without a folder. */
export async function pastTaskRestoreTarget(ctx: OelContext, past: EpisodeCheckpoints): Promise<RestoreTarget | undefined> {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!root) return undefined;
  const core = await loadCore();
  const store = await ctx.store();
  const files = new core.WorkspaceFiles(root, { documents: openDocuments() });
  return {
    episodeId: past.episodeId, checkpoints: past.checkpoints,
    // Steps hold paths and call ids only, but go through the same redaction as everything the recorder writes.
    restore: (id, opts) => core.restoreAndRecord(past.checkpoints, files, id, opts, (s) => store.append(past.episodeId, core.redactValue(s, ctx.knownSecrets()))),
  };
}

/**
 * Restores `target` to before `callId` (null: before the task). When every file left alone was changed by the user
 * since the agent wrote it, asks (modal) whether to overwrite those changes, and restores again only if told to.
 */
export async function restoreConfirmingOverwrite(target: RestoreTarget, callId: string | null): Promise<RestoreResult> {
  const result = await target.restore(callId, {});
  const changed = result.conflicts.filter((c) => /changed after|deleted after/.test(c.reason));
  if (!result.conflicts.length || changed.length !== result.conflicts.length) return result;
  const names = changed.map((c) => c.path).join(', ');
  const overwrite = 'Overwrite My Changes';
  const answer = await vscode.window.showWarningMessage(
    `You changed ${names} after the agent wrote ${changed.length === 1 ? 'it' : 'them'}. Restoring overwrites your changes.`,
    { modal: true, detail: 'Choose Overwrite My Changes to restore anyway, or Cancel to keep every file as it is.' }, overwrite);
  return answer === overwrite ? target.restore(callId, { overwrite: true }) : result;
}

/** What the transcript says about a restore: the files restored (and overwritten), and those left as they were. */
export function restoreNotices(result: RestoreResult, callId: string | null): string[] {
  const what = callId === null ? 'to before the task' : 'to before that step';
  const notices: string[] = [];
  if (result.restored.length) notices.push(`Restored ${result.restored.join(', ')} ${what}.${result.overwritten.length ? ` Your later changes to ${result.overwritten.join(', ')} were overwritten, as you chose.` : ''}`);
  if (result.conflicts.length) {
    notices.push(`Not restored: ${result.conflicts.map((c) => c.reason || c.path).join(' ')} ${result.restored.length ? '' : 'No file was changed.'}`.trim());
  }
  return notices;
}
