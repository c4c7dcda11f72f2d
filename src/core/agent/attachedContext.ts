/**
 * Context the user attached to a request in the Agent view (`@file`, the selection, the active editor): read from the
 * workspace at the moment of sending, confined like every tool read, cut to a budget, and appended to the request
 * text. The result is the user's message: the trajectory records it (redacted) like any other input.
 */
import type { ContextRef } from '../protocol/webview';
import type { WorkspaceFiles } from '../tools/workspaceFiles';

/** Most characters of one attachment, and of all together (the rest is cut, and the cut is said). */
export const MAX_ATTACHMENT_CHARS = 40_000;
export const MAX_CONTEXT_CHARS = 100_000;

/** How a chip names an attachment. */
export function contextLabel(ref: ContextRef): string {
  return ref.kind === 'file' ? ref.path : `${ref.path}:${ref.startLine}-${ref.endLine}`;
}

/**
 * The request with its attachments appended, each in a fenced block under its name. An attachment that cannot be
 * read (gone, outside the workspace, not a file) is named with the reason instead: the model is not left guessing.
 */
export async function withAttachedContext(files: WorkspaceFiles, text: string, refs: readonly ContextRef[]): Promise<string> {
  if (!refs.length) return text;
  const parts: string[] = [];
  let budget = MAX_CONTEXT_CHARS;
  for (const ref of refs) {
    const label = contextLabel(ref);
    let body: string;
    try {
      const content = (await files.readFile(ref.path)).bytes.toString('utf8').replace(/^\uFEFF/, '');
      body = ref.kind === 'file' ? content : content.split('\n').slice(ref.startLine - 1, ref.endLine).join('\n');
    } catch (e) {
      parts.push(`Attached ${label}: could not be read (${(e as Error).message}).`);
      continue;
    }
    const limit = Math.min(MAX_ATTACHMENT_CHARS, budget);
    const cut = body.length > limit;
    if (cut) body = body.slice(0, limit);
    budget -= body.length;
    // A fence longer than any backtick run in the text, so the text cannot close it.
    const fence = '`'.repeat(Math.max(3, ...[...body.matchAll(/`+/g)].map((m) => m[0].length + 1)));
    parts.push(`Attached ${ref.kind === 'file' ? 'file' : 'selection'} ${label}${cut ? ' (cut: too long)' : ''}:\n${fence}\n${body}\n${fence}`);
    if (budget <= 0) break;
  }
  return `${text}\n\n${parts.join('\n\n')}`;
}
