/**
 * The agent view's script (browser, bundled to dist/webview/agent.js). Renders the transcript the extension sends and
 * posts the user's actions; every message is validated against src/core/protocol/webview.ts. The DOM is built with
 * textContent only (no innerHTML), so model output can never inject markup.
 */
import type { ExtensionToWebview, Fix, TranscriptItem, WebviewToExtension } from '../core/protocol/webview';
import { isExtensionMessage } from '../core/protocol/webviewGuard';

declare function acquireVsCodeApi(): { postMessage(msg: unknown): void; getState(): unknown; setState(s: unknown): void };

const vscode = acquireVsCodeApi();
const post = (msg: WebviewToExtension) => vscode.postMessage(msg);

const TOOL_ICON: Record<string, string> = {
  read_file: 'file', list_dir: 'folder', search_text: 'search', read_diagnostics: 'warning',
  propose_edit: 'edit', create_file: 'new-file', run_command: 'terminal',
};
const STATUS_ICON: Record<string, string> = {
  running: 'loading~spin', waiting: 'question', ok: 'check', error: 'error', refused: 'circle-slash', rejected: 'close', cancelled: 'debug-stop', timeout: 'watch',
};
const END_TEXT: Record<string, string> = { completed: 'Completed', stopped: 'Stopped by you', max_steps: 'Max steps reached', error: 'Error' };
const END_ICON: Record<string, string> = { completed: 'pass', stopped: 'debug-stop', max_steps: 'warning', error: 'error' };

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}
const icon = (name: string) => {
  const [base, modifier] = name.split('~');
  return el('span', { class: `codicon codicon-${base}${modifier ? ` codicon-modifier-${modifier}` : ''}`, 'aria-hidden': 'true' });
};
function button(label: string, testid: string, iconName: string, onClick: () => void, secondary = false): HTMLButtonElement {
  const b = el('button', { class: secondary ? 'btn secondary' : 'btn', 'data-testid': testid, type: 'button' }, icon(iconName), el('span', {}, label));
  b.addEventListener('click', onClick);
  return b;
}

/** Inline code and plain text of one paragraph. */
function inline(text: string): Node[] {
  const out: Node[] = [];
  const parts = text.split(/(`[^`\n]+`)/);
  for (const p of parts) {
    if (!p) continue;
    if (p.length > 2 && p.startsWith('`') && p.endsWith('`')) out.push(el('code', {}, p.slice(1, -1)));
    else out.push(document.createTextNode(p));
  }
  return out;
}

/** Simple markdown: fenced code blocks, inline code, paragraphs with line breaks. */
export function renderMarkdown(text: string): DocumentFragment {
  const frag = document.createDocumentFragment();
  const fence = /```([^\n`]*)\n?([\s\S]*?)(?:```|$)/g;
  let last = 0;
  const paragraphs = (chunk: string) => {
    for (const para of chunk.split(/\n{2,}/)) {
      if (!para.trim()) continue;
      const p = el('p');
      para.split('\n').forEach((line, i) => { if (i) p.append(el('br')); p.append(...inline(line)); });
      frag.append(p);
    }
  };
  for (let m = fence.exec(text); m; m = fence.exec(text)) {
    paragraphs(text.slice(last, m.index));
    const code = el('code', m[1].trim() ? { class: `language-${m[1].trim()}` } : {}, m[2].replace(/\n$/, ''));
    frag.append(el('pre', { class: 'code-block' }, code));
    last = fence.lastIndex;
    if (m[0].length === 0) break;
  }
  paragraphs(text.slice(last));
  return frag;
}

// ---- state and layout ----
let running = false;
let trusted = true;
let model = '';
let feedbackGiven = false;
let lastAssistant: { turn: number; el: HTMLElement; text: string; pending: boolean } | null = null;
/** Tool calls of the current run that were rejected or refused, for an honest end banner. */
let notDone = 0;
const cards = new Map<string, { root: HTMLElement; status: HTMLElement; output: HTMLElement; details: HTMLDetailsElement }>();
/** Texts of the learned items in the current task's prompt, by id, for the tooltips of the cited ids. */
const knownItems = new Map<string, string>();
const approvals = new Map<string, HTMLElement>();

const app = document.getElementById('app')!;
const notices = el('div', { class: 'notices' });
const log = el('div', { class: 'transcript', role: 'log', 'aria-live': 'polite' });
const input = el('textarea', { 'data-testid': 'task-input', rows: '3', placeholder: 'Describe a task… (Enter to send, Shift+Enter for a new line)', 'aria-label': 'Task' });
const send = button('Send', 'send', 'send', () => submit());
const stop = button('Stop', 'stop', 'debug-stop', () => post({ type: 'stop' }), true);
const newTask = button('New Task', 'new-task', 'add', () => post({ type: 'newTask' }), true);
const composer = el('div', { class: 'composer' }, input, el('div', { class: 'actions' }, newTask, el('span', { class: 'spacer' }), stop, send));
app.append(notices, log, composer);

/** Set when Send was pressed without a model: the "no model" notice is highlighted until a model is set. */
let modelAttention = false;
/** The request last sent: the box is cleared only once the task took it, and Try Again puts it back. */
let lastSent = '';

function submit(): void {
  const text = input.value.trim();
  if (!text || running) return;
  lastSent = text;
  post({ type: 'send', text });
}
input.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); submit(); }
});

function renderChrome(): void {
  stop.hidden = !running;
  send.disabled = running;
  input.placeholder = log.querySelector('[data-testid="message-user"]') ? 'Send a follow-up… (Enter to send, Shift+Enter for a new line)' : 'Describe a task… (Enter to send, Shift+Enter for a new line)';
  notices.replaceChildren();
  if (!trusted) {
    notices.append(el('div', { class: 'notice warning', 'data-testid': 'restricted-notice', role: 'status' }, icon('shield'),
      el('span', {}, 'Restricted Mode: this workspace is not trusted, so the agent can only read and search. It cannot edit files or run commands.')));
  }
  if (!model) {
    const link = el('a', { href: '#' }, 'Open Settings');
    link.addEventListener('click', (e) => { e.preventDefault(); post({ type: 'command', command: 'oel.openSettings' }); });
    notices.append(el('div', { class: `notice${modelAttention ? ' attention' : ''}`, 'data-testid': 'no-model-notice', role: modelAttention ? 'alert' : 'status' }, icon('info'),
      el('span', {}, 'No model is configured: set "oel.provider.model" to a model your server runs. '), link));
  }
}

function scroll(): void { log.scrollTop = log.scrollHeight; }

function renderAssistant(): void {
  if (!lastAssistant) return;
  lastAssistant.pending = false;
  lastAssistant.el.querySelector('.body')!.replaceChildren(renderMarkdown(lastAssistant.text));
  scroll();
}

function card(callId: string) { return cards.get(callId); }

function removeFeedback(): void { log.querySelectorAll('.feedback').forEach((n) => n.remove()); }

function feedbackRow(): HTMLElement {
  const comment = el('input', { type: 'text', class: 'comment', 'data-testid': 'feedback-comment', placeholder: 'Optional comment', 'aria-label': 'Feedback comment' });
  const send = (rating: 'up' | 'down') => post({ type: 'feedback', rating, ...(comment.value.trim() ? { comment: comment.value.trim() } : {}) });
  const up = el('button', { class: 'icon-btn', 'data-testid': 'feedback-up', title: 'Good result', 'aria-label': 'Good result', type: 'button' }, icon('thumbsup'));
  const down = el('button', { class: 'icon-btn', 'data-testid': 'feedback-down', title: 'Bad result', 'aria-label': 'Bad result', type: 'button' }, icon('thumbsdown'));
  up.addEventListener('click', () => send('up'));
  down.addEventListener('click', () => send('down'));
  return el('div', { class: 'feedback' }, el('span', {}, 'Was this helpful?'), up, down, comment);
}

function apply(item: TranscriptItem, live: boolean): void {
  if (item.type !== 'assistantDelta' && lastAssistant?.pending) renderAssistant();
  switch (item.type) {
    case 'user':
      // The task took the request: now the box can be emptied (unless the user already typed something else).
      if (live && input.value.trim() === item.text.trim()) input.value = '';
      removeFeedback();
      lastAssistant = null;
      notDone = 0;
      log.append(el('div', { class: 'message user', 'data-testid': 'message-user' }, el('div', { class: 'role' }, icon('account'), 'You'), el('div', { class: 'body' }, renderMarkdown(item.text))));
      break;
    case 'assistantDelta': {
      if (!lastAssistant || lastAssistant.turn !== item.turn) {
        const m = el('div', { class: 'message assistant', 'data-testid': 'message-assistant' }, el('div', { class: 'role' }, icon('hubot'), 'Agent'), el('div', { class: 'body' }));
        log.append(m);
        lastAssistant = { turn: item.turn, el: m, text: '', pending: false };
      }
      lastAssistant.text += item.delta;
      if (!live) { lastAssistant.pending = true; break; }
      if (!lastAssistant.pending) { lastAssistant.pending = true; requestAnimationFrame(renderAssistant); }
      break;
    }
    case 'toolCall': {
      lastAssistant = null;
      const status = el('span', { class: 'status' }, icon(STATUS_ICON.running));
      const output = el('pre', { class: 'output' });
      const details = el('details', {}, el('summary', {}, 'Output'), output);
      details.hidden = true;
      const root = el('div', { class: 'card tool', 'data-testid': 'tool-card', 'data-call-id': item.callId, 'data-tool': item.name, 'data-status': 'running' },
        el('div', { class: 'card-head' }, icon(TOOL_ICON[item.name] ?? 'tools'), el('span', { class: 'tool-name' }, item.name), el('span', { class: 'args', title: item.summary }, item.summary), status), details);
      cards.set(item.callId, { root, status, output, details });
      log.append(root);
      break;
    }
    case 'toolOutput': {
      const c = card(item.callId);
      if (!c) break;
      c.details.hidden = false;
      c.details.open = true;
      c.output.textContent = (c.output.textContent ?? '') + item.chunk;
      break;
    }
    case 'toolResult': {
      const c = card(item.callId);
      if (!c) break;
      c.root.dataset.status = item.status;
      if (item.status === 'rejected' || item.status === 'refused') notDone++;
      c.status.replaceChildren(icon(STATUS_ICON[item.status] ?? 'circle-outline'), el('span', {}, item.status));
      c.output.textContent = item.output;
      c.details.hidden = !item.output;
      c.details.open = item.status !== 'ok';
      break;
    }
    case 'approvalRequest': {
      const c = card(item.callId);
      if (c) { c.root.dataset.status = 'waiting'; c.status.replaceChildren(icon(STATUS_ICON.waiting)); }
      const comment = el('input', { type: 'text', class: 'comment', 'data-testid': 'reject-comment', placeholder: 'Reason (optional)', 'aria-label': 'Reason for rejecting' });
      const buttons = el('div', { class: 'buttons' },
        button('Approve', 'approve', 'check', () => post({ type: 'approve', callId: item.callId })),
        button('Reject', 'reject', 'close', () => post({ type: 'reject', callId: item.callId, ...(comment.value.trim() ? { comment: comment.value.trim() } : {}) }), true));
      if (item.category === 'edit') buttons.append(button('Open Diff', 'open-diff', 'diff', () => post({ type: 'openDiff', callId: item.callId }), true));
      buttons.append(comment);
      const a = el('div', { class: `card approval${item.reason ? ' sensitive' : ''}`, 'data-testid': 'approval-card', 'data-call-id': item.callId, role: 'group', 'aria-label': item.summary },
        el('div', { class: 'card-head' }, icon(item.category === 'edit' ? 'edit' : 'terminal'), el('strong', {}, item.summary)));
      // Why this one asks even when the policy would not: said above the diff, where the eye lands first.
      if (item.reason) a.append(el('div', { class: 'approval-reason', 'data-testid': 'approval-reason', role: 'note' }, icon('shield'), el('span', {}, item.reason)));
      a.append(el('pre', { class: item.category === 'edit' ? 'detail diff' : 'detail' }, item.detail), buttons);
      approvals.set(item.callId, a);
      log.append(a);
      break;
    }
    case 'approvalResolved': {
      const a = approvals.get(item.callId);
      if (!a) break;
      a.dataset.decision = item.decision;
      a.querySelector('.buttons')?.replaceChildren(el('span', { class: `decision ${item.decision}` }, icon(item.decision === 'approved' ? 'check' : 'close'), item.decision === 'approved' ? 'Approved' : 'Rejected'));
      const c = card(item.callId);
      if (c && c.root.dataset.status === 'waiting') { c.root.dataset.status = 'running'; c.status.replaceChildren(icon(STATUS_ICON.running)); }
      break;
    }
    case 'knowledge': {
      knownItems.clear();
      for (const i of item.items) knownItems.set(i.id, i.text);
      // Each item says why it was chosen for this request (relevance, a file in play, a pin, evidence) and its score.
      const why = (i: (typeof item.items)[number]) => (i.why ? [el('div', { class: 'item-why', 'data-testid': 'knowledge-why' }, i.score ? `${i.why} · score ${i.score}` : i.why)] : []);
      const list = el('ul', { class: 'knowledge-list' }, ...item.items.map((i) => el('li', {}, itemLink(i.id), el('span', { class: 'item-text' }, i.text), ...why(i))));
      const n = item.items.length;
      log.append(el('details', { class: 'knowledge-context', 'data-testid': 'knowledge-context' },
        el('summary', {}, icon('lightbulb'), el('span', {}, `${n} learned item${n === 1 ? '' : 's'} in context`)), list));
      break;
    }
    case 'cited': {
      const row = el('div', { class: 'citations', 'data-testid': 'citations' }, icon('lightbulb'), el('span', {}, 'Used learned knowledge:'));
      for (const id of item.itemIds) row.append(itemLink(id));
      log.append(row);
      break;
    }
    case 'taskEnded': {
      lastAssistant = null;
      // A run that finished after edits or commands were rejected or refused did not do all it set out to: say so
      // instead of a green "Completed".
      const partial = item.reason === 'completed' && notDone > 0;
      const banner = el('div', { class: `end-banner ${item.reason}${partial ? ' partial' : ''}`, 'data-testid': 'end-banner', 'data-reason': item.reason, role: 'status' },
        icon(partial ? 'info' : END_ICON[item.reason]), el('strong', {}, END_TEXT[item.reason]));
      if (partial) banner.append(el('span', { class: 'end-detail' }, `${notDone} action${notDone === 1 ? ' was' : 's were'} rejected or not allowed; check the result.`));
      if (item.reason !== 'completed' && item.reason !== 'stopped' && item.message) banner.append(el('span', { class: 'end-detail' }, item.message));
      // An error needs a fix: offer the ones that fit, where the user is reading.
      if (item.reason === 'error') banner.append(fixLinks(item.fixes));
      log.append(banner);
      removeFeedback();
      // "Was this helpful?" asks about an answer; a task that failed gave none.
      if (item.reason !== 'error') log.append(feedbackRow());
      break;
    }
    case 'error': {
      log.append(el('div', { class: 'notice error', 'data-testid': 'error-message', role: 'alert' }, icon('error'), el('span', {}, item.message), fixLinks(item.fixes)));
      break;
    }
    case 'notice': {
      log.append(el('div', { class: 'notice', 'data-testid': 'agent-notice', role: 'status' }, icon('sync'), el('span', {}, item.message)));
      break;
    }
  }
  if (live) scroll();
}

/** A knowledge item id as a link that reveals the item in its knowledge file. */
function itemLink(id: string): HTMLElement {
  const text = knownItems.get(id);
  const a = el('a', { href: '#', class: 'item-id', 'data-testid': 'knowledge-id', title: text ? `${text}\n\nReveal in the knowledge file` : 'Reveal in the knowledge file' }, id);
  a.addEventListener('click', (e) => { e.preventDefault(); post({ type: 'revealKnowledge', id }); });
  return a;
}

/** Links for the fixes an error names (none named: the log). Try Again puts the last request back in the box. */
function fixLinks(fixes: Fix[] = ['log']): HTMLElement {
  const actions = el('span', { class: 'links', 'data-testid': 'fix-links' });
  const add = (label: string, run: () => void) => {
    if (Array.from(actions.children).some((a) => a.textContent === label)) return;
    const a = el('a', { href: '#' }, label);
    a.addEventListener('click', (e) => { e.preventDefault(); run(); });
    actions.append(a);
  };
  for (const fix of fixes) {
    switch (fix) {
      case 'apiKey': add('Set API Key', () => post({ type: 'command', command: 'oel.setApiKey' })); break;
      case 'baseUrl': case 'model': add('Open Settings', () => post({ type: 'command', command: 'oel.openSettings' })); break;
      case 'log': add('Show Log', () => post({ type: 'command', command: 'oel.showLog' })); break;
      case 'retry':
        if (lastSent) add('Try Again', () => { input.value = lastSent; input.focus(); submit(); });
        break;
    }
  }
  return actions;
}

function handle(msg: ExtensionToWebview): void {
  switch (msg.type) {
    case 'init':
      trusted = msg.trusted; model = msg.model; running = msg.running; feedbackGiven = msg.feedbackGiven;
      log.replaceChildren(); cards.clear(); approvals.clear(); knownItems.clear(); lastAssistant = null;
      for (const item of msg.transcript) apply(item, false);
      renderAssistant();
      if (feedbackGiven || running) removeFeedback();
      scroll();
      app.dataset.ready = 'true';
      break;
    case 'item': apply(msg.item, true); break;
    case 'running': running = msg.running; if (running) removeFeedback(); break;
    case 'cleared': log.replaceChildren(); cards.clear(); approvals.clear(); knownItems.clear(); lastAssistant = null; input.focus(); break;
    case 'settings': trusted = msg.trusted; model = msg.model; if (model) modelAttention = false; break;
    case 'feedbackStored':
      feedbackGiven = true;
      log.querySelectorAll('.feedback').forEach((n) => n.replaceChildren(icon(msg.rating === 'up' ? 'thumbsup' : 'thumbsdown'), el('span', {}, 'Thanks for the feedback.')));
      break;
    case 'focusInput': input.focus(); break;
    case 'needsModel':
      // Point at the notice that says what to do, once; the request stays in the box for when the model is set.
      // renderChrome draws the notice anew, which also restarts its highlight when Send is pressed again.
      modelAttention = true;
      renderChrome();
      notices.querySelector<HTMLElement>('[data-testid="no-model-notice"] a')?.focus();
      break;
  }
  renderChrome();
}

window.addEventListener('message', (event: MessageEvent) => {
  if (!isExtensionMessage(event.data)) { console.warn('OEL agent view: ignored an unknown message', event.data); return; }
  handle(event.data);
});
renderChrome();
post({ type: 'ready' });
