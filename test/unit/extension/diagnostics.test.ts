// The read_diagnostics tool hands the model the problems VS Code shows: workspace-relative paths, 1-based lines as
// the editor shows them, and the core's three severities.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mapDiagnostics, type EditorDiagnostic } from '../../../src/extension/diagnostics';

const root = join('/work', 'project');
const diag = (line: number, severity: number, message: string): EditorDiagnostic => ({ range: { start: { line } }, severity, message });

test('paths are relative to the workspace and lines 1-based, in the order VS Code lists them', () => {
  const out = mapDiagnostics(root, [
    [join(root, 'src', 'a.ts'), [diag(0, 0, "Cannot find name 'foo'."), diag(41, 1, 'Unused variable.')]],
    [join(root, 'README.md'), [diag(9, 2, 'Spelling.')]],
  ]);
  assert.deepEqual(out, [
    { path: join('src', 'a.ts'), line: 1, severity: 'error', message: "Cannot find name 'foo'." },
    { path: join('src', 'a.ts'), line: 42, severity: 'warning', message: 'Unused variable.' },
    { path: 'README.md', line: 10, severity: 'info', message: 'Spelling.' },
  ]);
});

test('hints and unknown severities read as info; a file without problems adds nothing', () => {
  const out = mapDiagnostics(root, [[join(root, 'b.ts'), [diag(2, 3, 'hint'), diag(3, 17, 'future level')]], [join(root, 'c.ts'), []]]);
  assert.deepEqual(out.map((d) => [d.line, d.severity]), [[3, 'info'], [4, 'info']]);
});

test('a diagnostic on the workspace folder itself keeps its absolute path rather than an empty one', () => {
  assert.equal(mapDiagnostics(root, [[root, [diag(0, 0, 'folder-level problem')]]])[0].path, root);
});
