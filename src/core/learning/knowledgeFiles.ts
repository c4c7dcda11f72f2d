/**
 * Reads the two knowledge files for the Learning view's statistics. The workspace file comes with the repository, so
 * it is confined at the moment of use: its real path must lie inside the workspace (a `.oel/knowledge.md` symlinked
 * to a file elsewhere is not read), it must be a regular file (not a FIFO or a device that never ends), and it must
 * be at most {@link MAX_KNOWLEDGE_BYTES}. A file that fails a check is left out with a warning; the view still shows
 * everything else.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { parseKnowledge, type KnowledgeDocument } from '../knowledge/format';
import { WORKSPACE_KNOWLEDGE_PATH } from '../knowledge/provider';
import { WorkspaceFiles } from '../tools/workspaceFiles';
import { PathOutsideWorkspaceError } from '../tools/workspacePaths';

/** Largest knowledge file the statistics read (a file of 1,000 items is about 310 KiB). */
export const MAX_KNOWLEDGE_BYTES = 8 * 1024 * 1024;

/** Which files to read: the workspace root (its `.oel/knowledge.md`) and the user's file; null for none. */
export interface KnowledgeFilesForStats {
  workspaceRoot: string | null;
  userFile: string | null;
  warn?: (message: string) => void;
}

async function readRegularFile(path: string, label: string, warn: (m: string) => void): Promise<string | null> {
  let fh;
  try {
    // No symlink is followed at the last step (`path` is already the real path that was confined), and opening a FIFO
    // does not wait for a writer (O_NONBLOCK; it changes nothing for a regular file).
    fh = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') warn(`learning: cannot read ${label}: ${(e as Error).message}`);
    return null;
  }
  try {
    // Checked on the open file, so what was checked is what is read.
    const st = await fh.stat();
    if (!st.isFile()) { warn(`learning: ${label} is not a regular file; left out`); return null; }
    if (st.size > MAX_KNOWLEDGE_BYTES) { warn(`learning: ${label} is larger than ${MAX_KNOWLEDGE_BYTES / 1048576} MiB; left out`); return null; }
    return await fh.readFile('utf8');
  } finally {
    await fh.close();
  }
}

/**
 * The parsed knowledge documents, workspace file first (the order `topCited` gives priority in). Missing files are
 * simply absent; never throws for a file's content.
 */
export async function readKnowledgeForStats(opts: KnowledgeFilesForStats): Promise<KnowledgeDocument[]> {
  const warn = opts.warn ?? (() => {});
  const docs: KnowledgeDocument[] = [];
  if (opts.workspaceRoot) {
    try {
      // Confined by the tools' own capability: the real path, links resolved, must stay inside the workspace.
      const p = await new WorkspaceFiles(opts.workspaceRoot).resolve(WORKSPACE_KNOWLEDGE_PATH);
      const text = p.kind === null ? null : await readRegularFile(p.real, 'the workspace knowledge file', warn);
      if (text !== null) docs.push(parseKnowledge(text).doc);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return docs.concat(await userDoc(opts, warn)); // no workspace folder on disk
      if (!(e instanceof PathOutsideWorkspaceError)) throw e;
      warn(`learning: ${join(opts.workspaceRoot, WORKSPACE_KNOWLEDGE_PATH)} leads outside the workspace; left out`);
    }
  }
  return docs.concat(await userDoc(opts, warn));
}

async function userDoc(opts: KnowledgeFilesForStats, warn: (m: string) => void): Promise<KnowledgeDocument[]> {
  if (!opts.userFile) return [];
  const text = await readRegularFile(opts.userFile, 'the user knowledge file', warn);
  return text === null ? [] : [parseKnowledge(text).doc];
}
