/**
 * The Learning view (`oel.learningView`): a webview in the OEL Agent container that plots whether the agent gets
 * better, from this workspace's episodes and the knowledge files, with no network. The numbers come from the core's
 * incremental summary (src/core/learning/summary.ts), which is updated when a task ends and persisted next to the
 * episodes, so opening the view reads one file plus whatever changed. Messages follow
 * src/core/protocol/learningView.ts; see docs/learning-view.md.
 */
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { OelContext } from './context';
import { loadCore, type Granularity, type LearningSummary, type LearningToWebview } from './core';
import { USER_KNOWLEDGE_FILE } from './knowledge/knowledgeFiles';
import { loadWebviewPage } from './webviewSetup';

/** How long after the last change the summary is written to disk. */
const SAVE_DELAY_MS = 2000;
/** Coalesces bursts of history changes (task start, end, feedback) into one refresh. */
const REFRESH_DELAY_MS = 300;
/** Least time between two progress messages while episodes are read. */
const PROGRESS_EVERY_MS = 200;

/** Provides the Learning webview view and keeps the summary current. */
export class LearningViewProvider implements vscode.WebviewViewProvider {
  static readonly viewId = 'oel.learningView';
  private view: vscode.WebviewView | undefined;
  private ready = false;
  private granularity: Granularity = 'day';
  private summaryPromise: Promise<LearningSummary> | null = null;
  private saveTimer: NodeJS.Timeout | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;

  constructor(private readonly ctx: OelContext) {
    // The summary follows every task as it ends, whether or not the view is open, so opening it stays cheap.
    ctx.own(ctx.onDidFinishTask((id) => void this.taskEnded(id)));
    // Feedback, deletions and retention change the history too; the view re-reads what changed when it is open.
    ctx.own(ctx.onDidChangeHistory(() => this.scheduleRefresh()));
  }

  private get visible(): boolean { return Boolean(this.view?.visible && this.ready); }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    loadWebviewPage(view, this.ctx.ext.extensionUri, { script: 'learning.js', style: 'learning.css', title: 'OEL Learning', root: { tag: 'main', testId: 'learning-view' } });
    const w = view.webview;
    const subs = [
      w.onDidReceiveMessage((raw) => void this.receive(raw)),
      view.onDidChangeVisibility(() => { if (view.visible && this.ready) this.scheduleRefresh(); }),
    ];
    view.onDidDispose(() => { for (const s of subs) s.dispose(); if (this.view === view) { this.view = undefined; this.ready = false; } });
  }

  /** Re-reads changed episodes and the knowledge files, and redraws (the Refresh button, a knowledge file change). */
  scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    // A hidden view refreshes when it is shown again; meanwhile only ended tasks update the summary.
    this.refreshTimer = setTimeout(() => { if (this.visible) void this.refresh(); }, REFRESH_DELAY_MS);
  }

  private summary(): Promise<LearningSummary> {
    if (!this.summaryPromise) {
      const p = loadCore().then(({ LearningSummary }) => LearningSummary.open({
        episodesDir: this.ctx.episodesDir,
        file: join(this.ctx.workspaceStorage, 'learning-summary.jsonl'),
        warn: (m) => this.ctx.log.warn(m),
      }));
      this.summaryPromise = p;
      p.catch(() => { this.summaryPromise = null; });
    }
    return this.summaryPromise;
  }

  private async taskEnded(episodeId: string): Promise<void> {
    try {
      const summary = await this.summary();
      await summary.update(episodeId);
      this.scheduleSave(summary);
      if (this.visible) await this.postData();
    } catch (e) {
      this.ctx.log.warn(`learning: could not add task ${episodeId} to the summary: ${(e as Error).message}`);
    }
  }

  private scheduleSave(summary: LearningSummary): void {
    if (!summary.isDirty) return;
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      summary.save().catch((e: unknown) => this.ctx.log.warn(`learning: could not save the summary: ${(e as Error).message}`));
    }, SAVE_DELAY_MS);
  }

  /** Brings the summary up to date (posting progress while it reads) and posts the data. */
  private async refresh(): Promise<void> {
    try {
      const summary = await this.summary();
      let last = 0;
      const started = Date.now();
      const r = await summary.refresh((done, total) => {
        const now = Date.now();
        if (now - last < PROGRESS_EVERY_MS) return;
        last = now;
        this.post({ type: 'progress', done, total });
      });
      if (r.read || r.removed) this.ctx.log.info(`learning: summary updated in ${Date.now() - started} ms (${r.read} task(s) read, ${r.removed} removed, ${r.unchanged} unchanged)`);
      this.scheduleSave(summary);
      await this.postData();
    } catch (e) {
      this.ctx.log.error(`learning: could not build the view: ${(e as Error).message}`);
      this.post({ type: 'error', message: `The learning summary could not be built: ${(e as Error).message}` });
    }
  }

  private async postData(): Promise<void> {
    const core = await loadCore();
    const summary = await this.summary();
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? null;
    const docs = await core.readKnowledgeForStats({
      workspaceRoot: root,
      userFile: join(this.ctx.ext.globalStorageUri.fsPath, USER_KNOWLEDGE_FILE),
      warn: (m) => this.ctx.log.warn(m),
    });
    this.post({ type: 'data', data: core.buildLearningData(summary.facts(), docs, this.granularity) });
  }

  private post(msg: LearningToWebview): void {
    if (!this.view || !this.ready) return;
    void loadCore()
      .then((core) => this.view?.webview.postMessage(core.checkLearningOutgoing(msg)))
      .catch((e: unknown) => this.ctx.log.error(`learning: a ${msg.type} message did not match the protocol: ${(e as Error).message.slice(0, 500)}`));
  }

  private async receive(raw: unknown): Promise<void> {
    const core = await loadCore();
    const msg = core.parseLearningMessage(raw);
    if (!msg) {
      this.ctx.log.warn(`learning view sent an invalid message: ${core.redactForLog(raw, this.ctx.knownSecrets())}`);
      return;
    }
    switch (msg.type) {
      case 'ready':
        this.ready = true;
        if (msg.granularity) this.granularity = msg.granularity;
        await this.refresh();
        break;
      case 'setGranularity':
        this.granularity = msg.granularity;
        await this.postData().catch((e: unknown) => this.post({ type: 'error', message: (e as Error).message }));
        break;
      case 'revealKnowledge': await vscode.commands.executeCommand('oel.knowledge.reveal', { id: msg.id }); break;
    }
  }

  /** Writes a summary that changed since its last save (deactivation). */
  flush(): void {
    clearTimeout(this.saveTimer);
    clearTimeout(this.refreshTimer);
    void this.summaryPromise?.then((s) => s.save()).catch(() => undefined);
  }
}

/** Registers the Learning view, its commands, and the knowledge-file watchers that redraw it. */
export function registerLearningView(ctx: OelContext): void {
  const provider = new LearningViewProvider(ctx);
  ctx.own(vscode.window.registerWebviewViewProvider(LearningViewProvider.viewId, provider));
  ctx.own({ dispose: () => provider.flush() });
  ctx.command('oel.learning.show', () => vscode.commands.executeCommand(`${LearningViewProvider.viewId}.focus`));
  ctx.command('oel.learning.refresh', () => provider.scheduleRefresh());
  const watch = (base: vscode.Uri, pattern: string) => {
    const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(base, pattern));
    const changed = () => provider.scheduleRefresh();
    ctx.own(w, w.onDidChange(changed), w.onDidCreate(changed), w.onDidDelete(changed));
  };
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (root) watch(root, '.oel/knowledge.md');
  watch(ctx.ext.globalStorageUri, USER_KNOWLEDGE_FILE);
}
