/** Typed events the agent session emits while it runs; the agent view renders them. */
import type { EndReason } from '../trajectory/episode';
import type { ApprovalRequest } from '../tools/host';
import type { ToolObservation } from '../tools/executor';
import type { ChatTurn, ProviderFix } from '../provider/provider';
import type { KnowledgeInContext } from '../knowledge/knowledgeContext';

/** Every event of a session, discriminated by `type`. */
export type AgentEvent =
  | { type: 'task_started'; episodeId: string; title: string }
  /**
   * The learned knowledge placed in the system prompt (emitted after `task_started`, only when there is some, and
   * again when a follow-up message changes it), with each item's text as the slot lists it (empty when the slot text
   * does not list it in the usual form) and, when the selection recorded them, its score and why it was chosen.
   */
  | { type: 'knowledge_in_context'; knowledge: KnowledgeInContext; items: { id: string; text: string; score?: number; reason?: string; why?: string }[] }
  /** The final answer cited these items of the knowledge in context (ids not in context are not counted). */
  | { type: 'knowledge_cited'; itemIds: string[] }
  | { type: 'text_delta'; turn: number; delta: string }
  | { type: 'reasoning_delta'; turn: number; delta: string }
  | { type: 'turn_finished'; turn: number; result: ChatTurn }
  | { type: 'tool_call_proposed'; turn: number; callId: string; name: string; arguments: string }
  | { type: 'approval_needed'; request: ApprovalRequest }
  /** `hunks`: an edit approved in part, the hunks the user kept (numbered as in the approval's diff). */
  | { type: 'approval_decided'; callId: string; decision: 'approved' | 'rejected'; comment?: string; hunks?: number[] }
  | { type: 'command_output'; callId: string; chunk: string }
  | { type: 'tool_result'; observation: ToolObservation }
  /** A model request failed for a passing reason (429, 5xx, reset) and is tried again after `delayMs`. */
  | { type: 'provider_retry'; attempt: number; retries: number; delayMs: number; message: string }
  /** The run ended; `fixes` (for an error) are the actions that may help, most likely first. */
  | { type: 'task_ended'; reason: EndReason; message: string; fixes?: ProviderFix[] };

/** Receives session events; must not throw (errors are swallowed so the loop carries on). */
export type AgentEventListener = (event: AgentEvent) => void;
