/**
 * One renderer per transcript entry (src/webview/agent/state.ts). Each returns a fresh element for an entry; the
 * transcript redraws an entry only when the reducer replaced it.
 */
import type { Fix, TaskSummary } from '../../core/protocol/webview';
import type { EndedEntry, Entry, ErrorEntry, FeedbackEntry, ToolEntry } from './state';
import { actionLink, button, el, icon } from './dom';
import { renderMarkdown } from './markdown';
import { itemLink, renderCitations, renderKnowledgeContext, type KnowledgeHooks } from './knowledge';
import { diffLines } from './unifiedDiff';

/** What the renderers need from the view: the knowledge hooks and the user's actions. */
export interface EntryHooks extends KnowledgeHooks {
  /** Approves a call; `hunks`: only these hunks of an edit (absent: all of it). */
  approve(callId: string, hunks?: number[]): void;
  reject(callId: string, comment?: string): void;
  openDiff(callId: string): void;
  /** Opens what the task changed in a file (before the run ↔ now). */
  openChange(path: string): void;
  feedback(rating: 'up' | 'down', comment?: string): void;
  /** Restores the files to the checkpoint before the call `callId`, or (null) to before the task. */
  restore(callId: string | null): void;
  command(command: 'oel.setApiKey' | 'oel.openSettings' | 'oel.showLog'): void;
  /** Puts the last request back in the box and sends it; absent when nothing was sent from this view. */
  retry?: () => void;
}

const TOOL_ICON: Record<string, string> = {
  read_file: 'file', list_dir: 'folder', search_text: 'search', read_diagnostics: 'warning',
  propose_edit: 'edit', create_file: 'new-file', run_command: 'terminal',
};
/** What each tool does, as the card's title says it (the tool's own name is the tooltip). */
const TOOL_VERB: Record<string, string> = {
  read_file: 'Read', list_dir: 'List', search_text: 'Search', read_diagnostics: 'Problems',
  propose_edit: 'Edit', create_file: 'Create', run_command: 'Run:',
};
const STATUS_ICON: Record<string, string> = {
  running: 'loading~spin', waiting: 'question', ok: 'check', error: 'error', refused: 'circle-slash', rejected: 'close', cancelled: 'debug-stop', timeout: 'watch',
};
const END_TEXT: Record<string, string> = { completed: 'Completed', stopped: 'Stopped by you', max_steps: 'Max steps reached', error: 'Error' };
/** The message of a run the user stopped (src/core/agent/session.ts). */
const USER_STOP_MESSAGE = 'Stopped by the user.';
/** The message of a run whose model gave its final answer (src/core/agent/session.ts); any other on a completed run
 * (an answer cut off at the output limit) is shown. */
const FINISHED_MESSAGE = 'The agent finished.';
const END_ICON: Record<string, string> = { completed: 'pass', stopped: 'debug-stop', max_steps: 'warning', error: 'error' };

/** The element for one entry. */
export function renderEntry(entry: Entry, hooks: EntryHooks): HTMLElement {
  switch (entry.kind) {
    case 'user': {
      const m = el('div', { class: 'message user', 'data-testid': 'message-user' }, el('div', { class: 'role' }, icon('account'), 'You'), el('div', { class: 'body' }, renderMarkdown(entry.text)));
      if (entry.context?.length) {
        m.append(el('div', { class: 'chips', 'data-testid': 'message-context' }, ...entry.context.map((label) => el('span', { class: 'chip', title: `Attached: ${label}` }, icon('file'), el('span', {}, label)))));
      }
      return m;
    }
    case 'assistant':
      return el('div', { class: 'message assistant', 'data-testid': 'message-assistant' }, el('div', { class: 'role' }, icon('hubot'), 'Agent'),
        el('div', { class: 'body' }, renderMarkdown(entry.text, { itemLink: (id) => itemLink(id, hooks) })));
    case 'tool': return renderTool(entry, hooks);
    case 'knowledge': return renderKnowledgeContext(entry, hooks);
    case 'cited': return renderCitations(entry, hooks);
    case 'ended': return renderEnd(entry, hooks);
    case 'error': return renderError(entry, hooks);
    case 'notice': return el('div', { class: 'notice', 'data-testid': 'agent-notice', role: 'status' }, icon('sync'), el('span', {}, entry.message));
    case 'feedback': return renderFeedback(entry, hooks);
  }
}

/**
 * One card per action: the call, the question it asks (if any) and its output. A question holds the card's title,
 * so what is asked about is read first, inside the question's group.
 */
function renderTool(entry: ToolEntry, hooks: EntryHooks): HTMLElement {
  const status = el('span', { class: 'status' }, icon(STATUS_ICON[entry.status] ?? 'circle-outline'));
  if (entry.status !== 'running' && entry.status !== 'waiting') status.append(el('span', {}, entry.status));
  // One inline title (verb and arguments), so it reads as one line: "Edit src/totals.js", "Run: npm test".
  const title = el('span', { class: 'title', title: entry.summary }, el('span', { class: 'tool-name', title: entry.name }, TOOL_VERB[entry.name] ?? entry.name), ' ',
    el('span', { class: 'args' }, entry.summary));
  const head = el('div', { class: 'card-head' }, icon(TOOL_ICON[entry.name] ?? 'tools'), title, status);
  if (entry.restorable) {
    const label = 'Restore the files to how they were before this step';
    const restore = el('button', { class: 'icon-btn restore', type: 'button', 'data-testid': 'restore-checkpoint', title: label, 'aria-label': label }, icon('discard'));
    restore.addEventListener('click', () => hooks.restore(entry.callId));
    head.append(restore);
  }
  const details = el('details', {}, el('summary', {}, 'Output'), el('pre', { class: 'output' }, entry.output));
  details.hidden = !entry.output;
  details.open = entry.outputOpen;
  const a = entry.approval;
  const cls = `card tool${a && !a.decision ? ' asking' : ''}${a?.reason ? ' sensitive' : ''}`;
  return el('div', { class: cls, 'data-testid': 'tool-card', 'data-call-id': entry.callId, 'data-tool': entry.name, 'data-status': entry.status },
    a ? renderApproval(entry.callId, a, head, hooks) : head, details);
}

/** The question of a tool card: its title, why it asks (if it always does), the diff or command, and the answers. */
function renderApproval(callId: string, entry: NonNullable<ToolEntry['approval']>, head: HTMLElement, hooks: EntryHooks): HTMLElement {
  const a = el('div', { class: 'approval', 'data-testid': 'approval-card', 'data-call-id': callId, role: 'group', 'aria-label': entry.summary }, head);
  if (entry.decision) a.dataset.decision = entry.decision;
  // Why this one asks even when the policy would not: said above the diff, where the eye lands first.
  if (entry.reason) a.append(el('div', { class: 'approval-reason', 'data-testid': 'approval-reason', role: 'note' }, icon('shield'), el('span', {}, entry.reason)));
  // Per-hunk choice only while the question is open and there is a choice to make (two hunks or more).
  const excluded = new Set<number>();
  const hunks = entry.category === 'edit' ? diffLines(entry.detail).filter((l) => l.kind === 'hunk').length : 0;
  const approve = button('Approve', 'approve', 'check', () => {
    if (!excluded.size) { hooks.approve(callId); return; }
    hooks.approve(callId, Array.from({ length: hunks }, (_, i) => i).filter((i) => !excluded.has(i)));
  });
  const onToggle = () => {
    const kept = hunks - excluded.size;
    approve.lastElementChild!.textContent = excluded.size ? `Approve ${kept} of ${hunks} changes` : 'Approve';
    approve.disabled = kept === 0;
    approve.title = kept === 0 ? 'Every change is unticked: use Reject' : '';
  };
  // Decided in part: the hunks that were not written stay marked so, so the card never shows more than was applied.
  if (entry.decision === 'approved' && entry.hunks) for (let i = 0; i < hunks; i++) if (!entry.hunks.includes(i)) excluded.add(i);
  const choice = !entry.decision && hunks > 1 ? { excluded, onToggle } : entry.hunks && hunks > 1 ? { excluded, decided: true, onToggle } : undefined;
  a.append(entry.category === 'edit' ? renderDiff(entry.detail, choice) : el('pre', { class: 'detail' }, entry.detail));
  const buttons = el('div', { class: 'buttons' });
  if (entry.decision) {
    const approved = entry.decision === 'approved';
    buttons.append(el('span', { class: `decision ${entry.decision}` }, icon(approved ? 'check' : 'close'), approved ? 'Approved' : 'Rejected'));
  } else {
    const comment = el('input', { type: 'text', class: 'comment', 'data-testid': 'reject-comment', placeholder: 'Reason (optional)', 'aria-label': 'Reason for rejecting' });
    buttons.append(
      approve,
      button('Reject', 'reject', 'close', () => hooks.reject(callId, comment.value.trim() || undefined), true));
    if (entry.category === 'edit') buttons.append(button('Open Diff', 'open-diff', 'diff', () => hooks.openDiff(callId), true));
    buttons.append(comment);
  }
  a.append(buttons);
  return a;
}

/** The hunks the user unticked, and what to redo when that changes (the Approve button's label). */
interface HunkChoice { excluded: Set<number>; onToggle(): void; /** The choice was made: marks only, no tick boxes. */ decided?: boolean }

/**
 * A unified diff as coloured lines that wrap (nothing is cut off in a narrow side bar). With `choice`, each hunk's
 * header has an "Apply" tick box: an unticked hunk is dimmed and left out of what Approve writes.
 */
function renderDiff(patch: string, choice?: HunkChoice): HTMLElement {
  const lines = diffLines(patch);
  if (!lines.length) return el('pre', { class: 'detail' }, patch);
  const SIGN = { add: '+', del: '-', ctx: ' ', hunk: '', note: '' } as const;
  // The +/- signs stay in the text (not only in the colours), for screen readers and colour-blind eyes.
  const line = (l: (typeof lines)[number]) => el('div', { class: `diff-line ${l.kind}`, 'data-kind': l.kind }, el('span', { class: 'sign' }, SIGN[l.kind]), el('span', { class: 'text' }, l.text));
  const view = el('div', { class: 'diff-view', 'data-testid': 'approval-diff' });
  if (!choice) { view.append(...lines.map(line)); return view; }
  let group: HTMLElement | null = null;
  let index = -1;
  for (const l of lines) {
    if (l.kind === 'hunk') {
      const i = ++index;
      if (choice.decided) {
        group = el('div', { class: `hunk-group${choice.excluded.has(i) ? ' excluded' : ''}`, 'data-testid': 'diff-hunk', 'data-hunk': String(i) });
        const head = line(l);
        head.append(el('span', { class: 'hunk-apply' }, choice.excluded.has(i) ? 'not applied' : 'applied'));
        group.append(head);
        view.append(group);
        continue;
      }
      const box = el('input', { type: 'checkbox', 'data-testid': 'hunk-toggle', 'aria-label': `Apply change ${i + 1}` });
      box.checked = true;
      group = el('div', { class: 'hunk-group', 'data-testid': 'diff-hunk', 'data-hunk': String(i) });
      const g = group;
      box.addEventListener('change', () => {
        if (box.checked) choice.excluded.delete(i); else choice.excluded.add(i);
        g.classList.toggle('excluded', !box.checked);
        choice.onToggle();
      });
      const head = line(l);
      head.append(el('label', { class: 'hunk-apply', title: 'Untick to leave this change out' }, box, el('span', {}, 'Apply')));
      group.append(head);
      view.append(group);
    } else {
      (group ?? view).append(line(l));
    }
  }
  return view;
}

function renderEnd(entry: EndedEntry, hooks: EntryHooks): HTMLElement {
  // A run that finished after edits or commands were rejected or refused did not do all it set out to: say so
  // instead of a green "Completed".
  const partial = entry.reason === 'completed' && entry.notDone > 0;
  const note = entry.reason === 'completed' && entry.message !== '' && entry.message !== FINISHED_MESSAGE;
  // Stopped by something else than the user (a window reload): say what, not "by you".
  const otherStop = entry.reason === 'stopped' && entry.message !== '' && entry.message !== USER_STOP_MESSAGE;
  const banner = el('div', { class: `end-banner ${entry.reason}${partial || note ? ' partial' : ''}`, 'data-testid': 'end-banner', 'data-reason': entry.reason, role: 'status' },
    icon(partial || note ? 'info' : END_ICON[entry.reason]), el('strong', {}, otherStop ? 'Stopped' : END_TEXT[entry.reason]));
  if (note) banner.append(el('span', { class: 'end-detail', 'data-testid': 'end-note' }, entry.message));
  if (otherStop) banner.append(el('span', { class: 'end-detail' }, entry.message));
  if (partial) banner.append(el('span', { class: 'end-detail' }, `${entry.notDone} action${entry.notDone === 1 ? ' was' : 's were'} rejected or not allowed; check the result.`));
  if (entry.reason !== 'completed' && entry.reason !== 'stopped' && entry.message) banner.append(el('span', { class: 'end-detail' }, entry.message));
  // An error needs a fix: offer the ones that fit, where the user is reading.
  if (entry.reason === 'error') banner.append(fixLinks(entry.fixes, hooks));
  if (entry.summary) banner.append(renderSummary(entry.summary, entry.knowledge, hooks));
  if (entry.undoable) {
    banner.append(el('div', { class: 'undo-all' }, icon('discard'),
      actionLink('Undo all changes of this task', () => hooks.restore(null), { 'data-testid': 'undo-all', title: 'Put every file this task changed back to how it was before the task' })));
  }
  return banner;
}

/** What the run did: time and tokens, the files it changed (each opens its diff), its commands, the knowledge it had. */
function renderSummary(summary: TaskSummary, knowledge: readonly string[], hooks: EntryHooks): HTMLElement {
  const stats = [formatDuration(summary.durationMs)];
  if (summary.tokensIn !== null && summary.tokensOut !== null) stats.push(`${summary.tokensIn.toLocaleString()} tokens in, ${summary.tokensOut.toLocaleString()} out`);
  const box = el('div', { class: 'task-summary', 'data-testid': 'task-summary' }, el('div', { class: 'summary-stats', 'data-testid': 'summary-stats' }, icon('watch'), el('span', {}, stats.join(' · '))));
  const n = summary.files.length;
  if (n) {
    box.append(el('div', { class: 'summary-title' }, `${n} file${n === 1 ? '' : 's'} changed`),
      el('ul', { class: 'summary-list' }, ...summary.files.map((f) => el('li', {}, icon(f.created ? 'new-file' : 'diff'),
        actionLink(f.path, () => hooks.openChange(f.path), { 'data-testid': 'summary-file', title: `Open the changes to ${f.path}` }),
        ...(f.created ? [el('span', { class: 'summary-note' }, 'new')] : [])))));
  }
  if (summary.commands.length) {
    box.append(el('div', { class: 'summary-title' }, `Commands run`),
      el('ul', { class: 'summary-list' }, ...summary.commands.map((c) => {
        const ok = c.exitCode === 0;
        const result = c.exitCode === null ? c.status : `exit ${c.exitCode}`;
        return el('li', { 'data-testid': 'summary-command', 'data-exit-code': c.exitCode === null ? '' : String(c.exitCode) },
          icon(ok ? 'pass' : 'error'), el('code', {}, c.command), el('span', { class: `summary-note ${ok ? 'ok' : 'failed'}` }, result));
      })));
  }
  if (knowledge.length) box.append(el('div', { class: 'summary-knowledge' }, icon('lightbulb'), el('span', {}, 'Learned items in context:'), ...knowledge.map((id) => itemLink(id, hooks))));
  return box;
}

/** "850 ms", "12 s", "3 min 5 s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
}

function renderError(entry: ErrorEntry, hooks: EntryHooks): HTMLElement {
  return el('div', { class: 'notice error', 'data-testid': 'error-message', role: 'alert' }, icon('error'), el('span', {}, entry.message), fixLinks(entry.fixes, hooks));
}

function renderFeedback(entry: FeedbackEntry, hooks: EntryHooks): HTMLElement {
  if (entry.rating) return el('div', { class: 'feedback' }, icon(entry.rating === 'up' ? 'thumbsup' : 'thumbsdown'), el('span', {}, 'Thanks for the feedback.'));
  const comment = el('input', { type: 'text', class: 'comment', 'data-testid': 'feedback-comment', placeholder: 'Optional comment', 'aria-label': 'Feedback comment' });
  const rate = (rating: 'up' | 'down') => hooks.feedback(rating, comment.value.trim() || undefined);
  const up = el('button', { class: 'icon-btn', 'data-testid': 'feedback-up', title: 'Good result', 'aria-label': 'Good result', type: 'button' }, icon('thumbsup'));
  const down = el('button', { class: 'icon-btn', 'data-testid': 'feedback-down', title: 'Bad result', 'aria-label': 'Bad result', type: 'button' }, icon('thumbsdown'));
  up.addEventListener('click', () => rate('up'));
  down.addEventListener('click', () => rate('down'));
  return el('div', { class: 'feedback' }, el('span', {}, 'Was this helpful?'), up, down, comment);
}

/** Links for the fixes an error names (none named: the log). */
function fixLinks(fixes: readonly Fix[] = ['log'], hooks: EntryHooks): HTMLElement {
  const actions = el('span', { class: 'links', 'data-testid': 'fix-links' });
  const add = (label: string, run: () => void) => {
    if (Array.from(actions.children).some((a) => a.textContent === label)) return;
    actions.append(actionLink(label, run));
  };
  for (const fix of fixes) {
    switch (fix) {
      case 'apiKey': add('Set API Key', () => hooks.command('oel.setApiKey')); break;
      case 'baseUrl': case 'model': add('Open Settings', () => hooks.command('oel.openSettings')); break;
      case 'log': add('Show Log', () => hooks.command('oel.showLog')); break;
      case 'retry': if (hooks.retry) add('Try Again', hooks.retry); break;
    }
  }
  return actions;
}
