/**
 * Resolving a path the model sent to the real file it names, inside the workspace or not at all. Every component is
 * looked at with `lstat`; a symbolic link is followed only when its whole target (`realpath`) is inside the workspace's
 * real root, and a link whose target does not exist is refused (writing "through" it would create the target, which
 * may be anywhere). {@link WorkspaceFiles} calls this at the moment of each read or write, never ahead of time.
 */
import { constants } from 'node:fs';
import { lstat, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

/** Thrown for a path outside the workspace (lexically or through a link) or through a broken link; its message goes to the model. */
export class PathOutsideWorkspaceError extends Error {}

/**
 * `open` flags that refuse a symbolic link as the last component (0 where the platform has none: Windows). The tools
 * open the real path they just resolved, so a link found there at open time was put there since, and is not followed.
 * O_NONBLOCK keeps a named pipe swapped in at the last moment from blocking the open; regular files ignore it.
 */
export const OPEN_NO_FOLLOW = (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** What kind of entry a resolved path names; null when nothing is there (yet). */
export type EntryKind = 'file' | 'dir' | 'other' | null;

/** A workspace path resolved at one moment. */
export interface ResolvedPath {
  /** Relative to the workspace root, '/'-separated, '.' for the root: how the tools show it. */
  relative: string;
  /**
   * The real path: every existing component with its links resolved, followed by the components that do not exist
   * yet (for a file to create). Contains no symbolic link at the moment it was resolved.
   */
  real: string;
  /** `real` relative to the real root, '/'-separated: what a link inside the workspace really points at. */
  realRelative: string;
  /** The workspace root's real path. */
  realRoot: string;
  kind: EntryKind;
  /** Size in bytes (0 unless a file). */
  size: number;
  /** How many trailing components of `real` do not exist (0 when the entry exists). */
  missing: number;
}

/** Whether `candidate` is `root` or below it (both absolute and normalized). */
export function isInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

const toSlash = (p: string) => p.split(sep).join('/');

function kindOf(st: { isFile(): boolean; isDirectory(): boolean }): EntryKind {
  return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
}

function code(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Resolves `input` (relative to `root`, or absolute inside it) to a {@link ResolvedPath}. Throws
 * {@link PathOutsideWorkspaceError} when the path leaves the root lexically (`..`, another absolute path), when a link
 * on the way leads outside the root's real path, or when a link on the way is broken.
 *
 * Case: the comparison is the platform's own (`path.relative`), and links are judged by the real path the file system
 * returns, so on a case-insensitive volume a differently-cased spelling resolves to the same real entry and is judged
 * like it; on a case-sensitive one it simply names another (usually missing) entry.
 */
export async function resolveInWorkspace(root: string, input: string): Promise<ResolvedPath> {
  const lexicalRoot = resolve(root);
  const absolute = resolve(lexicalRoot, input);
  const refuse = (why = 'is outside the workspace') => new PathOutsideWorkspaceError(`Refused: "${input}" ${why}. Use a path relative to the workspace root.`);
  if (!isInside(lexicalRoot, absolute)) throw refuse();
  const realRoot = await realpath(lexicalRoot);
  const shownRelative = toSlash(relative(lexicalRoot, absolute)) || '.';
  const parts = relative(lexicalRoot, absolute).split(sep).filter(Boolean);
  let real = realRoot;
  let st = await stat(realRoot);
  let missing = 0;
  for (let i = 0; i < parts.length; i++) {
    const next = join(real, parts[i]);
    const shown = parts.slice(0, i + 1).join('/');
    let l;
    try {
      l = await lstat(next);
    } catch (e) {
      if (code(e) !== 'ENOENT' && code(e) !== 'ENOTDIR') throw e;
      // Nothing at all is there, not even a broken link: the rest does not exist yet.
      missing = parts.length - i;
      break;
    }
    if (l.isSymbolicLink()) {
      let target: string;
      try {
        target = await realpath(next);
      } catch {
        throw refuse(`goes through "${shown}", a symbolic link whose target does not exist`);
      }
      if (!isInside(realRoot, target)) throw refuse(`goes through "${shown}", a symbolic link that leads outside the workspace`);
      real = target;
      st = await stat(target);
    } else {
      real = next;
      st = l;
    }
  }
  // The existing part once more through realpath: it spells each name as the volume does (case-insensitive volumes),
  // so later comparisons with realpath agree, and a link swapped in during the walk is caught here.
  real = await realpath(real);
  if (!isInside(realRoot, real)) throw refuse('leads outside the workspace');
  if (missing) real = join(real, ...parts.slice(parts.length - missing));
  return {
    relative: shownRelative,
    real,
    realRelative: toSlash(relative(realRoot, real)) || '.',
    realRoot,
    kind: missing ? null : kindOf(st),
    size: !missing && st.isFile() ? Number(st.size) : 0,
    missing,
  };
}
