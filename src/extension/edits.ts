/**
 * Proposed edits: read-only `oel-proposed:` documents per pending edit (the text it was computed from and the text it
 * writes), shown with `vscode.diff`, and the editor-title commands `oel.acceptEdit` / `oel.rejectEdit` that answer
 * the pending approval.
 */
import * as vscode from 'vscode';
import type { OelContext } from './context';
import { loadCore, type EditProposal } from './core';

export const PROPOSED_SCHEME = 'oel-proposed';

/** Proposed contents by URI path; the provider serves them. */
class ProposedContent implements vscode.TextDocumentContentProvider {
  readonly docs = new Map<string, string>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.docs.get(uri.path) ?? '';
  }
  dispose(): void { this.emitter.dispose(); }
}

/** Resolves a pending edit approval from the editor title. */
export type EditAnswer = (callId: string, accepted: boolean) => void;

/** Shows proposed edits and routes Accept/Reject from the editor title to the pending approval. */
export class EditReviews {
  private readonly content = new ProposedContent();
  private readonly pending: string[] = [];
  private answer: EditAnswer = () => {};
  /** Numbers the documents of {@link showChange}, so each opening shows the text it was given. */
  private changeSeq = 0;

  constructor(private readonly ctx: OelContext) {
    ctx.own(vscode.workspace.registerTextDocumentContentProvider(PROPOSED_SCHEME, this.content), this.content);
    ctx.command('oel.acceptEdit', (uri?: vscode.Uri) => this.decide(true, uri));
    ctx.command('oel.rejectEdit', (uri?: vscode.Uri) => this.decide(false, uri));
  }

  /** Where Accept/Reject from the editor title go (the agent controller's approver). */
  onAnswer(answer: EditAnswer): void { this.answer = answer; }

  /** An edit approval is pending (enables the editor-title buttons). */
  add(callId: string): void {
    this.pending.push(callId);
    this.updateContext();
  }

  /**
   * The approval was decided, by whatever means: the diff tab the agent opened for it is closed (the decision is
   * shown in the Agent view, and the accepted edit is in the file itself).
   */
  remove(callId: string): void {
    const i = this.pending.indexOf(callId);
    if (i >= 0) this.pending.splice(i, 1);
    const base = `/${encodeURIComponent(callId)}/`;
    for (const key of [...this.content.docs.keys()]) if (key.startsWith(base)) this.content.docs.delete(key);
    this.updateContext();
    void this.closeDiffTabs(base);
  }

  /** Closes the tabs showing this call's proposed documents (only ours: the `oel-proposed` scheme and its call). */
  private async closeDiffTabs(base: string): Promise<void> {
    const ours = (uri: vscode.Uri) => uri.scheme === PROPOSED_SCHEME && uri.path.startsWith(base);
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) =>
      (t.input instanceof vscode.TabInputTextDiff && (ours(t.input.original) || ours(t.input.modified))) || (t.input instanceof vscode.TabInputText && ours(t.input.uri)));
    if (tabs.length) await vscode.window.tabGroups.close(tabs).then(undefined, (e: unknown) => this.ctx.log.warn(`closing the diff failed: ${(e as Error).message}`));
  }

  private updateContext(): void {
    void vscode.commands.executeCommand('setContext', 'oel.editPending', this.pending.length > 0);
  }

  private decide(accepted: boolean, uri?: vscode.Uri): void {
    const fromUri = uri?.scheme === PROPOSED_SCHEME ? decodeURIComponent(uri.path.split('/')[1] ?? '') : undefined;
    const active = vscode.window.activeTextEditor?.document.uri;
    const fromActive = active?.scheme === PROPOSED_SCHEME ? decodeURIComponent(active.path.split('/')[1] ?? '') : undefined;
    const callId = [fromUri, fromActive].find((id) => id && this.pending.includes(id)) ?? this.pending[this.pending.length - 1];
    if (!callId) {
      void vscode.window.showInformationMessage('OEL Agent: no edit is waiting for a decision.');
      return;
    }
    this.answer(callId, accepted);
  }

  /**
   * Opens the diff of an edit approval: the text the edit was computed from against exactly the text that Accept
   * writes. When the file has changed since, says so: accepting will then be refused rather than overwrite the change.
   */
  async open(callId: string, edit: EditProposal): Promise<void> {
    const base = `/${encodeURIComponent(callId)}/`;
    const left = vscode.Uri.from({ scheme: PROPOSED_SCHEME, path: `${base}before/${edit.path}` });
    const right = vscode.Uri.from({ scheme: PROPOSED_SCHEME, path: `${base}proposed/${edit.path}` });
    this.content.docs.set(left.path, edit.before);
    this.content.docs.set(right.path, edit.after);
    const name = edit.path.split('/').pop() ?? edit.path;
    await vscode.commands.executeCommand('vscode.diff', left, right, `${name} (${edit.mode === 'create' ? 'new file' : 'before ↔ after'}, proposed by OEL Agent)`, { preview: true });
    if (await this.changedSince(edit)) {
      void vscode.window.showWarningMessage(`OEL Agent: ${edit.path} has changed since this edit was proposed. Accepting it will not overwrite the change: the edit will be refused and the agent asked to read the file again.`);
    }
  }

  /**
   * Opens what a finished run changed in `path` (workspace-relative): `before` (null: the file was new) against the
   * file now. The path is confined to the workspace again here, at the moment of use.
   */
  async showChange(root: string, path: string, before: string | null): Promise<void> {
    const { WorkspaceFiles } = await loadCore();
    let real: string;
    try {
      const now = await new WorkspaceFiles(root).resolve(path);
      if (now.kind !== 'file') { void vscode.window.showInformationMessage(`OEL Agent: ${path} is no longer there.`); return; }
      real = now.real;
    } catch (e) {
      void vscode.window.showWarningMessage(`OEL Agent: cannot open ${path}: ${(e as Error).message}`);
      return;
    }
    const left = vscode.Uri.from({ scheme: PROPOSED_SCHEME, path: `/~change/${this.changeSeq++}/before/${path}` });
    this.content.docs.set(left.path, before ?? '');
    const name = path.split('/').pop() ?? path;
    await vscode.commands.executeCommand('vscode.diff', left, vscode.Uri.file(real), `${name} (${before === null ? 'new file' : 'before the task ↔ now'}, changed by OEL Agent)`, { preview: true });
  }

  /** Whether the file no longer holds what the edit was computed from (read through the core's confined files). */
  private async changedSince(edit: EditProposal): Promise<boolean> {
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!root) return false;
    const { WorkspaceFiles, textHash } = await loadCore();
    try {
      const files = new WorkspaceFiles(root);
      const now = await files.resolve(edit.path);
      if (edit.beforeHash === null) return now.kind !== null;
      if (now.kind !== 'file') return true;
      // An open editor's text (unsaved typing included, BOM kept out) is what the edit would be checked against.
      const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === now.real);
      if (open) return open.getText() !== edit.before.replace(/^\uFEFF/, '');
      return textHash((await files.readFile(edit.path)).bytes.toString('utf8')) !== edit.beforeHash;
    } catch {
      return true;
    }
  }
}
