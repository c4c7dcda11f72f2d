/**
 * What the Learning view shows about the knowledge files: how many items are in each status, and which items the
 * agent cited most, with the helpful/harmful evidence the files record for them. Pure; the caller reads the files.
 *
 * The workspace file comes from the repository, so everything taken from it is bounded here: texts are cut to
 * {@link MAX_TEXT_CHARS} and only {@link TOP_CITED} items are returned.
 */
import { allItems, type KnowledgeDocument, type KnowledgeItem, type KnowledgeScope } from '../knowledge/format';
import type { EpisodeFacts } from './facts';

/** Items shown in "most cited". */
export const TOP_CITED = 10;
/** Longest item text sent to the view. */
export const MAX_TEXT_CHARS = 240;

/** Items per status, over both files. `absorbed` counts live items a consolidated adapter carries. */
export interface StatusCounts {
  pending: number;
  accepted: number;
  pinned: number;
  inactive: number;
  pruned: number;
  /** Live items marked `consolidated: <adapter version>` (also counted under their status). */
  absorbed: number;
  /** Live items carrying a safety flag (also counted under their status). */
  flagged: number;
}

/** One of the most cited items. */
export interface CitedItem {
  id: string;
  /** The item's text (cut), or null when no knowledge file has the id any more. */
  text: string | null;
  /** `pruned` for a tombstone; null when the item is not in the files. */
  status: KnowledgeItem['status'] | 'pruned' | null;
  scope: KnowledgeScope | null;
  /** Tasks whose answer cited it. */
  cited: number;
  helpful: number;
  harmful: number;
}

/** Counts the items of the given documents by status. */
export function countStatuses(docs: readonly KnowledgeDocument[]): StatusCounts {
  const c: StatusCounts = { pending: 0, accepted: 0, pinned: 0, inactive: 0, pruned: 0, absorbed: 0, flagged: 0 };
  for (const doc of docs) {
    for (const { item, tombstone } of allItems(doc)) {
      if (tombstone) { c.pruned++; continue; }
      c[item.status]++;
      if (item.consolidated !== false) c.absorbed++;
      if (item.flags.length) c.flagged++;
    }
  }
  return c;
}

/** Cuts a text to `max` characters, marking the cut. */
function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * The items cited in the most tasks, most first (ties: more helpful − harmful first, then by id), joined with what
 * the files say of them. Docs come in priority order (workspace first): an id in both files takes the first.
 */
export function topCited(facts: readonly EpisodeFacts[], docs: readonly KnowledgeDocument[], limit = TOP_CITED): CitedItem[] {
  const counts = new Map<string, number>();
  for (const f of facts) for (const id of f.cited) counts.set(id, (counts.get(id) ?? 0) + 1);
  if (!counts.size) return [];
  const known = new Map<string, { item: KnowledgeItem; tombstone: boolean }>();
  for (const doc of docs) for (const e of allItems(doc)) if (counts.has(e.item.id) && !known.has(e.item.id)) known.set(e.item.id, e);
  const rows: CitedItem[] = [...counts].map(([id, cited]) => {
    const k = known.get(id);
    return {
      id,
      text: k ? cut(k.item.text, MAX_TEXT_CHARS) : null,
      status: k ? (k.tombstone ? 'pruned' : k.item.status) : null,
      scope: k ? k.item.scope : null,
      cited,
      helpful: k?.item.helpful ?? 0,
      harmful: k?.item.harmful ?? 0,
    };
  });
  rows.sort((a, b) => b.cited - a.cited || (b.helpful - b.harmful) - (a.helpful - a.harmful) || a.id.localeCompare(b.id));
  return rows.slice(0, limit);
}
