/**
 * The HTML of the "Next submission" panel beside the exact JSON: each item's original → anonymized text with a Drop
 * link, the task statements, and Send. Pure (no `vscode` import), unit-tested: every text is escaped, and the page has
 * no script at all; its links are command URIs that the panel allows for three commands only, and each command
 * checks its argument against the draft it holds (a link's argument is never trusted).
 */

/** What the panel shows. */
export interface PreviewModel {
  server: string;
  cspSource: string;
  nonce: string;
  submissionId: string | null;
  /** `confirmed`: consent given on this machine; otherwise only the file says `share: yes` (maybe from a commit). */
  items: Array<{ id: string; scope: string; original: string; anonymized: string; confirmed?: boolean }>;
  taskStatements: Array<{ original: string; anonymized: string }>;
  /** Unsent submissions already queued (approved earlier). */
  queued: number;
  /** Why consented items are not in it (workspace sharing off, already queued). */
  notes: string[];
  firstSend: boolean;
  /** What the last send from this panel did ("Sent submission s-… : 1 accepted"), with a link to the audit log. */
  sent?: string;
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Escapes text for HTML content and attribute values. */
export function escapeHtml(s: string): string { return s.replace(/[&<>"']/g, (c) => ESC[c]); }

/** A `command:` URI with JSON arguments, as VS Code's command links expect. */
export function commandUri(command: string, args: unknown[]): string {
  return `command:${command}?${encodeURIComponent(JSON.stringify(args))}`;
}

/** Marks the anonymizer's typed placeholders (`<email>`, `<home-2>`) so the user sees what was replaced. */
function withPlaceholders(anonymized: string): string {
  return escapeHtml(anonymized).replace(/&lt;([a-z][a-z0-9-]*)&gt;/g, '<mark>&lt;$1&gt;</mark>');
}

/** The panel's page. */
export function previewHtml(m: PreviewModel): string {
  const n = m.items.length;
  const rows = m.items.map((i) => `<tr data-testid="preview-item" data-id="${escapeHtml(i.id)}">
  <td><code>${escapeHtml(i.id)}</code><br><small>${escapeHtml(i.scope)}</small>${i.confirmed === false ? '<br><small class="warn" data-testid="preview-file-consent" title="The file says share: yes, but you did not choose Share with Team on this machine: it may come from a commit. Sending it here is your consent.">consent from the file</small>' : ''}</td>
  <td class="orig">${escapeHtml(i.original)}</td>
  <td class="anon">${withPlaceholders(i.anonymized)}</td>
  <td><a data-testid="preview-drop" href="${escapeHtml(commandUri('oel.team.dropFromSubmission', [{ id: i.id, scope: i.scope, submissionId: m.submissionId }]))}" title="Mark it share: no and leave it out">Drop</a></td>
</tr>`).join('\n');
  const statements = m.taskStatements.length ? `<h2>Task statements (${m.taskStatements.length})</h2>
<table><thead><tr><th>Original</th><th>Anonymized</th></tr></thead><tbody>
${m.taskStatements.map((t) => `<tr data-testid="preview-statement"><td class="orig">${escapeHtml(t.original)}</td><td class="anon">${withPlaceholders(t.anonymized)}</td></tr>`).join('\n')}
</tbody></table>
<p><small>Shared because oel.team.shareTaskStatements is on. Turn it off in your settings to keep them.</small></p>` : '';
  const body = m.submissionId === null
    ? `<p data-testid="preview-empty">Nothing to share right now: no accepted item has your consent and is waiting to be sent. Use <b>Share with Team</b> on an item in the Knowledge view or above it in the knowledge file.</p>`
    : `<p>The JSON beside this panel is <b>exactly</b> the request body that will be sent (submission <code>${escapeHtml(m.submissionId)}</code>). Below, each item as it reads in your file and as it will leave this machine. <b>Drop</b> marks an item <code>share: no</code> in its file, so it stays out of this and every later submission (also the scheduled ones, which send without a preview) until you choose Share with Team again.</p>
<table><thead><tr><th>Item</th><th>Original (stays here)</th><th>Sent (anonymized)</th><th></th></tr></thead><tbody>
${rows}
</tbody></table>
${statements}
<p class="actions"><a class="button" data-testid="preview-send" href="${escapeHtml(commandUri('oel.team.sendPreviewed', [m.submissionId]))}">Send ${n} item${n === 1 ? '' : 's'} to ${escapeHtml(m.server)}</a></p>`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${escapeHtml(m.nonce)}'; img-src ${escapeHtml(m.cspSource)};">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Next team submission</title>
<style nonce="${escapeHtml(m.nonce)}">
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 1em 1em; }
table { border-collapse: collapse; width: 100%; margin: .5em 0; }
th, td { text-align: left; vertical-align: top; padding: .35em .5em; border-bottom: 1px solid var(--vscode-panel-border, #8884); }
td.orig, td.anon { white-space: pre-wrap; word-break: break-word; }
td.orig { color: var(--vscode-descriptionForeground); }
mark { background: var(--vscode-editor-findMatchHighlightBackground, #fd05); color: inherit; border-radius: 2px; }
a { color: var(--vscode-textLink-foreground); }
a.button { display: inline-block; padding: .4em 1em; background: var(--vscode-button-background); color: var(--vscode-button-foreground); text-decoration: none; border-radius: 2px; }
a.button:hover, a.button:focus { background: var(--vscode-button-hoverBackground); }
.warn { color: var(--vscode-editorWarning-foreground); }
.note { padding: .5em .75em; border-left: 3px solid var(--vscode-notificationsInfoIcon-foreground, #3794ff); background: var(--vscode-textBlockQuote-background); }
</style></head>
<body>
<h1>Next submission to ${escapeHtml(m.server)}</h1>
${m.firstSend ? '<p class="note" data-testid="preview-first">This is the first submission to this server: it is sent only from here, after you have looked at it. Later ones follow your schedule (oel.team.schedule).</p>' : ''}
${m.queued ? `<p class="note" data-testid="preview-queued">${m.queued} earlier submission${m.queued === 1 ? ' is' : 's are'} still waiting to be sent (approved before; sent first).</p>` : ''}
${m.sent ? `<p class="note" data-testid="preview-sent">${escapeHtml(m.sent)} <a href="${escapeHtml(commandUri('oel.team.showAuditLog', []))}">Show the audit log</a></p>` : ''}
${m.notes.map((t) => `<p class="note">${escapeHtml(t)}</p>`).join('\n')}
${body}
</body></html>`;
}
