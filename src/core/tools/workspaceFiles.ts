/**
 * The one capability through which every tool touches the workspace's files, on every host: resolving, reading,
 * listing, searching, creating and applying edits. Each operation confines its path at the moment it acts (see
 * workspacePaths.ts), not when the tool call was checked or approved: approval can take minutes, and a link can be
 * put in a file's place meanwhile. Reads open the resolved real path with O_NOFOLLOW; writes go to a temporary file
 * in the real parent folder, re-resolved right before, and are renamed (edits) or hard-linked (new files) into place,
 * so the last component is never followed either. An edit is applied only if the file still holds the text it was
 * computed from. See docs/extension.md ("Tool-side defences").
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, lstat, mkdir, open, readdir, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fsyncDir } from '../util/atomicWrite';
import type { DirEntry, EditProposal, SearchHit } from './host';
import { DEFAULT_SEARCH_TIMEOUT_MS, searchText, type SearchQuery } from './textSearch';
import { OPEN_NO_FOLLOW, PathOutsideWorkspaceError, isInside, resolveInWorkspace, type ResolvedPath } from './workspacePaths';

/** An approved edit that was not applied because the file is no longer what the edit was computed from; the message is for the model and the user. */
export class EditConflictError extends Error {}

/** A document open in an editor (VS Code): its current text, unsaved changes included, and a way to replace it. */
export interface OpenDocument {
  text: string;
  /** Replaces the whole text through the editor (so Undo works) and saves; false when the editor refused. */
  replaceAndSave(text: string): Promise<boolean>;
}

/** Looks up open documents by real path; the VS Code host provides it, the Node host has none. */
export interface OpenDocuments {
  find(realPath: string): OpenDocument | undefined;
}

/** Options of {@link WorkspaceFiles}. */
export interface WorkspaceFilesOptions {
  /** Open editors: an edit to an open file goes through its document. */
  documents?: OpenDocuments;
  /** Time limit of one search (default {@link DEFAULT_SEARCH_TIMEOUT_MS}). */
  searchTimeoutMs?: number;
  /** Called with the relative path after an edit or a new file was written. */
  onApplied?(relativePath: string): void;
}

/** sha256 (hex) of a text's UTF-8 bytes: what an edit proposal records about the file it was computed from. */
export function textHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

const stripBom = (text: string) => (text.startsWith('\uFEFF') ? text.slice(1) : text);
const errno = (e: unknown) => (e as NodeJS.ErrnoException | undefined)?.code;

/** Reads a file at a real path without following a link put there since it was resolved. */
async function readNoFollow(real: string): Promise<Buffer> {
  const fh = await open(real, constants.O_RDONLY | OPEN_NO_FOLLOW);
  try {
    if (!(await fh.stat()).isFile()) throw new Error('not a regular file');
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

/** Writes a new temporary file in `dir` (exclusive, not through a link) and returns its path. */
async function writeTemp(dir: string, name: string, text: string, mode?: number): Promise<string> {
  const tmp = join(dir, `.${name}.oel-${randomBytes(4).toString('hex')}.tmp`);
  const fh = await open(tmp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | OPEN_NO_FOLLOW, 0o666);
  try {
    if (mode !== undefined) await fh.chmod(mode);
    await fh.writeFile(text, 'utf8');
    await fh.sync();
  } catch (e) {
    await fh.close();
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fh.close();
  return tmp;
}

/** The workspace's files, confined at the moment of every operation. */
export class WorkspaceFiles {
  constructor(readonly root: string, private readonly options: WorkspaceFilesOptions = {}) {}

  /** Resolves and confines `input` now (throws {@link PathOutsideWorkspaceError}); what the path names at this moment. */
  resolve(input: string): Promise<ResolvedPath> {
    return resolveInWorkspace(this.root, input);
  }

  /** Reads a file, confined at the moment of the read. Throws when it is not a file. */
  async readFile(input: string): Promise<{ path: ResolvedPath; bytes: Buffer }> {
    const path = await this.resolve(input);
    if (path.kind !== 'file') throw new Error(`${path.relative} is not a file`);
    return { path, bytes: await readNoFollow(path.real) };
  }

  /**
   * Lists a folder. A link is shown with what it leads to when that is inside the workspace; a link leading out, or
   * broken, is listed as such and not followed.
   */
  async listDir(input: string): Promise<{ path: ResolvedPath; entries: DirEntry[] }> {
    const path = await this.resolve(input);
    if (path.kind !== 'dir') throw new Error(`${path.relative} is not a folder`);
    const entries: DirEntry[] = [];
    for (const e of await readdir(path.real, { withFileTypes: true })) {
      if (!e.isSymbolicLink()) {
        entries.push({ name: e.name, kind: e.isDirectory() ? 'dir' : e.isFile() ? 'file' : 'other' });
        continue;
      }
      let target: string | undefined;
      try { target = await realpath(join(path.real, e.name)); } catch { /* broken */ }
      if (!target) entries.push({ name: e.name, kind: 'other', note: 'broken symbolic link; not followed' });
      else if (!isInside(path.realRoot, target)) entries.push({ name: e.name, kind: 'other', note: 'symbolic link leading outside the workspace; not followed' });
      else {
        const st = await stat(target);
        entries.push({ name: e.name, kind: st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other' });
      }
    }
    return { path, entries: entries.sort((a, b) => a.name.localeCompare(b.name)) };
  }

  /** Searches text files under the folder `input` (off the calling thread, within the time limit). */
  async search(input: string, q: SearchQuery): Promise<SearchHit[]> {
    const path = await this.resolve(input);
    if (path.kind !== 'dir') throw new Error(`${path.relative} is not a folder; search_text searches folders (use read_file for one file)`);
    return searchText(path.real, path.relative, q, this.options.searchTimeoutMs ?? DEFAULT_SEARCH_TIMEOUT_MS);
  }

  /**
   * Applies an approved edit: creates the file (`beforeHash` null) or replaces its content, but only while it still
   * matches the proposal. Throws {@link EditConflictError} when it does not (nothing is written), and
   * {@link PathOutsideWorkspaceError} when the path now leads out of the workspace.
   */
  async applyEdit(p: EditProposal): Promise<void> {
    const target = await this.resolve(p.path);
    if (p.beforeHash === null) await this.create(target, p.after);
    else await this.replace(target, p.before, p.beforeHash, p.after);
    this.options.onApplied?.(target.relative);
  }

  /**
   * Deletes a file, but only while it still holds the text whose hash is `expectedHash` (a checkpoint restore removing
   * a file the agent created). Throws {@link EditConflictError} when it changed or is not a file (nothing is deleted).
   */
  async deleteFile(input: string, expectedHash: string): Promise<void> {
    const target = await this.resolve(input);
    if (target.kind !== 'file') throw new EditConflictError(`${target.relative} is no longer a file, so it was not deleted.`);
    const doc = this.options.documents?.find(target.real);
    const text = doc ? doc.text : (await readNoFollow(target.real)).toString('utf8');
    // The editor keeps a BOM out of its text; the file's bytes (which the hash was taken from) may hold one.
    if (textHash(text) !== expectedHash && textHash(`\uFEFF${text}`) !== expectedHash) {
      throw new EditConflictError(`${target.relative} changed since the agent wrote it, so it was not deleted.`);
    }
    const dir = await this.confirmRealFolder(target, dirname(target.real));
    // unlink removes the name itself: a link put there since would be removed, never followed.
    await unlink(join(dir, basename(target.real)));
    fsyncDir(dir);
    this.options.onApplied?.(target.relative);
  }

  private async create(target: ResolvedPath, text: string): Promise<void> {
    if (target.kind !== null) throw new EditConflictError(`${target.relative} exists now (it did not when the file was proposed); it was not overwritten. Read it and propose an edit instead.`);
    // The missing folders, one at a time: mkdir never follows a link in its last component, and each is checked to be
    // a real folder, so a link raced into the path is refused rather than written through.
    const folders: string[] = [];
    for (let f = dirname(target.real), k = 1; k < target.missing; k++, f = dirname(f)) folders.unshift(f);
    for (const folder of folders) {
      await mkdir(folder).catch((e: unknown) => { if (errno(e) !== 'EEXIST') throw e; });
      if (!(await lstat(folder)).isDirectory()) throw new PathOutsideWorkspaceError(`Refused: ${target.relative}: "${basename(folder)}" is not a folder (a link or a file appeared there).`);
    }
    const dir = await this.confirmRealFolder(target, dirname(target.real));
    const tmp = await writeTemp(dir, basename(target.real), text);
    try {
      // A hard link is created only if nothing, not even a broken link, has the name: an atomic "create, never follow".
      await link(tmp, target.real);
    } catch (e) {
      if (errno(e) === 'EEXIST') throw new EditConflictError(`${target.relative} exists now (it did not when the file was proposed); it was not overwritten.`);
      if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV'].includes(errno(e) ?? '')) throw e;
      // A file system without hard links: an exclusive open that refuses a link at the name.
      const fh = await open(target.real, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | OPEN_NO_FOLLOW, 0o666);
      try { await fh.writeFile(text, 'utf8'); await fh.sync(); } finally { await fh.close(); }
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
    fsyncDir(dir);
  }

  private async replace(target: ResolvedPath, before: string, beforeHash: string, after: string): Promise<void> {
    const changed = () => new EditConflictError(
      `${target.relative} changed since this edit was proposed (it no longer holds the text the edit was computed from), so the edit was not applied and nothing was overwritten. Read the file again and propose the edit anew.`,
    );
    if (target.kind !== 'file') throw new EditConflictError(`${target.relative} is no longer a file, so the edit was not applied.`);
    const doc = this.options.documents?.find(target.real);
    if (doc) {
      // The editor's text includes unsaved typing: an edit computed from the saved file must not silently drop it.
      // (VS Code keeps a BOM out of the document text; the file's bytes, from which `before` was read, keep it.)
      if (textHash(stripBom(doc.text)) !== textHash(stripBom(before))) throw changed();
      if (!(await doc.replaceAndSave(stripBom(after)))) throw new Error(`the editor did not apply the edit to ${target.relative}`);
      return;
    }
    if (textHash((await readNoFollow(target.real)).toString('utf8')) !== beforeHash) throw changed();
    const dir = await this.confirmRealFolder(target, dirname(target.real));
    const tmp = await writeTemp(dir, basename(target.real), after, (await lstat(target.real)).mode & 0o7777);
    try {
      // rename replaces the name itself: were a link put there since, the link would be replaced, never followed.
      await rename(tmp, target.real);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
    fsyncDir(dir);
  }

  /** Re-resolves a folder right before a write: it must still be that real folder, inside the workspace. */
  private async confirmRealFolder(target: ResolvedPath, dir: string): Promise<string> {
    const now = await realpath(dir);
    if (now !== dir || !isInside(target.realRoot, now)) throw new PathOutsideWorkspaceError(`Refused: the folder of ${target.relative} was replaced by a link since the path was checked.`);
    return now;
  }
}
