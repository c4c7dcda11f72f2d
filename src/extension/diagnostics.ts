/**
 * VS Code diagnostics in the core's shape, for the agent's read_diagnostics tool. Pure (no `vscode` import: the input
 * is typed structurally), so the mapping is unit-tested.
 */
import { relative } from 'node:path';
import type { Diagnostic } from './core';

/** The parts of a `vscode.Diagnostic` the mapping reads. */
export interface EditorDiagnostic { range: { start: { line: number } }; severity: number; message: string }

// vscode.DiagnosticSeverity: Error 0, Warning 1, Information 2, Hint 3. The core has no hint level: hints read as info.
const SEVERITY: Record<number, Diagnostic['severity']> = { 0: 'error', 1: 'warning', 2: 'info', 3: 'info' };

/**
 * Maps `[absolute path, diagnostics]` entries to core diagnostics: paths relative to `root` (the absolute path when it
 * is the root itself), 1-based lines, unknown severities as info.
 */
export function mapDiagnostics(root: string, entries: [string, readonly EditorDiagnostic[]][]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [path, diags] of entries) {
    for (const d of diags) out.push({ path: relative(root, path) || path, line: d.range.start.line + 1, severity: SEVERITY[d.severity] ?? 'info', message: d.message });
  }
  return out;
}
