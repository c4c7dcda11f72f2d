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

  /** The approval was decided, by whatever means; closes nothing (the user may still look at the diff). */
  remove(callId: string): void {
    const i = this.pending.indexOf(callId);
    if (i >= 0) this.pending.splice(i, 1);
    for (const key of [...this.content.docs.keys()]) if (key.startsWith(`/${encodeURIComponent(callId)}/`)) this.content.docs.delete(key);
    this.updateContext();
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
