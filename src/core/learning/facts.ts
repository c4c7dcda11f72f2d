/**
 * The few numbers the Learning view needs from one episode ("facts"): its outcome, feedback, effort, the knowledge in
 * its prompt, what became of its edits and commands, the items it cited and the adapter it ran with. Facts are small
 * (a few hundred bytes), so the summary can keep one per episode and never read an episode file twice.
 */
import { z } from 'zod';
import type { Episode } from '../trajectory/episode';

/** Bumped whenever {@link factsOf} computes something differently, so persisted summaries are rebuilt. */
export const FACTS_VERSION = 1;

/** Knowledge item ids as the knowledge file writes them (format.ts's ITEM_ID_RE). */
const ITEM_ID_RE = /^K-[a-z0-9]{4,12}$/;
/** Most distinct cited ids kept per episode: the model writes the citations, so their number is bounded here. */
export const MAX_CITED_PER_EPISODE = 50;

/** The facts of one episode. Times are ISO-8601 strings as the episode recorded them. */
export const EpisodeFactsSchema = z.object({
  id: z.string(),
  startedAt: z.string(),
  /** Time of the last `end` step, or null while running (or when the process died mid-task). */
  endedAt: z.string().nullable(),
  outcome: z.enum(['completed', 'stopped', 'max_steps', 'error']).nullable(),
  /** The last thumbs up/down given, if any. */
  feedback: z.enum(['up', 'down']).nullable(),
  /** Model turns, over every run of the task (follow-ups included). */
  steps: z.number().int().nonnegative(),
  /** Total tokens the provider reported, summed over the turns that reported usage. */
  tokens: z.number().int().nonnegative(),
  /** Whether any turn reported usage (providers that report none must not read as "0 tokens"). */
  hasUsage: z.boolean(),
  /** Approximate tokens of learned knowledge in the system prompt, 0 when there was none. */
  knowledgeTokens: z.number().int().nonnegative(),
  /** Number of learned items in the system prompt. */
  knowledgeItems: z.number().int().nonnegative(),
  editsProposed: z.number().int().nonnegative(),
  editsAccepted: z.number().int().nonnegative(),
  /** Accepted edits that a later `edit_check` looked at. */
  editsChecked: z.number().int().nonnegative(),
  /** Accepted edits whose latest check found them still in the file. */
  editsStanding: z.number().int().nonnegative(),
  /** Commands that ran to an exit (neither cancelled by the user nor refused). */
  commands: z.number().int().nonnegative(),
  /** Commands that exited 0 within their time limit. */
  commandsPassed: z.number().int().nonnegative(),
  /** Distinct knowledge item ids the answers cited (well-formed ids only, at most {@link MAX_CITED_PER_EPISODE}). */
  cited: z.array(z.string()),
  /** Adapter version the task ran with, or null. */
  adapter: z.string().nullable(),
  /** Prompt tokens the active adapter saved this task, or null when unknown or no adapter. */
  tokensSaved: z.number().int().nonnegative().nullable(),
});
/** See {@link EpisodeFactsSchema}. */
export type EpisodeFacts = z.infer<typeof EpisodeFactsSchema>;

/** Computes the facts of an assembled episode. Pure; never throws on a well-typed episode. */
export function factsOf(e: Episode): EpisodeFacts {
  let steps = 0, tokens = 0, hasUsage = false, editsProposed = 0, editsAccepted = 0, commands = 0, commandsPassed = 0;
  let feedback: EpisodeFacts['feedback'] = null;
  let endedAt: string | null = null;
  const accepted = new Set<string>();
  // Only the latest check of an edit counts: an edit may be checked again after the user touched the file.
  const lastCheck = new Map<string, boolean>();
  const cited = new Set<string>();
  for (const s of e.steps) {
    switch (s.kind) {
      case 'model':
        steps++;
        if (s.usage) { tokens += s.usage.totalTokens; hasUsage = true; }
        break;
      case 'edit':
        editsProposed++;
        if (s.accepted) { editsAccepted++; accepted.add(s.callId); }
        break;
      case 'edit_check': lastCheck.set(s.callId, s.stillStands); break;
      case 'command':
        if (s.cancelled) break;
        commands++;
        if (s.exitCode === 0 && !s.timedOut) commandsPassed++;
        break;
      case 'feedback': feedback = s.rating; break;
      case 'citation':
        for (const id of s.itemIds) if (cited.size < MAX_CITED_PER_EPISODE && ITEM_ID_RE.test(id)) cited.add(id);
        break;
      case 'end': endedAt = s.at; break;
      default: break;
    }
  }
  let editsChecked = 0, editsStanding = 0;
  for (const [callId, stands] of lastCheck) {
    if (!accepted.has(callId)) continue;
    editsChecked++;
    if (stands) editsStanding++;
  }
  const knowledge = e.systemPrompt.knowledge;
  return {
    id: e.id,
    startedAt: e.startedAt,
    endedAt: e.endReason ? endedAt : null,
    outcome: e.endReason,
    feedback,
    steps,
    tokens,
    hasUsage,
    knowledgeTokens: knowledge?.tokens ?? 0,
    knowledgeItems: knowledge?.itemIds.length ?? 0,
    editsProposed,
    editsAccepted,
    editsChecked,
    editsStanding,
    commands,
    commandsPassed,
    cited: [...cited],
    adapter: e.adapter?.version ?? null,
    tokensSaved: e.adapter?.tokensSaved ?? null,
  };
}
