/**
 * What the Agent view shows for each agent event: the {@link TranscriptItem} an {@link AgentEvent} becomes, and the
 * short argument summary on a tool card's title. Pure (no `vscode` import), so the mapping is unit-tested; the
 * AgentController adds the side effects (history refresh, end-of-task state).
 */
import type { TranscriptItem } from '../core/protocol/webview';
import type { AgentEvent } from './core';

/** Short description of a tool call's arguments for a card title. Arguments that are not JSON are shown raw, cut. */
export function summarizeArgs(name: string, rawArgs: string): string {
  let a: Record<string, unknown> = {};
  try { a = JSON.parse(rawArgs) as Record<string, unknown>; } catch { return rawArgs.slice(0, 120); }
  const s = (v: unknown) => (typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v));
  switch (name) {
    case 'read_file': return `${s(a.path)}${a.start_line ? `:${s(a.start_line)}-${s(a.end_line ?? '')}` : ''}`;
    case 'list_dir': return s(a.path) || '.';
    case 'search_text': return `"${s(a.query)}"${a.glob ? ` in ${s(a.glob)}` : ''}`;
    case 'read_diagnostics': return s(a.path) || 'workspace';
    case 'propose_edit': case 'create_file': return s(a.path);
    case 'run_command': return s(a.command);
    default: return rawArgs.slice(0, 120);
  }
}

/**
 * The transcript item the view renders for an agent event, or null for events the transcript does not show (task
 * start, reasoning, finished turns).
 */
export function transcriptItemFor(e: AgentEvent): TranscriptItem | null {
  switch (e.type) {
    case 'text_delta': return { type: 'assistantDelta', turn: e.turn, delta: e.delta };
    case 'tool_call_proposed': return { type: 'toolCall', callId: e.callId, name: e.name, summary: summarizeArgs(e.name, e.arguments) };
    case 'approval_needed': return { type: 'approvalRequest', ...e.request };
    case 'approval_decided': return { type: 'approvalResolved', callId: e.callId, decision: e.decision, ...(e.hunks ? { hunks: e.hunks.slice(0, 10_000) } : {}) };
    case 'command_output': return { type: 'toolOutput', callId: e.callId, chunk: e.chunk };
    case 'tool_result': return { type: 'toolResult', callId: e.observation.callId, status: e.observation.status, output: e.observation.output };
    case 'knowledge_in_context': return { type: 'knowledge', items: e.items.map((i) => ({ id: i.id, text: i.text, ...(i.why ? { why: i.why.slice(0, 1000) } : {}), ...(i.score !== undefined ? { score: i.score } : {}) })) };
    case 'knowledge_cited': return { type: 'cited', itemIds: e.itemIds };
    case 'task_ended': return { type: 'taskEnded', reason: e.reason, message: e.message, ...(e.fixes ? { fixes: e.fixes } : {}) };
    case 'provider_retry': return { type: 'notice', message: e.message };
    default: return null;
  }
}
