/**
 * The two knowledge files the extension works on: the workspace's `.oel/knowledge.md` (committed, shared through git)
 * and the user's own file in global storage (applies across workspaces). Keeps a parsed snapshot of each, watches
 * them for outside edits (the editor, `git pull`), and routes every write through the core's KnowledgeFileStore so
 * that outside edits are merged by item id and never overwritten. Also keeps this machine's review records
 * (`knowledge-reviews.json` in global storage): a flagged item reaches the prompt only once a person here accepted
 * it as its text reads now, whatever the file says about it.
 */
import { join } from 'node:path';
import * as vscode from 'vscode';
import { groupOf } from './presentation';
import type { OelContext } from '../context';
import { loadCore, type CoreRuntime, type EmbeddingCache, type KnowledgeDiagnostic, type KnowledgeDocument, type KnowledgeFileStore, type KnowledgeFlag, type KnowledgeItem, type KnowledgeProvider, type KnowledgeScope, type KnowledgeUpdateResult, type ReviewSet, type ReviewStore } from '../core';

/** One knowledge file and what was last read from it. */
export interface KnowledgeFile {
  scope: KnowledgeScope;
  uri: vscode.Uri;
  store: KnowledgeFileStore;
  doc: KnowledgeDocument;
  /** Parse diagnostics of the disk text. */
  diagnostics: KnowledgeDiagnostic[];
  /** Conflicts and warnings of the last merge with an outside edit (line 0 when not tied to a line). */
  mergeDiagnostics: (KnowledgeDiagnostic & { id?: string })[];
  /** The workspace file of an untrusted workspace: shown, never written, never put in a prompt. */
  readOnly: boolean;
}

/** How an item stands with this machine's reviews. */
export interface ReviewState {
  /** Its flags as computed now from its text, plus those the file adds (never fewer than the text earns). */
  flags: KnowledgeFlag[];
  /** Flagged and not reviewed here as its text reads now: shown as pending review, kept out of the prompt. */
  needsReview: boolean;
}

/** A live item or tombstone, with the file it lives in and its review state. */
export interface KnowledgeEntry extends ReviewState { item: KnowledgeItem; tombstone: boolean; file: KnowledgeFile }

/** Name of the user's knowledge file under the extension's global storage. */
export const USER_KNOWLEDGE_FILE = 'knowledge.md';
/** Name of this machine's review records under the extension's global storage (never in a repository). */
export const REVIEWS_FILE = 'knowledge-reviews.json';
/** Name of the cache of item embeddings under the extension's global storage (used when an embeddings model is set). */
export const EMBEDDINGS_FILE = 'knowledge-embeddings.json';

/** The knowledge files of this window. Call {@link init} before use. */
export class KnowledgeFiles implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  /** Fired after any file was re-read (an outside edit or the extension's own write). */
  readonly onDidChange = this.emitter.event;
  private core!: CoreRuntime;
  private byScope = new Map<KnowledgeScope, KnowledgeFile>();
  private readonly disposables: vscode.Disposable[] = [this.emitter];
  private reloadTimer: NodeJS.Timeout | undefined;
  private ready: Promise<void> | undefined;
  private reviewStore!: ReviewStore;
  private reviewSet: ReviewSet | undefined;
  private embeddingCache: EmbeddingCache | undefined;

  constructor(private readonly ctx: OelContext) {}

  /** Loads the core, reads both files and starts watching them. Idempotent. */
  init(): Promise<void> {
    this.ready ??= this.doInit();
    return this.ready;
  }

  private async doInit(): Promise<void> {
    this.core = await loadCore();
    const root = vscode.workspace.workspaceFolders?.[0]?.uri;
    if (root) this.add('workspace', vscode.Uri.joinPath(root, ...this.core.WORKSPACE_KNOWLEDGE_PATH.split(/[\\/]/)), !vscode.workspace.isTrusted);
    this.add('user', vscode.Uri.joinPath(this.ctx.ext.globalStorageUri, USER_KNOWLEDGE_FILE), false);
    const reviewsUri = vscode.Uri.joinPath(this.ctx.ext.globalStorageUri, REVIEWS_FILE);
    this.reviewStore = new this.core.ReviewStore(reviewsUri.fsPath, (l) => this.ctx.log.warn(l));
    await this.reload();
    // Reviews recorded in another window count here too.
    for (const uri of [...[...this.byScope.values()].map((f) => f.uri), reviewsUri]) {
      const dir = vscode.Uri.joinPath(uri, '..');
      const name = uri.path.split('/').pop()!;
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(dir, name));
      const changed = () => this.scheduleReload();
      this.disposables.push(watcher, watcher.onDidChange(changed), watcher.onDidCreate(changed), watcher.onDidDelete(changed));
    }
    // Saves from this window are seen at once, whether or not the file watcher reports them.
    // A save also clears the last merge's conflict reports: the user has looked at the file and decided.
    this.disposables.push(vscode.workspace.onDidSaveTextDocument((d) => {
      const f = this.fileOf(d.uri);
      if (!f) return;
      f.mergeDiagnostics = [];
      this.scheduleReload();
    }));
    this.disposables.push(vscode.workspace.onDidGrantWorkspaceTrust(() => {
      const ws = this.byScope.get('workspace');
      if (ws) ws.readOnly = false;
      this.emitter.fire();
    }));
  }

  private add(scope: KnowledgeScope, uri: vscode.Uri, readOnly: boolean): void {
    const store = new this.core.KnowledgeFileStore(uri.fsPath);
    this.byScope.set(scope, { scope, uri, store, doc: { blocks: [], eol: '\n', finalNewline: true }, diagnostics: [], mergeDiagnostics: [], readOnly });
  }

  /** The file of a scope; the workspace file is absent when no folder is open. */
  file(scope: KnowledgeScope): KnowledgeFile | undefined { return this.byScope.get(scope); }
  /** Every file, workspace first. */
  files(): KnowledgeFile[] { return ['workspace', 'user'].flatMap((s) => this.byScope.get(s as KnowledgeScope) ?? []); }
  /** The knowledge file at this URI, if it is one of ours. */
  fileOf(uri: vscode.Uri): KnowledgeFile | undefined {
    return this.files().find((f) => f.uri.toString() === uri.toString() || f.uri.fsPath === uri.fsPath);
  }

  /** Every item and tombstone of every file, in file order. */
  entries(): KnowledgeEntry[] {
    if (!this.core) return [];
    return this.files().flatMap((file) => this.core.allItems(file.doc).map((e) => ({ ...e, file, ...this.reviewState(e.item) })));
  }

  /** An item's flags as computed now and whether it waits for a review on this machine. */
  reviewState(item: KnowledgeItem): ReviewState {
    if (!this.core) return { flags: item.flags, needsReview: item.flags.length > 0 };
    const reviews = this.reviewSet ?? new this.core.ReviewSet();
    return { flags: this.core.itemFlags(item), needsReview: this.core.needsReview(item, reviews) };
  }

  /**
   * Records that the user reviewed and accepted an item as its text reads now, on this machine only, then makes the
   * file say `accepted` (a pinned item stays pinned) unless it already does with nothing to clear.
   */
  async accept(e: KnowledgeEntry): Promise<void> {
    await this.init();
    this.assertWritable(e.file);
    if (e.flags.length) await this.reviewStore.record([e.item]);
    const inFile = e.item.status === 'accepted' || e.item.status === 'pinned';
    if (!inFile || e.item.flags.length) await this.update(e.file.scope, (d, core) => { core.acceptItem(d, e.item.id); });
    else await this.afterWrite();
  }

  /** The entry with this id (ids are unique per file; the workspace file wins when both have it). */
  find(id: string, scope?: KnowledgeScope): KnowledgeEntry | undefined {
    return this.entries().find((e) => e.item.id === id && (!scope || e.file.scope === scope));
  }

  /** This machine's review records as last read (what the prompt and the team's sharing check items against). */
  reviews(): ReviewSet {
    return this.reviewSet ?? new this.core.ReviewSet();
  }

  /** Number of live items waiting for review: pending in the file, or flagged and not reviewed on this machine. */
  pendingCount(): number {
    return this.entries().filter((e) => groupOf(e) === 'pending').length;
  }

  private scheduleReload(): void {
    clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => void this.reload().catch((e: unknown) => this.ctx.log.warn(`knowledge: reload failed: ${(e as Error).message}`)), 150);
  }

  /** Re-reads every file from disk and tells listeners. A file that cannot be read keeps its last snapshot. */
  async reload(): Promise<void> {
    this.reviewSet = await this.reviewStore.load();
    for (const f of this.byScope.values()) {
      try {
        const snap = await f.store.read();
        f.doc = snap.doc;
        f.diagnostics = snap.diagnostics;
      } catch (e) {
        this.ctx.log.warn(`knowledge: cannot read ${f.uri.fsPath}: ${(e as Error).message}`);
      }
    }
    this.emitter.fire();
  }

  /**
   * Before the extension writes a file, an open editor with unsaved changes to it is saved, so the hand edit reaches
   * the disk and is merged instead of clashing with the write.
   */
  async saveOpenEditor(file: KnowledgeFile): Promise<void> {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file.uri.fsPath);
    if (doc?.isDirty) await doc.save();
  }

  /** Refuses writes to a read-only file with a message that says why. */
  private assertWritable(file: KnowledgeFile): void {
    if (file.readOnly) throw new Error('the workspace is in Restricted Mode: its knowledge file is read-only until you trust the workspace.');
  }

  /** Applies `fn` to a file's document and writes it (merged with outside edits), then rebalances the prompt budget. */
  async update(scope: KnowledgeScope, fn: (doc: KnowledgeDocument, core: CoreRuntime) => void | Promise<void>): Promise<KnowledgeUpdateResult> {
    await this.init();
    const file = this.byScope.get(scope);
    if (!file) throw new Error('open a folder first: workspace knowledge lives in its .oel/knowledge.md.');
    this.assertWritable(file);
    await this.saveOpenEditor(file);
    const r = await file.store.update((d) => fn(d, this.core));
    this.noteMerge(file, r);
    await this.afterWrite();
    return r;
  }

  /** Moves a live item to the other file: written to the destination first, so a crash in between cannot lose it. */
  async move(id: string, to: KnowledgeScope): Promise<boolean> {
    await this.init();
    const from = this.find(id);
    const dest = this.byScope.get(to);
    if (!from || from.tombstone || !dest || from.file.scope === to) return false;
    this.assertWritable(from.file);
    this.assertWritable(dest);
    await this.saveOpenEditor(from.file);
    await this.saveOpenEditor(dest);
    let moved = false;
    const r = await from.file.store.update(async (fromDoc) => {
      const r2 = await dest.store.update((toDoc) => { moved = this.core.moveItem(fromDoc, toDoc, id, to); });
      this.noteMerge(dest, r2);
    });
    this.noteMerge(from.file, r);
    await this.afterWrite();
    return moved;
  }

  /** After a write (by this class or the learning step): mark the prompt-budget selection in the files, re-read, notify. */
  async afterWrite(): Promise<void> {
    await this.init();
    await this.reload().catch(() => undefined);
    try {
      const budget = this.ctx.config.knowledge.promptBudgetTokens;
      const writable = this.files().filter((f) => !f.readOnly);
      const items = writable.flatMap((f) => this.core.liveItems(f.doc));
      const marks = this.core.budgetMarks(items, budget, this.reviewSet);
      if (!marks.activate.length && !marks.deactivate.length) return;
      for (const f of writable) {
        const ids = new Set(this.core.liveItems(f.doc).map((i) => i.id));
        if (![...marks.activate, ...marks.deactivate].some((id) => ids.has(id))) continue;
        const r = await f.store.update((d) => { this.core.applyBudgetMarks(d, marks); });
        this.noteMerge(f, r);
      }
      this.ctx.log.info(`knowledge: prompt budget ${budget} tokens: ${marks.deactivate.length} item(s) set inactive, ${marks.activate.length} re-activated`);
      await this.reload();
    } catch (e) {
      this.ctx.log.warn(`knowledge: could not apply the prompt budget: ${(e as Error).message}`);
    }
  }

  /** Keeps a merge's conflicts for the Problems panel and logs them. */
  noteMerge(file: KnowledgeFile, r: KnowledgeUpdateResult): void {
    // Only a write that met an outside edit says anything new; the others keep what the last merge reported.
    if (!r.merged) return;
    this.ctx.log.info(`knowledge: ${file.uri.fsPath} changed outside the extension; merged by item id`);
    const conflictIds = new Set(r.conflicts.map((c) => c.id));
    file.mergeDiagnostics = r.diagnostics.filter((d) => d.line === 0).map((d) => ({ ...d, id: [...conflictIds].find((id) => d.message.includes(id)) }));
    for (const d of file.mergeDiagnostics) this.ctx.log.warn(`knowledge: ${d.message}`);
  }

  /**
   * The knowledge slot of the agent: accepted items chosen for the request and the files open in the editor, within
   * the prompt budget, flagged ones only when reviewed on this machine. Workspace trust, the open editors and the
   * embeddings setting are asked when each prompt is built, not remembered from start-up.
   */
  provider(): KnowledgeProvider {
    return {
      forTask: async (request, context) => {
        await this.init();
        const ws = this.byScope.get('workspace');
        const user = this.byScope.get('user');
        const apiKey = this.ctx.config.knowledge.embeddingModel ? (await this.ctx.apiKey()) ?? '' : '';
        const p = new this.core.FileKnowledgeProvider({
          workspaceRoot: ws ? join(ws.uri.fsPath, '..', '..') : null,
          workspaceTrusted: () => this.ctx.trusted,
          userFile: user?.uri.fsPath ?? null,
          budgetTokens: this.ctx.config.knowledge.promptBudgetTokens,
          reviews: () => this.reviewStore.load(),
          openFiles: () => openWorkspaceFiles(),
          embeddings: () => this.embeddings(apiKey),
          log: (l) => this.ctx.log.warn(l),
        });
        return p.forTask(request, context);
      },
    };
  }

  /** The embeddings to rank knowledge by: the `oel.knowledge.embeddingModel` on the configured provider, or null. */
  private embeddings(apiKey: string): { embed: (texts: string[]) => Promise<number[][]>; cache: EmbeddingCache } | null {
    const model = this.ctx.config.knowledge.embeddingModel;
    if (!model) return null;
    if (this.embeddingCache?.model !== model) {
      this.embeddingCache = new this.core.EmbeddingCache(vscode.Uri.joinPath(this.ctx.ext.globalStorageUri, EMBEDDINGS_FILE).fsPath, model, (l) => this.ctx.log.warn(l));
    }
    // A task waits for its knowledge: an embeddings request that hangs falls back to words after 10 s (per batch).
    return { embed: this.core.openAiEmbedder(this.ctx.config.baseUrl, apiKey, model, 10_000), cache: this.embeddingCache };
  }

  dispose(): void {
    clearTimeout(this.reloadTimer);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/**
 * The files in play from the editor: the workspace files shown in visible editors, the active one first, as paths
 * relative to the workspace folder. Only names are passed on; the selection never reads these files.
 */
function openWorkspaceFiles(): string[] {
  const editors = [vscode.window.activeTextEditor, ...vscode.window.visibleTextEditors].filter((e) => e !== undefined);
  const paths = editors
    .map((e) => e.document.uri)
    .filter((uri) => uri.scheme === 'file' && vscode.workspace.getWorkspaceFolder(uri) !== undefined)
    .map((uri) => vscode.workspace.asRelativePath(uri, false));
  return [...new Set(paths)].slice(0, 5);
}
