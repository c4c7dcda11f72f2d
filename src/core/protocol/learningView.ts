/**
 * The message protocol between the Learning view (webview, src/webview/learning.ts) and the extension host
 * (src/extension/learningView.ts). Every message is a zod schema. The host validates both directions: what the
 * webview sends, on receipt (invalid messages are logged and dropped), and what it posts, before posting. The webview
 * imports the types only, so zod stays out of its bundle (docs/learning-view.md).
 *
 * Handshake: the webview sends `ready` once its script runs; the host answers with `data` (after `progress` messages
 * while it reads episodes for the first time). A hidden and restored view sends `ready` again.
 */
import { z } from 'zod';

/** A knowledge item id (format.ts's ITEM_ID_RE, restated so this module stays free of node:crypto). */
const itemId = z.string().regex(/^K-[a-z0-9]{4,12}$/);
const count = z.number().int().nonnegative();
const perTask = z.number().nonnegative().nullable();
const localDay = z.string().regex(/^\d{4}-\d\d-\d\d$/);

/** How the timeline is cut: by day (last 30 days) or by week (last 26 weeks, weeks start on Monday). */
export const GranularitySchema = z.enum(['day', 'week']);
export type Granularity = z.infer<typeof GranularitySchema>;

/** One day or week of the timeline (or the whole window, as `totals`); see core/learning/series.ts. */
export const BucketSchema = z.object({
  start: localDay,
  tasks: count, completed: count, maxSteps: count, stopped: count, errored: count, unfinished: count,
  up: count, down: count,
  editsProposed: count, editsAccepted: count, editsChecked: count, editsStanding: count,
  commands: count, commandsPassed: count,
  stepsPerTask: perTask, tokensPerTask: perTask, knowledgeTokensPerTask: perTask,
  adapterTasks: count, tokensSavedPerTask: perTask,
});

/** An adapter version drawn as a marker on the timelines; `bucket` is null when it first ran before the window. */
export const AdapterMarkerSchema = z.object({
  version: z.string().min(1).max(200),
  bucket: localDay.nullable(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  tasks: count,
  tokensSavedPerTask: perTask,
});

/** Learned items per status over both knowledge files. */
export const StatusCountsSchema = z.object({
  pending: count, accepted: count, pinned: count, inactive: count, pruned: count, absorbed: count, flagged: count,
});

/** One of the most cited items; `text`, `status` and `scope` are null when no knowledge file has it any more. */
export const CitedItemSchema = z.object({
  id: itemId,
  text: z.string().max(240).nullable(),
  status: z.enum(['pending', 'accepted', 'pinned', 'inactive', 'pruned']).nullable(),
  scope: z.enum(['workspace', 'user']).nullable(),
  cited: count,
  helpful: count,
  harmful: count,
});

/** Everything the view shows. */
export const LearningDataSchema = z.object({
  granularity: GranularitySchema,
  /** When the host built it (ISO-8601). */
  generatedAt: z.string(),
  /** Episodes summarized (all time). */
  episodes: count,
  buckets: z.array(BucketSchema).max(60),
  totals: BucketSchema,
  /** Tasks that started before the window. */
  earlier: count,
  adapters: z.array(AdapterMarkerSchema).max(200),
  statuses: StatusCountsSchema,
  topCited: z.array(CitedItemSchema).max(20),
});
export type LearningData = z.infer<typeof LearningDataSchema>;

/** Messages the extension sends to the Learning view. */
export const LearningToWebviewSchema = z.discriminatedUnion('type', [
  /** Sent by the extension in answer to `ready` and `setGranularity`, after a task ends, and on Refresh: the data. */
  z.object({ type: z.literal('data'), data: LearningDataSchema }),
  /** Sent by the extension while it reads episode files it has not summarized yet (the first time: all of them). */
  z.object({ type: z.literal('progress'), done: count, total: count }),
  /** Sent by the extension when the data could not be built; the view shows the message. */
  z.object({ type: z.literal('error'), message: z.string().max(2000) }),
]);
export type LearningToWebview = z.infer<typeof LearningToWebviewSchema>;

/** Messages the Learning view sends to the extension. */
export const LearningFromWebviewSchema = z.discriminatedUnion('type', [
  /** Sent by the webview when its script has loaded (and after being restored); the host answers with `data`. */
  z.object({ type: z.literal('ready'), granularity: GranularitySchema.optional() }),
  /** Sent by the webview: the user picked By day / By week. */
  z.object({ type: z.literal('setGranularity'), granularity: GranularitySchema }),
  /** Sent by the webview: a cited item's id was clicked; the host reveals it in its knowledge file. */
  z.object({ type: z.literal('revealKnowledge'), id: itemId }),
]);
export type LearningFromWebview = z.infer<typeof LearningFromWebviewSchema>;

/** Parses a message the host received from the Learning view; null when invalid. */
export function parseLearningMessage(raw: unknown): LearningFromWebview | null {
  const r = LearningFromWebviewSchema.safeParse(raw);
  return r.success ? r.data : null;
}

/** Checks a message before the host posts it; throws when it does not match the protocol (a bug in the host). */
export function checkLearningOutgoing(msg: LearningToWebview): LearningToWebview {
  return LearningToWebviewSchema.parse(msg);
}
