/**
 * The review commands of the knowledge feature: accept, edit, pin/unpin, move to the other scope, prune, restore,
 * show source, reveal in the file, open the files. Each takes an item from the tree, a CodeLens, or nothing (then
 * it asks with a quick pick).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import type { OelContext } from '../context';
import { loadCore, type KnowledgeScope } from '../core';
import { openTaskAt } from '../history';
import type { KnowledgeEntry, KnowledgeFile, KnowledgeFiles } from './knowledgeFiles';
import { groupOf, type ItemRef, type KnowledgeGroup } from './presentation';

/**
 * The item reference in a command argument: a tree node (`ref`), a plain `{id, scope}` (CodeLens, tests), or just
 * `{id}` (an id clicked in the Agent view, which knows no scope: the workspace file is looked in first).
 */
export function refOf(arg: unknown): Partial<ItemRef> & { id: string } | undefined {
  const a = (arg && typeof arg === 'object' && 'ref' in arg ? (arg as { ref: unknown }).ref : arg) as Partial<ItemRef> | undefined;
  if (!a || typeof a.id !== 'string') return undefined;
  if (a.scope === 'workspace' || a.scope === 'user') return { id: a.id, scope: a.scope };
  return a.scope === undefined ? { id: a.id } : undefined;
}

const OTHER: Record<KnowledgeScope, KnowledgeScope> = { workspace: 'user', user: 'workspace' };

/** Opens a knowledge file (created with its header if missing) in the knowledge language, optionally at a line. */
export async function openKnowledgeFile(files: KnowledgeFiles, file: KnowledgeFile, line?: number): Promise<vscode.TextEditor> {
  try {
    await vscode.workspace.fs.stat(file.uri);
  } catch {
    if (file.readOnly) throw new Error('the workspace has no knowledge file yet, and Restricted Mode does not allow creating one.');
    // A new file starts with the header of an empty document; `wx` never replaces a file created meanwhile.
    const core = await loadCore();
    await mkdir(dirname(file.uri.fsPath), { recursive: true });
    await writeFile(file.uri.fsPath, core.serializeKnowledge(core.emptyDocument()), { flag: 'wx' }).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'EEXIST') throw e; });
  }
  let doc = await vscode.workspace.openTextDocument(file.uri);
  // The user file lives outside any `.oel/` folder, so the language is set here rather than by file pattern.
  if (doc.languageId !== 'oel-knowledge') doc = await vscode.languages.setTextDocumentLanguage(doc, 'oel-knowledge');
  const selection = line === undefined ? undefined : new vscode.Range(line, 0, line, 0);
  return vscode.window.showTextDocument(doc, { preview: false, selection });
}

/** Registers every knowledge review command. */
export function registerKnowledgeCommands(ctx: OelContext, files: KnowledgeFiles): void {
  /** Resolves the argument to an entry, or asks for one among the groups given. */
  const pick = async (arg: unknown, groups: KnowledgeGroup[], placeHolder: string): Promise<KnowledgeEntry | undefined> => {
    await files.init();
    const ref = refOf(arg);
    if (ref) {
      let e = files.find(ref.id, ref.scope);
      const inFiles = ref.scope ? [files.file(ref.scope)].filter((f) => f !== undefined) : files.files();
      if (!e && inFiles.length) {
        // A CodeLens on an item typed in the editor but not saved yet: save, re-read, look again.
        for (const f of inFiles) await files.saveOpenEditor(f);
        await files.reload();
        e = files.find(ref.id, ref.scope);
      }
      if (!e) throw new Error(`the item ${ref.id} is no longer in ${ref.scope ? `the ${ref.scope}` : 'any'} knowledge file.`);
      return e;
    }
    const candidates = files.entries().filter((e) => groups.includes(groupOf(e)));
    if (!candidates.length) { void vscode.window.showInformationMessage(`OEL Agent: no ${groups.join(' or ')} knowledge items.`); return undefined; }
    const chosen = await vscode.window.showQuickPick(candidates.map((e) => ({
      label: e.item.text, description: `${e.item.id} · ${groupOf(e)} · ${e.file.scope}`, detail: (e.needsReview ? e.flags : []).map((f) => `$(warning) ${f.reason}`).join('  ') || undefined, e,
    })), { placeHolder, matchOnDescription: true });
    return chosen?.e;
  };
  const live: KnowledgeGroup[] = ['pending', 'accepted', 'pinned', 'inactive'];
  const change = (id: string, title: string, groups: KnowledgeGroup[], apply: (e: KnowledgeEntry) => Promise<void>) =>
    ctx.command(id, async (arg?: unknown) => {
      const e = await pick(arg, groups, title);
      if (e) await apply(e);
    });
  const done = (e: KnowledgeEntry, what: string) => ctx.log.info(`knowledge: ${e.item.id} ${what}`);

  change('oel.knowledge.accept', 'Accept which item?', ['pending', 'inactive'], async (e) => {
    if (e.needsReview) {
      const ok = await vscode.window.showWarningMessage(
        `Accept a flagged item?`,
        { modal: true, detail: `"${e.item.text}"\n\n${e.flags.map((f) => `• ${f.kind}: ${f.reason}`).join('\n')}\n\nAccepted items go into the agent's prompt. Learned text can carry instructions injected by files or command output the agent read, and a knowledge file can arrive with the repository. Your acceptance is recorded on this machine only.` },
        'Accept',
      );
      if (ok !== 'Accept') return;
    }
    await files.accept(e);
    done(e, e.needsReview ? 'accepted after review (recorded on this machine)' : 'accepted');
  });
  change('oel.knowledge.edit', 'Edit which item?', live, async (e) => {
    const { MAX_ITEM_CHARS } = await loadCore();
    const text = await vscode.window.showInputBox({
      title: `Edit ${e.item.id}`, value: e.item.text, prompt: 'One sentence of reusable experience. Secrets are removed; commands, URLs and instructions get flagged for review.',
      validateInput: (v) => (!v.trim() ? 'The item needs text (prune it instead to remove it).' : v.length > MAX_ITEM_CHARS ? `At most ${MAX_ITEM_CHARS} characters.` : undefined),
    });
    if (text === undefined || text.trim() === e.item.text) return;
    await files.update(e.file.scope, (d, core) => { core.editItemText(d, e.item.id, text, undefined, ctx.knownSecrets()); });
    done(e, 'edited');
  });
  change('oel.knowledge.pin', 'Pin which item?', ['accepted', 'inactive', 'pending'], async (e) => {
    if (e.needsReview) throw new Error(`${e.item.id} is flagged (${e.flags.map((f) => f.kind).join(', ')}); accept it after review before pinning.`);
    await files.update(e.file.scope, (d, core) => { core.setPinned(d, e.item.id, true); });
    done(e, 'pinned');
  });
  change('oel.knowledge.unpin', 'Unpin which item?', ['pinned'], async (e) => {
    await files.update(e.file.scope, (d, core) => { core.setPinned(d, e.item.id, false); });
    done(e, 'unpinned');
  });
  change('oel.knowledge.moveScope', 'Move which item to the other scope?', live, async (e) => {
    const to = OTHER[e.file.scope];
    if (!files.file(to)) throw new Error('open a folder first: workspace knowledge lives in its .oel/knowledge.md.');
    if (!(await files.move(e.item.id, to))) throw new Error(`${e.item.id} could not be moved: the ${to} file already has an item with this id.`);
    done(e, `moved to ${to} scope`);
    void vscode.window.showInformationMessage(`OEL Agent: moved ${e.item.id} to ${to === 'user' ? 'your user knowledge (all workspaces)' : 'this workspace\'s .oel/knowledge.md'}.`);
  });
  change('oel.knowledge.prune', 'Prune which item?', live, async (e) => {
    await files.update(e.file.scope, (d, core) => { core.pruneItem(d, e.item.id); });
    done(e, 'pruned');
    void vscode.window.showInformationMessage(`OEL Agent: pruned ${e.item.id}. It will not be learned again.`, 'Undo').then(async (a) => {
      if (a === 'Undo') await files.update(e.file.scope, (d, core) => { core.restoreItem(d, e.item.id); });
    });
  });
  change('oel.knowledge.restore', 'Restore which pruned item?', ['pruned'], async (e) => {
    await files.update(e.file.scope, (d, core) => { core.restoreItem(d, e.item.id); });
    done(e, 'restored');
  });
  change('oel.knowledge.showSource', 'Show the source of which item?', [...live, 'pruned'], async (e) => {
    const sources = e.item.sources;
    if (!sources.length) { void vscode.window.showInformationMessage(`OEL Agent: ${e.item.id} has no recorded source (it was written by hand or came from elsewhere).`); return; }
    const s = sources.length === 1 ? sources[0] : (await vscode.window.showQuickPick(sources.map((x) => ({ label: x.episode, description: `step ${x.step}`, x })), { placeHolder: 'Which source?' }))?.x;
    if (s) await openTaskAt(ctx, s.episode, s.step);
  });
  change('oel.knowledge.reveal', 'Reveal which item?', [...live, 'pruned'], async (e) => {
    const core = await loadCore();
    const text = (await vscode.workspace.fs.readFile(e.file.uri).then((b) => new TextDecoder().decode(b), () => ''));
    const loc = core.locateItems(core.parseKnowledge(text).doc).find((l) => l.id === e.item.id);
    await openKnowledgeFile(files, e.file, loc?.line);
  });
  ctx.command('oel.knowledge.openWorkspaceFile', async () => {
    await files.init();
    const f = files.file('workspace');
    if (!f) throw new Error('open a folder first: workspace knowledge lives in its .oel/knowledge.md.');
    await openKnowledgeFile(files, f);
  });
  ctx.command('oel.knowledge.openUserFile', async () => {
    await files.init();
    await openKnowledgeFile(files, files.file('user')!);
  });
  ctx.command('oel.knowledge.refresh', () => files.reload());
}
