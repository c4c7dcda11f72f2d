/**
 * The Knowledge tree view (`oel.knowledgeView`): items grouped as Pending, Pinned, Accepted, Inactive and Pruned, from
 * both files, with the review actions inline and in the context menu. The view's badge and a status-bar item show how
 * many items wait for review.
 */
import * as vscode from 'vscode';
import type { OelContext } from '../context';
import type { KnowledgeEntry, KnowledgeFiles } from './knowledgeFiles';
import { groupOf, itemContextValue, itemDescription, sourcesText, timesText, type ItemRef, type KnowledgeGroup, type TaskTitles } from './presentation';

const GROUPS: { id: KnowledgeGroup; label: string; icon: string; empty?: string }[] = [
  { id: 'pending', label: 'Pending review', icon: 'inbox' },
  { id: 'pinned', label: 'Pinned', icon: 'pinned' },
  { id: 'accepted', label: 'Accepted', icon: 'check-all' },
  { id: 'inactive', label: 'Inactive', icon: 'circle-slash' },
  { id: 'pruned', label: 'Pruned', icon: 'trash' },
];

class GroupNode extends vscode.TreeItem {
  constructor(readonly group: KnowledgeGroup, count: number) {
    const g = GROUPS.find((x) => x.id === group)!;
    super(g.label, group === 'pending' || group === 'pinned' || group === 'accepted' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
    this.id = `group:${group}`;
    this.description = String(count);
    this.iconPath = new vscode.ThemeIcon(g.icon);
    this.contextValue = `oel.knowledgeGroup.${group}`;
  }
}

/** A tree node for one item; commands get its {@link ItemRef} from `ref`. */
export class ItemNode extends vscode.TreeItem {
  readonly ref: ItemRef;
  constructor(entry: KnowledgeEntry, titles: TaskTitles = new Map()) {
    super(entry.item.text, vscode.TreeItemCollapsibleState.None);
    const { item, tombstone, file, flags, needsReview } = entry;
    this.id = `${file.scope}/${item.id}`;
    this.ref = { id: item.id, scope: file.scope };
    this.description = itemDescription(entry, file.scope);
    this.contextValue = itemContextValue({ ...entry, readOnly: file.readOnly });
    const icon = needsReview && !tombstone ? ['warning', 'list.warningForeground']
      : tombstone ? ['trash', 'disabledForeground']
        : item.status === 'pinned' ? ['pinned', 'charts.blue']
          : item.status === 'accepted' ? ['check', 'testing.iconPassed']
            : item.status === 'inactive' ? ['circle-slash', 'disabledForeground'] : ['circle-large-outline', 'list.warningForeground'];
    this.iconPath = new vscode.ThemeIcon(icon[0], new vscode.ThemeColor(icon[1]));
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${item.id}** · ${tombstone ? `pruned (was ${item.status})` : item.status} · ${file.scope} scope\n\n`);
    md.appendText(item.text);
    md.appendMarkdown('\n\n');
    if (needsReview && !tombstone) md.appendMarkdown('Needs your review on this machine before it can go into the prompt.\n\n');
    for (const f of needsReview ? flags : []) md.appendMarkdown(`$(warning) **${f.kind}**: ${escapeMd(f.reason)}\n\n`);
    md.appendMarkdown(`helpful ${item.helpful} · harmful ${item.harmful}${item.consolidated ? ` · consolidated in ${escapeMd(item.consolidated)}` : ''}\n\n`);
    if (item.team) md.appendMarkdown(`Shared with the team: item \`${escapeMd(item.team.id)}\` is **${item.team.status}**\n\n`);
    else if (item.share) md.appendMarkdown(item.share === 'yes' ? 'You consented to share it with your team (sent in the next submission)\n\n' : 'You chose not to share it with your team\n\n');
    // The task's title and local times, not internal ids and ISO strings; appendText escapes the (user-typed) title.
    if (item.sources.length) { md.appendText(sourcesText(item.sources, titles)); md.appendMarkdown('\n\n'); }
    if (item.created) md.appendText(timesText(item.created, item.updated));
    this.tooltip = md;
    this.command = { command: 'oel.knowledge.reveal', title: 'Reveal in Knowledge File', arguments: [{ id: item.id, scope: file.scope } satisfies ItemRef] };
    this.accessibilityInformation = { label: `${item.text}, ${tombstone ? 'pruned' : groupOf(entry)}${needsReview ? ', flagged, needs review' : ''}` };
  }
}

function escapeMd(text: string): string {
  return text.replace(/[\\`*_[\]<>]/g, '\\$&');
}

type Node = GroupNode | ItemNode;

class KnowledgeTreeProvider implements vscode.TreeDataProvider<Node> {
  private readonly emitter = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  /** Titles of past tasks for the items' hovers; loaded when items are first shown, again when the history changes. */
  private titles: TaskTitles = new Map();
  private titlesLoaded = false;

  constructor(private readonly files: KnowledgeFiles, private readonly loadTitles: () => Promise<TaskTitles>) {}

  refresh(): void { this.emitter.fire(undefined); }

  /**
   * Reloads the task titles (after the history changed); redraws only when an item's hover would change, since a
   * redraw between a hover and a click on an item's action loses the item.
   */
  reloadTitles(): void {
    this.titlesLoaded = true;
    void this.loadTitles().then((t) => {
      const before = this.titles;
      this.titles = t;
      const sources = this.files.entries().flatMap((e) => e.item.sources.map((x) => x.episode));
      if (sources.some((id) => before.get(id) !== t.get(id))) this.refresh();
    }, () => undefined);
  }
  getTreeItem(n: Node): vscode.TreeItem { return n; }

  getChildren(parent?: Node): Node[] {
    const entries = this.files.entries();
    if (!parent) {
      if (!entries.length) return [];
      return GROUPS.flatMap((g) => {
        const n = entries.filter((e) => groupOf(e) === g.id).length;
        return n || g.id === 'pending' || g.id === 'accepted' ? [new GroupNode(g.id, n)] : [];
      });
    }
    if (parent instanceof GroupNode) {
      const inGroup = entries.filter((e) => groupOf(e) === parent.group);
      // Newest first: what was just learned or pruned is what the reviewer looks for.
      inGroup.sort((a, b) => (b.item.updated ?? b.item.created ?? '').localeCompare(a.item.updated ?? a.item.created ?? ''));
      if (!this.titlesLoaded) this.reloadTitles();
      return inGroup.map((e) => new ItemNode(e, this.titles));
    }
    return [];
  }

  dispose(): void { this.emitter.dispose(); }
}

/** Registers the Knowledge view, its badge and the status-bar count of pending items. */
export function registerKnowledgeTree(ctx: OelContext, files: KnowledgeFiles): void {
  const provider = new KnowledgeTreeProvider(files, async () => new Map((await (await ctx.store()).list()).map((r) => [r.id, r.title])));
  ctx.own(ctx.onDidChangeHistory(() => provider.reloadTitles()));
  const view = vscode.window.createTreeView('oel.knowledgeView', { treeDataProvider: provider, showCollapseAll: true });
  const status = vscode.window.createStatusBarItem('oel.knowledgePending', vscode.StatusBarAlignment.Right, 99);
  status.name = 'OEL Knowledge';
  status.command = 'oel.knowledgeView.focus';
  ctx.own(provider, view, status);
  const update = (): void => {
    provider.refresh();
    const n = files.pendingCount();
    view.badge = n ? { value: n, tooltip: `${n} knowledge item${n === 1 ? '' : 's'} pending review` } : undefined;
    view.message = files.file('workspace')?.readOnly ? 'Restricted Mode: the workspace knowledge is read-only and not used by the agent.' : undefined;
    status.text = `$(lightbulb) ${n}`;
    status.tooltip = `OEL Agent: ${n} learned item${n === 1 ? '' : 's'} pending review — click to review`;
    status.accessibilityInformation = { label: `${n} knowledge items pending review` };
    if (n) status.show();
    else status.hide();
    void vscode.commands.executeCommand('setContext', 'oel.knowledgePending', n);
  };
  ctx.own(files.onDidChange(update));
  update();
}
