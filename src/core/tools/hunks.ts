/**
 * The hunks of an edit, as the approval card shows them (executor.ts makes the card's diff with `createTwoFilesPatch`
 * and 3 lines of context; these are the same hunks, in the same order), and the text an edit writes when the user
 * accepts only some of them.
 */
import { applyPatch, formatPatch, structuredPatch, type StructuredPatch } from 'diff';

/** Lines of context around each change: must match the approval card's diff, or hunk numbers would not match. */
export const HUNK_CONTEXT = 3;

function patchOf(path: string, before: string, after: string): StructuredPatch {
  return structuredPatch(`a/${path}`, `b/${path}`, before, after, '', '', { context: HUNK_CONTEXT });
}

/** How many hunks the edit `before` → `after` has (the approval card numbers them from 0 in this order). */
export function hunkCount(before: string, after: string): number {
  return patchOf('f', before, after).hunks.length;
}

/** The edit with only some of its hunks: the text written, and the hunks left out (as a patch, for the model). */
export interface PartialEdit { after: string; accepted: number; total: number; leftOut: string }

/**
 * The text of `before` with only the hunks numbered in `accepted` applied (indexes out of range are ignored). Null
 * when the hunks cannot be applied to `before` (they always can when they were computed from it).
 */
export function applySelectedHunks(path: string, before: string, after: string, accepted: readonly number[]): PartialEdit | null {
  const patch = patchOf(path, before, after);
  const keep = new Set(accepted.filter((i) => Number.isInteger(i) && i >= 0 && i < patch.hunks.length));
  // Each hunk keeps its position in `before`; the patcher shifts later hunks by what the applied ones added or removed.
  const text = applyPatch(before, { ...patch, hunks: patch.hunks.filter((_, i) => keep.has(i)) });
  if (text === false) return null;
  const left = patch.hunks.filter((_, i) => !keep.has(i));
  return { after: text, accepted: keep.size, total: patch.hunks.length, leftOut: left.length ? formatPatch({ ...patch, hunks: left }) : '' };
}
