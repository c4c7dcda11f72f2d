/**
 * The VS Code {@link ToolHost}: plain file reads, search and commands come from the core's NodeToolHost (the
 * extension runs beside the files: extensionKind workspace); diagnostics come from the language services, and edits
 * go through VS Code's text documents so open editors see them and Undo works.
 */
import * as vscode from 'vscode';
import type { Config } from './config';
import type { CommandResult, Diagnostic, EditProposal, RunCommandOptions, ToolHost } from './core';
import { mapDiagnostics } from './diagnostics';

/** Tool host over VS Code. */
export class VsCodeToolHost implements ToolHost {
  readonly root: string;
  /** `node` is the core's NodeToolHost for the same root (plain fs and child_process). */
  constructor(private readonly node: ToolHost, private readonly config: Config, private readonly onEdit?: (path: string) => void) {
    this.root = node.root;
  }

  readFile(path: string): Promise<Uint8Array> { return this.node.readFile(path); }
  stat(path: string) { return this.node.stat(path); }
  listDir(path: string) { return this.node.listDir(path); }
  searchText(q: { text: string; regex: boolean; glob?: string; path: string; maxResults: number }) { return this.node.searchText(q); }

  async diagnostics(path?: string): Promise<Diagnostic[]> {
    if (path) return mapDiagnostics(this.root, [[path, vscode.languages.getDiagnostics(vscode.Uri.file(path))]]);
    return mapDiagnostics(this.root, vscode.languages.getDiagnostics().map(([uri, d]) => [uri.fsPath, d]));
  }

  /**
   * Applies an edit. The user's review happens before this call: with policy `ask` the approval card (with Open
   * Diff and the editor-title Accept/Reject) is the review; with policy `auto` the user chose not to be asked.
   */
  async reviewEdit(p: EditProposal): Promise<'accepted' | 'rejected'> {
    const uri = vscode.Uri.file(p.path);
    if (p.mode === 'create') {
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(p.after));
    } else {
      const doc = await vscode.workspace.openTextDocument(uri);
      const edit = new vscode.WorkspaceEdit();
      edit.replace(uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), p.after);
      if (!(await vscode.workspace.applyEdit(edit))) return 'rejected';
      await doc.save();
    }
    this.onEdit?.(p.relativePath);
    return 'accepted';
  }

  /** Runs a command; `oel.agent.commandTimeoutSeconds` caps the timeout the model asked for. */
  runCommand(command: string, opts: RunCommandOptions): Promise<CommandResult> {
    return this.node.runCommand(command, { ...opts, timeoutMs: Math.min(opts.timeoutMs, this.config.commandTimeoutMs) });
  }
}
