/**
 * The Team view (a native tree in the OEL Agent container): the adapter active here and current on the server, the
 * kept versions, rounds with live progress, and the team's knowledge. It polls the server: every 2 s while a round
 * runs, every 10 s while visible, every 60 s otherwise; a new current version on the server brings a notification
 * and an automatic update. Admin actions show only for an admin token (teamRole.ts); the server enforces roles.
 */
import * as vscode from 'vscode';
import type { OelContext } from '../context';
import { loadCore } from '../core';
import type { AdapterUpdates } from './adapterUpdates';
import { isRunning, releaseNotice, teamTree, type TeamNode, type TeamSnapshot } from './teamModel';
import { detectRole, type TeamRole } from './teamRole';

const FAST_MS = 2_000;
const VISIBLE_MS = 10_000;
const HIDDEN_MS = 60_000;

class TeamTreeItem extends vscode.TreeItem {
  constructor(readonly node: TeamNode) {
    super(node.label, node.children ? (node.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed) : vscode.TreeItemCollapsibleState.None);
    this.id = node.id;
    this.description = node.description;
    this.tooltip = node.tooltip;
    this.contextValue = node.contextValue;
    this.iconPath = new vscode.ThemeIcon(node.icon, node.color ? new vscode.ThemeColor(node.color) : undefined);
  }
}

export class TeamView implements vscode.TreeDataProvider<TeamTreeItem>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TeamTreeItem | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private snapshot: TeamSnapshot | null = null;
  private role: TeamRole | null = null;
  /** The server's current version at the last poll (undefined before the first one of this session). */
  private lastCurrent: number | null | undefined;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private disposed = false;
  visible = false;

  constructor(private readonly ctx: OelContext, private readonly updates: AdapterUpdates) {}

  getTreeItem(e: TeamTreeItem): vscode.TreeItem { return e; }

  getChildren(e?: TeamTreeItem): TeamTreeItem[] {
    // No rows when not joined: the view's welcome content (Join Team…) shows instead.
    if (!this.ctx.team?.joined || !this.snapshot) return [];
    return (e ? e.node.children ?? [] : teamTree(this.snapshot)).map((n) => new TeamTreeItem(n));
  }

  /** After join or leave: forget the role and the last version seen, and poll now. */
  reset(): void {
    this.role = null;
    this.lastCurrent = undefined;
    this.snapshot = null;
    void vscode.commands.executeCommand('setContext', 'oel.team.admin', false);
    this.emitter.fire(undefined);
    this.pollSoon(0);
  }

  /** Schedules the next poll (replacing a scheduled one). */
  pollSoon(ms?: number): void {
    clearTimeout(this.timer);
    if (this.disposed) return;
    const running = this.snapshot?.rounds?.some(isRunning) ?? false;
    const wait = ms ?? (running ? FAST_MS : this.visible ? VISIBLE_MS : HIDDEN_MS);
    this.timer = setTimeout(() => void this.poll(), wait);
  }

  /** One poll now (a second caller waits for the one in flight). */
  poll(): Promise<void> {
    this.polling ??= this.doPoll().catch((e: unknown) => this.ctx.log.warn(`team view: ${(e as Error).message}`)).finally(() => { this.polling = undefined; this.pollSoon(); });
    return this.polling;
  }

  private async doPoll(): Promise<void> {
    const session = await this.ctx.team?.session();
    if (!session) { this.snapshot = null; this.emitter.fire(undefined); return; }
    const core = await loadCore();
    const errors: string[] = [];
    const get = <T>(p: Promise<T>): Promise<T | null> => p.catch((e: unknown) => { errors.push((e as Error).message); return null; });
    if (!this.role) {
      this.role = await get(detectRole(session.client));
      void vscode.commands.executeCommand('setContext', 'oel.team.admin', this.role === 'admin');
    }
    const [knowledge, rounds, adapters, active, stored] = await Promise.all([
      get(session.client.knowledge()), get(session.client.rounds()), get(session.client.adapters()),
      core.readActiveAdapter(session.adaptersRoot, session.server), core.storedVersions(session.adaptersRoot, session.server),
    ]);
    const serving = this.ctx.adapters?.active();
    this.snapshot = {
      server: session.opts.pin.url, role: this.role, knowledge, rounds, adapters, active, stored,
      activeApplies: !!active && (!this.ctx.adapters || (serving?.server === session.server && serving.version === active.version)),
      saved: this.updates.absorption.version !== null ? this.updates.absorption : null,
      refusal: this.updates.refusal, error: errors[0] ?? null,
    };
    this.emitter.fire(undefined);
    if (adapters) this.noticeRelease(adapters.current, active?.version ?? null);
  }

  /** A new current version on the server (or one not active here at start): tell the user and update automatically. */
  private noticeRelease(current: number | null, activeHere: number | null): void {
    const before = this.lastCurrent;
    this.lastCurrent = current;
    const notice = releaseNotice(before, current);
    if (notice) void vscode.window.showInformationMessage(`OEL Agent: ${notice}`, 'Show Team View').then((a) => a && vscode.commands.executeCommand('oel.teamView.focus'));
    // Never retried automatically: a version refused in this session, or the one the user rolled back from.
    const differs = current !== null && current !== activeHere && current !== this.updates.refusedVersion && current !== this.updates.declinedVersion;
    if (differs && (notice || before === undefined)) {
      void this.updates.update({ auto: true }).catch((e: unknown) => {
        this.ctx.log.warn(`team: automatic adapter update failed: ${(e as Error).message}`);
        void vscode.window.showWarningMessage(`OEL Agent: the team adapter could not be updated: ${(e as Error).message}`);
      });
    }
  }

  /** Re-renders from the last poll with the receiving side's latest state (refusal, savings). */
  rerender(): void {
    if (this.snapshot) this.snapshot = { ...this.snapshot, saved: this.updates.absorption.version !== null ? this.updates.absorption : null, refusal: this.updates.refusal };
    this.emitter.fire(undefined);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    this.emitter.dispose();
  }
}

/** Creates the Team view and its admin commands. */
export function registerTeamView(ctx: OelContext, updates: AdapterUpdates): TeamView {
  const view = ctx.own(new TeamView(ctx, updates));
  const tree = vscode.window.createTreeView('oel.teamView', { treeDataProvider: view, showCollapseAll: true });
  ctx.own(tree, tree.onDidChangeVisibility((e) => { view.visible = e.visible; if (e.visible) view.pollSoon(0); }));
  view.visible = tree.visible;
  if (ctx.team) ctx.own(ctx.team.onDidChange(() => view.reset()));
  ctx.own(updates.onDidChange(() => { view.rerender(); view.pollSoon(0); }));

  const client = async () => {
    const s = await ctx.team?.session();
    if (!s) throw new Error('join a team first (OEL Agent: Join Team Consolidation).');
    return s.client;
  };
  const argOf = (a: unknown) => (a instanceof TeamTreeItem ? a.node : (a as TeamNode | undefined));

  ctx.command('oel.team.refresh', () => view.poll());
  ctx.command('oel.team.startRound', async () => {
    const steps = await vscode.window.showInputBox({
      title: 'Start a consolidation round', prompt: 'Training steps for this round (leave empty for the server\'s default)',
      validateInput: (v) => (v.trim() === '' || /^[1-9]\d{0,4}$/.test(v.trim()) ? undefined : 'A whole number of steps, or empty'),
    });
    if (steps === undefined) return;
    const round = await (await client()).startRound(steps.trim() ? Number(steps.trim()) : undefined);
    // The round's items are chosen when it starts preparing, so the answer cannot say how many yet.
    void vscode.window.showInformationMessage(`OEL Agent: consolidation round ${round.id} started (${round.params.steps} steps); the Team view shows its progress.`);
    await view.poll();
  });
  const decide = async (arg: unknown, decision: 'approve' | 'reject') => {
    const node = argOf(arg);
    if (!node?.itemId) throw new Error('choose a team knowledge item in the Team view.');
    if (decision === 'reject') {
      const ok = await vscode.window.showWarningMessage(`Reject this team item? It will not be trained into any adapter.\n\n${node.label}`, { modal: true }, 'Reject');
      if (ok !== 'Reject') return;
    }
    const item = await (await client()).decide(node.itemId, decision);
    void vscode.window.showInformationMessage(`OEL Agent: the team item is now ${item.status}.`);
    await view.poll();
  };
  ctx.command('oel.team.approveItem', (arg: unknown) => decide(arg, 'approve'));
  ctx.command('oel.team.rejectItem', (arg: unknown) => decide(arg, 'reject'));
  ctx.command('oel.team.setCurrentVersion', async (arg: unknown) => {
    const v = argOf(arg)?.version;
    if (!v) throw new Error('choose an adapter version in the Team view.');
    const ok = await vscode.window.showWarningMessage(`Make adapter version ${v} current for the whole team? Every member's extension will switch to it.`, { modal: true }, 'Make Current');
    if (ok !== 'Make Current') return;
    await (await client()).setCurrent(v);
    await view.poll();
  });
  view.pollSoon(0);
  return view;
}
