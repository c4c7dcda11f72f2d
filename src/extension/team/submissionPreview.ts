/**
 * "Preview Next Submission" and "Send Now". The preview opens the exact JSON the client will send (a read-only
 * virtual document, JSON language, byte for byte the queued body) and, beside it, the panel of previewHtml.ts
 * listing each item original → anonymized, where items can be dropped. Send from the panel queues that very body.
 * "Send Now" goes through the preview until the first submission to a server was sent from it.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { OelContext } from '../context';
import { loadCore, type SubmissionDraft } from '../core';
import type { KnowledgeFiles } from '../knowledge/knowledgeFiles';
import { previewHtml } from './previewHtml';
import { sendFailureActions } from './sendMessages';
import type { NextSubmission, SendOutcome, TeamSender } from './teamSender';

/** The virtual document's scheme; its one document is the next submission's body. */
export const SUBMISSION_SCHEME = 'oel-team-submission';
const SUBMISSION_URI = vscode.Uri.from({ scheme: SUBMISSION_SCHEME, path: '/next-submission.json' });

/** Registers the preview, its document provider, and the send commands. */
export function registerSubmissionPreview(ctx: OelContext, files: KnowledgeFiles, sender: TeamSender): void {
  let current: NextSubmission | undefined;
  let sentNote: string | undefined;
  let panel: vscode.WebviewPanel | undefined;
  const docChanged = new vscode.EventEmitter<vscode.Uri>();
  ctx.own(docChanged);
  ctx.own(vscode.workspace.registerTextDocumentContentProvider(SUBMISSION_SCHEME, {
    onDidChange: docChanged.event,
    // Exactly the draft's body: the string that is queued, sent and written to the audit log.
    provideTextDocumentContent: () => current?.draft?.body ?? '{}\n',
  }));

  const render = (): void => {
    if (!panel || !current) return;
    const d = current.draft;
    const notes: string[] = [];
    if (current.plan.heldByWorkspace) notes.push(`${current.plan.heldByWorkspace} consented item${current.plan.heldByWorkspace === 1 ? ' of this workspace is' : 's of this workspace are'} held back: ${current.settings.workspaceOffReason ?? 'sharing this workspace is off'}.`);
    if (current.problem) notes.push(`${current.problem} (Edit it, or choose Don't Share with Team on it in the Knowledge view.)`);
        if (current.plan.deferred) notes.push(`${current.plan.deferred} more consented item${current.plan.deferred === 1 ? ' waits' : 's wait'} for the next submission (one holds at most 200).`);
        if (current.plan.alreadyQueued) notes.push(`${current.plan.alreadyQueued} consented item${current.plan.alreadyQueued === 1 ? ' is' : 's are'} already in a queued submission.`);
    panel.webview.html = previewHtml({
      server: current.session.opts.pin.url, cspSource: panel.webview.cspSource, nonce: randomBytes(16).toString('base64'),
      submissionId: d?.submission_id ?? null,
      items: (d?.items ?? []).map((i) => {
        const p = current!.plan.items.find((x) => x.id === i.client_id);
        return { id: i.client_id, scope: p?.scope ?? '', original: i.original, anonymized: i.anonymized, confirmed: p?.confirmed ?? false };
      }),
      taskStatements: d?.task_statements ?? [], queued: current.queued, notes, firstSend: !sender.firstSendDone(current.session.server),
      ...(sentNote ? { sent: sentNote } : {}),
    });
  };

  /** Rebuilds the draft from the files as they are now and shows it. */
  const refresh = async (): Promise<void> => {
    current = await sender.next();
    docChanged.fire(SUBMISSION_URI);
    // With nothing left to send, the JSON tab would only show `{}`: close it (the panel says why it is empty).
    if (!current.draft) await closeSubmissionTabs();
    render();
  };

  const open = async (): Promise<void> => {
    await refresh();
    if (current?.draft) {
      const doc = await vscode.workspace.openTextDocument(SUBMISSION_URI);
      if (doc.languageId !== 'json') await vscode.languages.setTextDocumentLanguage(doc, 'json');
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preview: false });
    }
    if (!panel) {
      panel = vscode.window.createWebviewPanel('oel.team.preview', 'Next Team Submission', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
        enableScripts: false, localResourceRoots: [],
        // Only these commands may run from the page's links; each checks its argument against `current`.
        enableCommandUris: ['oel.team.dropFromSubmission', 'oel.team.sendPreviewed', 'oel.team.previewSubmission', 'oel.team.showAuditLog'],
      });
      panel.onDidDispose(() => { panel = undefined; });
    } else panel.reveal(vscode.ViewColumn.Beside, true);
    render();
  };

  ctx.command('oel.team.previewSubmission', open);

  ctx.command('oel.team.dropFromSubmission', async (arg?: unknown) => {
    const a = (arg ?? {}) as { id?: unknown; scope?: unknown; submissionId?: unknown };
    const item = current?.draft?.items.find((i) => i.client_id === a.id);
    const planned = current?.plan.items.find((p) => p.id === a.id && p.scope === a.scope);
    // The link's argument is checked against the draft on screen: only an item shown in it can be dropped.
    if (!current?.draft || a.submissionId !== current.draft.submission_id || !item || !planned) { await open(); return; }
    const core = await loadCore();
    await files.update(planned.scope, (doc) => { core.setShareConsent(doc, planned.id, 'no'); });
    ctx.log.info(`team: ${planned.id} dropped from the submission (share: no)`);
    await refresh();
  });

  ctx.command('oel.team.sendPreviewed', async (submissionId?: unknown) => {
    const shown = current?.draft;
    if (!shown || submissionId !== shown.submission_id) { await open(); return; }
    // Sent only if the files still say what the preview showed; otherwise the user looks again.
    const now = await sender.next({ submissionId: shown.submission_id });
    if (!now.draft || now.draft.body !== shown.body) {
      await refresh();
      void vscode.window.showWarningMessage('OEL Agent: the knowledge changed since this preview. Look at the updated preview, then send.');
      return;
    }
    const out = await sendWithProgress(ctx, sender, { draft: shown, fromPreview: true });
    const mine = out.result.sent.find((x) => x.submission_id === shown.submission_id);
    sentNote = mine ? `Sent submission ${mine.submission_id} at ${new Date().toLocaleTimeString()}: ${mine.response.accepted.length} accepted (waiting for the team's review), ${mine.response.rejected.length} refused.` : undefined;
    await refresh().catch(() => undefined);
  });

  ctx.command('oel.team.sendNow', async () => {
    const session = await sender.session();
    if (!sender.firstSendDone(session.server)) {
      await open();
      void vscode.window.showInformationMessage('OEL Agent: the first submission to a team server is sent from its preview. Look at it, then choose Send.');
      return;
    }
    const next = await sender.next({ onlyConfirmed: true });
    if (next.plan.awaitingPreview) {
      void vscode.window.showInformationMessage(`OEL Agent: ${next.plan.awaitingPreview} item${next.plan.awaitingPreview === 1 ? ' says' : 's say'} share: yes in the file, but you did not consent on this machine (it may come from a commit). ${next.plan.awaitingPreview === 1 ? 'It leaves' : 'They leave'} only from the preview.`, 'Open Preview')
        .then((a) => a && vscode.commands.executeCommand('oel.team.previewSubmission'));
    }
    if (next.problem) throw new Error(next.problem);
    if (!next.draft && next.queued === 0) { if (!next.plan.awaitingPreview) void vscode.window.showInformationMessage('OEL Agent: nothing to send: no consented item is waiting.'); return; }
    await sendWithProgress(ctx, sender, { ...(next.draft ? { draft: next.draft } : {}) });
    if (panel) await refresh().catch(() => undefined);
  });
}

/** Closes the tabs of the next-submission document. */
async function closeSubmissionTabs(): Promise<void> {
  const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.scheme === SUBMISSION_SCHEME);
  if (tabs.length) await vscode.window.tabGroups.close(tabs, true);
}

/** Sends with a cancellable progress notification and reports the outcome with the action that fixes a failure. */
export async function sendWithProgress(ctx: OelContext, sender: TeamSender, o: { draft?: SubmissionDraft; fromPreview?: boolean }): Promise<SendOutcome> {
  const server = (await sender.session()).opts.pin.url;
  const out = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `OEL Agent: sending to ${server}…`, cancellable: true }, (_p, token) => {
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    return sender.send({ ...o, signal: abort.signal });
  });
  reportSend(ctx, out);
  return out;
}

/** One message for a send: what was accepted, or the failure with its fix as a button. */
export function reportSend(ctx: OelContext, out: SendOutcome): void {
  const { result } = out;
  const accepted = result.sent.reduce((n, s) => n + s.response.accepted.length, 0);
  const rejected = result.sent.flatMap((s) => s.response.rejected);
  if (result.error) {
    const actions = sendFailureActions(result.error.kind);
    void vscode.window.showErrorMessage(`OEL Agent: ${result.error.message}${result.remaining ? ` ${result.remaining} submission${result.remaining === 1 ? ' stays' : 's stay'} queued.` : ''}`, ...actions).then((a) => {
      if (a === 'Re-join') void vscode.commands.executeCommand('oel.team.join');
      else if (a === 'Open Preview') void vscode.commands.executeCommand('oel.team.previewSubmission');
      else if (a === 'Try Again') void vscode.commands.executeCommand('oel.team.sendNow');
      else if (a === 'Show Log') ctx.log.show();
    });
    return;
  }
  if (!result.sent.length) return;
  void vscode.window.showInformationMessage(`OEL Agent: sent ${accepted} item${accepted === 1 ? '' : 's'} to the team${rejected.length ? `; ${rejected.length} refused (${rejected.map((r) => `${r.client_id}: ${r.reason}`).join('; ').slice(0, 300)})` : ''}. They wait for the team's review; the Knowledge view shows their status.`, 'Show Audit Log')
    .then((a) => a && vscode.commands.executeCommand('oel.team.showAuditLog'));
}
