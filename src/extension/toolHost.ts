/**
 * The VS Code {@link ToolHost}: files and commands come from the core's NodeToolHost (the extension runs beside the
 * files: extensionKind workspace), whose WorkspaceFiles confines every read and write when it happens; diagnostics
 * come from the language services. An edit to a file open in an editor goes through its document
 * ({@link openDocuments}), so the editor shows it and Undo works.
 */
import * as vscode from 'vscode';
import type { Config } from './config';
import type { CommandResult, Diagnostic, OpenDocuments, RunCommandOptions, ToolHost, WorkspaceFiles } from './core';
import { mapDiagnostics } from './diagnostics';
import type { TaskTerminal } from './taskTerminal';

/** Tool host over VS Code. */
export class VsCodeToolHost implements ToolHost {
  readonly root: string;
  readonly files: WorkspaceFiles;
  /**
   * `node` is the core's NodeToolHost for the same root, made with {@link openDocuments}; `terminal` shows the task's
   * commands live.
   */
  constructor(private readonly node: ToolHost, private readonly config: Config, private readonly terminal?: TaskTerminal) {
    this.root = node.root;
    this.files = node.files;
  }

  async diagnostics(path?: string): Promise<Diagnostic[]> {
    if (path) return mapDiagnostics(this.root, [[path, vscode.languages.getDiagnostics(vscode.Uri.file(path))]]);
    return mapDiagnostics(this.root, vscode.languages.getDiagnostics().map(([uri, d]) => [uri.fsPath, d]));
  }

  /**
   * Runs a command, its output live in the task's terminal; `oel.agent.commandTimeoutSeconds` caps the timeout the
   * model asked for. Ctrl+C in the terminal stops it as Stop does.
   */
  async runCommand(command: string, opts: RunCommandOptions): Promise<CommandResult> {
    const interrupted = new AbortController();
    const signal = opts.signal ? AbortSignal.any([opts.signal, interrupted.signal]) : interrupted.signal;
    this.terminal?.begin(command, opts.cwd, () => interrupted.abort());
    const result = await this.node.runCommand(command, {
      ...opts, signal, timeoutMs: Math.min(opts.timeoutMs, this.config.commandTimeoutMs),
      onOutput: (chunk) => { this.terminal?.output(chunk); opts.onOutput?.(chunk); },
    });
    this.terminal?.end(result);
    return result;
  }
}

/** Whether two file system paths name the same file, as this platform compares them. */
function samePath(a: string, b: string): boolean {
  return process.platform === 'linux' ? a === b : a.toLowerCase() === b.toLowerCase();
}

/**
 * Open text documents for the core's WorkspaceFiles: it has already confined the real path at this moment and checked
 * that the document's text (unsaved typing included) is what the edit was computed from; the edit then replaces the
 * text through a WorkspaceEdit (undoable) and saves.
 */
export function openDocuments(): OpenDocuments {
  return {
    find(realPath) {
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && samePath(d.uri.fsPath, realPath));
      if (!doc) return undefined;
      return {
        text: doc.getText(),
        replaceAndSave: async (text) => {
          const edit = new vscode.WorkspaceEdit();
          edit.replace(doc.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), text);
          if (!(await vscode.workspace.applyEdit(edit))) return false;
          return doc.save();
        },
      };
    },
  };
}
