// The approval card's coloured diff: lines of the patch the agent's edit tool makes, classified.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTwoFilesPatch } from 'diff';
import { diffLines } from '../../../src/webview/agent/unifiedDiff';

test('an edit patch becomes hunk, context, removed and added lines, without the file header', () => {
  const before = 'a\nb\nc\nd\n';
  const after = 'a\nB\nc\nd\n';
  // Made the way src/core/tools/executor.ts makes it.
  const patch = createTwoFilesPatch('a/src/x.js', 'b/src/x.js', before, after, '', '', { context: 3 });
  assert.match(patch, /^=+\n--- a\/src\/x\.js/, 'the header this test expects to be dropped');
  assert.deepEqual(diffLines(patch), [
    { kind: 'hunk', text: '@@ -1,4 +1,4 @@' },
    { kind: 'ctx', text: 'a' },
    { kind: 'del', text: 'b' },
    { kind: 'add', text: 'B' },
    { kind: 'ctx', text: 'c' },
    { kind: 'ctx', text: 'd' },
  ]);
});

test('a line that looks like a header inside a hunk is content, and a missing final newline is a note', () => {
  const patch = createTwoFilesPatch('a/f', 'b/f', '--- x\nold', '+++ y\nnew', '', '', { context: 3 });
  assert.deepEqual(diffLines(patch).map((l) => l.kind), ['hunk', 'del', 'del', 'note', 'add', 'add', 'note']);
  assert.equal(diffLines(patch)[1].text, '--- x');
  assert.equal(diffLines(patch)[4].text, '+++ y');
});

test('text that is not a patch gives no lines (the card then shows it as it is)', () => {
  assert.deepEqual(diffLines('npm test'), []);
});
