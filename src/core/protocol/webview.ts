/**
 * The message protocol between the agent view (webview, src/webview/agent.ts) and the extension host
 * (src/extension/agentView.ts). Every message is a zod schema; both sides validate what they receive and drop (and
 * log) anything invalid. Handshake: the webview sends `ready` once its script runs; the extension answers with
 * `init` (full state) and only then streams events. A webview that is hidden and restored sends `ready` again and
 * gets `init` with the transcript replayed. See docs/webview-protocol.md.
 */
import { z } from 'zod';

const callId = z.string().min(1).max(200);
/** A knowledge item id: format.ts's ITEM_ID_RE, restated because that module (node:crypto) cannot enter the webview bundle. */
const itemId = z.string().regex(/^K-[a-z0-9]{4,12}$/);
/** A model id as a server names it: printable, of a sane length. */
const modelId = z.string().min(1).max(200).regex(/^[^\u0000-\u001f\u007f]+$/);

/** Tool categories with their own approval policy (mirrors tools/host.ts). */
export const CategorySchema = z.enum(['read', 'edit', 'command']);
/**
 * The approval policy per tool category as the user's settings say it (`oel.approval.*`, read from user settings
 * only): `auto` runs without asking. Shown as the view's auto-approve toggles.
 */
export const PolicyWireSchema = z.object({ read: z.enum(['ask', 'auto']), edit: z.enum(['ask', 'auto']), command: z.enum(['ask', 'auto']) });
export type PolicyWire = z.infer<typeof PolicyWireSchema>;
/** Why a task ended (mirrors trajectory/episode.ts). */
export const EndReasonWireSchema = z.enum(['completed', 'stopped', 'max_steps', 'error']);
export type EndReason = z.infer<typeof EndReasonWireSchema>;
/** A fix the view can offer for an error (src/core/provider/errors.ts `ProviderFix`). */
export const FixSchema = z.enum(['apiKey', 'baseUrl', 'model', 'retry', 'log']);
export type Fix = z.infer<typeof FixSchema>;
/** Status of a finished tool call. */
export const ToolStatusWireSchema = z.enum(['running', 'waiting', 'ok', 'error', 'refused', 'rejected', 'cancelled', 'timeout']);
export type ToolStatus = z.infer<typeof ToolStatusWireSchema>;

/**
 * What a run did, for the end-of-task summary: time taken, tokens in and out (null when the provider reported no
 * usage), the workspace files it changed (`created`: the file did not exist before), and the commands it ran with
 * their exit codes (null when the command did not exit by itself: timeout, cancelled).
 */
export const TaskSummarySchema = z.object({
  durationMs: z.number().int().min(0),
  tokensIn: z.number().int().min(0).nullable(),
  tokensOut: z.number().int().min(0).nullable(),
  files: z.array(z.object({ path: z.string().min(1).max(4096), created: z.boolean() })).max(50),
  commands: z.array(z.object({ command: z.string().max(500), exitCode: z.number().int().nullable(), status: ToolStatusWireSchema })).max(50),
});
export type TaskSummary = z.infer<typeof TaskSummarySchema>;

/**
 * Context the user attached to a request: a workspace file, or lines of one (the editor's selection). Workspace-
 * relative paths; the extension confines and reads them when the request is sent.
 */
export const ContextRefSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('file'), path: z.string().min(1).max(4096) }),
  z.object({ kind: z.literal('selection'), path: z.string().min(1).max(4096), startLine: z.number().int().min(1), endLine: z.number().int().min(1) }),
]);
export type ContextRef = z.infer<typeof ContextRefSchema>;

/** One entry of the transcript the view renders; the extension keeps the same list to replay it on `ready`. */
export const TranscriptItemSchema = z.discriminatedUnion('type', [
  /** Sent by the extension: a message the user sent (task request or follow-up); `context` names what was attached. */
  z.object({ type: z.literal('user'), text: z.string(), context: z.array(z.string().max(4200)).max(20).optional() }),
  /** Sent by the extension: a chunk of assistant text; consecutive chunks of one turn are concatenated. */
  z.object({ type: z.literal('assistantDelta'), turn: z.number().int(), delta: z.string() }),
  /** Sent by the extension: the model called a tool (card shown as running). */
  z.object({ type: z.literal('toolCall'), callId, name: z.string(), summary: z.string() }),
  /** Sent by the extension: output of a running command, appended to its card. */
  z.object({ type: z.literal('toolOutput'), callId, chunk: z.string() }),
  /** Sent by the extension: the tool call finished; `output` is what the model sees. */
  z.object({ type: z.literal('toolResult'), callId, status: ToolStatusWireSchema, output: z.string() }),
  /**
   * Sent by the extension: the user must approve an edit or a command (policy `ask`, or a file that always asks).
   * `reason` says why this one asks whatever the policy: the file changes what the editor or the agent runs.
   */
  z.object({ type: z.literal('approvalRequest'), callId, tool: z.string(), category: CategorySchema, summary: z.string(), detail: z.string(), reason: z.string().min(1).max(2000).optional() }),
  /**
   * Sent by the extension: an approval was decided (from the view, the editor title, or by Stop). `hunks`: an edit
   * approved in part, the hunks written (the card then marks the others as not applied).
   */
  z.object({ type: z.literal('approvalResolved'), callId, decision: z.enum(['approved', 'rejected']), hunks: z.array(z.number().int().min(0).max(100_000)).max(10_000).optional() }),
  /**
   * Sent by the extension when a task starts with learned knowledge in its system prompt, and again when a follow-up
   * changes it: the items, in prompt order (`text` is empty when the slot did not list the item in the usual form),
   * each with its selection `score` and `why` it was chosen when the selection recorded them.
   */
  z.object({ type: z.literal('knowledge'), items: z.array(z.object({ id: itemId, text: z.string(), score: z.number().optional(), why: z.string().max(1000).optional() })).min(1) }),
  /** Sent by the extension: the final answer cited these items of the knowledge in context. */
  z.object({ type: z.literal('cited'), itemIds: z.array(itemId).min(1) }),
  /**
   * Sent by the extension: the task ended; the view shows the end banner, and the feedback buttons unless it failed.
   * `fixes` (with reason `error`) are the actions that may help, most likely first; the view offers only those.
   * `summary` says what the run did (the view lists it under the banner).
   */
  z.object({ type: z.literal('taskEnded'), reason: EndReasonWireSchema, message: z.string(), fixes: z.array(FixSchema).optional(), summary: TaskSummarySchema.optional() }),
  /** Sent by the extension: an actionable error outside a task; `fixes` as for `taskEnded` (none: Show Log). */
  z.object({ type: z.literal('error'), message: z.string(), fixes: z.array(FixSchema).optional() }),
  /** Sent by the extension: a passing problem the agent is handling, e.g. a busy provider being retried. */
  z.object({ type: z.literal('notice'), message: z.string() }),
]);
export type TranscriptItem = z.infer<typeof TranscriptItemSchema>;

/**
 * The embedded llama.cpp provider's model, when it is the provider: the GGUF's file name, and whether it is so small
 * that it can only be a test model (a tiny random one proves the wiring, its words are noise). Absent: a server runs
 * the agent and the view's model picker lists the server's models.
 */
export const LocalModelWireSchema = z.object({ file: z.string().max(300), tiny: z.boolean() });
export type LocalModelWire = z.infer<typeof LocalModelWireSchema>;

/** Messages the extension sends to the webview. */
export const ExtensionToWebviewSchema = z.discriminatedUnion('type', [
  /** Sent by the extension in answer to `ready`: full state, transcript replayed. */
  z.object({
    type: z.literal('init'),
    trusted: z.boolean(),
    model: z.string(),
    running: z.boolean(),
    feedbackGiven: z.boolean(),
    transcript: z.array(TranscriptItemSchema),
    /** The approval policy (auto-approve toggles); absent: the toggles are not shown. */
    policy: PolicyWireSchema.optional(),
    /** The calls of the current task with a checkpoint to restore to (as in `checkpoints`); absent: none. */
    restorable: z.array(callId).max(1000).optional(),
    /** The embedded runtime's model (see {@link LocalModelWireSchema}); absent when a server runs the agent. */
    local: LocalModelWireSchema.optional(),
  }),
  /** Sent by the extension: one new transcript item. */
  z.object({ type: z.literal('item'), item: TranscriptItemSchema }),
  /** Sent by the extension: the run state changed (shows/hides Stop, disables Send). */
  z.object({ type: z.literal('running'), running: z.boolean() }),
  /** Sent by the extension: the transcript was cleared (New Task). */
  z.object({ type: z.literal('cleared') }),
  /** Sent by the extension: workspace trust, the configured model or the approval policy changed. */
  z.object({ type: z.literal('settings'), trusted: z.boolean(), model: z.string(), policy: PolicyWireSchema.optional(), local: LocalModelWireSchema.optional() }),
  /** Sent by the extension: feedback was stored. */
  z.object({ type: z.literal('feedbackStored'), rating: z.enum(['up', 'down']) }),
  /** Sent by the extension: focus the task input. */
  z.object({ type: z.literal('focusInput') }),
  /**
   * Sent by the extension: Send was pressed with no model configured. The view draws attention to its "no model"
   * notice, which carries the fix; the typed request stays in the box.
   */
  z.object({ type: z.literal('needsModel') }),
  /**
   * Sent by the extension in answer to `listModels`: the ids the configured server lists (sorted), or `error`, what
   * kept it from listing them.
   */
  z.object({ type: z.literal('models'), models: z.array(modelId).max(500), error: z.string().max(2000).optional() }),
  /**
   * Sent by the extension when the current task's checkpoints change (a tool call finished, a run started or ended, a
   * restore): the tool calls whose card offers "Restore files to before this step"; empty while a run is in progress
   * and when nothing is left to restore. The end summary offers "Undo all changes of this task" when it is not empty.
   */
  z.object({ type: z.literal('checkpoints'), restorable: z.array(callId).max(1000) }),
  /** Sent by the extension in answer to `addContext`: what the user picked to attach (shown as removable chips). */
  z.object({ type: z.literal('contextAdded'), items: z.array(ContextRefSchema).max(20) }),
]);
export type ExtensionToWebview = z.infer<typeof ExtensionToWebviewSchema>;

/** Messages the webview sends to the extension. */
export const WebviewToExtensionSchema = z.discriminatedUnion('type', [
  /** Sent by the webview when its script has loaded (and after being restored); the extension answers `init`. */
  z.object({ type: z.literal('ready') }),
  /** Sent by the webview: Send pressed; starts a task, or continues the current one as a follow-up, with the attached `context`. */
  z.object({ type: z.literal('send'), text: z.string().min(1).max(100_000), context: z.array(ContextRefSchema).max(20).optional() }),
  /** Sent by the webview: `@` typed or Attach pressed; the extension offers the workspace's files and the selection, and answers `contextAdded`. */
  z.object({ type: z.literal('addContext') }),
  /** Sent by the webview: Stop pressed; cancels the model request, any running command and pending approvals. */
  z.object({ type: z.literal('stop') }),
  /** Sent by the webview: New Task pressed; stops any run and starts clean. */
  z.object({ type: z.literal('newTask') }),
  /**
   * Sent by the webview: Approve on an approval card. For an edit whose diff has several hunks, `hunks` numbers the
   * ones the user kept ticked (from 0, in the order the card's diff shows them); the edit then writes exactly those.
   * Absent: the whole edit. Empty: every change rejected (the view offers Reject instead, but the host treats it so).
   */
  z.object({ type: z.literal('approve'), callId, hunks: z.array(z.number().int().min(0).max(100_000)).max(10_000).optional() }),
  /** Sent by the webview: Reject on an approval card, with an optional comment for the model. */
  z.object({ type: z.literal('reject'), callId, comment: z.string().max(10_000).optional() }),
  /** Sent by the webview: Open Diff on an edit approval card. */
  z.object({ type: z.literal('openDiff'), callId }),
  /** Sent by the webview: thumbs up/down after a task, with an optional comment. */
  z.object({ type: z.literal('feedback'), rating: z.enum(['up', 'down']), comment: z.string().max(10_000).optional() }),
  /** Sent by the webview: a changed file in an end-of-task summary was clicked; the extension opens its diff (before the run ↔ now). */
  z.object({ type: z.literal('openChange'), path: z.string().min(1).max(4096) }),
  /**
   * Sent by the webview: Restore on a tool card (`callId`: the files go back to how they were before that step) or
   * "Undo all changes of this task" (`callId` null). Files the user changed since the agent wrote them are not
   * overwritten unless the user confirms it in the dialog the extension shows; the outcome is said in the transcript.
   */
  z.object({ type: z.literal('restoreCheckpoint'), callId: callId.nullable() }),
  /** Sent by the webview: the model picker was opened; the extension answers `models`. */
  z.object({ type: z.literal('listModels') }),
  /**
   * Sent by the webview: a model was picked. The extension writes it to the user settings (`oel.provider.model`), so
   * it applies from the next request and the status bar follows; a repository's settings still cannot set it.
   */
  z.object({ type: z.literal('pickModel'), model: modelId }),
  /**
   * Sent by the webview: an auto-approve toggle was pressed. The extension writes `oel.approval.<category>` to the
   * USER settings only (`auto` or `ask`; a repository's settings never count for it), refuses turning one on in an
   * untrusted workspace, and answers with `settings` carrying the policy as it now is.
   */
  z.object({ type: z.literal('setAutoApprove'), category: CategorySchema, auto: z.boolean() }),
  /** Sent by the webview: a knowledge item's id was clicked; the extension reveals it in its knowledge file. */
  z.object({ type: z.literal('revealKnowledge'), id: itemId }),
  /** Sent by the webview: a command link in the view (e.g. Set API Key in an error message). */
  z.object({ type: z.literal('command'), command: z.enum(['oel.setApiKey', 'oel.openSettings', 'oel.testConnection', 'oel.showLog', 'oel.downloadRecommendedModel', 'oel.openLocalModelSettings']) }),
]);
export type WebviewToExtension = z.infer<typeof WebviewToExtensionSchema>;

/** Parses a message the extension received; null when invalid. */
export function parseWebviewMessage(raw: unknown): WebviewToExtension | null {
  const r = WebviewToExtensionSchema.safeParse(raw);
  return r.success ? r.data : null;
}

/** Parses a message the webview received; null when invalid. */
export function parseExtensionMessage(raw: unknown): ExtensionToWebview | null {
  const r = ExtensionToWebviewSchema.safeParse(raw);
  return r.success ? r.data : null;
}
