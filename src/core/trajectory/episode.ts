import { z } from 'zod';
import { KnowledgeInContextSchema } from '../knowledge/knowledgeContext';

/**
 * The trajectory of one agent task ("episode"), as stored on disk and exported. It is the unit the knowledge
 * extractor reads. Everything in it has already passed secret redaction.
 *
 * On disk an episode is an append-only JSON Lines file: the first line is an {@link EpisodeHeader}, every further line
 * one {@link Step}. Readers assemble the {@link Episode} from those lines and ignore a torn last line.
 */
export const EPISODE_SCHEMA_VERSION = 1;

/** Why a task ended. Shown in the view and kept in the trajectory. */
export const EndReasonSchema = z.enum(['completed', 'stopped', 'max_steps', 'error']);
export type EndReason = z.infer<typeof EndReasonSchema>;

/** Token usage reported by the provider for one model turn (absent when the provider reports none). */
export const UsageSchema = z.object({
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  totalTokens: z.number().int().nonnegative(),
});

/** A tool call as the model emitted it. `arguments` is the raw string, kept even when it is not valid JSON. */
export const ToolCallSchema = z.object({ id: z.string(), name: z.string(), arguments: z.string() });
export type ToolCall = z.infer<typeof ToolCallSchema>;

const at = z.string(); // ISO-8601 timestamp

/** A message from the user: the first request or a follow-up in the same task. */
export const UserStepSchema = z.object({
  kind: z.literal('user'),
  at,
  text: z.string(),
  /**
   * Only on a follow-up whose message changed the knowledge slot: the slot from this message on (the system prompt
   * was rebuilt with it), or null when it was emptied. Absent: the slot stayed as it was. The header holds the first.
   */
  knowledge: KnowledgeInContextSchema.nullable().optional(),
});

/** One model turn: streamed text, tool calls, why it stopped, usage and timing. */
export const ModelStepSchema = z.object({
  kind: z.literal('model'),
  at,
  turn: z.number().int().nonnegative(),
  text: z.string(),
  reasoning: z.string().optional(),
  toolCalls: z.array(ToolCallSchema),
  finishReason: z.string().nullable(),
  usage: UsageSchema.nullable(),
  latencyMs: z.number().nonnegative(),
  timeToFirstTokenMs: z.number().nonnegative().nullable(),
});

/** Status of a tool observation. `refused` is a policy refusal (outside workspace, Restricted Mode). */
export const ToolStatusSchema = z.enum(['ok', 'error', 'refused', 'rejected', 'cancelled', 'timeout']);

/** What a tool returned to the model, truncated for storage with the original size noted. */
export const ToolStepSchema = z.object({
  kind: z.literal('tool'),
  at,
  callId: z.string(),
  name: z.string(),
  /** Parsed arguments, or the raw string when they were not valid JSON. */
  args: z.unknown(),
  status: ToolStatusSchema,
  output: z.string(),
  originalSize: z.number().int().nonnegative(),
  truncated: z.boolean(),
  durationMs: z.number().nonnegative(),
});

/** The approval decision for a tool call that needed one. */
export const ApprovalStepSchema = z.object({
  kind: z.literal('approval'),
  at,
  callId: z.string(),
  tool: z.string(),
  category: z.enum(['read', 'edit', 'command']),
  decision: z.enum(['approved', 'rejected', 'auto']),
  /** Optional reason the user typed when rejecting. */
  comment: z.string().optional(),
});

/** An edit the agent proposed, and what became of it. `stillStands` is filled by a later check. */
export const EditStepSchema = z.object({
  kind: z.literal('edit'),
  at,
  callId: z.string(),
  path: z.string(),
  mode: z.enum(['replace', 'whole', 'create']),
  accepted: z.boolean(),
  /** Unified diff of the proposal (redacted, truncated like tool output). */
  diff: z.string(),
});

/** A later observation of whether an accepted edit is still in the file. */
export const EditCheckStepSchema = z.object({ kind: z.literal('edit_check'), at, callId: z.string(), path: z.string(), stillStands: z.boolean() });

/**
 * The user restored the workspace files to a checkpoint of the task: to before the edit or command `toCallId` (null:
 * the start of the task). `callIds` are the edits undone (each also gets an `edit_check` that no longer stands),
 * `paths` the files put back, `overwritten` those the user had changed since and confirmed overwriting.
 */
export const RestoreStepSchema = z.object({
  kind: z.literal('restore'),
  at,
  toCallId: z.string().nullable(),
  callIds: z.array(z.string()),
  paths: z.array(z.string()),
  overwritten: z.array(z.string()).optional(),
});

/** A terminal command the agent ran (or tried to). */
export const CommandStepSchema = z.object({
  kind: z.literal('command'),
  at,
  callId: z.string(),
  command: z.string(),
  exitCode: z.number().int().nullable(),
  timedOut: z.boolean(),
  cancelled: z.boolean(),
  durationMs: z.number().nonnegative(),
});

/** Workspace diagnostics counts, taken at the start and the end of a task. */
export const DiagnosticsStepSchema = z.object({
  kind: z.literal('diagnostics'),
  at,
  phase: z.enum(['before', 'after']),
  errors: z.number().int().nonnegative(),
  warnings: z.number().int().nonnegative(),
});

/** Explicit feedback from the user on the task. */
export const FeedbackStepSchema = z.object({ kind: z.literal('feedback'), at, rating: z.enum(['up', 'down']), comment: z.string().optional() });

/** An error the loop met (provider failure, malformed tool call, ...), with the message the user saw. */
export const ErrorStepSchema = z.object({ kind: z.literal('error'), at, source: z.enum(['provider', 'tool', 'agent', 'storage']), message: z.string() });

/** Knowledge items the model cited in its answer (ids in the form used by the knowledge file). */
export const CitationStepSchema = z.object({ kind: z.literal('citation'), at, itemIds: z.array(z.string()) });

/** The end of one run of the loop. A task continued by a follow-up has several. */
export const EndStepSchema = z.object({ kind: z.literal('end'), at, reason: EndReasonSchema, message: z.string().optional() });

/** Any line after the header. */
export const StepSchema = z.discriminatedUnion('kind', [
  UserStepSchema,
  ModelStepSchema,
  ToolStepSchema,
  ApprovalStepSchema,
  EditStepSchema,
  EditCheckStepSchema,
  RestoreStepSchema,
  CommandStepSchema,
  DiagnosticsStepSchema,
  FeedbackStepSchema,
  ErrorStepSchema,
  CitationStepSchema,
  EndStepSchema,
]);
export type Step = z.infer<typeof StepSchema>;

/** First line of an episode file: who ran what, with which prompt and knowledge. */
export const EpisodeHeaderSchema = z.object({
  kind: z.literal('header'),
  schema: z.literal(EPISODE_SCHEMA_VERSION),
  id: z.string(),
  title: z.string(),
  startedAt: at,
  /** Workspace folder name (not its absolute path). */
  workspace: z.string(),
  /** Base URL with any credentials stripped, and the model id. */
  provider: z.object({ baseUrl: z.string(), model: z.string() }),
  /** The system prompt with the knowledge slot left as a placeholder, plus what filled it. */
  systemPrompt: z.object({ template: z.string(), knowledge: KnowledgeInContextSchema.nullable() }),
  /** Whether the workspace was trusted: an untrusted one runs read-only. */
  trusted: z.boolean(),
  /**
   * The LoRA adapter the model ran with, when one was active (team consolidation), and the prompt tokens of knowledge
   * it absorbed that this task's prompt no longer carries. Absent when no adapter was active (and in episodes written
   * before adapters existed); the Learning view draws each version as a marker on its timelines.
   */
  adapter: z.object({ version: z.string().min(1).max(200), tokensSaved: z.number().int().nonnegative().optional() }).optional(),
  /**
   * A task resumed from History: the id of the episode it continues. The model got that episode's conversation before
   * this one's first message; this episode records only what happened from the resume on. Absent otherwise.
   */
  continues: z.string().min(1).max(200).optional(),
});
export type EpisodeHeader = z.infer<typeof EpisodeHeaderSchema>;

/** The assembled episode: header, steps in order, and the derived outcome. */
export const EpisodeSchema = EpisodeHeaderSchema.omit({ kind: true }).extend({
  steps: z.array(StepSchema),
  /** Reason of the last `end` step, or null while the task is running or when the process died mid-task. */
  endReason: EndReasonSchema.nullable(),
});
export type Episode = z.infer<typeof EpisodeSchema>;

/** The placeholder in {@link EpisodeHeader.systemPrompt.template} where knowledge text goes. */
export const KNOWLEDGE_SLOT = '{{knowledge}}';
