/**
 * The team status bar item and the scheduled send. While joined, the item says how many items wait and when they
 * are sent ("Team: 3 queued · next Mon 09:00"); clicking it opens the preview. A minute timer sends when the
 * schedule (oel.team.schedule, user settings only) says so, never before the first submission to the server was sent
 * from its preview. The queue itself is on disk (core), so what was queued survives a restart and is sent next time.
 */
import * as vscode from 'vscode';
import type { OelContext } from '../context';
import { loadCore } from '../core';
import type { KnowledgeFiles } from '../knowledge/knowledgeFiles';
import { teamOf } from './joinCommands';
import { affectsTeam } from './teamConfig';
import { reportSend } from './submissionPreview';
import { scheduledSendDue, teamStatusText } from './statusText';
import type { TeamSender } from './teamSender';

const TICK_MS = 60_000;

/** Registers the status bar item and the schedule timer. */
export function registerSendSchedule(ctx: OelContext, files: KnowledgeFiles, sender: TeamSender): void {
  const team = teamOf(ctx);
  const item = vscode.window.createStatusBarItem('oel.teamStatus', vscode.StatusBarAlignment.Right, 98);
  item.name = 'OEL Team';
  item.command = 'oel.team.previewSubmission';
  ctx.own(item);
  let busy = false;
  let lastFailureAt: Date | null = null;
  let lastReported = '';

  const update = async (): Promise<void> => {
    const w = await sender.waiting().catch((e: unknown) => { ctx.log.warn(`team: status: ${(e as Error).message}`); return null; });
    const session = await team.session();
    if (!w || !session) { item.hide(); return; }
    const core = await loadCore();
    const settings = sender.settings();
    const first = sender.firstSendDone(session.server);
    const now = new Date();
    const s = teamStatusText({ waiting: w.waiting, schedule: settings.schedule, next: core.nextSendAt(settings.schedule, sender.lastSentAt(session.server), now, first), firstSendDone: first, ...(w.lastError ? { lastError: w.lastError } : {}) }, now);
    item.text = s.text;
    item.tooltip = s.tooltip;
    item.accessibilityInformation = { label: s.text.replace(/\$\([^)]+\)\s*/, '') };
    item.show();
  };

  /** Sends when due: something waits, the first send was previewed, and the schedule's time has come. */
  const tick = async (): Promise<void> => {
    if (busy || !vscode.workspace.isTrusted) return;
    busy = true;
    try {
      const session = await team.session();
      if (!session) return;
      const core = await loadCore();
      const settings = sender.settings();
      const now = new Date();
      const due = core.nextSendAt(settings.schedule, sender.lastSentAt(session.server), now, sender.firstSendDone(session.server));
      if (!scheduledSendDue(due, now, lastFailureAt)) return;
      const w = await sender.waiting();
      if (!w?.waiting) return;
      // Without a preview, only items the user consented to on this machine leave.
      const next = await sender.next({ onlyConfirmed: true });
      if (next.plan.awaitingPreview) ctx.log.info(`team: ${next.plan.awaitingPreview} item(s) with share: yes only in the file wait for the preview`);
      if (next.problem) ctx.log.warn(`team: scheduled send: ${next.problem}`);
      if (!next.draft && !next.queued) return;
      ctx.log.info(`team: scheduled (${settings.schedule}) send`);
      const out = await sender.send({ ...(next.draft ? { draft: next.draft } : {}) });
      lastFailureAt = out.result.error ? new Date() : null;
      // The same failure is shown once, not at every retry; the status bar tooltip keeps the last error.
      const message = out.result.error?.message ?? '';
      if (!message || message !== lastReported) reportSend(ctx, out);
      lastReported = message;
    } catch (e) {
      ctx.log.warn(`team: scheduled send failed: ${(e as Error).message}`);
    } finally {
      busy = false;
      void update();
    }
  };

  const refresh = () => void update();
  ctx.own(team.onDidChange(refresh), files.onDidChange(refresh), sender.onDidChange(refresh));
  ctx.own(vscode.workspace.onDidChangeConfiguration((e) => { if (affectsTeam(e)) refresh(); }));
  ctx.own(vscode.workspace.onDidGrantWorkspaceTrust(refresh));
  const timer = setInterval(() => { void tick(); void update(); }, TICK_MS);
  ctx.own({ dispose: () => clearInterval(timer) });
  // Shared items' team status (waiting → admitted) is refreshed now and then while joined.
  const statusTimer = setInterval(() => void sender.refreshStatuses().catch((e: unknown) => ctx.log.warn(`team: status refresh: ${(e as Error).message}`)), 30 * TICK_MS);
  ctx.own({ dispose: () => clearInterval(statusTimer) });
  setTimeout(() => { void update(); void tick(); }, 0);
}
