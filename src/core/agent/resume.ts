/**
 * Resuming a past task: the conversation of a stored episode as chat messages for the model (what a follow-up in the
 * same window would have sent), and as transcript items for the Agent view. The episode is already redacted (secrets
 * are placeholders) and its tool outputs are cut to the stored size; the model gets exactly that.
 */
import type { ChatMessage } from '../provider/provider';
import type { TranscriptItem } from '../protocol/webview';
import type { Episode } from '../trajectory/episode';

/** Said to the model for a call whose result the episode does not hold (the run was cut short there). */
export const NO_RESULT = 'No result: the task was interrupted before this call finished.';

/**
 * The episode's user messages, model turns (with their tool calls) and tool results, in order, without the system
 * prompt (the resumed task gets a fresh one, with the knowledge selected for its new message). Every tool call gets
 * a result message, as the API requires: one the episode lacks is answered with {@link NO_RESULT}.
 */
export function conversationOf(episode: Episode): ChatMessage[] {
  const out: ChatMessage[] = [];
  let open: string[] = [];
  const closeOpen = () => {
    for (const id of open) out.push({ role: 'tool', tool_call_id: id, content: NO_RESULT });
    open = [];
  };
  for (const s of episode.steps) {
    if (s.kind === 'user') {
      closeOpen();
      out.push({ role: 'user', content: s.text });
    } else if (s.kind === 'model') {
      closeOpen();
      out.push({
        role: 'assistant', content: s.text || null,
        ...(s.toolCalls.length ? { tool_calls: s.toolCalls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } })) } : {}),
      });
      open = s.toolCalls.map((c) => c.id);
    } else if (s.kind === 'tool' && open.includes(s.callId)) {
      out.push({ role: 'tool', tool_call_id: s.callId, content: s.output });
      open = open.filter((id) => id !== s.callId);
    }
  }
  closeOpen();
  return out;
}

/** Short summary of a tool call for a card title (the extension's own summaries are richer; this is the fallback). */
function argsSummary(name: string, raw: string): string {
  try {
    const a = JSON.parse(raw) as Record<string, unknown>;
    const v = name === 'run_command' ? a.command : a.path ?? a.query;
    if (typeof v === 'string') return v.slice(0, 200);
  } catch { /* shown raw */ }
  return raw.slice(0, 120);
}

/**
 * What the Agent view shows of a resumed episode: its messages, answers and tool cards as they ended (approvals are
 * over; no buttons), and each run's end. `summarize` gives a tool card's title (the extension passes its own).
 */
export function transcriptOf(episode: Episode, summarize: (name: string, args: string) => string = argsSummary): TranscriptItem[] {
  const out: TranscriptItem[] = [];
  const names = new Map<string, string>();
  for (const s of episode.steps) {
    switch (s.kind) {
      case 'user': out.push({ type: 'user', text: s.text }); break;
      case 'model':
        if (s.text) out.push({ type: 'assistantDelta', turn: s.turn, delta: s.text });
        for (const c of s.toolCalls) {
          names.set(c.id, c.name);
          out.push({ type: 'toolCall', callId: c.id, name: c.name, summary: summarize(c.name, c.arguments) });
        }
        break;
      case 'tool': if (names.has(s.callId)) out.push({ type: 'toolResult', callId: s.callId, status: s.status, output: s.output }); break;
      case 'end': out.push({ type: 'taskEnded', reason: s.reason, message: s.message ?? '' }); break;
      default: break;
    }
  }
  return out;
}
