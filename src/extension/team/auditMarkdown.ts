/**
 * The audit log as Markdown, newest first. Pure (unit-tested). The payload is shown verbatim in a fence long enough
 * that no text inside it can close it, and the server's answer is re-serialized from its validated form.
 */
import type { AuditEntry } from '../../core/team/audit';

/** A code fence longer than any run of backticks in `text`. */
function fence(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return '`'.repeat(longest + 1);
}

/** Renders the log. */
export function auditMarkdown(entries: AuditEntry[], o: { path: string; unreadable: number }): string {
  const out = ['# Team audit log', '', `Every submission that left this machine, newest first. The file is \`${o.path.replace(/`/g, '')}\` (one JSON line per submission).`, ''];
  if (o.unreadable) out.push(`> ${o.unreadable} line${o.unreadable === 1 ? '' : 's'} of the file could not be read (a torn write) and ${o.unreadable === 1 ? 'is' : 'are'} not shown.`, '');
  if (!entries.length) out.push('Nothing has been sent yet.', '');
  for (const e of [...entries].reverse()) {
    const accepted = e.response.accepted.length;
    const rejected = e.response.rejected.length;
    const body = e.body.endsWith('\n') ? e.body : `${e.body}\n`;
    const answer = `${JSON.stringify(e.response, null, 2)}\n`;
    out.push(`## ${e.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z')} · ${e.server.replace(/[\r\n`]/g, '')}`, '',
      `Submission \`${e.submission_id.replace(/`/g, '')}\`: ${accepted} accepted, ${rejected} rejected.`, '',
      '**Payload (exactly as sent)**', '', `${fence(body)}json`, body.trimEnd(), fence(body), '',
      '**Response**', '', `${fence(answer)}json`, answer.trimEnd(), fence(answer), '');
  }
  return out.join('\n');
}
