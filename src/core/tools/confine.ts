/** Path confinement: every path a tool touches must stay inside the workspace root, symlinks included. */
import { isAbsolute, relative, resolve, sep, dirname, basename, join } from 'node:path';
import type { ToolHost } from './host';

/** A path the tools may use: absolute, and relative to the root for display. */
export interface ConfinedPath { absolute: string; relative: string }

/** Thrown for a path outside the workspace; its message goes to the model. */
export class PathOutsideWorkspaceError extends Error {}

function inside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Resolves `input` against the workspace root and refuses it when it lands outside, lexically or through a symlink
 * (the real path of the file, or of its nearest existing parent for a file not yet created).
 */
export async function confinePath(host: ToolHost, input: string): Promise<ConfinedPath> {
  const root = resolve(host.root);
  const absolute = resolve(root, input);
  const refuse = () => new PathOutsideWorkspaceError(`Refused: "${input}" is outside the workspace. Use a path relative to the workspace root.`);
  if (!inside(root, absolute)) throw refuse();
  const rootReal = (await host.stat(root))?.realPath ?? root;
  // Walk up to the nearest existing ancestor, so a new file under a symlinked folder is checked too.
  let probe = absolute;
  let rest = '';
  for (;;) {
    const st = await host.stat(probe);
    if (st) {
      if (!inside(rootReal, join(st.realPath, rest))) throw refuse();
      break;
    }
    if (probe === root || dirname(probe) === probe) break;
    rest = rest ? join(basename(probe), rest) : basename(probe);
    probe = dirname(probe);
  }
  return { absolute, relative: relative(root, absolute) || '.' };
}
