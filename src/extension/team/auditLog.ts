/**
 * "Show Team Audit Log" (`oel.team.showAuditLog`; the Team view has a button for it): the local log of every
 * submission that left the machine, rendered readably as a read-only Markdown document: time, server, submission id,
 * the exact payload and the server's response.
 */
import * as vscode from 'vscode';
import type { OelContext } from '../context';
import { loadCore } from '../core';
import { auditMarkdown } from './auditMarkdown';

export const AUDIT_SCHEME = 'oel-team-audit';
const AUDIT_URI = vscode.Uri.from({ scheme: AUDIT_SCHEME, path: '/team-audit-log.md' });

/** Registers the audit log command and its read-only document. */
export function registerAuditLog(ctx: OelContext): void {
  const changed = new vscode.EventEmitter<vscode.Uri>();
  ctx.own(changed);
  ctx.own(vscode.workspace.registerTextDocumentContentProvider(AUDIT_SCHEME, {
    onDidChange: changed.event,
    provideTextDocumentContent: async () => {
      const session = await ctx.team?.session();
      if (!session) return '# Team audit log\n\nNot joined to a team: nothing to show. The log of a team you left stays in the extension\'s storage.\n';
      const core = await loadCore();
      const { entries, unreadable } = await core.readAudit(session.auditPath);
      return auditMarkdown(entries, { path: session.auditPath, unreadable });
    },
  }));
  ctx.command('oel.team.showAuditLog', async () => {
    changed.fire(AUDIT_URI);
    const doc = await vscode.workspace.openTextDocument(AUDIT_URI);
    if (doc.languageId !== 'markdown') await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
    await vscode.window.showTextDocument(doc, { preview: false });
  });
}
