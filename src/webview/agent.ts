/**
 * The Agent view's script (browser, bundled to dist/webview/agent.js): wires the pure reducer (agent/state.ts) to the
 * renderers (agent/entries.ts, agent/transcriptView.ts) and posts the user's actions. The extension validates every
 * message it posts against src/core/protocol/webview.ts; the view checks the envelope (webviewGuard.ts) and builds
 * its DOM with text nodes only (no innerHTML), so model output can never inject markup.
 */
import type { ContextRef, ExtensionToWebview, WebviewToExtension } from '../core/protocol/webview';
import { isExtensionMessage } from '../core/protocol/webviewGuard';
import { button, el, icon, actionLink } from './agent/dom';
import { renderEntry, type EntryHooks } from './agent/entries';
import { hasUserMessage, initialState, reduce, type ViewState } from './agent/state';
import { TranscriptView } from './agent/transcriptView';
import { ModelPicker } from './agent/modelPicker';

declare function acquireVsCodeApi(): { postMessage(msg: unknown): void; getState(): unknown; setState(s: unknown): void };

const vscode = acquireVsCodeApi();
const post = (msg: WebviewToExtension) => vscode.postMessage(msg);

let state: ViewState = initialState();
/** The request last sent: the box is cleared only once the task took it, and Try Again puts it back. */
let lastSent = '';

const app = document.getElementById('app')!;
const notices = el('div', { class: 'notices' });
const log = el('div', { class: 'transcript', role: 'log', 'aria-live': 'polite' });
const input = el('textarea', { 'data-testid': 'task-input', rows: '3', placeholder: 'Describe a task… (Enter to send, Shift+Enter for a new line)', 'aria-label': 'Task' });
const send = button('Send', 'send', 'send', () => submit());
const stop = button('Stop', 'stop', 'debug-stop', () => post({ type: 'stop' }), true);
// An icon, like the view's title bar "+": the row keeps its room for the model's name.
const newTask = el('button', { class: 'icon-btn', 'data-testid': 'new-task', type: 'button', title: 'New Task', 'aria-label': 'New Task' }, icon('add'));
newTask.addEventListener('click', () => post({ type: 'newTask' }));
/** Set while a model list asked for has not arrived. */
let modelsPending = false;
const picker = new ModelPicker({
  list: () => { modelsPending = true; post({ type: 'listModels' }); renderChrome(); },
  pick: (model) => post({ type: 'pickModel', model }),
  openSettings: () => post({ type: 'command', command: 'oel.openSettings' }),
  openLocalSettings: () => post({ type: 'command', command: 'oel.openLocalModelSettings' }),
});
/** What is attached to the next request (chips above the box; each can be removed). */
let attached: ContextRef[] = [];
const chips = el('div', { class: 'chips', 'data-testid': 'context-chips' });
const chipLabel = (r: ContextRef) => (r.kind === 'file' ? r.path : `${r.path}:${r.startLine}-${r.endLine}`);
function renderChips(): void {
  chips.replaceChildren(...attached.map((r, i) => {
    const remove = el('button', { class: 'chip-remove', type: 'button', 'data-testid': 'context-chip-remove', title: `Remove ${chipLabel(r)}`, 'aria-label': `Remove ${chipLabel(r)}` }, icon('close'));
    remove.addEventListener('click', () => { attached = attached.filter((_, j) => j !== i); renderChips(); input.focus(); });
    return el('span', { class: 'chip', 'data-testid': 'context-chip' }, icon(r.kind === 'file' ? 'file' : 'selection'), el('span', {}, chipLabel(r)), remove);
  }));
}
const attach = el('button', { class: 'icon-btn', type: 'button', 'data-testid': 'attach-context', title: 'Attach a file or the selection (@)', 'aria-label': 'Attach a file or the selection' }, icon('mention'));
attach.addEventListener('click', () => post({ type: 'addContext' }));
/** Auto-approve toggles per tool category: each writes the user's `oel.approval.*` setting (the extension's rules). */
const AUTO: { category: 'read' | 'edit' | 'command'; label: string; what: string }[] = [
  { category: 'read', label: 'Read', what: 'reading and searching files' },
  { category: 'edit', label: 'Edit', what: 'editing files' },
  { category: 'command', label: 'Run', what: 'running commands' },
];
const autoToggles = AUTO.map(({ category, label }) => {
  const b = el('button', { class: 'toggle', type: 'button', 'data-testid': `auto-approve-${category}`, 'aria-pressed': 'false' }, label);
  b.addEventListener('click', () => post({ type: 'setAutoApprove', category, auto: b.getAttribute('aria-pressed') !== 'true' }));
  return b;
});
const autoRow = el('div', { class: 'auto-approve', 'data-testid': 'auto-approve', role: 'group', 'aria-label': 'Auto-approve' },
  el('span', { class: 'auto-label', title: 'Run these without asking (your user settings oel.approval.*; files that change what runs always ask)' }, 'Auto-approve:'), ...autoToggles);
const composer = el('div', { class: 'composer' }, picker.menu, chips, input,
  el('div', { class: 'actions' }, newTask, attach, picker.button, el('span', { class: 'spacer' }), stop, send), autoRow);
app.append(notices, log, composer);

function submit(): void {
  const text = input.value.trim();
  if (!text || state.running) return;
  lastSent = text;
  post({ type: 'send', text, ...(attached.length ? { context: attached } : {}) });
}
input.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); submit(); return; }
  // "@" at the start of a word opens the attach picker (an e-mail address types on).
  if (e.key === '@' && !e.isComposing && /(^|\s)$/.test(input.value.slice(0, input.selectionStart))) { e.preventDefault(); post({ type: 'addContext' }); }
});

const hooks: EntryHooks = {
  get knownItems() { return state.knownItems; },
  reveal: (id) => post({ type: 'revealKnowledge', id }),
  approve: (callId, hunks) => post({ type: 'approve', callId, ...(hunks ? { hunks } : {}) }),
  reject: (callId, comment) => post({ type: 'reject', callId, ...(comment ? { comment } : {}) }),
  openDiff: (callId) => post({ type: 'openDiff', callId }),
  openChange: (path) => post({ type: 'openChange', path }),
  restore: (callId) => post({ type: 'restoreCheckpoint', callId }),
  feedback: (rating, comment) => post({ type: 'feedback', rating, ...(comment ? { comment } : {}) }),
  command: (command) => post({ type: 'command', command }),
  get retry() { return lastSent ? () => { input.value = lastSent; input.focus(); submit(); } : undefined; },
};
const transcript = new TranscriptView(log, (entry) => renderEntry(entry, hooks));

/** The parts outside the transcript: notices, buttons, the box's placeholder. */
function renderChrome(): void {
  stop.hidden = !state.running;
  send.disabled = state.running;
  input.placeholder = hasUserMessage(state) ? 'Send a follow-up… (Enter to send, Shift+Enter for a new line)' : 'Describe a task… (Enter to send, Shift+Enter for a new line)';
  picker.render(state, modelsPending);
  autoRow.hidden = !state.policy;
  autoToggles.forEach((b, i) => {
    const { category, what } = AUTO[i];
    const on = state.policy?.[category] === 'auto';
    b.setAttribute('aria-pressed', String(on));
    // Restricted Mode: nothing but reading runs anyway, and nothing may be turned on there.
    b.disabled = !state.trusted;
    b.title = !state.trusted ? 'Not available in Restricted Mode' : on ? `Auto-approving ${what}: click to ask each time` : `Asking before ${what}: click to auto-approve`;
  });
  notices.replaceChildren();
  if (!state.trusted) {
    notices.append(el('div', { class: 'notice warning', 'data-testid': 'restricted-notice', role: 'status' }, icon('shield'),
      el('span', {}, 'Restricted Mode: this workspace is not trusted, so the agent can only read and search. It cannot edit files or run commands.')));
  }
  if (state.local?.tiny) {
    // Said once, above the conversation: the demo's model is random, so its answers say nothing about the agent.
    notices.append(el('div', { class: 'notice warning', 'data-testid': 'tiny-model-notice', role: 'status' }, icon('beaker'),
      // Text above its links: beside it, in a narrow side bar, each link would wrap onto three lines.
      el('div', { class: 'notice-body' }, el('span', {}, `${state.local.file} is a tiny random model: it only proves the wiring (tokens, streaming, Stop, adapters); its answers are noise.`),
        el('span', { class: 'links' },
          actionLink('Use a Real Model…', () => post({ type: 'command', command: 'oel.downloadRecommendedModel' }), { 'data-testid': 'use-real-model' }),
          actionLink('Choose a GGUF…', () => post({ type: 'command', command: 'oel.openLocalModelSettings' }))))));
  }
  if (!state.model) {
    const attention = state.modelAttention;
    notices.append(el('div', { class: `notice${attention ? ' attention' : ''}`, 'data-testid': 'no-model-notice', role: attention ? 'alert' : 'status' }, icon('info'),
      el('span', {}, 'No model is configured: set "oel.provider.model" to a model your server runs. '),
      actionLink('Open Settings', () => post({ type: 'command', command: 'oel.openSettings' }))));
  }
}

/** Streamed text is drawn once per frame, however many deltas arrive in it. */
let framePending = false;
function render(live: boolean): void {
  transcript.update(state.entries);
  renderChrome();
  if (live) transcript.scrollToEnd();
}

function handle(msg: ExtensionToWebview): void {
  state = reduce(state, msg);
  switch (msg.type) {
    case 'init':
      render(false);
      transcript.scrollToEnd();
      app.dataset.ready = 'true';
      return;
    case 'item':
      // The task took the request: now the box can be emptied (unless the user already typed something else).
      if (msg.item.type === 'user' && input.value.trim() === msg.item.text.trim()) {
        input.value = '';
        if (msg.item.context?.length) { attached = []; renderChips(); }
      }
      if (msg.item.type === 'assistantDelta') {
        if (!framePending) { framePending = true; requestAnimationFrame(() => { framePending = false; render(true); }); }
        return;
      }
      render(true);
      return;
    case 'cleared': render(false); input.focus(); return;
    case 'focusInput': input.focus(); return;
    case 'models': modelsPending = false; renderChrome(); return;
    case 'checkpoints': render(false); return;
    case 'contextAdded':
      for (const r of msg.items) if (!attached.some((a) => chipLabel(a) === chipLabel(r))) attached.push(r);
      renderChips();
      input.focus();
      return;
    case 'needsModel':
      // Point at the notice that says what to do, once; the request stays in the box for when the model is set.
      // The notice is drawn anew, which also restarts its highlight when Send is pressed again.
      render(false);
      notices.querySelector<HTMLElement>('[data-testid="no-model-notice"] a')?.focus();
      return;
    default: render(false);
  }
}

window.addEventListener('message', (event: MessageEvent) => {
  if (!isExtensionMessage(event.data)) { console.warn('OEL agent view: ignored an unknown message', event.data); return; }
  handle(event.data);
});
renderChrome();
post({ type: 'ready' });
