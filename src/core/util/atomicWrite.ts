/**
 * Atomic, durable file writes: a temporary sibling is written and fsynced, renamed over the target, then the folder is
 * fsynced so the rename itself survives a crash. A reader sees the old file or the new one, never half of one. Used by
 * the knowledge files, the consolidation server's database, keys, tokens and manifests.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Errors with which a platform says it cannot fsync a folder at all (Windows); the rename is still atomic there. */
const DIR_FSYNC_UNSUPPORTED = new Set(['EISDIR', 'EPERM', 'EINVAL', 'ENOTSUP']);

function tempSibling(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** fsyncs a folder so that a rename inside it is durable. Any error other than "unsupported here" is thrown. */
export function fsyncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch (e) {
    if (DIR_FSYNC_UNSUPPORTED.has((e as NodeJS.ErrnoException).code ?? '')) return;
    throw e;
  }
  try {
    fsyncSync(fd);
  } catch (e) {
    if (!DIR_FSYNC_UNSUPPORTED.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
  } finally {
    closeSync(fd);
  }
}

/** Writes `text` to `path` atomically and durably (creating the folder); `mode` applies to a newly created file. */
export async function writeFileAtomic(path: string, text: string, { mode = 0o644 }: { mode?: number } = {}): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempSibling(path);
  const fh = await open(tmp, 'w', mode);
  try {
    await fh.writeFile(text, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  fsyncDir(dirname(path));
}

/** Synchronous {@link writeFileAtomic}, for small files written outside any hot path (keys, tokens, manifests). */
export function writeFileAtomicSync(path: string, text: string, { mode = 0o644 }: { mode?: number } = {}): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempSibling(path);
  writeFileSync(tmp, text, { mode });
  const fd = openSync(tmp, 'r+');
  try { fsyncSync(fd); } finally { closeSync(fd); }
  try {
    renameSync(tmp, path);
  } catch (e) {
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw e;
  }
  fsyncDir(dirname(path));
}
