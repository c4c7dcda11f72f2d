/**
 * The `@` picker of the Agent view: VS Code's own quick pick (fuzzy matching is its completion) over the editor's
 * selection, the active editor and the workspace's files. Returns workspace-relative references; the files are read
 * (and confined) only when the request is sent.
 */
import * as vscode from 'vscode';
import type { ContextRef } from '../core/protocol/webview';

interface Pick extends vscode.QuickPickItem { ref: ContextRef }

/** Most files offered (a huge workspace is cut; typing filters what is offered). */
const MAX_FILES = 5000;

/** Asks the user what to attach; [] when they dismissed the picker. */
export async function pickContext(): Promise<ContextRef[]> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) return [];
  const rel = (uri: vscode.Uri): string | null => {
    if (uri.scheme !== 'file') return null;
    const r = vscode.workspace.asRelativePath(uri, false);
    return r === uri.fsPath || r.startsWith('..') ? null : r;
  };
  const picks: (Pick | vscode.QuickPickItem)[] = [];
  const editor = vscode.window.activeTextEditor;
  const active = editor ? rel(editor.document.uri) : null;
  if (editor && active) {
    const sel = editor.selection;
    if (!sel.isEmpty) {
      const startLine = sel.start.line + 1;
      const endLine = sel.end.character === 0 && sel.end.line > sel.start.line ? sel.end.line : sel.end.line + 1;
      picks.push({ label: '$(selection) Selection', description: `${active}:${startLine}-${endLine}`, ref: { kind: 'selection', path: active, startLine, endLine } });
    }
    picks.push({ label: '$(file) Active editor', description: active, ref: { kind: 'file', path: active } });
  }
  const files = (await vscode.workspace.findFiles('**/*', '**/{node_modules,.git}/**', MAX_FILES)).map(rel).filter((p): p is string => p !== null).sort();
  if (picks.length && files.length) picks.push({ label: 'Files', kind: vscode.QuickPickItemKind.Separator });
  for (const path of files) {
    const slash = path.lastIndexOf('/');
    picks.push({ label: `$(file) ${path.slice(slash + 1)}`, description: slash > 0 ? path.slice(0, slash) : '', ref: { kind: 'file', path } });
  }
  const picked = await vscode.window.showQuickPick(picks, { title: 'Attach to the request', placeHolder: 'Type a file name; Enter attaches it', matchOnDescription: true });
  return picked && 'ref' in picked ? [(picked as Pick).ref] : [];
}
