import { z } from 'zod';

/** One item of a knowledge slot: its id, its score and why it was chosen (recorded in the trajectory). */
export const ChosenItemSchema = z.object({
  /** The item's id. */
  id: z.string(),
  /**
   * How strongly it was chosen: relevance to the request (0 to 1, the best match 1; +0.5 when it names a file in
   * play) times its evidence weight (0.5 to 1.5 from helpful − harmful). 0 for items chosen without relevance.
   */
  score: z.number(),
  /**
   * Why it is in the slot: `pinned`; `file` (names a file in play); `request` (relevant to the request); `evidence`
   * (helpful − harmful > 0, not matched to the request); `fits` (every eligible item fits the budget); `order` (no
   * request: the order by evidence and recency). A string, not an enum, so a reason added later does not make older
   * readers reject the record.
   */
  reason: z.string(),
  /** The same, in words, with the matched words or files. */
  why: z.string(),
});
/** One item of a knowledge slot and why it was chosen. */
export type ChosenItem = z.infer<typeof ChosenItemSchema>;

/**
 * The knowledge that was placed in the agent's system prompt for one task: which items, from which version of the
 * knowledge files, and the exact text inserted. The trajectory records it so that extraction, citation counting and
 * consolidation know precisely what the model saw.
 */
export const KnowledgeInContextSchema = z.object({
  /** Content hash of the knowledge files at the moment the prompt was built (changes whenever any item changes). */
  version: z.string(),
  /** Ids of the items inserted, in prompt order. */
  itemIds: z.array(z.string()),
  /** The exact text inserted into the knowledge slot of the system prompt, preamble included. */
  text: z.string(),
  /** Approximate token count of `text`. */
  tokens: z.number().int().nonnegative(),
  /**
   * How items were ranked: `lexical` (BM25), `embedding`, or `none` (no request: pins, evidence, recency). Absent in
   * records written before selection by relevance.
   */
  ranker: z.string().optional(),
  /** Each item of `itemIds`, in the same order, with its score and why it was chosen. Absent in older records. */
  chosen: z.array(ChosenItemSchema).optional(),
});
export type KnowledgeInContext = z.infer<typeof KnowledgeInContextSchema>;

/**
 * Supplies the knowledge slot of the system prompt. The agent loop calls it when a task starts and again for each
 * follow-up message (with the slot so far); the knowledge feature implements it, and the agent works without it (an empty slot) until that feature is enabled.
 */
export interface KnowledgeProvider {
  /**
   * Returns the knowledge to insert for a task with this request, or null for none. For a follow-up message,
   * `previous` is the slot the task has so far: the answer is that same object when the new message brings no
   * relevant item, so the prompt (and the provider's prompt cache) stays as it is.
   */
  forTask(request: string, context?: KnowledgeRequestContext): Promise<KnowledgeInContext | null>;
}

/** What a {@link KnowledgeProvider} knows of the task beyond the message. */
export interface KnowledgeRequestContext {
  /** The task's knowledge slot so far; set for follow-up messages. */
  previous?: KnowledgeInContext | null;
}
