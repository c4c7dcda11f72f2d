/**
 * Consent per item: "Share with Team" and "Don't Share with Team" on a Knowledge view item or its CodeLens write
 * `share: yes|no` into the item's metadata through the knowledge files' own write path (merged with outside edits,
 * reviewable in git). "Team Sharing for This Workspace…" records the user's per-workspace choices on this machine.
 */
import * as vscode from 'vscode';
import type { OelContext } from '../context';
import { loadCore } from '../core';
import { refOf } from '../knowledge/knowledgeCommands';
import type { KnowledgeFiles } from '../knowledge/knowledgeFiles';
import type { ConsentRecords } from './consentRecords';
import { setLocalChoices, teamSharing } from './teamConfig';
import type { LocalTeamChoices } from './teamSettings';

/** Registers the consent commands. */
export function registerConsentCommands(ctx: OelContext, files: KnowledgeFiles, consents: ConsentRecords): void {
  const consent = (share: 'yes' | 'no') => async (arg?: unknown): Promise<void> => {
    const ref = refOf(arg);
    if (!ref) throw new Error('choose an item in the Knowledge view or above it in the knowledge file.');
    await files.init();
    const e = files.find(ref.id, ref.scope);
    if (!e || e.tombstone) throw new Error(`the item ${ref.id} is no longer in the knowledge file.`);
    if (share === 'yes' && e.needsReview) throw new Error(`${e.item.id} is flagged (${e.flags.map((f) => f.kind).join(', ')}); accept it after review before sharing it.`);
    const core = await loadCore();
    await files.update(e.file.scope, (doc) => { core.setShareConsent(doc, e.item.id, share); });
    if (share === 'yes') await consents.record([{ id: e.item.id, hash: core.itemTextHash(e.item.text) }]);
    ctx.log.info(`team: ${e.item.id} share: ${share}`);
    if (share === 'yes') {
      const s = teamSharing(ctx.ext);
      const why = e.file.scope === 'workspace' && !s.shareWorkspaceKnowledge ? ` It is held back for now: ${s.workspaceOffReason}.` : '';
      void vscode.window.showInformationMessage(`OEL Agent: ${e.item.id} will be in the next team submission (anonymized).${why}`, 'Preview Next Submission')
        .then((a) => a && vscode.commands.executeCommand('oel.team.previewSubmission'));
    }
  };
  ctx.command('oel.team.share', consent('yes'));
  ctx.command('oel.team.dontShare', consent('no'));

  ctx.command('oel.team.workspaceSharing', async () => {
    const s = teamSharing(ctx.ext);
    type Pick = vscode.QuickPickItem & { set: LocalTeamChoices };
    const picks: Pick[] = [
      { label: 'Share this workspace\'s knowledge, only items I mark Share with Team', set: { shareWorkspaceKnowledge: true, shareByDefault: 'no' } },
      { label: 'Share this workspace\'s knowledge, every accepted item unless I mark it Don\'t Share', set: { shareWorkspaceKnowledge: true, shareByDefault: 'yes' } },
      { label: 'Never share this workspace\'s knowledge', set: { shareWorkspaceKnowledge: false } },
      { label: 'Follow my user settings', set: {} },
    ];
    const chosen = await vscode.window.showQuickPick(picks, {
      title: 'Team sharing for this workspace (kept on this machine, not in the repository)',
      placeHolder: `Now: ${s.shareWorkspaceKnowledge ? `shared, default consent ${s.shareByDefault}` : `not shared (${s.workspaceOffReason})`}`,
    });
    if (!chosen) return;
    await setLocalChoices(ctx.ext, chosen.set);
    const after = teamSharing(ctx.ext);
    if (chosen.set.shareWorkspaceKnowledge && !after.shareWorkspaceKnowledge) void vscode.window.showWarningMessage(`OEL Agent: still not shared: ${after.workspaceOffReason}.`);
    // The status bar and the preview count per file: re-read so they follow the new choice at once.
    await vscode.commands.executeCommand('oel.knowledge.refresh');
  });
}
