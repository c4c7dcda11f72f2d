/**
 * The History tree view (`oel.historyView`) over the trajectory store, the read-only `oel-task:` Markdown document of
 * a past task, and Open / Export / Delete / Delete All.
 */
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import type { OelContext } from './context';
import type { EpisodeSummary } from './core';
import { adapterVersionLabel } from './runtime/adapterModel';
import { episodeMarkdown, episodeMarkdownWithLines } from './taskMarkdown';

export const TASK_SCHEME = 'oel-task';

const OUTCOME_ICON: Record<string, [string, string]> = {
  completed: ['pass', 'testing.iconPassed'],
  stopped: ['debug-stop', 'disabledForeground'],
  max_steps: ['warning', 'list.warningForeground'],
  error: ['error', 'list.errorForeground'],
};

/** "5 min ago" style relative time (pure). */
export function relativeTime(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (!Number.isFinite(s)) return '';
  if (s < 60) return 'just now';
  const units: [number, string][] = [[60, 'min'], [3600, 'h'], [86_400, 'd'], [604_800, 'w']];
  let label = `${Math.floor(s / 60)} min`;
  for (const [size, name] of units) if (s >= size) label = `${Math.floor(s / size)} ${name}`;
  return `${label} ago`;
}

/** An ISO time as the user's local date and time ("12/3/2026, 9:04:11 AM"); the input itself when it does not parse. */
export function localTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

class EpisodeItem extends vscode.TreeItem {
  constructor(readonly summary: EpisodeSummary) {
    super(summary.title || '(untitled task)', vscode.TreeItemCollapsibleState.None);
    this.id = summary.id;
    this.contextValue = 'oel.episode';
    this.description = relativeTime(summary.startedAt) + (summary.feedback ? (summary.feedback === 'up' ? ' · rated helpful' : ' · rated not helpful') : '')
      + (summary.adapter ? ` · adapter ${adapterVersionLabel(summary.adapter)}` : '');
    const [icon, color] = summary.endReason ? OUTCOME_ICON[summary.endReason] ?? ['circle-outline', ''] : ['sync', 'foreground'];
    this.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    // A local time people read, not the stored ISO stamp.
    this.tooltip = new vscode.MarkdownString(`**${summary.title.replace(/[\\`*_[\]]/g, '\\$&')}**\n\n${localTime(summary.startedAt)} · ${summary.endReason ?? 'running'} · ${summary.workspace}${summary.adapter ? ` · team adapter ${adapterVersionLabel(summary.adapter)}` : ''}`);
    this.command = { command: 'oel.openTask', title: 'Open Task', arguments: [this] };
  }
}

class HistoryProvider implements vscode.TreeDataProvider<EpisodeItem>, vscode.TextDocumentContentProvider {
  private readonly treeEmitter = new vscode.EventEmitter<EpisodeItem | undefined>();
  private readonly docEmitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChangeTreeData = this.treeEmitter.event;
  readonly onDidChange = this.docEmitter.event;
  constructor(private readonly ctx: OelContext) {}

  refresh(): void { this.treeEmitter.fire(undefined); }
  getTreeItem(e: EpisodeItem): vscode.TreeItem { return e; }

  async getChildren(parent?: EpisodeItem): Promise<EpisodeItem[]> {
    if (parent) return [];
    try {
      const store = await this.ctx.store();
      const rows = await store.list();
      return [...rows].sort((a, b) => b.startedAt.localeCompare(a.startedAt)).map((r) => new EpisodeItem(r));
    } catch (e) {
      this.ctx.log.error(`could not list tasks: ${(e as Error).message}`);
      return [];
    }
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const id = uri.path.replace(/^\//, '').replace(/\.md$/, '');
    const episode = (await this.ctx.store()).read(id);
    return episode ? episodeMarkdown(episode) : `# Task not found\n\nThe task \`${id}\` was deleted or belongs to another workspace.\n`;
  }

  dispose(): void { this.treeEmitter.dispose(); this.docEmitter.dispose(); }
}

/** Accepts a tree item, an id string, or nothing (then asks). */
async function pickId(ctx: OelContext, arg: unknown, placeHolder: string): Promise<EpisodeSummary | undefined> {
  const rows = await (await ctx.store()).list();
  if (arg instanceof EpisodeItem) return arg.summary;
  if (typeof arg === 'string') return rows.find((r) => r.id === arg);
  const picked = await vscode.window.showQuickPick(
    [...rows].reverse().map((r) => ({ label: r.title, description: `${relativeTime(r.startedAt)} · ${r.endReason ?? 'running'}`, row: r })),
    { placeHolder },
  );
  return picked?.row;
}

/**
 * Opens a stored task's read-only document, scrolled to one of its steps ("Show Source" of a knowledge item).
 * Returns false, after telling the user, when the task is no longer stored here.
 */
export async function openTaskAt(ctx: OelContext, episodeId: string, stepIndex: number): Promise<boolean> {
  const episode = (await ctx.store()).read(episodeId);
  if (!episode) {
    void vscode.window.showWarningMessage(`OEL Agent: the task ${episodeId} is not in this workspace's history (deleted, or learned in another workspace).`);
    return false;
  }
  const { stepLines } = episodeMarkdownWithLines(episode);
  const line = stepLines[Math.min(Math.max(0, stepIndex), stepLines.length - 1)] ?? 0;
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: TASK_SCHEME, path: `/${episodeId}.md` }));
  const range = new vscode.Range(line, 0, line, 0);
  await vscode.window.showTextDocument(doc, { preview: true, selection: range });
  return true;
}

/** Registers the History view, the task document and its commands. */
export function registerHistory(ctx: OelContext): void {
  const provider = new HistoryProvider(ctx);
  ctx.own(provider, vscode.window.createTreeView('oel.historyView', { treeDataProvider: provider, showCollapseAll: false }));
  ctx.own(vscode.workspace.registerTextDocumentContentProvider(TASK_SCHEME, provider));
  ctx.own(ctx.onDidChangeHistory(() => provider.refresh()));

  ctx.command('oel.refreshHistory', () => provider.refresh());
  ctx.command('oel.openTask', async (arg?: unknown) => {
    const row = await pickId(ctx, arg, 'Open which task?');
    if (!row) return;
    const uri = vscode.Uri.from({ scheme: TASK_SCHEME, path: `/${row.id}.md` });
    // The rendered Markdown preview (the built-in extension's, scripts off by its own security); the source where
    // that extension is not there.
    try {
      await vscode.commands.executeCommand('markdown.showPreview', uri);
    } catch (e) {
      ctx.log.warn(`markdown preview unavailable (${(e as Error).message}); opening the task's source`);
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: true });
    }
  });
  ctx.command('oel.exportTask', async (arg?: unknown) => {
    const row = await pickId(ctx, arg, 'Export which task?');
    if (!row) return;
    const base = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(homedir());
    const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(base, `oel-task-${row.id}.json`), filters: { JSON: ['json'] }, title: 'Export Task as JSON' });
    if (!target) return;
    const json = await (await ctx.store()).exportJson([row.id]);
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(json));
    ctx.log.info(`exported task ${row.id} to ${target.fsPath}`);
    void vscode.window.showInformationMessage(`OEL Agent: exported "${row.title}".`);
  });
  ctx.command('oel.deleteTask', async (arg?: unknown) => {
    const row = await pickId(ctx, arg, 'Delete which task?');
    if (!row) return;
    const ok = await vscode.window.showWarningMessage(`Delete the task "${row.title}"?`, { modal: true, detail: 'Its trajectory is deleted from disk. This cannot be undone.' }, 'Delete');
    if (ok !== 'Delete') return;
    await (await ctx.store()).delete(row.id);
    ctx.log.info(`deleted task ${row.id}`);
    provider.refresh();
  });
  ctx.command('oel.deleteAllTasks', async () => {
    const store = await ctx.store();
    const n = (await store.list()).length;
    if (!n) { void vscode.window.showInformationMessage('OEL Agent: there are no tasks to delete.'); return; }
    const ok = await vscode.window.showWarningMessage(`Delete all ${n} tasks?`, { modal: true, detail: 'Every stored trajectory is deleted from disk. This cannot be undone.' }, 'Delete All');
    if (ok !== 'Delete All') return;
    const ids = await store.deleteAll();
    ctx.log.info(`deleted all tasks (${ids.length}): ${ids.join(', ')}`);
    provider.refresh();
  });
}
