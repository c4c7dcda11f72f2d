/**
 * Proposed edits: a read-only `oel-proposed:` document per pending edit, shown with `vscode.diff` (current file vs
 * proposal), and the editor-title commands `oel.acceptEdit` / `oel.rejectEdit` that answer the pending approval.
 */
import * as vscode from 'vscode';
import type { OelContext } from './context';
import { loadCore } from './core';

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
   * Opens the diff of an edit approval: the current file against the proposal rebuilt from the unified diff the
   * approval carries. When the patch does not apply (the file changed meanwhile), the raw diff is shown.
   */
  async open(callId: string, relativePath: string, unifiedDiff: string): Promise<void> {
    const root = vscode.workspace.workspaceFolders?.[0]?.uri;
    const fileUri = root ? vscode.Uri.joinPath(root, relativePath) : undefined;
    let before = '';
    let exists = false;
    if (fileUri) {
      try {
        before = new TextDecoder().decode(await vscode.workspace.fs.readFile(fileUri));
        exists = true;
      } catch { /* a new file */ }
    }
    const base = `/${encodeURIComponent(callId)}/`;
    const { applyPatch } = await loadCore();
    const after = applyPatch(before, unifiedDiff);
    if (after === false) {
      const doc = await vscode.workspace.openTextDocument({ language: 'diff', content: unifiedDiff });
      await vscode.window.showTextDocument(doc, { preview: true });
      return;
    }
    const name = relativePath.split('/').pop() ?? relativePath;
    const right = vscode.Uri.from({ scheme: PROPOSED_SCHEME, path: `${base}proposed/${relativePath}` });
    this.content.docs.set(right.path, after);
    let left: vscode.Uri;
    if (exists && fileUri) left = fileUri;
    else {
      left = vscode.Uri.from({ scheme: PROPOSED_SCHEME, path: `${base}current/${relativePath}` });
      this.content.docs.set(left.path, before);
    }
    await vscode.commands.executeCommand('vscode.diff', left, right, `${name} (current ↔ proposed by OEL Agent)`, { preview: true });
  }
}
