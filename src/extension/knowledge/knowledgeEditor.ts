/**
 * The knowledge file in the editor: review actions as CodeLens above each item, and Problems diagnostics for
 * malformed items, items flagged for review, and merge conflicts with outside edits. Both read the editor's text
 * (unsaved changes included) when the file is open, so lines always match what the user sees.
 */
import * as vscode from 'vscode';
import type { OelContext } from '../context';
import { loadCore, type CoreRuntime, type KnowledgeDiagnostic } from '../core';
import type { KnowledgeFile, KnowledgeFiles } from './knowledgeFiles';
import { lensesFor, type ItemRef } from './presentation';

const SEVERITY: Record<KnowledgeDiagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** Registers the CodeLens provider and the diagnostics of both knowledge files. */
export function registerKnowledgeEditor(ctx: OelContext, files: KnowledgeFiles): void {
  let core: CoreRuntime | undefined;
  void loadCore().then((c) => { core = c; refresh(); });
  const lensEmitter = new vscode.EventEmitter<void>();
  const diagnostics = vscode.languages.createDiagnosticCollection('oel-knowledge');
  ctx.own(lensEmitter, diagnostics);

  /** The text the user sees: the open editor's (unsaved edits included), else the disk's as last read. */
  const textOf = (file: KnowledgeFile): string | null => {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file.uri.fsPath);
    return doc ? doc.getText() : null;
  };

  const diagnose = (file: KnowledgeFile): void => {
    if (!core) return;
    const text = textOf(file);
    const parsed = text === null ? { doc: file.doc, diagnostics: file.diagnostics } : core.parseKnowledge(text);
    const locs = core.locateItems(parsed.doc);
    const lineOf = (id?: string) => locs.find((l) => l.id === id)?.line ?? 0;
    const out: vscode.Diagnostic[] = parsed.diagnostics.map((d) => new vscode.Diagnostic(new vscode.Range(Math.max(0, d.line - 1), 0, Math.max(0, d.line - 1), 1000), d.message, SEVERITY[d.severity]));
    for (const l of locs) {
      if (l.tombstone) continue;
      // Flags as computed from the text the user sees now: the file's own `flag:` lines are not the whole story.
      const review = files.reviewState(l.item);
      if (!review.needsReview) continue;
      for (const f of review.flags) {
        const d = new vscode.Diagnostic(new vscode.Range(l.line, 0, l.line, 1000), `${l.id} needs review (${f.kind}): ${f.reason}`, f.kind === 'conflict' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information);
        d.code = `flag-${f.kind}`;
        out.push(d);
      }
    }
    for (const m of file.mergeDiagnostics) {
      const line = lineOf(m.id);
      const d = new vscode.Diagnostic(new vscode.Range(line, 0, line, 1000), m.message, SEVERITY[m.severity]);
      d.code = 'merge';
      out.push(d);
    }
    for (const d of out) d.source = 'OEL knowledge';
    diagnostics.set(file.uri, out);
  };

  const refresh = (): void => {
    for (const f of files.files()) diagnose(f);
    lensEmitter.fire();
  };
  ctx.own(files.onDidChange(refresh));
  // Joining or leaving a team adds or removes the consent lenses.
  if (ctx.team) ctx.own(ctx.team.onDidChange(refresh));
  let typing: NodeJS.Timeout | undefined;
  ctx.own(vscode.workspace.onDidChangeTextDocument((e) => {
    const f = files.fileOf(e.document.uri);
    if (!f) return;
    clearTimeout(typing);
    typing = setTimeout(() => diagnose(f), 250);
  }));
  ctx.own(vscode.workspace.onDidCloseTextDocument((d) => { const f = files.fileOf(d.uri); if (f) diagnose(f); }));

  ctx.own(vscode.languages.registerCodeLensProvider({ language: 'oel-knowledge' }, {
    onDidChangeCodeLenses: lensEmitter.event,
    provideCodeLenses(document): vscode.CodeLens[] {
      const file = files.fileOf(document.uri);
      if (!file || !core) return [];
      const lenses: vscode.CodeLens[] = [];
      for (const loc of core.locateItems(core.parseKnowledge(document.getText()).doc)) {
        const range = new vscode.Range(loc.line, 0, loc.line, 0);
        const ref: ItemRef = { id: loc.id, scope: file.scope };
        for (const l of lensesFor({ ...loc, ...files.reviewState(loc.item) }, file.scope, file.readOnly, ctx.team?.joined ?? false)) {
          lenses.push(new vscode.CodeLens(range, { title: l.title, tooltip: l.tooltip, command: l.command ?? '', arguments: l.command ? [ref] : [] }));
        }
      }
      return lenses;
    },
  }));
}
