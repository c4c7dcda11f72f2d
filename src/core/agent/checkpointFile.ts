/**
 * A task's checkpoints on disk (the extension's workspace storage), so Restore and "Undo all changes of this task"
 * still work after a window reload or when the task is resumed from History. One JSON file per episode, written
 * atomically; read back against the schema, so a damaged or foreign file gives no checkpoints rather than wrong ones.
 * The file holds the texts the agent changed (not redacted: a restore must write them back exactly), next to the
 * workspace's other local state; it is deleted with its task.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomicWrite';
import { CheckpointsDataSchema, TaskCheckpoints } from './checkpoints';

/** Largest checkpoint file written; a task that changed more is not kept across windows (its checkpoints stay in memory). */
export const MAX_CHECKPOINT_FILE_BYTES = 8 * 1024 * 1024;

/** The file of an episode's checkpoints; null for an id that is not an episode id (it must not name another path). */
function fileOf(dir: string, episodeId: string): string | null {
  return /^[A-Za-z0-9-]{1,100}$/.test(episodeId) ? join(dir, `${episodeId}.json`) : null;
}

/** Saves the checkpoints (removes the file when nothing is left to restore). Returns false when not saved (too large, bad id). */
export async function saveCheckpoints(dir: string, episodeId: string, checkpoints: TaskCheckpoints): Promise<boolean> {
  const file = fileOf(dir, episodeId);
  if (!file) return false;
  if (!checkpoints.restorable().length) { await rm(file, { force: true }); return true; }
  const text = JSON.stringify(checkpoints.toData());
  if (Buffer.byteLength(text) > MAX_CHECKPOINT_FILE_BYTES) { await rm(file, { force: true }); return false; }
  await writeFileAtomic(file, text);
  return true;
}

/** The saved checkpoints of an episode, or null when there are none (or the file does not fit the schema). */
export async function loadCheckpoints(dir: string, episodeId: string): Promise<TaskCheckpoints | null> {
  const file = fileOf(dir, episodeId);
  if (!file) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return null;
  }
  const r = CheckpointsDataSchema.safeParse(raw);
  return r.success ? TaskCheckpoints.fromData(r.data) : null;
}

/** Deletes an episode's checkpoints (the task was deleted). */
export async function deleteCheckpoints(dir: string, episodeId: string): Promise<void> {
  const file = fileOf(dir, episodeId);
  if (file) await rm(file, { force: true });
}
