/**
 * What a command changed in the workspace, when the workspace is a git repository: before and after the command, every
 * file git would see (not ignored) is hashed into git's object store, so the text each changed file had before the
 * command can be read back for a checkpoint restore. Nothing of the user's repository state is touched: the hashing
 * uses a throw-away index file (never the user's index), creates no commit, ref or stash, and only adds unreferenced
 * blobs (git's gc removes them in time).
 *
 * The repository is hostile input: its config could name programs git runs (fsmonitor, hooks, clean filters). Every
 * call turns those off (`core.fsmonitor=false`, `core.hooksPath=/dev/null`, `hash-object --no-filters`), reads no
 * system or global config, and runs with a minimal environment; links are not followed (only regular files are
 * hashed). Without a `.git` folder at the root, or when git is missing or fails, there is no snapshot and what a command
 * changed is not covered (checkpoints still cover the agent's own edits).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Most files hashed per snapshot; a larger workspace gets none (a snapshot per command would take too long). */
export const MAX_SNAPSHOT_FILES = 20_000;
/** Largest file hashed; larger ones are left out of snapshots (and so out of restores). */
export const MAX_SNAPSHOT_FILE_BYTES = 2 * 1024 * 1024;

/** Workspace-relative path ('/'-separated) → git blob id of its content at snapshot time. */
export type Snapshot = Map<string, string>;

/** Options that keep repository config from running anything, before every git subcommand. */
const SAFE_CONFIG = ['-c', 'core.fsmonitor=false', '-c', 'core.hooksPath=/dev/null', '-c', 'core.untrackedCache=false', '-c', 'core.quotePath=false'];

function git(root: string, args: string[], index: string, input?: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile('git', [...SAFE_CONFIG, ...args], {
      cwd: root, encoding: 'buffer', maxBuffer: 256 * 1024 * 1024, timeout: 60_000,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin', GIT_INDEX_FILE: index, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C',
      },
    }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** A fresh, absent index path: git treats it as an empty index, so the user's own index is never read or written. */
const scratchIndex = () => join(tmpdir(), `oel-snapshot-${randomBytes(6).toString('hex')}.index`);

/** Hashes the workspace's files into git's object store; null when the workspace is not a repository or git fails. */
export async function takeSnapshot(root: string): Promise<Snapshot | null> {
  if (!existsSync(join(root, '.git'))) return null;
  const index = scratchIndex();
  try {
    // With an empty index every file that is not ignored counts as "other": the whole workspace git would see.
    const listed = (await git(root, ['ls-files', '-z', '--others', '--exclude-standard'], index)).toString('utf8').split('\0').filter(Boolean);
    if (listed.length > MAX_SNAPSHOT_FILES) return null;
    const paths: string[] = [];
    for (const p of listed) {
      if (p.includes('\n')) continue; // --stdin-paths is line-based
      const st = await lstat(join(root, p)).catch(() => null);
      if (st?.isFile() && st.size <= MAX_SNAPSHOT_FILE_BYTES) paths.push(p);
    }
    if (!paths.length) return new Map();
    const ids = (await git(root, ['hash-object', '-w', '--no-filters', '--stdin-paths'], index, `${paths.join('\n')}\n`)).toString('utf8').trim().split('\n');
    if (ids.length !== paths.length) return null;
    return new Map(paths.map((p, i) => [p, ids[i]]));
  } catch {
    return null;
  } finally {
    await rm(index, { force: true }).catch(() => undefined);
  }
}

/** The paths whose content differs between two snapshots (added, changed or removed), sorted. */
export function changedPaths(before: Snapshot, after: Snapshot): string[] {
  const out = new Set<string>();
  for (const [p, id] of before) if (after.get(p) !== id) out.add(p);
  for (const p of after.keys()) if (!before.has(p)) out.add(p);
  return [...out].sort();
}

/** The content of a blob a snapshot recorded. */
export async function readBlob(root: string, id: string): Promise<Buffer> {
  if (!/^[0-9a-f]{40,64}$/.test(id)) throw new Error('not a blob id');
  const index = scratchIndex();
  try {
    return await git(root, ['cat-file', 'blob', id], index);
  } finally {
    await rm(index, { force: true }).catch(() => undefined);
  }
}
