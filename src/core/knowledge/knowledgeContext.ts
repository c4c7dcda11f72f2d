import { z } from 'zod';

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
});
export type KnowledgeInContext = z.infer<typeof KnowledgeInContextSchema>;

/**
 * Supplies the knowledge slot of the system prompt. The agent loop calls it once per task; the knowledge feature
 * implements it, and the agent works without it (an empty slot) until that feature is enabled.
 */
export interface KnowledgeProvider {
  /** Returns the knowledge to insert for a task with this request, or null for none. */
  forTask(request: string): Promise<KnowledgeInContext | null>;
}
