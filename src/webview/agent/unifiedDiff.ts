/**
 * The lines of a unified diff (as src/core/tools/executor.ts makes it with `diff`'s createTwoFilesPatch), classified
 * for the approval card's coloured view. Pure, so it is unit-tested without a DOM.
 */

/** One line to show: its kind and its text without the +/-/space marker. */
export interface DiffLine { kind: 'add' | 'del' | 'ctx' | 'hunk' | 'note'; text: string }

/**
 * Classifies the lines of `patch`. The `=====` separator and the `---`/`+++` file header are left out (the card's
 * title names the file); `\ No newline at end of file` is a note.
 */
export function diffLines(patch: string): DiffLine[] {
  const out: DiffLine[] = [];
  let inHunk = false;
  const lines = patch.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const line of lines) {
    if (line.startsWith('@@')) { inHunk = true; out.push({ kind: 'hunk', text: line }); continue; }
    // Before the first hunk: the header (Index:, =====, --- a/…, +++ b/…).
    if (!inHunk) continue;
    if (line.startsWith('+')) out.push({ kind: 'add', text: line.slice(1) });
    else if (line.startsWith('-')) out.push({ kind: 'del', text: line.slice(1) });
    else if (line.startsWith('\\')) out.push({ kind: 'note', text: line.slice(1).trim() });
    else out.push({ kind: 'ctx', text: line.startsWith(' ') ? line.slice(1) : line });
  }
  return out;
}
