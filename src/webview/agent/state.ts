/**
 * The Agent view's state as a pure reducer over the protocol's messages (src/core/protocol/webview.ts): no DOM, no
 * side effects, so it is unit-tested with the messages the extension sends. The renderers draw an {@link Entry} per
 * transcript element; an entry that did not change keeps its object identity, so only changed entries are redrawn.
 */
import type { EndReason, ExtensionToWebview, Fix, LocalModelWire, PolicyWire, TaskSummary, ToolStatus, TranscriptItem } from '../../core/protocol/webview';

/** A message the user sent (task request or follow-up), with the names of what was attached to it. */
export interface UserEntry { kind: 'user'; key: string; text: string; context?: readonly string[] }
/** The agent's text of one turn, deltas concatenated. */
export interface AssistantEntry { kind: 'assistant'; key: string; turn: number; text: string }
/** A question to the user about a tool call (an edit or a command); `decision` once answered. */
export interface Approval {
  category: 'read' | 'edit' | 'command'; summary: string; detail: string; reason?: string; decision?: 'approved' | 'rejected';
  /** An edit approved in part: the hunks that were written. */
  hunks?: readonly number[];
}
/**
 * A tool call: its status and output (`outputOpen`: whether the output is shown unfolded), and the approval it asked
 * for, if any: one card per action, the question inside it.
 */
export interface ToolEntry {
  kind: 'tool'; key: string; callId: string; name: string; summary: string; status: ToolStatus; output: string; outputOpen: boolean; approval?: Approval;
  /** The files can be restored to how they were before this call (a checkpoint of the current task). */
  restorable?: boolean;
}
/** The learned items in the task's prompt. */
export interface KnowledgeEntry { kind: 'knowledge'; key: string; items: readonly { id: string; text: string; score?: number; why?: string }[] }
/** Items the final answer cited. */
export interface CitedEntry { kind: 'cited'; key: string; itemIds: readonly string[] }
/**
 * The end of a run; `notDone` counts its rejected or refused tool calls (a "completed" run that did not do them all),
 * `summary` says what it did, `knowledge` lists the learned items that were in its prompt.
 */
export interface EndedEntry {
  kind: 'ended'; key: string; reason: EndReason; message: string; fixes?: readonly Fix[]; notDone: number; summary?: TaskSummary; knowledge: readonly string[];
  /** "Undo all changes of this task" is offered (the task has changes to restore; only on the last end). */
  undoable?: boolean;
}
/** An actionable error outside a task. */
export interface ErrorEntry { kind: 'error'; key: string; message: string; fixes?: readonly Fix[] }
/** A passing problem the agent handles (a provider retry). */
export interface NoticeEntry { kind: 'notice'; key: string; message: string }
/** "Was this helpful?" after a run that gave an answer; `rating` once stored. */
export interface FeedbackEntry { kind: 'feedback'; key: string; rating?: 'up' | 'down' }

/** One element of the transcript. */
export type Entry = UserEntry | AssistantEntry | ToolEntry | KnowledgeEntry | CitedEntry | EndedEntry | ErrorEntry | NoticeEntry | FeedbackEntry;

/** Everything the view shows. */
export interface ViewState {
  /** `init` was applied. */
  ready: boolean;
  trusted: boolean;
  model: string;
  running: boolean;
  /** Send was pressed without a model: the "no model" notice is highlighted until a model is set. */
  modelAttention: boolean;
  entries: readonly Entry[];
  /** Texts of the learned items in the current task's prompt, by id (tooltips of cited ids). */
  knownItems: ReadonlyMap<string, string>;
  /** Key of the assistant entry that takes the next deltas of its turn; null after a tool call, a new request, an end. */
  openAssistant: string | null;
  /** Rejected or refused tool calls of the current run. */
  notDone: number;
  /** Next entry key number (keys are unique for the life of the view). */
  seq: number;
  /** The model picker's list: null until the server answered `listModels`; `modelsError` when it could not list. */
  models: readonly string[] | null;
  modelsError?: string;
  /** Calls of the current task with a checkpoint to restore to (the extension's `checkpoints`). */
  restorable: ReadonlySet<string>;
  /** The approval policy behind the auto-approve toggles; null until the extension sent it. */
  policy: PolicyWire | null;
  /** The embedded runtime's GGUF when it runs the agent (the picker shows it instead of a server's list); else null. */
  local: LocalModelWire | null;
}

/** The state before `init`. */
export function initialState(): ViewState {
  return { ready: false, trusted: true, model: '', running: false, modelAttention: false, entries: [], knownItems: new Map(), openAssistant: null, notDone: 0, seq: 0, models: null, restorable: new Set(), policy: null, local: null };
}

/** The state after one message from the extension. */
export function reduce(state: ViewState, msg: ExtensionToWebview): ViewState {
  switch (msg.type) {
    case 'init': {
      let s: ViewState = { ...cleared(state), ready: true, trusted: msg.trusted, model: msg.model, running: msg.running, policy: msg.policy ?? null, local: msg.local ?? null };
      for (const item of msg.transcript) s = applyItem(s, item);
      s = withRestorable(s, new Set(msg.restorable ?? []));
      // Feedback already given (or a run in progress) has nothing left to ask.
      return msg.feedbackGiven || msg.running ? withoutFeedback(s) : s;
    }
    case 'item': return applyItem(state, msg.item);
    case 'running': return msg.running ? { ...withoutFeedback(state), running: true } : { ...state, running: false };
    case 'cleared': return cleared(state);
    case 'settings': return { ...state, trusted: msg.trusted, model: msg.model, modelAttention: msg.model ? false : state.modelAttention, policy: msg.policy ?? state.policy, local: msg.local ?? null };
    case 'feedbackStored': return { ...state, entries: state.entries.map((e) => (e.kind === 'feedback' ? { ...e, rating: msg.rating } : e)) };
    case 'needsModel': return { ...state, modelAttention: true };
    case 'focusInput': case 'contextAdded': return state;
    case 'checkpoints': return withRestorable(state, new Set(msg.restorable));
    case 'models': {
      const { modelsError: _old, ...rest } = state;
      return { ...rest, models: msg.models, ...(msg.error ? { modelsError: msg.error } : {}) };
    }
  }
}

/**
 * Marks the tool cards that offer Restore and the last end banner that offers "Undo all"; only entries whose mark
 * changes get a new object (and are redrawn).
 */
function withRestorable(state: ViewState, restorable: ReadonlySet<string>): ViewState {
  let lastEnd = -1;
  state.entries.forEach((e, i) => { if (e.kind === 'ended') lastEnd = i; });
  const entries = state.entries.map((e, i) => {
    if (e.kind === 'tool' && !!e.restorable !== restorable.has(e.callId)) return { ...e, restorable: restorable.has(e.callId) };
    const undoable = i === lastEnd && restorable.size > 0;
    if (e.kind === 'ended' && !!e.undoable !== undoable) return { ...e, undoable };
    return e;
  });
  return { ...state, entries, restorable };
}

/** An empty transcript (New Task); view settings stay. */
function cleared(state: ViewState): ViewState {
  return { ...state, entries: [], knownItems: new Map(), openAssistant: null, notDone: 0, restorable: new Set() };
}

function withoutFeedback(state: ViewState): ViewState {
  return state.entries.some((e) => e.kind === 'feedback') ? { ...state, entries: state.entries.filter((e) => e.kind !== 'feedback') } : state;
}

/** Appends an entry with a fresh key. */
function append<E extends Entry>(state: ViewState, entry: Omit<E, 'key'>): ViewState {
  return { ...state, entries: [...state.entries, { ...entry, key: `e${state.seq}` } as Entry], seq: state.seq + 1 };
}

/** Replaces the last entry matching `match` with `update(entry)`; unchanged state when none matches. */
function updateLast<K extends Entry['kind']>(state: ViewState, kind: K, match: (e: Extract<Entry, { kind: K }>) => boolean, update: (e: Extract<Entry, { kind: K }>) => Extract<Entry, { kind: K }>): ViewState {
  for (let i = state.entries.length - 1; i >= 0; i--) {
    const e = state.entries[i];
    if (e.kind === kind && match(e as Extract<Entry, { kind: K }>)) {
      const entries = [...state.entries];
      entries[i] = update(e as Extract<Entry, { kind: K }>);
      return { ...state, entries };
    }
  }
  return state;
}

/** The state after one transcript item. */
export function applyItem(state: ViewState, item: TranscriptItem): ViewState {
  switch (item.type) {
    case 'user':
      return append<UserEntry>({ ...withoutFeedback(state), openAssistant: null, notDone: 0 }, { kind: 'user', text: item.text, ...(item.context?.length ? { context: item.context } : {}) });
    case 'assistantDelta': {
      const open = state.openAssistant;
      const current = open ? state.entries.find((e): e is AssistantEntry => e.key === open && e.kind === 'assistant') : undefined;
      if (current && current.turn === item.turn) {
        return { ...state, entries: state.entries.map((e) => (e === current ? { ...current, text: current.text + item.delta } : e)) };
      }
      const next = append<AssistantEntry>(state, { kind: 'assistant', turn: item.turn, text: item.delta });
      return { ...next, openAssistant: `e${state.seq}` };
    }
    case 'toolCall':
      return append<ToolEntry>({ ...state, openAssistant: null }, { kind: 'tool', callId: item.callId, name: item.name, summary: item.summary, status: 'running', output: '', outputOpen: false });
    case 'toolOutput':
      // A running command's output is shown unfolded as it arrives.
      return updateLast(state, 'tool', (e) => e.callId === item.callId, (e) => ({ ...e, output: e.output + item.chunk, outputOpen: true }));
    case 'toolResult': {
      const s = updateLast(state, 'tool', (e) => e.callId === item.callId, (e) => ({ ...e, status: item.status, output: item.output, outputOpen: item.status !== 'ok' }));
      return s !== state && (item.status === 'rejected' || item.status === 'refused') ? { ...s, notDone: s.notDone + 1 } : s;
    }
    case 'approvalRequest': {
      const approval: Approval = { category: item.category, summary: item.summary, detail: item.detail, ...(item.reason ? { reason: item.reason } : {}) };
      const s = updateLast(state, 'tool', (e) => e.callId === item.callId, (e) => ({ ...e, status: 'waiting', approval }));
      // A question without its call (never sent so today) still gets a card to answer it in.
      return s !== state ? s : append<ToolEntry>(state, { kind: 'tool', callId: item.callId, name: item.tool, summary: item.summary, status: 'waiting', output: '', outputOpen: false, approval });
    }
    case 'approvalResolved':
      // The call goes on (or is refused next): back to running until its result arrives.
      return updateLast(state, 'tool', (e) => e.callId === item.callId && e.approval !== undefined, (e) => ({
        ...e, approval: { ...e.approval!, decision: item.decision, ...(item.hunks ? { hunks: item.hunks } : {}) }, status: e.status === 'waiting' ? 'running' : e.status,
      }));
    case 'knowledge':
      return append<KnowledgeEntry>({ ...state, knownItems: new Map(item.items.map((i) => [i.id, i.text])) }, { kind: 'knowledge', items: item.items });
    case 'cited':
      return append<CitedEntry>(state, { kind: 'cited', itemIds: item.itemIds });
    case 'taskEnded': {
      const s = append<EndedEntry>({ ...withoutFeedback(state), openAssistant: null }, {
        kind: 'ended', reason: item.reason, message: item.message, ...(item.fixes ? { fixes: item.fixes } : {}), notDone: state.notDone,
        ...(item.summary ? { summary: item.summary } : {}), knowledge: [...state.knownItems.keys()],
      });
      // "Was this helpful?" asks about an answer; a task that failed gave none.
      return item.reason === 'error' ? s : append<FeedbackEntry>(s, { kind: 'feedback' });
    }
    case 'error':
      return append<ErrorEntry>(state, { kind: 'error', message: item.message, ...(item.fixes ? { fixes: item.fixes } : {}) });
    case 'notice':
      return append<NoticeEntry>(state, { kind: 'notice', message: item.message });
  }
}

/** Whether the transcript holds a user message (the box then asks for a follow-up). */
export function hasUserMessage(state: ViewState): boolean {
  return state.entries.some((e) => e.kind === 'user');
}
